"""Timing: is ARR in the band where top-down sales pay off, and when will it get there?

GitHub, Twilio and SendGrid all started investing in top-down sales teams with bottom-up ARR
between $20M and $30M (a16z, "The $20M-$500M question: adding top-down sales", Dec 2020).
This module places the company's ARR against that band, forecasts when it will enter it (a growth
rate that is allowed to slow, a yearly pattern and one-off level shifts where the history shows
them: `forecast`, `forecast_structure`), checks that forecast on the company's own history
(`backtest`), and collects the flywheel evidence the article names (`flywheel`).

Imports: statsmodels and scipy are imported inside the functions that fit models, here and in
every analysis module. A notebook that only reads a run's stored results never needs them, and
importing them is a large part of a notebook kernel's start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from playbook.analyses.backtest import Backtest, baseline_paths, rolling_backtest
from playbook.analyses.flywheel import Indicator, annualised_growth, flywheel_indicators
from playbook.analyses.forecast import TrendForecast
from playbook.analyses.forecast_structure import structure_of
from playbook.analyses.months_to_band import (
    ForecastStructure,
    LevelShift,
    MonthsToBand,
    declared_shifts,
    forecast_frame,
    forecast_structure,
    months_to_band,
    structure_notes,
)
from playbook.analyses.outcome import rounded
from playbook.analyses.settings import CommonSettings
from playbook.data.notes import Note
from playbook.data.settings import Settings, SettingsError, setting

# `unclear`: below the band, but the forecast failed its own backtest (see `backtest.Trust`), so
# it cannot say whether the band is near.
VERDICTS = ("early", "approaching", "in_window", "late", "unclear")
MIN_FORECAST_MONTHS = 12
RECENT_MONTHS, LONGER_MONTHS = 6, 24  # recent growth against the longer run
SLOWING = 0.8  # recent growth below this share of the longer-run rate is called slowing


@dataclass(frozen=True, kw_only=True)
class TimingSettings(Settings):
    """Timing: the ARR band where top-down sales pay off, and how soon counts as approaching."""

    GROUP: ClassVar[str] = "timing: ARR against the top-down band"

    # GitHub, Twilio and SendGrid started top-down sales with bottom-up ARR of $20-30M.
    band_low: float = setting(
        20e6,
        kind="number",
        unit="currency",
        minimum=0,
        help="lower edge of the top-down ARR band (GitHub, Twilio, SendGrid)",
    )
    band_high: float = setting(
        30e6,
        kind="number",
        unit="currency",
        minimum=0,
        help="upper edge of the band; above it, top-down sales are late",
    )
    approach_months: int = setting(
        12,
        kind="int",
        unit="months",
        minimum=1,
        help="below the band, a median entry within this many months is approaching",
    )

    def check_together(self) -> None:
        if self.band_low >= self.band_high:
            raise SettingsError(
                f"parameter 'band_low' ({self.band_low:g}) must be below 'band_high' ({self.band_high:g})"
            )


@dataclass(frozen=True, kw_only=True)
class Growth:
    """ARR growth, annualised (shares), recently and over the longer run, and whether it slows.

    `adjusted`: computed on ARR with the yearly pattern and level shifts the forecast found taken
    out (the growth the forecast carries forward), not on ARR as reported.
    """

    recent: float | None  # the last RECENT_MONTHS, annualised
    longer: float | None  # the last LONGER_MONTHS (or all there is), annualised
    longer_months: int
    today: float | None  # the forecast model's growth rate at the last month, annualised
    adjusted: bool = False

    @property
    def slowing(self) -> bool:
        return self.recent is not None and self.longer is not None and self.recent < SLOWING * self.longer

    def to_dict(self) -> dict:
        return {
            "recent_6m": rounded(self.recent),
            f"longer_{self.longer_months}m": rounded(self.longer),
            "model_today": rounded(self.today),
            "slowing": self.slowing,
            "adjusted": self.adjusted,
        }


@dataclass(frozen=True, kw_only=True)
class TimingResult:
    """The timing verdict and its evidence. `to_dict()` is the summary.json `timing` section.

    `forecast_says` is the verdict the forecast alone gives below the band (`early` or
    `approaching`); the verdict is `unclear` instead when the forecast failed its own backtest.
    """

    verdict: str
    as_of: pd.Timestamp
    current_arr: float
    band: tuple[float, float]
    months_to_band: MonthsToBand | None
    baseline_to_band: MonthsToBand | None  # the baseline forecast's (`backtest.baseline_paths`)
    months_past_band: int | None
    months_to_late: MonthsToBand | None = (
        None  # in the band: months until ARR passes its top (trusted forecast)
    )
    indicators: tuple[Indicator, ...]
    growth: Growth
    structure: ForecastStructure | None
    events: tuple[LevelShift, ...]  # declared in arr_events, within the months (sizes when forecast)
    backtest: Backtest | None
    forecast_says: str | None
    n_months: int
    approach_months: int
    history: pd.DataFrame = field(repr=False)  # month, arr
    forecast: pd.DataFrame | None = field(repr=False)  # month, p10, p50, p90 (USD)
    notes: tuple[Note, ...] = ()

    def indicator(self, name: str) -> Indicator:
        return next(i for i in self.indicators if i.name == name)

    @property
    def trusted(self) -> bool | None:
        """Whether the forecast passed its own backtest (None: no backtest)."""
        return None if self.backtest is None else self.backtest.trust.trusted

    def to_dict(self) -> dict:
        value = {i.name: i.value for i in self.indicators}
        return {
            "verdict": self.verdict,
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "current_arr": round(self.current_arr, 2),
            "band": [self.band[0], self.band[1]],
            "months_to_band": self.months_to_band.to_dict() if self.months_to_band else None,
            "baseline_months_to_band": self.baseline_to_band.to_dict() if self.baseline_to_band else None,
            "forecast_says": self.forecast_says,
            "forecast_trusted": self.trusted,
            "months_past_band": self.months_past_band,
            "months_to_late": self.months_to_late.to_dict() if self.months_to_late else None,
            "arr_growth_annual": value["arr_growth_annual"],
            "growth": self.growth.to_dict(),
            "forecast_structure": None if self.structure is None else self.structure.to_dict(),
            "arr_events": [e.to_dict() for e in self.events],
            "nrr": value["nrr"],
            "nrr_method": self.indicator("nrr").method.code,
            "self_serve_share": value["self_serve_share"],
            "magic_number": value["magic_number"],
            "signup_growth": value["signup_growth"],
            "forecast_backtest": None if self.backtest is None else self.backtest.to_dict(),
            "n_months": self.n_months,
            "notes": [n.to_dict() for n in self.notes],
        }


# ---------------------------------------------------------------------------------------------
# Forecast


def growth_of(arr: pd.DataFrame, model: TrendForecast | None, *, adjusted: bool = False) -> Growth:
    """Recent and longer-run growth of `arr` (month, arr), and the model's growth rate today."""
    longer = min(LONGER_MONTHS, len(arr) - 1)
    return Growth(
        recent=annualised_growth(arr, RECENT_MONTHS),
        longer=annualised_growth(arr, longer) if longer > RECENT_MONTHS else None,
        longer_months=max(longer, 0),
        today=None if model is None else model.annual_growth,
        adjusted=adjusted,
    )


