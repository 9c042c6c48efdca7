"""The accounts behind the penetration verdict: ready now, outside our experience, too early, abroad.

Dropbox built pipeline from the accounts with the most usage and the top 10 power users in each;
Walmart showed that a broad push where usage is thin comes too early; Slack checked that usage
abroad pointed to the opportunity before expanding to Japan (a16z, Dec 2020).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def engaged_accounts(deals: pd.DataFrame) -> np.ndarray:
    """Accounts with a won or open top-down deal: already in the top-down motion, never 'ready'."""
    return deals.loc[deals["outcome"].isin(["won", "open"]), "account_id"].unique()


def power_users(
    users: pd.DataFrame, account_ids, *, as_of: pd.Timestamp, window_days: int, top: int = 10
) -> pd.DataFrame:
    """The `top` most active users now of each account (the Dropbox practice).

    Active now: last active within the `window_days` ending on `as_of`. Emails come back as they
    are: masking them is for the views, which show people.
    """
    window_start = as_of - pd.Timedelta(days=window_days - 1)
    active = users[users["account_id"].isin(account_ids) & (users["last_active"] >= window_start)]
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


def _details(frame: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    wanted = [c for c in ("account_name", "country", "plan", "arr") if c in accounts]
    return frame.join(accounts.set_index("account_id")[wanted], on="account_id")


# Why an account past the threshold lies outside our deal experience (codes the views word).
OUTSIDE_REASONS = (
    "below_min_employees",
    "smaller_than_deals",
    "larger_than_deals",
    "more_usage_than_deals",
    "unpriced",
)


def _outside_reason(
    usage: pd.DataFrame,
    signal: str,
    deals: pd.DataFrame,
    min_employees: int,
    priced: tuple[float, float] | None,
) -> pd.Series:
    """Why each account lies outside our deal experience, a code of OUTSIDE_REASONS ('' when it
    lies inside; the first reason of the list that applies).

    `priced` is the employee range the deal-size fit covers (None when there is no fit).
    """
    employees = usage["employee_count"].astype(float)
    smallest, largest = deals["employee_count"].min(), deals["employee_count"].max()
    top_signal = deals[signal].max()
    reason = pd.Series("", index=usage.index, dtype=object)
    if priced is not None:
        unpriced = (employees < priced[0]) | (employees > priced[1])
        reason = reason.mask(unpriced, "unpriced")
    reason = reason.mask(usage[signal] > top_signal, "more_usage_than_deals")
    reason = reason.mask(employees > largest, "larger_than_deals")
    reason = reason.mask(employees < smallest, "smaller_than_deals")
    return reason.mask(employees < min_employees, "below_min_employees")


def candidate_accounts(
    usage_now: pd.DataFrame,
    accounts: pd.DataFrame,
    closed_deals: pd.DataFrame,
    engaged: np.ndarray,
    *,
    signal: str,
    deal_size,
    min_employees_scored: int,
) -> pd.DataFrame:
    """Every account with no won or open top-down deal, with why it lies outside our deal experience
    (`reason`, a code of OUTSIDE_REASONS; '' inside it), whatever its usage.

    Inside means: at least `min_employees_scored` employees, a size and a signal within the range
    of the closed deals, and a size the won deals' deal-size fit covers. The accounts inside it at
    or above a cut are the ready ones, for our cut and for every resampled one (`ready_range`).
    """
    free = _details(usage_now[~usage_now["account_id"].isin(engaged)], accounts)
    priced = None if deal_size is None else deal_size.employees
    return free.assign(reason=_outside_reason(free, signal, closed_deals, min_employees_scored, priced))


def ready_accounts(
    candidates: pd.DataFrame, *, signal: str, threshold: float, curve, deal_size
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The candidate accounts (`candidate_accounts`) at or above the threshold now: those inside our
    deal experience, valued, best first; and those outside it, with the reason.

    expected_value = win probability (the curve at today's signal) x deal size (fitted on won
    deals; NaN when there is no fit), in the data's currency.
    """
    past = candidates[candidates[signal] >= threshold]
    inside = past[past["reason"] == ""].drop(columns="reason")
    probability = curve.predict(inside[signal].to_numpy(dtype=float))
    size = (
        deal_size.predict(inside["employee_count"].to_numpy(dtype=float))
        if deal_size is not None
        else np.full(len(inside), np.nan)
    )
    ready = inside.assign(win_probability=probability, deal_size=size, expected_value=probability * size)
    ready = ready.sort_values(
        ["expected_value", signal, "account_id"],
        ascending=[False, False, True],
        na_position="last",
        ignore_index=True,
    )
    outside = past[past["reason"] != ""]
    outside = outside.sort_values([signal, "account_id"], ascending=[False, True], ignore_index=True)
    return ready, outside


def top_by_usage(
    usage_now: pd.DataFrame, accounts: pd.DataFrame, engaged: np.ndarray, *, signal: str, top: int = 25
) -> pd.DataFrame:
    """The most used accounts now with no won or open top-down deal, by raw usage: what a team can
    still look at when the deals show no threshold (no account is valued)."""
    free = usage_now[~usage_now["account_id"].isin(engaged) & (usage_now["active_users"] > 0)]
    ranked = free.sort_values([signal, "active_users", "account_id"], ascending=[False, False, True])
    return _details(ranked.head(top), accounts).reset_index(drop=True)


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
