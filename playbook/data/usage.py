"""Usage at a date: how many of an account's users were active, and in how many departments.

One definition everywhere (deals when they opened, accounts today, a year ago, account-periods):
a user is active at date d when active at some point in the `window_days` ending at d. From the
users table that is `first_active <= d` and `last_active >= d - window + 1`; from raw events it
is an event in that window, computed by an Ibis expression where the events live (DuckDB over
files, or a source's engine: PostgreSQL, Spark), so only one row per (account, date) comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from playbook.data.events import EventsAt
    from playbook.data.load import Dataset


def _window(pairs: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """The pairs with the first and last day of their window (`start`, `date`), numbered."""
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    dates = pd.to_datetime(pairs["date"]).dt.normalize()
    return pd.DataFrame(
        {
            "pair": np.arange(len(pairs)),
            "account_id": pairs["account_id"].astype(str).to_numpy(),
            "start": (dates - pd.Timedelta(days=window_days - 1)).to_numpy(),
            "date": dates.to_numpy(),
        }
    )


def usage_from_spans(users: pd.DataFrame, pairs: pd.DataFrame, *, window_days: int) -> pd.DataFrame:
    """Active users and departments at each (account_id, date) of `pairs`, from the users table.

    A user counts when `first_active <= date` and `last_active >= date - window_days + 1`.
    Returns `pairs` with `active_users` and `departments` (NaN without a department column).
    """
    windows = _window(pairs, window_days)
    columns = ["account_id", "first_active", "last_active"]
    has_department = "department" in users
    if has_department:
        columns.append("department")
    joined = windows.merge(users[columns], on="account_id")
    active = joined[(joined["first_active"] <= joined["date"]) & (joined["last_active"] >= joined["start"])]
    grouped = active.groupby("pair")
    counts = pd.DataFrame({"active_users": grouped.size()})
    counts["departments"] = grouped["department"].nunique() if has_department else np.nan
    return _attach(pairs, counts, has_department)


def usage_at_expr(events: ir.Table, windows: ir.Table, departments: ir.Table | None, *, as_of) -> ir.Table:
    """Per window (pair, account_id, start, date): distinct users with an event in it, and their
    departments. Events after `as_of` never count."""
    days = (
        events.select(user_id=events.user_id, account_id=events.account_id, day=events.occurred_at.date())
        .filter(lambda t: t.day <= as_of.date())
        .distinct()
    )
    joined = days.join(windows, "account_id").filter(lambda t: (t.day >= t.start) & (t.day <= t.date))
    active = joined.select("pair", "user_id").distinct()
    if departments is None:
        return active.group_by("pair").aggregate(active_users=active.user_id.count())
    active = active.left_join(departments, "user_id").select("pair", "user_id", "department")
    return active.group_by("pair").aggregate(
        active_users=active.user_id.count(), departments=active.department.nunique()
    )


def usage_from_events(
    events_at: EventsAt,
    pairs: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    window_days: int,
    users: pd.DataFrame | None = None,
    threads: int = 2,
) -> pd.DataFrame:
    """Active users and departments at each (account_id, date) of `pairs`, from the raw events on
    their engine (DuckDB over files, or the source's engine); only the counts come back.

    A user counts when they have an event in the `window_days` ending at the date. Departments
    come from `users` (its `department` column) when it has one.
    """
    # Ibis and DuckDB are imported here: a notebook reading a run's results imports this module
    # (for the window's default) but never touches events.
    import ibis

    from playbook.data.events import checked_events

    windows = _window(pairs, window_days)
    has_department = users is not None and "department" in users
    with events_at.opened(threads) as raw:
        events = checked_events(raw, events_at.name, None)
        departments = None
        if has_department:
            departments = ibis.memtable(users[["user_id", "department"]].astype({"user_id": str}))
        expr = usage_at_expr(events, ibis.memtable(windows), departments, as_of=as_of)
        counts = expr.to_pandas().set_index("pair")
    return _attach(pairs, counts, has_department)


def _attach(pairs: pd.DataFrame, counts: pd.DataFrame, has_department: bool) -> pd.DataFrame:
    """`pairs` with the counts joined by position; pairs nobody was active at get zero."""
    out = pairs.reset_index(drop=True)
    active = counts["active_users"].reindex(range(len(out))).fillna(0).astype(int).to_numpy()
    departments = (
        counts["departments"].reindex(range(len(out))).fillna(0).astype(int).to_numpy()
        if has_department
        else np.full(len(out), np.nan)
    )
    return out.assign(active_users=active, departments=departments)


def usage_at(dataset: Dataset, pairs: pd.DataFrame) -> pd.DataFrame:
    """Active users and departments at each (account_id, date) of `pairs`: from the dataset's
    events when they were given, else from its users table; over its activity window."""
    if dataset.usage_from_events:
        return usage_from_events(
            dataset.events_at,
            pairs,
            as_of=dataset.as_of,
            window_days=dataset.active_window_days,
            users=dataset.users,
        )
    return usage_from_spans(dataset.users, pairs, window_days=dataset.active_window_days)


@dataclass(frozen=True, kw_only=True)
class AccountUsage:
    """Usage behind the penetration analysis, each frame with active_users, departments and
    employee_count (employees are a snapshot: today's value).

    deals: every opportunity, with its account's usage on the day it opened.
    now: every account, with its usage on the analysis date.
    year_ago: every account that existed a year before, with its usage then.
    """

    deals: pd.DataFrame
    now: pd.DataFrame
    year_ago: pd.DataFrame
    window_days: int


def account_usage(dataset: Dataset) -> AccountUsage:
    """The usage the penetration analysis needs, in one pass over the events (or the users table)."""
    accounts = dataset.accounts
    opportunities = dataset.opportunities
    if opportunities is None:
        opportunities = pd.DataFrame(
            {
                "opportunity_id": pd.Series(dtype=object),
                "account_id": pd.Series(dtype=object),
                "opened_at": pd.Series(dtype="datetime64[ns]"),
                "outcome": pd.Series(dtype=object),
            }
        )
    year_ago = dataset.as_of - pd.DateOffset(years=1)
    existed = accounts
    if "created_at" in accounts:
        existed = accounts[accounts["created_at"].isna() | (accounts["created_at"] <= year_ago)]
    pairs = pd.concat(
        [
            pd.DataFrame({"account_id": opportunities["account_id"], "date": opportunities["opened_at"]}),
            pd.DataFrame({"account_id": accounts["account_id"], "date": dataset.as_of}),
            pd.DataFrame({"account_id": existed["account_id"], "date": year_ago}),
        ],
        ignore_index=True,
    )
    usage = usage_at(dataset, pairs)[["active_users", "departments"]]
    employees = accounts.set_index("account_id")["employee_count"].astype(float)
    n_deals, n_accounts = len(opportunities), len(accounts)

    def part(frame: pd.DataFrame, rows: slice) -> pd.DataFrame:
        counted = usage.iloc[rows].reset_index(drop=True)
        frame = frame.reset_index(drop=True)
        return frame.assign(
            active_users=counted["active_users"].to_numpy(),
            departments=counted["departments"].to_numpy(),
            employee_count=frame["account_id"].map(employees).to_numpy(),
        )

    return AccountUsage(
        deals=part(opportunities, slice(0, n_deals)),
        now=part(accounts[["account_id"]], slice(n_deals, n_deals + n_accounts)),
        year_ago=part(existed[["account_id"]], slice(n_deals + n_accounts, None)),
        window_days=dataset.active_window_days,
    )
