"""The accounts behind the penetration verdict: ready now, too early, and abroad.

Dropbox built pipeline from the accounts with the most usage and the top 10 power users in each;
Walmart showed that a broad push where usage is thin comes too early; Slack checked that usage
abroad pointed to the opportunity before expanding to Japan (a16z, Dec 2020).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def power_users(users: pd.DataFrame, account_ids, *, as_of: pd.Timestamp, top: int = 10) -> pd.DataFrame:
    """The `top` most active users now of each account (the Dropbox practice).

    Emails come back as they are: masking them is for the views, which show people.
    """
    active = users[users["account_id"].isin(account_ids) & (users["last_active"] >= as_of)]
    sort_by = [c for c in ("events_28d", "active_days_28d") if c in active]
    ranked = active.sort_values(
        ["account_id", *sort_by, "user_id"], ascending=[True, *[False] * len(sort_by), True]
    )
    columns = [
        "account_id",
        "user_id",
        *[c for c in ("email", "department", "title") if c in users],
        *sort_by,
    ]
    return ranked.groupby("account_id").head(top)[columns].reset_index(drop=True)


def deal_size_per_employee(opportunities: pd.DataFrame, accounts: pd.DataFrame) -> tuple[float | None, int]:
    """Median amount per employee of won deals (currency per employee), and how many deals it rests on."""
    if "amount" not in opportunities:
        return None, 0
    won = opportunities[(opportunities["outcome"] == "won") & opportunities["amount"].notna()]
    if won.empty:
        return None, 0
    employees = won["account_id"].map(accounts.set_index("account_id")["employee_count"]).astype(float)
    return float((won["amount"] / employees).median()), len(won)


def ready_accounts(
    usage_now: pd.DataFrame,
    accounts: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    signal: str,
    threshold: float,
    win_probability,
    deal_size_per_employee: float | None,
) -> pd.DataFrame:
    """Accounts at or above the threshold now with no won or open top-down deal, by expected value.

    expected_value = win probability at today's signal x deal size (employees x the won deals'
    median amount per employee), in the data's currency.
    """
    engaged = opportunities.loc[opportunities["outcome"].isin(["won", "open"]), "account_id"].unique()
    ready = usage_now[(usage_now[signal] >= threshold) & ~usage_now["account_id"].isin(engaged)]
    wanted = [c for c in ("account_name", "country", "plan", "arr") if c in accounts]
    details = accounts.set_index("account_id")[wanted]
    ready = ready.join(details, on="account_id")
    probability = win_probability(ready[signal].to_numpy(dtype=float))
    size = ready["employee_count"].astype(float) * (deal_size_per_employee or np.nan)
    ready = ready.assign(win_probability=probability, deal_size=size, expected_value=probability * size)
    return ready.sort_values(["expected_value", "account_id"], ascending=[False, True], ignore_index=True)


def _needed(usage: pd.DataFrame, signal: str, threshold: float) -> pd.Series:
    """How far each account is from the threshold, in the signal's own units: active users for
    employee penetration, departments, or seats."""
    if signal == "employee_penetration":
        return np.ceil(usage["employee_count"] * threshold) - usage["active_users"]
    return np.ceil(threshold - usage[signal])


def premature_accounts(
    usage_now: pd.DataFrame, accounts: pd.DataFrame, *, signal: str, threshold: float, min_employees: int
) -> pd.DataFrame:
    """Large accounts (by employees) still below the threshold: a top-down push there is likely early.

    The Walmart lesson: two small deployments, a broad push, and no value the buyer could see.
    `needed` is how far each is from the threshold, in the signal's own units.
    """
    names = accounts.set_index("account_id")[["account_name"]]
    large = usage_now[(usage_now["employee_count"] >= min_employees) & (usage_now[signal] < threshold)]
    large = large.join(names, on="account_id").assign(needed=lambda d: _needed(d, signal, threshold))
    return large.sort_values(["employee_count", "account_id"], ascending=[False, True], ignore_index=True)


def country_growth(
    usage_now: pd.DataFrame,
    usage_year_ago: pd.DataFrame,
    ready: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    signal: str,
    threshold: float,
) -> pd.DataFrame:
    """By country: accounts above the threshold now and a year ago, their growth, and ready accounts.

    The Slack lesson: before an international leap, check that bottom-up usage abroad already
    points to the opportunity.
    """
    country = accounts.set_index("account_id")["country"]
    now = usage_now.loc[usage_now[signal] >= threshold, "account_id"].map(country).value_counts()
    before = usage_year_ago.loc[usage_year_ago[signal] >= threshold, "account_id"].map(country).value_counts()
    ready_by_country = ready["account_id"].map(country).value_counts()
    table = pd.DataFrame(
        {"above_threshold": now, "above_threshold_year_ago": before, "ready_accounts": ready_by_country}
    )
    table = table.fillna(0).astype(int).rename_axis("country").reset_index()
    growth = (
        table["above_threshold"]
        / table["above_threshold_year_ago"].where(table["above_threshold_year_ago"] > 0)
        - 1
    )
    return table.assign(growth_12m=growth).sort_values(
        ["above_threshold", "country"], ascending=[False, True], ignore_index=True
    )
