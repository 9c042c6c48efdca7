"""When ARR reaches the band: a forecast whose growth rate moves, with seasons and one-off jumps.

The model is a local linear trend on log ARR (statsmodels `UnobservedComponents`): log ARR is a
level plus month-to-month noise, the level grows by a slope each month, and the slope itself
drifts. Deceleration — the normal life of a SaaS company — is therefore in the model: the slope
at the end of the history is today's growth rate, not the average of the last two years.

Besides the trend the model can hold (`Components`) a yearly pattern (two harmonics of the
calendar year) and level shifts (a step in log ARR from a given month on: an acquisition, a price
change), both as regression terms whose coefficients are states of the filter, so their
uncertainty reaches the forecast. Which components a history supports is decided in
`forecast_structure`.

The three noise variances are not estimated by maximum likelihood alone: each noise's standard
deviation has a prior (`PRIORS`), and the forecast mixes over draws from their approximate
posterior. With a few years of months the likelihood cannot tell a noisy level from noisy
measurement, and cannot rule out a slope that wanders fast: maximum likelihood then swings between
a fan that is far too narrow and one whose P90 never reaches the band. The priors encode what
log ARR is: a stock, whose month-to-month changes persist (level noise, weakly informed), with
little noise that reverts (irregular noise, small) and a growth rate that moves slowly (slope
noise, small). They bound the tails through the model; no quantile is ever clipped. Their scales
were chosen on the scenario library and checked on public revenue (docs/methods.md).

Months may be missing (NaN), so the same model runs on public quarterly figures.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

# Below this forecast spread (standard deviation of log ARR a year out) the history has no noise
# to learn the uncertainty from: a range would be false precision. (Real ARR moves by at least
# half a percent a month, which gives about 0.02 a year out.)
MIN_SPREAD = 5e-3
N_PARAMETER_DRAWS = 40
HARMONICS = 2  # of the calendar year, for the yearly pattern
NOISES = ("irregular", "level", "slope")
# Standard deviation of a Gaussian prior on each noise's standard deviation (log ARR per month;
# the prior is centred on zero, so it bounds a noise without forcing it). Level noise: ARR moves
# by a few percent a month at most (weak). Irregular noise: ARR is a stock, little reverts. Slope
# noise: today's growth rate moves by a few tenths of a percent a month (SaaS growth halves over
# years, not months).
PRIORS = {"irregular": 0.005, "level": 0.03, "slope": 0.001}


@dataclass(frozen=True, kw_only=True)
class Components:
    """What the model holds besides the trend: a yearly pattern, and level shifts.

    `shifts` are the positions (0-based, in months from the first month of the history) of the
    first month at each new level; `first_month` is the calendar month (1-12) of the first month.
    """

    seasonal: bool = False
    shifts: tuple[int, ...] = ()
    first_month: int = 1

    @property
    def k_exog(self) -> int:
        return 2 * HARMONICS * self.seasonal + len(self.shifts)

    def exog(self, positions) -> np.ndarray | None:
        """The regression terms at `positions` (months from the first month): rows x terms."""
        if self.k_exog == 0:
            return None
        t = np.asarray(positions, dtype=float)
        columns = []
        if self.seasonal:
            angle = 2 * np.pi * (self.first_month - 1 + t) / 12
            for k in range(1, HARMONICS + 1):
                columns += [np.sin(k * angle), np.cos(k * angle)]
        columns += [(t >= s).astype(float) for s in self.shifts]
        return np.column_stack(columns)

    def with_shift(self, position: int) -> Components:
        return Components(
            seasonal=self.seasonal,
            shifts=tuple(sorted({*self.shifts, position})),
            first_month=self.first_month,
        )

    def with_seasonal(self, seasonal: bool) -> Components:
        return Components(seasonal=seasonal, shifts=self.shifts, first_month=self.first_month)


@dataclass(frozen=True, kw_only=True)
class TrendState:
    """The filtered state at the last month under one set of noise variances: level, slope, then
    the regression coefficients (yearly pattern, level shifts)."""

    mean: np.ndarray = field(repr=False)
    cov: np.ndarray = field(repr=False)
    var_irregular: float
    var_level: float
    var_slope: float

    @property
    def slope(self) -> float:
        return float(self.mean[1])

    def moments(self, horizons, exog_ahead) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of log ARR `h` months after the last one, for each h
        (`exog_ahead`: the regression terms at those months, or None)."""
        h = np.asarray(horizons, dtype=float)
        design = np.column_stack([np.ones_like(h), h] + ([] if exog_ahead is None else [exog_ahead]))
        state = np.einsum("ij,jk,ik->i", design, self.cov, design)
        # The level and slope shocks accumulated since the last month.
        shocks = h * self.var_level + self.var_slope * (h - 1) * h * (2 * h - 1) / 6
        spread = np.sqrt(np.maximum(state + shocks + self.var_irregular, 0.0))
        return design @ self.mean, spread


