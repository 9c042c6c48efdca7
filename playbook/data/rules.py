"""Rules across rows and tables: contiguous months, foreign keys, dates in order, event months."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from playbook.data.contract import MONTHS_OF_ARR, NOT_BEFORE_ACCOUNT_CREATED, ORDERED_DATES, TABLES
from playbook.data.errors import Problem, problem
from playbook.data.notes import Note
from playbook.data.parse import locator


def _rows(frame: pd.DataFrame, mask: pd.Series) -> list[str]:
    locate = locator(Path("x" + frame.attrs.get("locator", ".csv")))
    return [locate(i) for i in np.flatnonzero(mask.to_numpy())]


def contiguous_months(arr: pd.DataFrame) -> list[Problem]:
    months = arr["month"].dropna().sort_values()
    if months.empty:
        return [Problem(arr.attrs["file"], "month", "holds no months")]
    expected = pd.date_range(months.iloc[0], months.iloc[-1], freq="MS")
    gaps = expected.difference(months)
    if len(gaps) == 0:
        return []
    return [
        problem(
            arr.attrs["file"],
            "month",
            "months must be contiguous; missing month(s)",
            [m.strftime("%Y-%m") for m in gaps],
            ["" for _ in gaps],
        )
    ]


MOVEMENT_SIGNS = {
    "new_arr": 1,
    "reactivation_arr": 1,
    "expansion_arr": 1,
    "contraction_arr": -1,
    "churned_arr": -1,
}


def movement_gaps(arr: pd.DataFrame) -> Note | None:
    """A note when arr_monthly's movements do not add up to the change in ARR (None when they do).

    ARR_t - ARR_t-1 = new + reactivation + expansion - contraction - churned; a gap over a dollar
    (beyond rounding) is reported, not refused: spreadsheets adjust for currency and credits.
    """
    present = [c for c in MOVEMENT_SIGNS if c in arr]
    if not {"new_arr", "expansion_arr", "contraction_arr", "churned_arr"} <= set(present):
        return None
    arr = arr.sort_values("month")
    moved = sum(arr[c].fillna(0) * MOVEMENT_SIGNS[c] for c in present)
    gap = (arr["arr"].diff() - moved).iloc[1:]
    off = gap.abs() > 1.0
    if not off.any():
        return None
    worst = gap.abs().idxmax()
    return Note(
        "movements_do_not_add_up",
        months=int(off.sum()),
        largest_gap=round(float(gap[worst]), 2),
        month=f"{arr.loc[worst, 'month']:%Y-%m}",
    )


def foreign_keys(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for name, frame in tables.items():
        for column, target in TABLES[name].references:
            parent = tables.get(target)
            if parent is None:
                problems.append(
                    Problem(
                        frame.attrs["file"],
                        column,
                        f"refers to {target}, but no {target}.csv or {target}.parquet was given",
                    )
                )
                continue
            known = parent[TABLES[target].key[0]]
            unknown = frame[column].notna() & ~frame[column].isin(known)
            if unknown.any():
                problems.append(
                    problem(
                        frame.attrs["file"],
                        column,
                        f"must name a known {TABLES[target].key[0]} in {parent.attrs['file']}",
                        _rows(frame, unknown),
                        list(frame.loc[unknown, column]),
                    )
                )
    return problems


def date_order(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for name, earlier, later in ORDERED_DATES:
        frame = tables.get(name)
        if frame is None or earlier not in frame or later not in frame:
            continue
        wrong = frame[later] < frame[earlier]
        if wrong.any():
            problems.append(
                problem(
                    frame.attrs["file"],
                    later,
                    f"must not be before {earlier}",
                    _rows(frame, wrong),
                    list(frame.loc[wrong, later].dt.strftime("%Y-%m-%d")),
                )
            )
    accounts = tables.get("accounts")
    if accounts is None or "created_at" not in accounts:
        return problems
    created = accounts.set_index("account_id")["created_at"]
    for name, column in NOT_BEFORE_ACCOUNT_CREATED:
        frame = tables.get(name)
        if frame is None or column not in frame:
            continue
        account_created = frame["account_id"].map(created)
        early = frame[column] < account_created
        if early.any():
            problems.append(
                problem(
                    frame.attrs["file"],
                    column,
                    "must not be before the account's created_at in accounts",
                    _rows(frame, early),
                    list(frame.loc[early, column].dt.strftime("%Y-%m-%d")),
                )
            )
    return problems


def months_of_arr(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Months (arr_events) that must be months of arr_monthly: a step in ARR is placed in a month
    the ARR history holds."""
    arr = tables.get("arr_monthly")
    problems = []
    for name, column in MONTHS_OF_ARR:
        frame = tables.get(name)
        if frame is None or arr is None:
            continue
        outside = frame[column].notna() & ~frame[column].isin(arr["month"])
        if outside.any():
            first, last = arr["month"].min(), arr["month"].max()
            problems.append(
                problem(
                    frame.attrs["file"],
                    column,
                    f"must be a month of {arr.attrs['file']} ({first:%Y-%m} to {last:%Y-%m})",
                    _rows(frame, outside),
                    list(frame.loc[outside, column].dt.strftime("%Y-%m")),
                )
            )
    return problems
