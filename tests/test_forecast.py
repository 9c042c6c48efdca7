"""The forecast model: regression terms, crossing times, mixture quantiles, and priors that keep a
steady company's fan finite while a decelerating one's stays open."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from playbook.analyses.forecast import Components, first_passage, fit_trend, mixture_quantiles


def random_walk(seed: int, n: int = 48, growth: float = 0.035, noise: float = 0.01) -> np.ndarray:
    """Log ARR of a company growing steadily (a random walk with drift, as ARR is a stock)."""
    rng = np.random.default_rng(seed)
    return np.log(5e6) + np.cumsum(growth + rng.normal(0, noise, n))


def test_the_regression_terms_are_a_yearly_pattern_and_steps():
    components = Components(seasonal=True, shifts=(5,), first_month=3)
    x = components.exog(np.arange(30))
    assert x.shape == (30, 5) and components.k_exog == 5
    np.testing.assert_allclose(x[:12, :4], x[12:24, :4], atol=1e-12)  # a year later, the same season
    assert x[:5, 4].sum() == 0 and (x[5:, 4] == 1).all()  # a step from position 5 on
    # March is the first month: the first harmonic's sine peaks in June, three months on
    assert x[3, 0] == pytest.approx(np.sin(2 * np.pi * 5 / 12))
    assert Components().exog(np.arange(3)) is None


def test_a_crossing_is_interpolated_within_its_month():
    start = np.log(10.0)
    paths = np.log(np.array([[15.0, 8.0, 25.0], [30.0, 9.0, 40.0]]))
    # path 1: 10 -> 15 -> 30 crosses 20 at 1 + log(20/15)/log(30/15); path 3 at log 2 / log 2.5
    expected = [1 + np.log(20 / 15) / np.log(2), np.inf, np.log(2) / np.log(2.5)]
    np.testing.assert_allclose(first_passage(paths, np.log(20.0), start=start), expected)


def test_mixture_quantiles_match_scipy():
    means, sds = np.array([[0.0, 1.0]]), np.array([[1.0, 2.0]])
    q = mixture_quantiles(means, sds, (0.1, 0.5, 0.9))
    np.testing.assert_allclose(q, [norm.ppf([0.1, 0.5, 0.9], m, s) for m, s in [(0, 1), (1, 2)]], atol=1e-9)
    # an equal mixture of N(-1, 1) and N(1, 1): median 0, and the mixture's own 90% point
    q = mixture_quantiles(np.array([[-1.0], [1.0]]), np.ones((2, 1)), (0.5, 0.9))[0]
    assert q[0] == pytest.approx(0.0, abs=1e-9)
    assert 0.5 * (norm.cdf(q[1], -1) + norm.cdf(q[1], 1)) == pytest.approx(0.9)


def test_the_fan_agrees_with_the_simulated_paths():
    """The quantiles (from the states' moments) and the paths (simulated from the same states) are
    one distribution, the yearly pattern and a step included."""
    rng = np.random.default_rng(3)
    y = random_walk(3) + 0.05 * np.sin(2 * np.pi * np.arange(48) / 12)
    y[40:] += 0.2
    model = fit_trend(y, components=Components(seasonal=True, shifts=(40,)), seed=3)
    horizons = np.array([3, 7, 12])
    paths = model.simulate(horizon=12, n_paths=20000, seed=rng)
    simulated = np.quantile(paths[horizons - 1], [0.1, 0.5, 0.9], axis=1).T
    np.testing.assert_allclose(model.quantiles(horizons), simulated, atol=0.01)


def test_a_planted_pattern_and_step_are_recovered():
    y = random_walk(4) + 0.06 * np.sin(2 * np.pi * np.arange(48) / 12)
    y[30:] += np.log(1.3)
    model = fit_trend(y, components=Components(seasonal=True, shifts=(30,)), n_draws=0)
    assert model.shift_sizes()[0] == pytest.approx(np.log(1.3), abs=0.03)
    pattern = model.fitted_components() - model.shift_sizes()[0] * (np.arange(48) >= 30)
    assert np.ptp(pattern) == pytest.approx(0.12, abs=0.03)  # +-6%
    assert model.annual_growth == pytest.approx(np.expm1(12 * 0.035), abs=0.12)


def slope_noise(model) -> np.ndarray:
    return np.sqrt(model.variances[:, 2])


def test_steady_growth_keeps_the_growth_rate_still_and_the_fan_finite():
    """Regression: the variances' Laplace approximation drew a steady company's slope noise up to
    0.027 a month (its likelihood is flat to the fourth order at zero), so P90 ran to never."""
    for seed in range(5):
        model = fit_trend(random_walk(seed), seed=seed)
        assert np.median(slope_noise(model)) < 0.002 and slope_noise(model).max() < 0.005
        q = model.quantiles([24], (0.1, 0.9))[0]
        assert q[0] > np.log(5e6) + 48 * 0.035  # even P10 two years out is above today's ARR


def test_a_growth_rate_that_halves_is_read_as_moving():
    t = np.arange(48)
    rng = np.random.default_rng(6)
    growth = 0.07 * 0.5 ** (t / 24)  # halving every two years
    y = np.log(2e6) + np.cumsum(growth + rng.normal(0, 0.008, 48))
    moving = fit_trend(y, seed=6)
    steady = fit_trend(random_walk(6, noise=0.008), seed=6)
    assert np.median(slope_noise(moving)) > 2 * np.median(slope_noise(steady))
    assert moving.annual_growth == pytest.approx(np.expm1(12 * growth[-1]), abs=0.12)


def test_a_short_history_carries_its_parameter_uncertainty():
    """With a year of months the noises are barely known: the draws spread them, and the fan is
    wider than the mode's alone (public quarterly figures covered 58% without the draws)."""
    y = random_walk(7)[:14]
    with_draws = fit_trend(y, seed=7).quantiles([12], (0.1, 0.9))[0]
    mode_only = fit_trend(y, n_draws=0).quantiles([12], (0.1, 0.9))[0]
    assert np.diff(with_draws)[0] > np.diff(mode_only)[0]


def test_same_seed_same_forecast():
    y = random_walk(8)
    a, b = fit_trend(y, seed=1), fit_trend(y, seed=1)
    np.testing.assert_array_equal(a.quantiles([6, 12]), b.quantiles([6, 12]))
    np.testing.assert_array_equal(
        a.simulate(horizon=6, n_paths=50, seed=2), b.simulate(horizon=6, n_paths=50, seed=2)
    )