@dataclass(frozen=True, kw_only=True)
class TrendForecast:
    """The fitted model: the state at the posterior mode of the noises (`best`), and the states at
    noises drawn from their posterior (the forecast mixes over them, equally)."""

    best: TrendState
    draws: tuple[TrendState, ...] = field(repr=False)
    components: Components
    n_obs: int  # months in the history, missing ones included
    n_months: int  # months with a figure
    converged: bool

    @property
    def mixture(self) -> tuple[TrendState, ...]:
        """The states the forecast mixes over, equally: the draws, or the mode without them."""
        return self.draws or (self.best,)

    @property
    def variances(self) -> np.ndarray:
        """The noise variances of the mixture's states (rows: irregular, level, slope)."""
        return np.array([[s.var_irregular, s.var_level, s.var_slope] for s in self.mixture])

    @property
    def annual_growth(self) -> float:
        """Today's growth rate, annualised (share): exp(12 x slope) - 1."""
        return float(np.expm1(12 * self.best.slope))

    @property
    def exog_coefficients(self) -> np.ndarray:
        """The regression coefficients (yearly pattern, then level shifts; log ARR): constant
        states, so filtered at the last month they are estimated from the whole history."""
        return self.best.mean[2:]

    def exog_ahead(self, horizons) -> np.ndarray | None:
        return self.components.exog(self.n_obs - 1 + np.asarray(horizons))

    def fitted_components(self) -> np.ndarray:
        """The yearly pattern and level shifts in each month of the history (log ARR): what is
        taken out to leave the trend (zero when the model has neither)."""
        x = self.components.exog(np.arange(self.n_obs))
        return np.zeros(self.n_obs) if x is None else x @ self.exog_coefficients

    def shift_sizes(self) -> np.ndarray:
        """Each level shift's size (log ARR), in the order of `components.shifts`."""
        return self.exog_coefficients[len(self.exog_coefficients) - len(self.components.shifts) :]

    def quantiles(self, horizons, quantiles=(0.1, 0.5, 0.9)) -> np.ndarray:
        """Quantiles of log ARR `h` months ahead (rows: horizons), from the mixture over draws."""
        exog = self.exog_ahead(horizons)
        means, sds = zip(*(s.moments(horizons, exog) for s in self.mixture), strict=True)
        return mixture_quantiles(np.array(means), np.array(sds), quantiles)

    def spread_is_estimable(self) -> bool:
        """Whether the history had noise enough to learn the forecast's uncertainty from."""
        return float(np.diff(self.quantiles([12], (0.5, 0.8413))[0])[0]) >= MIN_SPREAD

    def simulate(self, *, horizon: int, n_paths: int, seed) -> np.ndarray:
        """Simulated monthly log ARR for `horizon` months after the last one (horizon x n_paths),
        the paths shared out among the parameter draws."""
        rng = np.random.default_rng(seed)
        states = self.mixture
        which = np.arange(n_paths) % len(states)
        exog = self.exog_ahead(np.arange(1, horizon + 1))
        paths = np.empty((horizon, n_paths))
        for k, s in enumerate(states):
            cols = np.flatnonzero(which == k)
            if not len(cols):
                continue
            start = rng.multivariate_normal(s.mean, s.cov, size=len(cols), method="eigh")
            level, slope = start[:, 0], start[:, 1]
            regression = np.zeros((horizon, len(cols))) if exog is None else exog @ start[:, 2:].T
            for month in range(horizon):
                level = level + slope + np.sqrt(s.var_level) * rng.standard_normal(len(cols))
                slope = slope + np.sqrt(s.var_slope) * rng.standard_normal(len(cols))
                paths[month, cols] = (
                    level + regression[month] + np.sqrt(s.var_irregular) * rng.standard_normal(len(cols))
                )
        return paths