def assess_timing(
    arr_monthly: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    band_low: float = TimingSettings.band_low,
    band_high: float = TimingSettings.band_high,
    approach_months: int = TimingSettings.approach_months,
    alpha: float = CommonSettings.alpha,
    horizon_months: int = 60,
    n_paths: int = 2000,
    seed: int = CommonSettings.seed,
    account_arr: pd.DataFrame | None = None,
    arr_events: pd.DataFrame | None = None,
) -> TimingResult:
    """Place ARR against the top-down band, forecast entry, check the forecast, and verdict.

    Parameters
    ----------
    arr_monthly
        One row per calendar month: `month` (month start) and `arr` (USD), plus the optional
        movement, self-serve, spend and signup columns of the data contract.
    as_of
        Analysis date; months ending after it are ignored.
    band_low, band_high
        The ARR band (currency) where top-down sales start to pay off; default $20-30M.
    approach_months
        Below the band, a median forecast entry within this many months is `approaching`.
    alpha
        Level of the backtest's check: the forecast is not trusted when its P10-P90 interval
        covered so few backtest cases that P(Binomial(n, 0.8) <= covered) < alpha.
    horizon_months, n_paths, seed
        Forecast horizon (months), number of simulated paths, and the random seed.
    account_arr
        Customer-level monthly ARR (account_id, month, arr), when known: NRR is then exact.
    arr_events
        One-off level shifts the company declares (month, kind: an acquisition, a price change),
        modelled as steps in ARR from that month on; others are detected.

    Returns
    -------
    TimingResult
        `early` (below the band, median entry further than `approach_months`), `approaching`,
        `unclear` (below the band, but the forecast failed its own backtest), `in_window` or
        `late` (past the band), with the forecast, its backtest and the flywheel evidence.
    """
    low, high = band_low, band_high
    if not 0 < low < high:
        raise ValueError(f"the band needs 0 < band_low < band_high, got {low:g} and {high:g}")
    if approach_months < 1 or horizon_months < approach_months:
        raise ValueError("need 1 <= approach_months <= horizon_months")

    arr = arr_monthly[arr_monthly["month"] + pd.offsets.MonthEnd(0) <= as_of]
    arr = arr.sort_values("month", ignore_index=True)
    if arr.empty:
        raise ValueError(f"no complete month of arr_monthly ends on or before as_of {as_of:%Y-%m-%d}")
    current = float(arr["arr"].iloc[-1])
    notes: list[Note] = []
    # The months from the first with positive ARR on; a month without (zero) is missing to the model.
    fitted = arr.iloc[int((arr["arr"] > 0).to_numpy().argmax()) :] if (arr["arr"] > 0).any() else arr.iloc[:0]
    log_arr = np.log(fitted["arr"].where(fitted["arr"] > 0).to_numpy(dtype=float))
    n_positive = int(np.isfinite(log_arr).sum())

    forecast, to_band, baseline, past, backtest, to_late = None, None, None, None, None, None
    structure, model, says = None, None, None
    growth_arr = arr
    kinds, event_notes = declared_shifts(arr_events, fitted["month"])
    notes += event_notes
    months_list = list(fitted["month"])
    events = tuple(
        LevelShift(month=months_list[p], size=None, source="declared", kind=k)
        for p, k in sorted(kinds.items())
    )
    if n_positive >= MIN_FORECAST_MONTHS and current < low:
        fit = structure_of(log_arr, first_month=int(fitted["month"].iloc[0].month), declared=kinds, seed=seed)
        model = fit.model
        structure = forecast_structure(fit, fitted["month"], kinds)
        events = tuple(s for s in structure.shifts if s.source == "declared")
        notes += structure_notes(structure)
        if structure.shifts or structure.seasonal:
            growth_arr = fitted[["month"]].assign(arr=np.exp(fit.adjusted(log_arr)))
        backtest = rolling_backtest(fit.adjusted(log_arr), model, alpha=alpha)
    growth = growth_of(growth_arr, model, adjusted=growth_arr is not arr)
    if growth.slowing:
        notes.append(
            Note(
                "growth_slowing",
                recent=growth.recent,
                recent_months=RECENT_MONTHS,
                longer=growth.longer,
                longer_months=growth.longer_months,
            )
        )

    if current >= high:
        verdict = "late"
        # Months since ARR last crossed the band's top edge and stayed above it.
        past = int((arr["arr"] >= high)[::-1].cumprod().sum())
    elif current >= low:
        verdict = "in_window"
        if n_positive >= MIN_FORECAST_MONTHS:
            to_late = _months_to_late(
                log_arr,
                fitted,
                kinds,
                high=high,
                horizon=horizon_months,
                n_paths=n_paths,
                seed=seed,
                alpha=alpha,
            )
    elif model is None:
        verdict = "early"
        notes.append(Note("too_few_months_to_forecast", months=n_positive, needed=MIN_FORECAST_MONTHS))
    else:
        if not model.converged:
            notes.append(Note("forecast_not_converged"))
        ranged = model.spread_is_estimable()
        if not ranged:
            notes.append(Note("forecast_without_noise"))
        paths = model.simulate(horizon=horizon_months, n_paths=n_paths, seed=seed)
        start = float(log_arr[-1])
        to_band = months_to_band(paths, start=start, band_low=low, n_months=model.n_months, ranged=ranged)
        forecast = forecast_frame(paths, arr["month"].iloc[-1])
        simple = baseline_paths(log_arr, horizon=horizon_months, n_paths=n_paths, seed=seed)
        if simple is not None:
            baseline = months_to_band(simple, start=start, band_low=low, n_months=model.n_months)
        if model.annual_growth <= 0:
            notes.append(Note("arr_not_growing"))
        says = "approaching" if to_band.p50 is not None and to_band.p50 <= approach_months else "early"
        verdict = says
        if backtest.cases == 0:
            backtest = None
        elif not backtest.trust.trusted:
            verdict = "unclear"
            trust = backtest.trust
            notes.append(
                Note(
                    "forecast_untrusted",
                    covered=trust.covered,
                    cases=trust.cases,
                    p_value=trust.p_value,
                    odds=round(1 / max(trust.p_value, 1e-6)),  # "once in N histories"
                    says=says,
                )
            )

    return TimingResult(
        verdict=verdict,
        as_of=as_of,
        current_arr=current,
        band=(float(low), float(high)),
        months_to_band=to_band,
        baseline_to_band=baseline,
        months_past_band=past,
        months_to_late=to_late,
        indicators=flywheel_indicators(arr, account_arr),
        growth=growth,
        structure=structure,
        events=events,
        backtest=backtest,
        forecast_says=says,
        n_months=len(arr),
        approach_months=approach_months,
        history=arr[["month", "arr"]].copy(),
        forecast=forecast,
        notes=tuple(notes),
    )


def _months_to_late(log_arr, fitted, kinds, *, high, horizon, n_paths, seed, alpha) -> MonthsToBand | None:
    """In the band: when ARR passes the band's top (P10/P50/P90 months), by the same forecast as
    below the band; None when that forecast fails its own backtest (no figure is then stated)."""
    fit = structure_of(log_arr, first_month=int(fitted["month"].iloc[0].month), declared=kinds, seed=seed)
    backtest = rolling_backtest(fit.adjusted(log_arr), fit.model, alpha=alpha)
    if backtest.cases == 0 or not backtest.trust.trusted:
        return None
    paths = fit.model.simulate(horizon=horizon, n_paths=n_paths, seed=seed)
    ranged = fit.model.spread_is_estimable()
    return months_to_band(
        paths, start=float(log_arr[-1]), band_low=high, n_months=fit.model.n_months, ranged=ranged
    )
