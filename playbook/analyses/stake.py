"""ARR at stake: what open top-down deals are worth to each enterprise feature, counted once.

Stripe's sales lead argued for a roadmap item in dollars (a16z, Dec 2020). The dollars must add up:
each open deal's expected value (amount x win probability) counts only as far as the deal is
expected to close within the horizon — by the CRM's expected close date when it has one, else by
how long won deals took to close given how old the deal already is (a Kaplan-Meier fit, open deals
censored) — and is then split in equal shares across the enterprise features its account asked for
that are not shipped yet. So the features' stakes never add up to more than the open pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.data.notes import Note

MIN_WON_CYCLES = 5  # won deals with a close date needed to estimate how long deals take
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, kw_only=True)
class OpenPipeline:
    """The open deals counted over the horizon, and what each feature has at stake.

    `deals`: opportunity_id, account_id, amount, win_probability, close_within (probability of
    closing within the horizon), expected_value (all three multiplied), features (the not-shipped
    enterprise features its account asked for). `by_feature`: feature, arr_at_stake, open_deals.
    """

    horizon_months: int
    deals: pd.DataFrame = field(repr=False)
    by_feature: pd.DataFrame = field(repr=False)
    close_source: Note  # where the chance of closing within the horizon comes from
    notes: tuple[Note, ...] = ()

    @property
    def expected(self) -> float:
        """The expected value of the open deals over the horizon (currency)."""
        return float(self.deals["expected_value"].sum())

    def to_dict(self) -> dict:
        return {
            "open_pipeline_expected": round(self.expected, 2),
            "stake_horizon_months": self.horizon_months,
            "open_deals": len(self.deals),
            "close_within_horizon_from": self.close_source.to_dict(),
        }


def close_within(
    opportunities: pd.DataFrame, *, as_of: pd.Timestamp, horizon_months: int
) -> tuple[pd.Series, Note, list[Note]]:
    """Each open deal's probability of closing within `horizon_months` of `as_of` (by opportunity_id).

    From `expected_close_at` where the CRM has one (1 when it falls within the horizon or has
    passed, else 0); otherwise from a Kaplan-Meier fit of how long won deals took to close, open
    deals censored at their age: P(close by age + h | still open at age) = 1 - S(age + h) / S(age).
    """
    open_deals = opportunities[opportunities["outcome"] == "open"]
    horizon_end = as_of + pd.DateOffset(months=horizon_months)
    probability = pd.Series(np.nan, index=open_deals["opportunity_id"].to_numpy(), dtype=float)
    notes: list[Note] = []
    if "expected_close_at" in open_deals:
        dated = open_deals["expected_close_at"].notna().to_numpy()
        probability[dated] = (open_deals["expected_close_at"][dated] <= horizon_end).astype(float).to_numpy()
    undated = probability.isna()
    dated_deals = int((~undated).sum())
    source = Note("expected_close_dates", dated=dated_deals)
    if undated.any():
        won = opportunities[opportunities["outcome"] == "won"]
        won = won[won["closed_at"].notna()] if "closed_at" in won else won.iloc[0:0]
        age = (as_of - open_deals["opened_at"]).dt.days.to_numpy(dtype=float)
        if len(won) < MIN_WON_CYCLES:
            probability[undated] = 1.0
            notes.append(Note("too_few_won_cycles", needed=MIN_WON_CYCLES))
            source = Note("every_open_deal_counts", dated=dated_deals)
        else:
            from statsmodels.duration.survfunc import SurvfuncRight  # see the note on imports in timing.py

            cycles = (won["closed_at"] - won["opened_at"]).dt.days.to_numpy(dtype=float)
            fit = SurvfuncRight(np.r_[cycles, age], np.r_[np.ones(len(cycles)), np.zeros(len(age))])
            horizon_days = horizon_months * DAYS_PER_MONTH

            def survival(t: np.ndarray) -> np.ndarray:
                steps = np.searchsorted(fit.surv_times, t, side="right")
                return np.where(steps == 0, 1.0, fit.surv_prob[np.maximum(steps - 1, 0)])

            now, later = survival(age), survival(age + horizon_days)
            with np.errstate(divide="ignore", invalid="ignore"):
                chance = np.where(now > 0, 1 - later / now, 0.0)
            probability[undated] = chance[undated.to_numpy()]
            stale = int(((age > cycles.max()) & undated.to_numpy()).sum())
            if stale:
                notes.append(Note("stale_open_deals", deals=stale))
            source = Note("kaplan_meier_won_cycles", won=len(cycles), dated=dated_deals)
    return probability, source, notes


def open_pipeline(
    opportunities: pd.DataFrame,
    requests: pd.DataFrame,
    enterprise: pd.Series,
    shipped: set[str],
    win_probability: pd.Series,
    *,
    as_of: pd.Timestamp,
    horizon_months: int,
) -> OpenPipeline:
    """The open deals' expected value over the horizon, split across the not-shipped enterprise
    features their accounts asked for (equal shares; requests made while a deal is open count,
    later ones were set aside by the as_of cut)."""
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be at least 1, got {horizon_months}")
    open_deals = opportunities[opportunities["outcome"] == "open"]
    chance, source, notes = close_within(opportunities, as_of=as_of, horizon_months=horizon_months)
    ids = open_deals["opportunity_id"].to_numpy()
    amount = (
        open_deals["amount"].to_numpy(dtype=float) if "amount" in open_deals else np.full(len(ids), np.nan)
    )
    p_win = win_probability.reindex(ids).to_numpy(dtype=float)
    within = chance.reindex(ids).to_numpy(dtype=float)
    wanted = requests.loc[
        enterprise.to_numpy() & ~requests["feature"].isin(shipped), ["account_id", "feature"]
    ]
    features = wanted.drop_duplicates().groupby("account_id")["feature"].agg(lambda f: tuple(sorted(f)))
    deals = pd.DataFrame(
        {
            "opportunity_id": ids,
            "account_id": open_deals["account_id"].to_numpy(),
            "amount": amount,
            "win_probability": p_win,
            "close_within": within,
            "expected_value": np.nan_to_num(amount * p_win * within),
            "features": open_deals["account_id"]
            .map(features)
            .apply(lambda f: f if isinstance(f, tuple) else ())
            .to_numpy(),
        }
    )
    shares = deals[deals["features"].map(len) > 0].explode("features")
    shares = shares.assign(
        share=shares["expected_value"] / shares.groupby("opportunity_id")["features"].transform("size")
    )
    by_feature = (
        shares.groupby("features")
        .agg(arr_at_stake=("share", "sum"), open_deals=("opportunity_id", "nunique"))
        .rename_axis("feature")
        .reset_index()
    )
    unattributed = deals.loc[deals["features"].map(len) == 0, "expected_value"].sum()
    if unattributed > 0:
        notes.append(Note("pipeline_for_no_feature", expected_value=float(unattributed)))
    return OpenPipeline(
        horizon_months=horizon_months,
        deals=deals,
        by_feature=by_feature,
        close_source=source,
        notes=tuple(notes),
    )