def mixture_quantiles(means: np.ndarray, sds: np.ndarray, quantiles=(0.1, 0.5, 0.9)) -> np.ndarray:
    """Quantiles of equal mixtures of normals: `means` and `sds` are draws x cases; returns cases
    x quantiles (found by bisection on the mixture's distribution function)."""
    from scipy.special import ndtr  # see the note on imports in timing.py

    sds = np.maximum(sds, 1e-12)
    q = np.asarray(quantiles, dtype=float)
    low = np.broadcast_to((means - 6 * sds).min(axis=0)[:, None], (means.shape[1], len(q))).copy()
    high = np.broadcast_to((means + 6 * sds).max(axis=0)[:, None], low.shape).copy()
    for _ in range(40):  # the bracket shrinks to 1e-12 of its width
        middle = (low + high) / 2
        cdf = ndtr((middle[None] - means[:, :, None]) / sds[:, :, None]).mean(axis=0)
        below = cdf < q
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return (low + high) / 2


def _psd(matrix: np.ndarray) -> np.ndarray:
    """The nearest symmetric matrix with no negative eigenvalue (rounding can leave one at -1e-18)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return vectors @ np.diag(np.maximum(values, 0.0)) @ vectors.T


def state_space(log_arr, components: Components):
    """The statsmodels model of log ARR with these components (regression coefficients as states)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    y = np.asarray(log_arr, dtype=float)
    return UnobservedComponents(
        y, level="lltrend", exog=components.exog(np.arange(len(y))), mle_regression=False
    )


SCALES = np.array([PRIORS[n] for n in NOISES])
PROPOSAL_DF = 4  # degrees of freedom of the t proposal: heavier tails than the posterior's
PROPOSAL_SD = 0.15  # the proposal's narrowest standard deviation, in prior scales
PROPOSALS_PER_DRAW = 8


def log_prior(z: np.ndarray) -> float:
    """The log prior density (up to a constant) of noise standard deviations z x SCALES: Gaussian
    for the irregular and level noises, Cauchy for the slope's (most of its mass near zero, with
    a tail the likelihood can reach when growth really moves)."""
    return float(-0.5 * (z[0] ** 2 + z[1] ** 2) - np.log1p(z[2] ** 2))


def _negative_log_posterior(model, z: np.ndarray) -> float:
    """Minus (log likelihood + log prior), at noise standard deviations z x SCALES."""
    return -(model.loglike(z * SCALES, transformed=False) + log_prior(z))


def posterior_mode(model, y: np.ndarray) -> tuple[np.ndarray, bool]:
    """The noise standard deviations at the posterior mode, over their prior scales (z: each
    standard deviation / its prior scale, where all three are of order 1), and whether the
    search converged. The standard deviations are the parameters, not the variances: the
    posterior is smooth and symmetric through zero there."""
    from scipy.optimize import minimize  # see the note on imports in timing.py

    steps = np.diff(y[np.isfinite(y)])
    typical = float(np.std(steps)) if len(steps) > 2 else 0.01
    best = None
    # Two starts: noise in the level, or in the measurement (the likelihood can have a mode at each).
    for start in ([0.2 * typical, typical, 0.1 * SCALES[2]], [typical, 0.2 * typical, 0.1 * SCALES[2]]):
        found = minimize(
            lambda z: _negative_log_posterior(model, z),
            np.array(start) / SCALES,
            method="Nelder-Mead",
            options={"xatol": 1e-3},
        )
        if best is None or found.fun < best.fun:
            best = found
    return np.abs(best.x), bool(best.success) and bool(np.isfinite(best.fun))


def posterior_draws(model, mode: np.ndarray, *, n_draws: int, seed) -> np.ndarray:
    """`n_draws` noise standard deviations (z units, rows) from their posterior, by
    sampling-importance-resampling: PROPOSALS_PER_DRAW x `n_draws` proposals from a t distribution
    around the mode, weighted by posterior over proposal density, resampled systematically.

    The proposal's scale is the Laplace approximation's, each of its directions kept between
    PROPOSAL_SD (z units) and the prior's: the posterior is no Gaussian (a noise whose mode is zero
    has a likelihood flat to the fourth order there; the irregular and level noises trade off
    along a ridge), so the proposal must reach past the mode's curvature and let the weights
    decide. The posterior is symmetric in each standard deviation's sign, so proposals are folded
    to their absolute values and weighted by the folded proposal density.
    """
    from itertools import product

    from scipy.stats import multivariate_t  # see the note on imports in timing.py
    from statsmodels.tools.numdiff import approx_hess

    try:
        hessian = approx_hess(mode, lambda z: _negative_log_posterior(model, z))
        values, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    except np.linalg.LinAlgError:
        values, vectors = np.ones(len(mode)), np.eye(len(mode))
    values = np.where(np.isfinite(values), np.clip(values, 1.0, PROPOSAL_SD**-2), 1.0)
    proposal = multivariate_t(mode, vectors @ np.diag(1 / values) @ vectors.T, df=PROPOSAL_DF, seed=seed)
    folded = np.abs(np.atleast_2d(proposal.rvs(size=PROPOSALS_PER_DRAW * n_draws)))
    log_proposal = np.logaddexp.reduce(
        [proposal.logpdf(folded * np.array(signs)) for signs in product((1, -1), repeat=len(mode))], axis=0
    )
    log_weights = np.array([-_negative_log_posterior(model, z) for z in folded]) - log_proposal
    log_weights = np.where(np.isfinite(log_weights), log_weights, -np.inf)
    weights = np.exp(log_weights - log_weights.max())
    chosen = np.searchsorted(np.cumsum(weights / weights.sum()), (np.arange(n_draws) + 0.5) / n_draws)
    return folded[np.minimum(chosen, len(folded) - 1)]


