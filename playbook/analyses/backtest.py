"""Has the forecast been right before? Rolling-origin backtests, a proper score, and a baseline.

A rolling-origin backtest forecasts from each origin with what was known then and checks the
P10-P90 interval against what the company then reported. The company's own backtest holds the
model's noise variances (estimated on the whole history: three numbers) and filters its state —
level, growth rate — on the months before each origin only: it asks whether this model's fan is
right for this company, not whether a model fitted on a year of months would have been.
(Refitting at every origin mostly tests the first origins, where the variances cannot be learnt
yet; a growth rate that halves over four years then flags most decelerating companies, although
the forecast fitted on the whole history covers about 80%: docs/methods.md.)

Coverage alone rewards an interval that says "4 months to never", so forecasts are also scored
with the interval score (Winkler): the width of the interval plus 2 / alpha times how far the
outcome fell outside it (alpha = 0.2 for P10-P90), lower is better. The baseline it is compared
with is the simplest honest forecast: the mean of the last 12 monthly log growths, with the last 24
months' growths block-bootstrapped around it.

The company's own backtest gates the timing verdict: pooled over horizons, when the P10-P90
interval covered so few cases that P(Binomial(n, 0.8) <= covered) falls below alpha, the forecast
cannot be trusted on this history. The cases overlap (one origin, several horizons; neighbouring
origins share months), so the test is generous to a false alarm; the calibration study measures
how often it fires on companies where the forecast is right (docs/methods.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.analyses.forecast import Components, TrendForecast, filtered_states, mixture_quantiles
from playbook.analyses.outcome import rounded

BACKTEST_HORIZONS = (3, 6, 12)  # months ahead
MIN_FIT_MONTHS = 12
BACKTEST_STEP = 3  # months between origins
NOMINAL = 0.8  # P10-P90
MIN_TRUST_CASES = 6  # fewer backtest cases than this cannot gate the verdict
BASELINE_GROWTH_MONTHS, BASELINE_BOOTSTRAP_MONTHS, BASELINE_BLOCK = 12, 24, 3


def interval_score(lower, upper, actual, *, alpha: float = 1 - NOMINAL) -> np.ndarray:
    """The interval score of a central (1 - alpha) interval (Gneiting & Raftery 2007, eq. 43):
    width plus 2 / alpha times the distance by which `actual` falls outside. Lower is better."""
    lower, upper, actual = (np.asarray(v, dtype=float) for v in (lower, upper, actual))
    below = np.maximum(lower - actual, 0.0)
    above = np.maximum(actual - upper, 0.0)
    return (upper - lower) + 2 / alpha * (below + above)


@dataclass(frozen=True, kw_only=True)
class Trust:
    """Whether the company's own backtest lets the forecast drive the verdict.

    p_value: P(Binomial(cases, 0.8) <= covered), the chance of covering this few cases or fewer
    if the P10-P90 interval were right. Untrusted when it is below alpha with at least
    MIN_TRUST_CASES cases.
    """

    cases: int
    covered: int
    p_value: float | None
    alpha: float

    @property
    def trusted(self) -> bool:
        return self.p_value is None or self.p_value >= self.alpha

    def to_dict(self) -> dict:
        return {
            "cases": self.cases,
            "covered": self.covered,
            "p_value": rounded(self.p_value),
            "alpha": self.alpha,
            "trusted": self.trusted,
        }


def trust_of(covered: int, cases: int, *, alpha: float) -> Trust:
    """The binomial check of a backtest's coverage against the nominal 80%."""
    from scipy.stats import binom  # see the note on imports in timing.py

    p = float(binom.cdf(covered, cases, NOMINAL)) if cases >= MIN_TRUST_CASES else None
    return Trust(cases=cases, covered=covered, p_value=p, alpha=alpha)


@dataclass(frozen=True, kw_only=True)
class Backtest:
    """How often the P10-P90 interval covered what happened next, by months ahead, and the trust
    it earns."""

    table: pd.DataFrame  # horizon, cases, covered, coverage, median_abs_error (P50, share)
    trust: Trust

    @property
    def cases(self) -> int:
        return int(self.table["cases"].sum()) if len(self.table) else 0

    def to_dict(self) -> dict:
        by_horizon = {
            f"{int(row.horizon)}m": {
                "cases": int(row.cases),
                "covered": int(row.covered),
                "coverage": rounded(row.coverage),
                "median_abs_error": rounded(row.median_abs_error),
            }
            for row in self.table.itertuples()
        }
        return {**by_horizon, "pooled": self.trust.to_dict()}


