"""When ARR reaches the band: a forecast whose growth rate moves, checked on the company's own history.

The model is a local linear trend on log ARR (statsmodels `UnobservedComponents`): log ARR is a
level plus month-to-month noise, the level grows by a slope each month, and the slope itself
drifts. Deceleration — the normal life of a SaaS company — is therefore in the model: the slope
at the end of the history is today's growth rate, not the average of the last two years, and its
uncertainty widens the fan the further out it goes. The noise variances are estimated by maximum
likelihood, and their own uncertainty is carried into the forecast (a mixture over draws from
their approximate sampling distribution), because with a few years of months the slope's
variance is easily estimated at zero, which would make the fan too narrow. Months may be missing
(NaN), so the same model runs on public quarterly figures.

Its P10-P90 interval is checked by a rolling-origin backtest on the company's own history; the
model was chosen by simulating decelerating companies and by a backtest on public revenue figures
(`benchmarks/backtest_forecast.py`, figures in docs/methods.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded

# Below this forecast spread (standard deviation of log ARR a year out) the history has no noise
# to learn the uncertainty from: a range would be false precision.
MIN_SPREAD = 1e-3
BACKTEST_HORIZONS = (3, 6, 12)  # months ahead
MIN_FIT_MONTHS = 12
N_PARAMETER_DRAWS = 40


@dataclass(frozen=True, kw_only=True)
class TrendState:
    """The local linear trend at the last month under one set of noise variances."""

    level: float  # log ARR (filtered)
    slope: float  # monthly growth of log ARR (filtered)
    state_cov: np.ndarray = field(repr=False)  # 2 x 2 covariance of (level, slope)
    var_irregular: float
    var_level: float
    var_slope: float

    def moments(self, horizons) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of log ARR `h` months after the last one, for each h."""
        h = np.asarray(horizons, dtype=float)
        p = self.state_cov
        # The state's own uncertainty, then the level and slope shocks accumulated since.
        state = p[0, 0] + 2 * h * p[0, 1] + h**2 * p[1, 1]
        shocks = h * self.var_level + self.var_slope * (h - 1) * h * (2 * h - 1) / 6
        return self.level + h * self.slope, np.sqrt(np.maximum(state + shocks + self.var_irregular, 0.0))


@dataclass(frozen=True, kw_only=True)
class TrendForecast:
    """The fitted model: the maximum-likelihood state first, then one per parameter draw."""

    states: tuple[TrendState, ...] = field(repr=False)
    n_months: int
    converged: bool

    @property
    def best(self) -> TrendState:
        return self.states[0]

    @property
    def annual_growth(self) -> float:
        """Today's growth rate, annualised (share): exp(12 x slope) - 1."""
        return float(np.expm1(12 * self.best.slope))

    def quantiles(self, horizons, quantiles=(0.1, 0.5, 0.9)) -> np.ndarray:
        """Quantiles of log ARR `h` months ahead (rows: horizons), from the mixture over draws."""
        from scipy.stats import norm  # see the note on imports in timing.py

        means, sds = zip(*(s.moments(horizons) for s in self.states), strict=True)
        means, sds = np.array(means), np.maximum(np.array(sds), 1e-12)  # draws x horizons
        out = np.empty((means.shape[1], len(quantiles)))
        for j in range(means.shape[1]):
            grid = np.linspace((means[:, j] - 5 * sds[:, j]).min(), (means[:, j] + 5 * sds[:, j]).max(), 4001)
            cdf = norm.cdf((grid[:, None] - means[:, j]) / sds[:, j]).mean(axis=1)
            out[j] = np.interp(quantiles, cdf, grid)
        return out

    def spread_is_estimable(self) -> bool:
        """Whether the history had noise enough to learn the forecast's uncertainty from."""
        return float(np.diff(self.quantiles([12], (0.5, 0.8413))[0])[0]) >= MIN_SPREAD

    def simulate(self, *, horizon: int, n_paths: int, seed) -> np.ndarray:
        """Simulated monthly log ARR for `horizon` months after the last one (horizon x n_paths),
        the paths shared out among the parameter draws."""
        rng = np.random.default_rng(seed)
        which = np.arange(n_paths) % len(self.states)
        paths = np.empty((horizon, n_paths))
        for k, s in enumerate(self.states):
            cols = np.flatnonzero(which == k)
            start = rng.multivariate_normal([s.level, s.slope], s.state_cov, size=len(cols), method="eigh")
            level, slope = start[:, 0], start[:, 1]
            for month in range(horizon):
                level = level + slope + np.sqrt(s.var_level) * rng.standard_normal(len(cols))
                slope = slope + np.sqrt(s.var_slope) * rng.standard_normal(len(cols))
                paths[month, cols] = level + np.sqrt(s.var_irregular) * rng.standard_normal(len(cols))
        return paths


