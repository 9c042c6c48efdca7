"""The as_of cut: every table reduced to what was known on the analysis date.

A run with `as_of = X` on full data must equal a run on the data cut at X by hand, so nothing an
analysis sees may come from after X: months after it, accounts created after it, users first
active after it (their last activity clipped to it), opportunities opened after it, feature
requests after it, ARR events (`arr_events`) after it. An opportunity closed after X was still
open on X. Events after X are left out where events are aggregated (`usage`). The run reports how
many rows each rule set aside.

Some columns are snapshots the cut cannot reach — `accounts.employee_count`, `seats`, `arr`,
`plan`, and the window counts of `users` — so a backtest uses today's values for them (SNAPSHOTS).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Columns that hold today's value whatever the analysis date (named in docs/data-contract.md).
SNAPSHOTS = (
    "accounts.employee_count",
    "accounts.seats",
    "accounts.arr",
    "accounts.plan",
    "users.active_days_28d",
    "users.events_28d",
)


# The rules of the cut, by code (`views.notes` words them).
RULES = (
    "months_after",
    "customer_months_after",
    "accounts_created_after",
    "map_ids_after",
    "users_first_active_after",
    "last_activity_clipped",
    "opportunities_opened_after",
    "closed_after_counted_open",
    "requests_after",
    "events_after",
    "arr_events_after",
)


@dataclass(frozen=True, kw_only=True)
class SetAside:
    """How many rows one rule of the cut (a code of RULES) set aside, or changed."""

    table: str
    rule: str
    rows: int

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}; rules are {', '.join(RULES)}")

    def to_dict(self) -> dict:
        return {"table": self.table, "rule": self.rule, "rows": self.rows}


def month_end(months: pd.Series) -> pd.Series:
    """The last day of each month (months given as their first day)."""
    return months + pd.offsets.MonthEnd(0)


def cut_at(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> tuple[dict, tuple[SetAside, ...]]:
    """The tables as they were known on `as_of`, and what each rule set aside.

    `tables` maps table names to validated frames (none is changed in place).
    """
    out = dict(tables)
    report: list[SetAside] = []

    def keep(name: str, mask: pd.Series, rule: str) -> None:
        frame = out[name]
        dropped = int((~mask).sum())
        if dropped:
            report.append(SetAside(table=name, rule=rule, rows=dropped))
        out[name] = frame[mask].reset_index(drop=True).pipe(_with_attrs, frame)

    if "arr_monthly" in out:
        months = out["arr_monthly"]["month"]
        keep("arr_monthly", month_end(months) <= as_of, "months_after")
    if "arr_events" in out:
        keep("arr_events", month_end(out["arr_events"]["month"]) <= as_of, "arr_events_after")
    if "account_arr" in out:
        months = out["account_arr"]["month"]
        keep("account_arr", month_end(months) <= as_of, "customer_months_after")
    if "accounts" in out and "created_at" in out["accounts"]:
        created = out["accounts"]["created_at"]
        keep("accounts", created.isna() | (created <= as_of), "accounts_created_after")
    if "account_map" in out and "accounts" in out:
        known = out["account_map"]["account_id"].isin(out["accounts"]["account_id"])
        keep("account_map", known, "map_ids_after")
    if "users" in out and "first_active" in out["users"]:
        keep("users", out["users"]["first_active"] <= as_of, "users_first_active_after")
        users = out["users"]
        later = users["last_active"] > as_of
        if later.any():
            report.append(SetAside(table="users", rule="last_activity_clipped", rows=int(later.sum())))
            out["users"] = users.assign(last_active=users["last_active"].clip(upper=as_of)).pipe(
                _with_attrs, users
            )
    if "opportunities" in out:
        keep(
            "opportunities",
            out["opportunities"]["opened_at"] <= as_of,
            "opportunities_opened_after",
        )
        opps = out["opportunities"]
        if "closed_at" in opps:
            reopened = opps["closed_at"].notna() & (opps["closed_at"] > as_of)
            if reopened.any():
                report.append(
                    SetAside(
                        table="opportunities", rule="closed_after_counted_open", rows=int(reopened.sum())
                    )
                )
                out["opportunities"] = opps.assign(
                    outcome=opps["outcome"].where(~reopened, "open"),
                    closed_at=opps["closed_at"].mask(reopened),
                ).pipe(_with_attrs, opps)
    if "feature_requests" in out:
        created = out["feature_requests"]["created_at"]
        keep("feature_requests", created <= as_of, "requests_after")
    return out, tuple(report)


def _with_attrs(frame: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    """Keep the file name and locator the error messages use."""
    frame.attrs.update(source.attrs)
    return frame