def rolling_forecasts(
    log_arr,
    *,
    components: Components,
    variances,
    horizons=BACKTEST_HORIZONS,
    min_fit: int = MIN_FIT_MONTHS,
    step: int = BACKTEST_STEP,
) -> pd.DataFrame:
    """From every `step`-th month from `min_fit` on (the origin: the months before it are known),
    the P10, P50 and P90 of log ARR `h` months later, next to the figure then reported.

    The noise variances (rows of `variances`, a fitted model's draws) are held; the state (level,
    growth rate, and the components' coefficients) is filtered on the months before each origin
    only. One filter pass per set of variances gives every origin.

    Returns one row per case: origin, horizon, actual, p10, p50, p90 (log ARR).
    """
    y = np.asarray(log_arr, dtype=float)
    cases = [
        (origin, h)
        for origin in range(min_fit, len(y), step)
        for h in horizons
        if origin + h - 1 < len(y) and np.isfinite(y[origin + h - 1]) and np.isfinite(y[:origin]).sum() >= 4
    ]
    columns = ["origin", "horizon", "actual", "p10", "p50", "p90"]
    if not cases:
        return pd.DataFrame(columns=columns)
    origins = sorted({o for o, _ in cases})
    states = filtered_states(y, components, variances, [o - 1 for o in origins])
    means, sds = [], []
    for by_origin in states:
        row_mean, row_sd = [], []
        for origin, h in cases:
            state = by_origin[origins.index(origin)]
            exog = components.exog([origin - 1 + h])
            mean, sd = state.moments([h], exog)
            row_mean.append(mean[0])
            row_sd.append(sd[0])
        means.append(row_mean)
        sds.append(row_sd)
    q = mixture_quantiles(np.array(means), np.array(sds))
    frame = pd.DataFrame(cases, columns=["origin", "horizon"])
    actual = y[[o + h - 1 for o, h in cases]]
    return frame.assign(actual=actual, p10=q[:, 0], p50=q[:, 1], p90=q[:, 2])


def backtest_cases(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Each case of `rolling_forecasts` judged: covered (bool), error (P50 against actual,
    share), score (interval score of log ARR)."""
    actual = forecasts["actual"]
    return forecasts.assign(
        covered=(forecasts["p10"] <= actual) & (actual <= forecasts["p90"]),
        error=np.abs(np.expm1(forecasts["p50"] - actual)),
        score=interval_score(forecasts["p10"], forecasts["p90"], actual),
    )


def rolling_backtest(log_arr, model: TrendForecast, *, alpha: float, **kwargs) -> Backtest:
    """The company's own backtest of `model` (fitted on `log_arr`, with no components: the trend
    alone) summarised by horizon, with the trust it earns (`trust_of`)."""
    cases = backtest_cases(
        rolling_forecasts(log_arr, components=Components(), variances=model.variances, **kwargs)
    )
    columns = ["horizon", "cases", "covered", "coverage", "median_abs_error"]
    if cases.empty:
        return Backtest(table=pd.DataFrame(columns=columns), trust=trust_of(0, 0, alpha=alpha))
    table = (
        cases.groupby("horizon")
        .agg(cases=("covered", "size"), covered=("covered", "sum"), median_abs_error=("error", "median"))
        .reset_index()
    )
    table = table.assign(coverage=table["covered"] / table["cases"])[columns]
    return Backtest(table=table, trust=trust_of(int(cases["covered"].sum()), len(cases), alpha=alpha))


def baseline_paths(log_arr, *, horizon: int, n_paths: int, seed=0) -> np.ndarray | None:
    """The baseline forecast's simulated monthly log ARR (horizon x n_paths): each month grows by
    the mean log growth of the last 12 months plus a deviation of the last 24 months' growths from
    their mean, resampled in blocks of 3 consecutive months (a moving-block bootstrap, which keeps
    runs of good and bad months together). None when there are under 25 months with figures in a
    row at the end."""
    y = np.asarray(log_arr, dtype=float)
    growth = np.diff(y)[-BASELINE_BOOTSTRAP_MONTHS:]
    if len(growth) < BASELINE_BOOTSTRAP_MONTHS or not np.isfinite(growth).all():
        return None
    drift = growth[-BASELINE_GROWTH_MONTHS:].mean()
    deviations = growth - growth.mean()
    rng = np.random.default_rng(seed)
    n_blocks = -(-horizon // BASELINE_BLOCK)
    starts = rng.integers(0, len(growth) - BASELINE_BLOCK + 1, size=(n_blocks, n_paths))
    steps = deviations[starts[:, None, :] + np.arange(BASELINE_BLOCK)[None, :, None]]
    steps = steps.reshape(n_blocks * BASELINE_BLOCK, n_paths)[:horizon]
    return y[-1] + np.cumsum(drift + steps, axis=0)