def _psd(matrix: np.ndarray) -> np.ndarray:
    """The nearest symmetric matrix with no negative eigenvalue (rounding can leave one at -1e-18)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return vectors @ np.diag(np.maximum(values, 0.0)) @ vectors.T


def _state(result, params) -> TrendState:
    var_irregular, var_level, var_slope = map(float, np.maximum(params, 0.0))
    return TrendState(
        level=float(result.filtered_state[0, -1]),
        slope=float(result.filtered_state[1, -1]),
        state_cov=_psd(np.asarray(result.filtered_state_cov[:, :, -1])),
        var_irregular=var_irregular,
        var_level=var_level,
        var_slope=var_slope,
    )


def fit_trend(log_arr, *, n_draws: int = N_PARAMETER_DRAWS, seed=0) -> TrendForecast:
    """Fit the local linear trend to monthly log ARR (NaN for months without a figure), with
    `n_draws` further states from the noise variances' approximate sampling distribution."""
    from statsmodels.tools.numdiff import approx_hess  # see the note on imports in timing.py
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    y = np.asarray(log_arr, dtype=float)
    model = UnobservedComponents(y, level="lltrend")  # the local linear trend
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = model.fit(disp=False)
        # The variances are parametrised by their square roots, where the likelihood is close to
        # quadratic even near zero: draw there (a Laplace approximation).
        u = model.untransform_params(result.params)
        hessian = approx_hess(u, lambda v: model.loglike(v, transformed=False))
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    converged = converged and bool(result.mle_retvals.get("converged", True))
    states = [_state(result, result.params)]
    try:
        cov = _psd(np.linalg.inv(-hessian))
    except np.linalg.LinAlgError:
        cov = None
    if cov is not None and np.isfinite(cov).all() and n_draws:
        for draw in np.random.default_rng(seed).multivariate_normal(u, cov, size=n_draws, method="eigh"):
            params = model.transform_params(draw)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                states.append(_state(model.filter(params), params))
    return TrendForecast(states=tuple(states), n_months=int(np.isfinite(y).sum()), converged=converged)


@dataclass(frozen=True, kw_only=True)
class Backtest:
    """How often the P10-P90 interval covered what happened next, by months ahead."""

    table: pd.DataFrame  # horizon, cases, covered, coverage, median_abs_error (P50, share)

    @property
    def cases(self) -> int:
        return int(self.table["cases"].sum()) if len(self.table) else 0

    def to_dict(self) -> dict:
        return {
            f"{int(row.horizon)}m": {
                "cases": int(row.cases),
                "covered": int(row.covered),
                "coverage": rounded(row.coverage),
                "median_abs_error": rounded(row.median_abs_error),
            }
            for row in self.table.itertuples()
        }


def backtest_cases(
    log_arr, *, horizons=BACKTEST_HORIZONS, min_fit: int = MIN_FIT_MONTHS, step: int = 3, seed=0
) -> pd.DataFrame:
    """Every rolling-origin case: refit on the months before an origin (every `step`-th month from
    `min_fit` on) and compare the P10-P90 interval `h` months ahead with the figure then reported.

    Returns one row per case: origin, horizon, covered (bool), error (P50 against actual, share).
    """
    y = np.asarray(log_arr, dtype=float)
    rows = []
    for origin in range(min_fit, len(y), step):
        ahead = [h for h in horizons if origin + h - 1 < len(y) and np.isfinite(y[origin + h - 1])]
        if not ahead or np.isfinite(y[:origin]).sum() < 4:
            continue
        q = fit_trend(y[:origin], seed=seed).quantiles(ahead)
        for h, (p10, p50, p90) in zip(ahead, q, strict=True):
            actual = y[origin + h - 1]
            rows.append((origin, h, bool(p10 <= actual <= p90), float(abs(np.expm1(p50 - actual)))))
    return pd.DataFrame(rows, columns=["origin", "horizon", "covered", "error"])


def rolling_backtest(log_arr, **kwargs) -> Backtest:
    """The rolling-origin backtest summarised by horizon (see `backtest_cases`)."""
    cases = backtest_cases(log_arr, **kwargs)
    if cases.empty:
        return Backtest(
            table=pd.DataFrame(columns=["horizon", "cases", "covered", "coverage", "median_abs_error"])
        )
    table = (
        cases.groupby("horizon")
        .agg(cases=("covered", "size"), covered=("covered", "sum"), median_abs_error=("error", "median"))
        .reset_index()
    )
    return Backtest(table=table.assign(coverage=table["covered"] / table["cases"]))
