"""Which components a history supports: level shifts first, then a yearly pattern.

**Level shifts.** An acquisition or a price change moves ARR up (or down) in one month and growth
carries on from the new level. Read as growth, it makes today's growth rate soar; the forecast
models it instead as an intervention: a step in log ARR from that month on. Shifts the user
declares (the optional `arr_events` table) are modelled as given. Others are detected with the
auxiliary residuals of the state-space model (Harvey & Koopman 1992; de Jong & Penzer 1998): for
each month, the t-statistic of a level shift starting then, computed by the Kalman smoother from
the fitted model. The largest is kept when it passes a Bonferroni bound over the months tested,
the model is refitted with it, and the search repeats (at most MAX_SHIFTS). A shift needs two
months at its new level to be told from a one-month blip, so the last month is never tested:
an acquisition in the last month must be declared.

**A yearly pattern** (two harmonics of the calendar year) is tried only with at least
MIN_SEASONAL_MONTHS months, after the shifts (a yearly pattern could otherwise absorb a jump), and
kept only when a rolling-origin backtest prefers it: on the history with the shifts taken out,
the model with and without it forecasts from every third month from SELECTION_MIN_FIT on (its
noise variances fitted on the whole history, its state — the pattern's coefficients included —
filtered on the months before each origin), and the pattern is kept when its P10-P90 intervals
3, 6 and 12 months ahead score clearly better (a mean interval score at most SEASONAL_GAIN of the
model's without it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from playbook.analyses.backtest import backtest_cases, rolling_forecasts
from playbook.analyses.forecast import (
    SCALES,
    Components,
    TrendForecast,
    fit_trend,
    posterior_mode,
    state_space,
)

SHIFT_ALPHA = 0.01  # family-wise, over the months tested
MAX_SHIFTS = 3  # detected (declared ones are always modelled)
MIN_SHIFT_MONTHS_BEFORE = 3  # months at the old level before a detectable shift
MIN_SHIFT_MONTHS_AFTER = 2  # months at the new level, the first included
MIN_SEASONAL_MONTHS = 36
SELECTION_MIN_FIT = 24  # months before the first origin of the seasonal test
# The yearly pattern is kept when it brings the backtest's mean interval score down to this share
# of the score without it or lower: four more coefficients are worth a clear gain, not a tie.
SEASONAL_GAIN = 0.7


@dataclass(frozen=True, kw_only=True)
class Shift:
    """One level shift: its position (months from the first), size (log ARR), and how it was found
    (`declared`, or `detected` with the t-statistic that found it)."""

    position: int
    size: float
    source: str  # "declared" or "detected"
    statistic: float | None = None


@dataclass(frozen=True, kw_only=True)
class Structure:
    """The components a history supports, the fitted model on it, and the evidence for them."""

    components: Components
    model: TrendForecast
    shifts: tuple[Shift, ...]
    seasonal_tested: bool  # enough months for the yearly pattern to be tried
    seasonal_score: float | None  # mean interval score with the pattern (backtest), lower is better
    plain_score: float | None  # the same without it
    seasonal_cases: int

    @property
    def seasonal(self) -> bool:
        return self.components.seasonal

    def adjusted(self, log_arr) -> np.ndarray:
        """Log ARR with the yearly pattern and the level shifts taken out (the trend alone)."""
        return np.asarray(log_arr, dtype=float) - self.model.fitted_components()


def shift_statistics(log_arr, components: Components) -> np.ndarray:
    """For each month, the t-statistic of a level shift starting in it (NaN where none can be
    tested): the smoother's level cumulant over its standard deviation at the month before,
    under the model's posterior-mode noises."""
    y = np.asarray(log_arr, dtype=float)
    model = state_space(y, components)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mode, _ = posterior_mode(model, y)
        smoothed = model.smooth((mode * SCALES) ** 2)
    r = np.asarray(smoothed.scaled_smoothed_estimator[0], dtype=float)
    n_var = np.asarray(smoothed.scaled_smoothed_estimator_cov[0, 0], dtype=float)
    stats = np.full(len(y), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        # r[t] carries the shock to the level between month t and t + 1.
        stats[1:] = r[:-1] / np.sqrt(n_var[:-1])
    testable = np.zeros(len(y), dtype=bool)
    testable[MIN_SHIFT_MONTHS_BEFORE : len(y) - MIN_SHIFT_MONTHS_AFTER + 1] = True
    testable &= np.isfinite(y) & np.isfinite(stats)
    testable[list(components.shifts)] = False
    stats[~testable] = np.nan
    return stats


def detected_shifts(log_arr, components: Components) -> tuple[Components, dict[int, float]]:
    """`components` with the level shifts found one at a time (largest first), and each one's
    t-statistic."""
    from scipy.stats import norm  # see the note on imports in timing.py

    found: dict[int, float] = {}
    for _ in range(MAX_SHIFTS):
        stats = shift_statistics(log_arr, components)
        tested = np.isfinite(stats)
        if not tested.any():
            break
        bound = norm.ppf(1 - SHIFT_ALPHA / (2 * tested.sum()))
        best = int(np.nanargmax(np.abs(stats)))
        if abs(stats[best]) < bound:
            break
        found[best] = float(stats[best])
        components = components.with_shift(best)
    return components, found


def seasonal_scores(log_arr, *, first_month: int, seed=0) -> tuple[float, float, int]:
    """Mean interval score of the model with and without the yearly pattern over a rolling-origin
    backtest (origins every BACKTEST_STEP months from SELECTION_MIN_FIT; each model's noise
    variances at their posterior mode, its state filtered on the months before each origin), and
    the cases scored."""
    y = np.asarray(log_arr, dtype=float)
    scores = {}
    for seasonal in (True, False):
        components = Components(seasonal=seasonal, first_month=first_month)
        fit = fit_trend(y, components=components, n_draws=0, seed=seed)
        cases = backtest_cases(
            rolling_forecasts(y, components=components, variances=fit.variances, min_fit=SELECTION_MIN_FIT)
        )
        scores[seasonal] = cases["score"]
    if scores[True].empty:
        return np.nan, np.nan, 0
    return float(scores[True].mean()), float(scores[False].mean()), len(scores[True])


def structure_of(log_arr, *, first_month: int, declared=(), seed=0) -> Structure:
    """The components the history supports (declared shifts, detected shifts, a yearly pattern)
    and the model fitted with them.

    Parameters
    ----------
    log_arr
        Monthly log ARR (NaN for a month without a figure).
    first_month
        Calendar month (1-12) of the first month.
    declared
        Positions (months from the first) of shifts the user declared.
    """
    y = np.asarray(log_arr, dtype=float)
    base = Components(first_month=first_month, shifts=tuple(sorted(set(declared))))
    components, statistics = detected_shifts(y, base)
    seasonal_score = plain_score = None
    cases = 0
    tested = int(np.isfinite(y).sum()) >= MIN_SEASONAL_MONTHS
    if tested:
        trend = fit_trend(y, components=components, n_draws=0, seed=seed)
        seasonal_score, plain_score, cases = seasonal_scores(
            y - trend.fitted_components(), first_month=first_month, seed=seed
        )
        if cases and seasonal_score <= SEASONAL_GAIN * plain_score:
            components = components.with_seasonal(True)
    model = fit_trend(y, components=components, seed=seed)
    sizes = dict(zip(components.shifts, model.shift_sizes(), strict=True))
    shifts = tuple(
        Shift(
            position=p,
            size=float(sizes[p]),
            source="detected" if p in statistics else "declared",
            statistic=statistics.get(p),
        )
        for p in components.shifts
    )
    return Structure(
        components=components,
        model=model,
        shifts=shifts,
        seasonal_tested=tested,
        seasonal_score=seasonal_score,
        plain_score=plain_score,
        seasonal_cases=cases,
    )
