"""Read one table file and check it on its own: parse each column's type, then value rules.

Every broken rule becomes a `Problem` naming the file, the column, the rule and the rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from playbook.data.contract import Column, Table
from playbook.data.errors import Problem, problem

COLUMN_MAP_FILE = "columns.yaml"
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _read_raw(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        # Everything as text, so that parsing (and its error messages) is ours; only an empty
        # cell is missing ("NA" is Namibia's country code).
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return pd.read_parquet(path)


def locator(path: Path):
    """How a person finds row i of a file: CSV line numbers count the header as line 1."""
    if path.suffix == ".csv":
        return lambda i: f"line {i + 2}"
    return lambda i: f"row {i + 1}"


def _as_text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _parse(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    """Parse a raw column into its type. Returns (parsed, unparseable mask, rule text)."""
    kind = column.kind
    if kind in ("id", "text"):
        return _as_text(values).astype(object), pd.Series(False, index=values.index), ""
    if kind == "label":
        parsed = _as_text(values).str.lower().astype(object)
        return parsed, pd.Series(False, index=values.index), ""
    if kind in ("number", "integer"):
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            parsed = values.astype(float)
        else:
            parsed = pd.to_numeric(_as_text(values), errors="coerce").astype(float)
        bad = parsed.isna() & values.notna() & (_as_text(values).notna())
        if kind == "integer":
            bad |= parsed.notna() & (parsed != np.round(parsed))
            return parsed, bad, "must be a whole number"
        return parsed, bad, "must be a number"
    if kind == "bool":
        text = _as_text(values).str.lower()
        parsed = pd.Series(
            np.where(text.isin(_TRUE), True, np.where(text.isin(_FALSE), False, None)),
            index=values.index,
            dtype=object,
        )
        bad = text.notna() & parsed.isna()
        return parsed, bad, "must be true or false"
    # date, timestamp, month
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        bad = pd.Series(False, index=values.index)
    else:
        text = _as_text(values)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        parsed = parsed.dt.tz_localize(None)
        bad = parsed.isna() & text.notna()
    parsed = parsed.astype("datetime64[ns]")
    if kind == "date":
        return parsed.dt.normalize(), bad, "must be an ISO-8601 date (YYYY-MM-DD)"
    if kind == "month":
        return parsed.dt.to_period("M").dt.to_timestamp(), bad, "must be a month (YYYY-MM)"
    return parsed, bad, "must be an ISO-8601 timestamp"


def _value_schema(table: Table, present: list[str]) -> pa.DataFrameSchema:
    """Ranges, labels, non-empty required columns and unique single-column keys, as pandera checks."""
    columns = {}
    for c in table.columns:
        if c.name not in present:
            continue
        checks = []
        if c.minimum is not None:
            checks.append(pa.Check.ge(c.minimum))
        if c.maximum is not None:
            checks.append(pa.Check.le(c.maximum))
        if c.labels:
            checks.append(pa.Check.isin(list(c.labels)))
        columns[c.name] = pa.Column(
            checks=checks,
            nullable=not c.required,
            unique=table.key == (c.name,),
            coerce=False,
        )
    return pa.DataFrameSchema(columns)


def _describe_check(check: str, column: Column) -> str:
    if check == "not_nullable":
        return "must not be empty"
    if check == "field_uniqueness":
        return "must be unique (duplicate ids)"
    if check.startswith("isin"):
        return f"must be one of {', '.join(column.labels)}"
    if check.startswith("greater_than_or_equal_to"):
        return f"must be at least {column.minimum:g}"
    if check.startswith("less_than_or_equal_to"):
        return f"must be at most {column.maximum:g}"
    return check


def read_table(
    table: Table, path: Path, mapping: dict[str, str], events_given: bool
) -> tuple[pd.DataFrame | None, list[Problem]]:
    name = path.name
    try:
        raw = _read_raw(path)
    except Exception as exc:  # any reader failure is a problem with the file, not a crash
        return None, [Problem(name, None, f"cannot be read as {path.suffix[1:]} ({exc})")]
    raw = raw.rename(columns={v: k for k, v in mapping.items()}).reset_index(drop=True)
    where = locator(path)

    required = set(table.required_columns)
    if table.name == "users" and events_given:
        required -= {"first_active", "last_active"}  # derived from events instead
    missing = sorted(required - set(raw.columns))
    if missing:
        return None, [
            Problem(
                name,
                col,
                f"required column is missing (columns found: {', '.join(map(str, raw.columns))};"
                f" map your own names in {COLUMN_MAP_FILE})",
            )
            for col in missing
        ]

    present = [c.name for c in table.columns if c.name in raw.columns]
    parsed: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for col in present:
        column = table.column(col)
        values, bad, rule = _parse(raw[col], column)
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            problems.append(problem(name, col, rule, [where(i) for i in idx], list(raw[col].iloc[idx])))
        parsed[col] = values.mask(bad)
    frame = pd.DataFrame(parsed)

    try:
        _value_schema(table, present).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for (col, check), group in cases.groupby(["column", "check"], sort=False):
            if check == "not_nullable":
                # An unparseable value was already reported; only report truly empty cells.
                idx = [int(i) for i in group["index"] if pd.isna(raw[col].iloc[int(i)])]
                values = ["" for _ in idx]
            else:
                idx = [int(i) for i in group["index"]]
                values = list(group["failure_case"])
            if idx:
                rule = _describe_check(str(check), table.column(str(col)))
                problems.append(problem(name, str(col), rule, [where(i) for i in idx], values))

    if len(table.key) > 1:
        dup = frame.duplicated(list(table.key), keep=False)
        if dup.any():
            idx = np.flatnonzero(dup.to_numpy())
            keys = frame.loc[dup, list(table.key)].astype(str).agg("/".join, axis=1)
            problems.append(
                problem(
                    name,
                    "+".join(table.key),
                    "must be unique together (each combination once)",
                    [where(i) for i in idx],
                    list(keys),
                )
            )
    whole = [c for c in present if table.column(c).kind == "integer"]
    frame[whole] = frame[whole].round().astype("Int64")
    frame.attrs["file"] = name
    frame.attrs["locator"] = path.suffix
    return frame, problems