def filtered_states(log_arr, components: Components, variances, positions) -> list[list[TrendState]]:
    """The states filtered on the months up to each of `positions` (inclusive), under each set of
    noise variances (rows of `variances`: irregular, level, slope): one filter pass per set."""
    model = state_space(log_arr, components)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for params in np.atleast_2d(variances):
            model.update(params, transformed=True)
            result = model.ssm.filter()
            mean, cov = np.asarray(result.filtered_state), np.asarray(result.filtered_state_cov)
            out.append(
                [
                    TrendState(
                        mean=mean[:, p].copy(),
                        cov=_psd(cov[:, :, p]),
                        var_irregular=float(params[0]),
                        var_level=float(params[1]),
                        var_slope=float(params[2]),
                    )
                    for p in positions
                ]
            )
    return out


def _filtered(model, sds: np.ndarray) -> TrendState:
    params = np.asarray(sds, dtype=float) ** 2
    model.update(params, transformed=True)
    result = model.ssm.filter()
    return TrendState(
        mean=np.asarray(result.filtered_state[:, -1], dtype=float).copy(),
        cov=_psd(np.asarray(result.filtered_state_cov[:, :, -1], dtype=float)),
        var_irregular=float(params[0]),
        var_level=float(params[1]),
        var_slope=float(params[2]),
    )


def fit_trend(
    log_arr, *, components: Components | None = None, n_draws: int = N_PARAMETER_DRAWS, seed=0
) -> TrendForecast:
    """Fit the local linear trend (and `components`) to monthly log ARR (NaN for months without a
    figure): the state at the posterior mode of the noises, and `n_draws` states at noises drawn
    from their posterior (none: the forecast uses the mode alone)."""
    components = components or Components()
    y = np.asarray(log_arr, dtype=float)
    model = state_space(y, components)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the optimiser's and the filter's numerical chatter
        mode, converged = posterior_mode(model, y)
        best = _filtered(model, mode * SCALES)
        draws: tuple[TrendState, ...] = ()
        if n_draws:
            found = posterior_draws(model, mode, n_draws=n_draws, seed=seed)
            unique = {tuple(z): _filtered(model, z * SCALES) for z in found}  # resampling repeats some
            draws = tuple(unique[tuple(z)] for z in found)
    return TrendForecast(
        best=best,
        draws=draws,
        components=components,
        n_obs=len(y),
        n_months=int(np.isfinite(y).sum()),
        converged=converged,
    )


def first_passage(paths: np.ndarray, level: float, *, start: float) -> np.ndarray:
    """When each simulated log-ARR path first reaches `level` (log), in months after the last
    month (whose log ARR is `start`): the crossing is placed between the month before and the
    month it is reached by linear interpolation of log ARR, so a path that reaches the level in
    its third month at two thirds of that month's rise gives 2.67. inf for a path that never does
    within the horizon. (Counted in whole months, an 80% interval of a quantity that moves by a
    month or two would cover far more than 80%: the months are a clock, not the event.)"""
    full = np.vstack([np.full((1, paths.shape[1]), start), paths])
    reached = full >= level
    first = reached.argmax(axis=0)
    ever = reached.any(axis=0) & (first > 0)
    columns = np.arange(paths.shape[1])
    before, after = full[np.maximum(first - 1, 0), columns], full[first, columns]
    rise = np.where(after > before, after - before, 1.0)
    crossing = first - 1 + np.clip((level - before) / rise, 0.0, 1.0)
    out = np.where(ever, crossing, np.inf)
    return np.where(reached[0], 0.0, out)
