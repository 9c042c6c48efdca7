"""Currency conversion from a table the user declares: `--fx-rates FILE` (month, currency, rate).

`rate` is how many units of the target currency (`--currency`) one unit of `currency` is worth in
that month. Nothing is converted at a rate the table does not give: a missing rate is an error
naming the rows and the month, and the table needs a month and a positive rate on every line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from playbook.data.errors import DataError, Problem, problem
from playbook.data.parse import read_raw


def read_fx_rates(path: Path | None) -> pd.DataFrame | None:
    """fx_rates: month (month start), currency (upper case), rate (target units per unit)."""
    if path is None:
        return None
    raw = read_raw(path)
    missing = [c for c in ("month", "currency", "rate") if c not in raw]
    if missing:
        raise DataError(
            [
                Problem(path.name, c, "required column is missing (fx_rates: month, currency, rate)")
                for c in missing
            ]
        )
    month = (
        pd.to_datetime(raw["month"], format="ISO8601", errors="coerce").dt.to_period("M").dt.to_timestamp()
    )
    rate = pd.to_numeric(raw["rate"], errors="coerce")
    bad = month.isna() | rate.isna() | (rate <= 0)
    if bad.any():
        rows = [f"line {i + 2}" for i in bad[bad].index[:5]]
        raise DataError(
            [
                Problem(
                    path.name,
                    None,
                    f"needs a month (YYYY-MM) and a positive rate on every line: {', '.join(rows)}",
                )
            ]
        )
    return pd.DataFrame({"month": month, "currency": raw["currency"].str.upper().str.strip(), "rate": rate})


def rates(
    currencies: pd.Series, months: pd.Series, *, target: str, fx_rates: pd.DataFrame | None
) -> pd.Series:
    """The rate of each row's currency in its month (1 for the target currency; NaN when the
    table does not give it, or when there is no table)."""
    currencies = currencies.str.upper()
    out = pd.Series(np.where(currencies == target.upper(), 1.0, np.nan), index=currencies.index)
    if fx_rates is None:
        return out
    table = fx_rates.set_index(["month", "currency"])["rate"]
    keys = pd.MultiIndex.from_arrays([months.dt.to_period("M").dt.to_timestamp(), currencies])
    found = pd.Series(table.reindex(keys).to_numpy(), index=currencies.index)
    return out.fillna(found)


def missing_rate(
    file: str,
    column: str,
    where: list[str],
    values: list[str],
    *,
    target: str,
    fx_given: bool,
    converted_column: str | None = None,
) -> DataError:
    """The error for amounts in another currency that cannot be converted for sure."""
    found = ", ".join(sorted({v.split()[0] for v in values}))
    if fx_given:
        rule = f"has amounts in {found} whose month has no rate to {target.upper()} in --fx-rates"
    else:
        also = f"add the {converted_column} column to the export, or " if converted_column else ""
        rule = (
            f"has amounts in {found}, not {target.upper()}: {also}give their rates with --fx-rates FILE "
            f"(month, currency, rate: {target.upper()} per unit)"
        )
    return DataError([problem(file, column, rule, where, values)])
