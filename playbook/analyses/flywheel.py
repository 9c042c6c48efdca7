"""The flywheel evidence the article names: growth, net revenue retention, self-serve share,
magic number and signup growth, each beside its rule of thumb.

A working product-driven flywheel shows viral adoption and early monetisation on limited sales and
marketing spend, and accounts that keep growing (a16z, "The $20M-$500M question: adding top-down
sales", Dec 2020). Each figure here is computed from `arr_monthly` (and customer-level ARR when
given) and set beside the mark it is compared with; a figure the columns cannot support is None.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.data.notes import Note

NRR_TOP_COMPANIES = 1.5  # the article: top companies often show NRR above 150%
MAGIC_NUMBER_EFFICIENT = 0.75  # common SaaS benchmark, not from the article


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """One piece of flywheel evidence, beside the rule of thumb it is compared with (the views
    name each mark's source by the indicator's name). `method` says how it was computed when
    there is more than one way (net revenue retention: exact or compounded)."""

    name: str
    value: float | None
    unit: str  # "share" (0-1), "ratio" or "usd"
    mark: float | None
    n_months: int
    method: Note | None = None

    @property
    def meets_mark(self) -> bool | None:
        if self.value is None or self.mark is None:
            return None
        return self.value >= self.mark


def arr_growth_annual(arr: pd.DataFrame) -> float | None:
    """ARR now over ARR twelve months earlier, minus one (share); None with under 13 months."""
    if len(arr) < 13 or arr["arr"].iloc[-13] <= 0:
        return None
    return rounded(arr["arr"].iloc[-1] / arr["arr"].iloc[-13] - 1)


def annualised_growth(arr: pd.DataFrame, months: int) -> float | None:
    """ARR growth over the last `months` months, as a yearly rate (share); None without them."""
    if len(arr) <= months or arr["arr"].iloc[-months - 1] <= 0 or arr["arr"].iloc[-1] <= 0:
        return None
    return float((arr["arr"].iloc[-1] / arr["arr"].iloc[-months - 1]) ** (12 / months) - 1)


def compounded_nrr(arr: pd.DataFrame) -> float | None:
    """Trailing-12-month net revenue retention compounded from the monthly movements (share).

    The product over the last twelve months of 1 + (expansion - contraction - churn) / ARR of the
    month before. An approximation: the movement columns are company totals, so expansion of
    customers won during the year still counts (less than adding the year's movements to the
    ARR of a year ago, which counts all of it). New and reactivated ARR (customers returning after
    churn) are not retention and are left out. None when a movement column is missing or there
    are under 13 months.
    """
    movements = ["expansion_arr", "contraction_arr", "churned_arr"]
    if len(arr) < 13 or any(c not in arr for c in movements):
        return None
    window = arr.iloc[-12:]
    before = arr["arr"].iloc[-13:-1].to_numpy(dtype=float)
    if window[movements].isna().any().any() or (before <= 0).any():
        return None
    net = (window["expansion_arr"] - window["contraction_arr"] - window["churned_arr"]).to_numpy(dtype=float)
    return rounded(float(np.prod(1 + net / before)))


def cohort_nrr(account_arr: pd.DataFrame, *, month: pd.Timestamp) -> tuple[float | None, int]:
    """Net revenue retention of the customers paying twelve months before `month` (share), and
    how many they were: their ARR in `month` over their ARR then. Exact, from customer-level ARR.

    `account_arr` has one row per account and month: account_id, month (month start), arr.
    """
    start = month - pd.DateOffset(months=12)
    then = account_arr[(account_arr["month"] == start) & (account_arr["arr"] > 0)]
    if then.empty:
        return None, 0
    now = account_arr[account_arr["month"] == month].set_index("account_id")["arr"]
    kept = then["account_id"].map(now).fillna(0.0)
    return rounded(float(kept.sum() / then["arr"].sum())), len(then)


def self_serve_share(arr: pd.DataFrame) -> float | None:
    """Share of the last month's ARR that came through the self-serve (bottom-up) motion."""
    if "self_serve_arr" not in arr or pd.isna(arr["self_serve_arr"].iloc[-1]) or arr["arr"].iloc[-1] <= 0:
        return None
    return rounded(arr["self_serve_arr"].iloc[-1] / arr["arr"].iloc[-1])


def magic_number(arr: pd.DataFrame) -> float | None:
    """Net new ARR in the last quarter over sales & marketing spend in the quarter before."""
    if "sales_marketing_spend" not in arr or len(arr) < 7:
        return None
    spend = arr["sales_marketing_spend"].iloc[-6:-3]
    if spend.isna().any() or spend.sum() <= 0:
        return None
    return rounded((arr["arr"].iloc[-1] - arr["arr"].iloc[-4]) / spend.sum())


def signup_growth(arr: pd.DataFrame) -> float | None:
    """Signups in the last twelve months over the twelve before, minus one (share)."""
    if "signups" not in arr or len(arr) < 24:
        return None
    recent, before = arr["signups"].iloc[-12:], arr["signups"].iloc[-24:-12]
    if recent.isna().any() or before.isna().any() or before.sum() <= 0:
        return None
    return rounded(float(recent.sum()) / float(before.sum()) - 1)


def nrr_indicator(arr: pd.DataFrame, account_arr: pd.DataFrame | None) -> Indicator:
    """NRR exactly from customer-level ARR when it is given, else compounded from the movements."""
    if account_arr is not None and len(arr):
        value, customers = cohort_nrr(account_arr, month=arr["month"].iloc[-1])
        if value is not None:
            return Indicator(
                name="nrr",
                value=value,
                unit="share",
                mark=NRR_TOP_COMPANIES,
                n_months=13,
                method=Note("nrr_cohort", customers=customers),
            )
    return Indicator(
        name="nrr",
        value=compounded_nrr(arr),
        unit="share",
        mark=NRR_TOP_COMPANIES,
        n_months=min(len(arr), 13),
        method=Note("nrr_compounded"),
    )


def flywheel_indicators(arr: pd.DataFrame, account_arr: pd.DataFrame | None = None) -> tuple[Indicator, ...]:
    """The flywheel evidence the columns allow, each beside its rule of thumb."""
    n = len(arr)
    return (
        Indicator(
            name="arr_growth_annual",
            value=arr_growth_annual(arr),
            unit="share",
            mark=None,
            n_months=min(n, 13),
        ),
        nrr_indicator(arr, account_arr),
        Indicator(name="self_serve_share", value=self_serve_share(arr), unit="share", mark=None, n_months=1),
        Indicator(
            name="magic_number",
            value=magic_number(arr),
            unit="ratio",
            mark=MAGIC_NUMBER_EFFICIENT,
            n_months=min(n, 6),
        ),
        Indicator(
            name="signup_growth", value=signup_growth(arr), unit="share", mark=None, n_months=min(n, 24)
        ),
    )
