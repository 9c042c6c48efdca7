"""ARR at stake: what open top-down deals are worth to each enterprise feature, counted once.

Stripe's sales lead argued for a roadmap item in dollars (a16z, Dec 2020). The dollars must add up:
each open deal counts its amount times its chance of being **won within the horizon**, and that is
then split in equal shares across the enterprise features its account asked for that are not
shipped yet. So the features' stakes never add up to more than the open pipeline.

A deal ends won or lost, and the two take different times: where losses close fast, the deals still
open are mostly future wins; where wins close fast, mostly future losses. So the chance comes from
both outcomes at once, as competing risks by deal age (the Aalen-Johansen cumulative incidence of a
win, F_won, and of a loss, F_lost; open deals censored at their age): for an open deal of age a,
P(won within h | open at a) = [F_won(a + h) - F_won(a)] / S(a), with S(a) = 1 - F_won(a) - F_lost(a).
It is the whole chance — of closing in time and of winning — never multiplied by a win rate again.
A deal older than every closed cycle has no deal like it behind it: it gets 0, and is counted.
When the CRM gives an expected close date, that decides whether the deal closes within the horizon;
the fit then gives the chance that a deal still open at its age ends won.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.data.notes import Note

MIN_WON_CYCLES = 5  # won deals with a close date needed to estimate how long deals take (per band)
WON, LOST = 1, 2  # event codes of the competing outcomes (0: open, censored at its age)


@dataclass(frozen=True, kw_only=True)
class CumulativeIncidence:
    """Won and lost as competing outcomes by deal age (days): the Aalen-Johansen estimate.

    `times` are the distinct ages seen (closed cycles and open deals' ages); `won[i]` and `lost[i]`
    the probabilities that a deal has closed won (lost) by age `times[i]`, both step functions.
    """

    times: np.ndarray = field(repr=False)
    won: np.ndarray = field(repr=False)
    lost: np.ndarray = field(repr=False)
    n_won: int
    n_lost: int
    longest_cycle: float  # days: the oldest age at which a deal closed

    def at(self, age) -> tuple[np.ndarray, np.ndarray]:
        """F_won and F_lost at each age (days; 0 before the first age seen)."""
        steps = np.searchsorted(self.times, np.asarray(age, dtype=float), side="right")
        found = np.maximum(steps - 1, 0)
        return np.where(steps == 0, 0.0, self.won[found]), np.where(steps == 0, 0.0, self.lost[found])

    def open_share(self, age) -> np.ndarray:
        """S(a): the share of deals still open at each age."""
        won, lost = self.at(age)
        return np.clip(1.0 - won - lost, 0.0, 1.0)

    def won_within(self, age, days: float) -> np.ndarray:
        """P(won within `days` | open at `age`) = [F_won(a + days) - F_won(a)] / S(a); 0 where no
        deal that old is left (S(a) = 0)."""
        now_won, _ = self.at(age)
        later_won, _ = self.at(np.asarray(age, dtype=float) + days)
        left = self.open_share(age)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(left > 0, np.clip((later_won - now_won) / left, 0.0, 1.0), 0.0)

    def won_eventually(self, age) -> np.ndarray:
        """P(ends won | open at `age`) = [F_won(last) - F_won(a)] / S(a): for deals whose close
        date the CRM gives."""
        return self.won_within(age, np.inf)


def cumulative_incidence(days: np.ndarray, outcome: np.ndarray) -> CumulativeIncidence:
    """The Aalen-Johansen estimate of won and lost by deal age (statsmodels' CumIncidenceRight).

    Parameters
    ----------
    days
        Each deal's age in days: its cycle (opened to closed) when closed, its age on the
        analysis date when open (censored there).
    outcome
        "won", "lost" or "open", one per deal.
    """
    from statsmodels.duration.survfunc import CumIncidenceRight  # see the note on imports in timing.py

    status = np.select([outcome == "won", outcome == "lost"], [WON, LOST], 0)
    with np.errstate(divide="ignore", invalid="ignore"):  # its standard errors divide by 0 at the end
        fit = CumIncidenceRight(np.asarray(days, dtype=float), status)
    incidence = list(fit.cinc) + [np.zeros(len(fit.times))] * (2 - len(fit.cinc))  # no loss yet
    closed = status > 0
    return CumulativeIncidence(
        times=np.asarray(fit.times, dtype=float),
        won=np.asarray(incidence[WON - 1], dtype=float),
        lost=np.asarray(incidence[LOST - 1], dtype=float),
        n_won=int((status == WON).sum()),
        n_lost=int((status == LOST).sum()),
        longest_cycle=float(np.max(np.asarray(days, dtype=float)[closed])) if closed.any() else 0.0,
    )


@dataclass(frozen=True, kw_only=True)
class OpenPipeline:
    """The open deals counted over the horizon, and what each feature has at stake.

    `deals`: opportunity_id, account_id, amount, age_days, band (the usage band whose fit values
    it, or "all"), won_within (probability of being won within the horizon), expected_value (amount
    times it), features (the not-shipped enterprise features its account asked for). `by_feature`:
    feature, arr_at_stake, open_deals. `fits`: the competing-risk fit of each band.
    """

    horizon_months: int
    deals: pd.DataFrame = field(repr=False)
    by_feature: pd.DataFrame = field(repr=False)
    fits: dict[str, CumulativeIncidence] = field(repr=False)
    source: Note  # where the chance of being won within the horizon comes from
    notes: tuple[Note, ...] = ()

    @property
    def expected(self) -> float:
        """The expected value of the open deals over the horizon (currency)."""
        return float(self.deals["expected_value"].sum())

    @property
    def expected_wins(self) -> float:
        """The number of open deals expected to be won within the horizon."""
        return float(self.deals["won_within"].sum())

    @property
    def past_every_cycle(self) -> int:
        """Open deals older than every closed cycle of their fit (and not ruled out by an expected
        close date past the horizon): valued at 0, counted here."""
        return int(self.deals["past_every_cycle"].sum())

    def to_dict(self) -> dict:
        return {
            "open_pipeline_expected": round(self.expected, 2),
            "stake_horizon_months": self.horizon_months,
            "open_deals": len(self.deals),
            "expected_wins_within_horizon": round(self.expected_wins, 2),
            "open_deals_past_every_cycle": self.past_every_cycle,
            "won_within_horizon_from": self.source.to_dict(),
        }


def won_within_horizon(
    opportunities: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    horizon_months: int,
    band: pd.Series | None = None,
) -> tuple[pd.DataFrame, dict[str, CumulativeIncidence], Note, list[Note]]:
    """Each open deal's probability of being won within `horizon_months` of `as_of`.

    Parameters
    ----------
    opportunities
        opportunity_id, opened_at, outcome; closed_at for closed deals, expected_close_at when the
        CRM has one.
    as_of, horizon_months
        The analysis date, and the horizon in months.
    band
        Each deal's usage band when it opened (by opportunity_id), when winning depends on usage
        (the penetration threshold): one competing-risk fit per band, each band's open deals valued
        by its own; deals without a band by the fit of all deals. All deals are pooled when a band
        has fewer than `MIN_WON_CYCLES` won deals with a close date (a note says so).

    Returns
    -------
    One row per open deal (opportunity_id, age_days, band: the fit that values it, won_within,
    past_every_cycle), the fit of each band ("all": every deal), where the chance comes from, and
    notes. With fewer than `MIN_WON_CYCLES` won deals with a close date nothing can be timed: each
    open deal counts at the historical win rate, as if it closed within the horizon, and the note
    says so.
    """
    horizon_end = as_of + pd.DateOffset(months=horizon_months)
    horizon_days = float((horizon_end - as_of).days)
    outcome = opportunities["outcome"].to_numpy()
    closed_at = (
        opportunities["closed_at"]
        if "closed_at" in opportunities
        else pd.Series(pd.NaT, index=opportunities.index)
    )
    # Closed deals with a close date end at their cycle; open deals are censored at their age.
    timed = np.isin(outcome, ["won", "lost"]) & closed_at.notna().to_numpy()
    ends = closed_at.where(timed, as_of)
    history = pd.DataFrame(
        {
            "days": (ends - opportunities["opened_at"]).dt.days.to_numpy(dtype=float),
            "outcome": outcome,
            "band": "all" if band is None else opportunities["opportunity_id"].map(band).to_numpy(),
        }
    )[timed | (outcome == "open")]
    is_open = history["outcome"] == "open"
    deals = pd.DataFrame(
        {
            "opportunity_id": opportunities.loc[outcome == "open", "opportunity_id"].to_numpy(),
            "age_days": history.loc[is_open, "days"].to_numpy(),
            "band": history.loc[is_open, "band"].fillna("all").to_numpy(),
            "won_within": 0.0,
            "past_every_cycle": False,
        }
    )
    expected_close = (
        opportunities.loc[outcome == "open", "expected_close_at"]
        if "expected_close_at" in opportunities
        else pd.Series(pd.NaT, index=deals.index)
    )
    dated = expected_close.notna().to_numpy()
    closes_in_time = (expected_close <= horizon_end).to_numpy()
    notes: list[Note] = []

    won_cycles = history.loc[history["outcome"] == "won", "band"].value_counts()
    if won_cycles.sum() < MIN_WON_CYCLES:
        closed = opportunities[np.isin(outcome, ["won", "lost"])]
        rate = float((closed["outcome"] == "won").mean()) if len(closed) else 0.0
        notes.append(Note("too_few_won_cycles", needed=MIN_WON_CYCLES))
        counted = np.where(dated, closes_in_time, True)
        source = Note("historical_win_rate_untimed", closed=len(closed), dated=int(dated.sum()))
        return deals.assign(won_within=np.where(counted, rate, 0.0), band="all"), {}, source, notes

    fits = {"all": cumulative_incidence(history["days"].to_numpy(), history["outcome"].to_numpy())}
    bands = sorted(deals.loc[deals["band"] != "all", "band"].unique())
    if any(won_cycles.get(b, 0) < MIN_WON_CYCLES for b in bands):
        notes.append(Note("too_few_won_cycles_by_band", needed=MIN_WON_CYCLES))
        deals, bands = deals.assign(band="all"), []
    for b in bands:
        mine = history[history["band"] == b]
        fits[b] = cumulative_incidence(mine["days"].to_numpy(), mine["outcome"].to_numpy())
    age = deals["age_days"].to_numpy()
    won_within = np.zeros(len(deals))
    past = np.zeros(len(deals), dtype=bool)
    for name, fit in fits.items():
        mine = (deals["band"] == name).to_numpy()
        won_within[mine] = np.where(
            dated[mine],
            # The CRM says when it closes: then the chance a deal this old ends won.
            np.where(closes_in_time[mine], fit.won_eventually(age[mine]), 0.0),
            fit.won_within(age[mine], horizon_days),
        )
        valued = ~dated[mine] | closes_in_time[mine]  # by the fit, not ruled out by the CRM's date
        past[mine] = valued & (age[mine] >= fit.longest_cycle)
    deals = deals.assign(won_within=won_within, past_every_cycle=past)
    if past.any():
        notes.append(Note("stale_open_deals", deals=int(past.sum())))
    used = [fits[b] for b in (bands or ["all"])]
    source = Note(
        "competing_risks_by_usage_band" if bands else "competing_risks",
        won=sum(f.n_won for f in used),
        lost=sum(f.n_lost for f in used),
        dated=int(dated.sum()),
    )
    return deals, fits, source, notes


def open_pipeline(
    opportunities: pd.DataFrame,
    requests: pd.DataFrame,
    enterprise: pd.Series,
    shipped: set[str],
    *,
    as_of: pd.Timestamp,
    horizon_months: int,
    band: pd.Series | None = None,
) -> OpenPipeline:
    """The open deals' expected value over the horizon (amount x P(won within it)), split across the
    not-shipped enterprise features their accounts asked for (equal shares; requests made while a
    deal is open count, later ones were set aside by the as_of cut)."""
    if horizon_months < 1:
        raise ValueError(f"horizon_months must be at least 1, got {horizon_months}")
    open_deals = opportunities[opportunities["outcome"] == "open"]
    chance, fits, source, notes = won_within_horizon(
        opportunities, as_of=as_of, horizon_months=horizon_months, band=band
    )
    amount = (
        open_deals["amount"].to_numpy(dtype=float)
        if "amount" in open_deals
        else np.full(len(open_deals), np.nan)
    )
    wanted = requests.loc[
        enterprise.to_numpy() & ~requests["feature"].isin(shipped), ["account_id", "feature"]
    ]
    features = wanted.drop_duplicates().groupby("account_id")["feature"].agg(lambda f: tuple(sorted(f)))
    deals = chance.assign(
        account_id=open_deals["account_id"].to_numpy(),
        amount=amount,
        expected_value=np.nan_to_num(amount * chance["won_within"].to_numpy(dtype=float)),
        features=open_deals["account_id"]
        .map(features)
        .apply(lambda f: f if isinstance(f, tuple) else ())
        .to_numpy(),
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
        fits=fits,
        source=source,
        notes=tuple(notes),
    )
