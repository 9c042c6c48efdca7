"""The forecast's backtests: the interval score by hand, the binomial trust check, forecasts that
only use what was known at their origin, and the baseline."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from playbook.analyses.backtest import (
    MIN_TRUST_CASES,
    baseline_paths,
    interval_score,
    rolling_backtest,
    rolling_forecasts,
    trust_of,
)
from playbook.analyses.forecast import Components, fit_trend


def test_interval_score_by_hand():
    # inside: the width; outside: the width plus 2 / 0.2 = 10 times the miss
    np.testing.assert_allclose(interval_score([2, 2, 2], [6, 6, 6], [4, 1, 7.5]), [4, 4 + 10, 4 + 15])
    assert interval_score(2, 6, 4, alpha=0.5) == 4.0


def test_trust_is_the_binomial_tail_of_the_cases_covered():
    # the early sample's old backtest: 21 of 32 covered, 6 of 11 at six months
    trust = trust_of(21, 32, alpha=0.05)
    assert trust.p_value == pytest.approx(binom.cdf(21, 32, 0.8)) and trust.p_value < 0.05
    assert not trust.trusted
    assert trust_of(25, 32, alpha=0.05).trusted  # 78% of 32: no evidence against 80%
    few = trust_of(0, MIN_TRUST_CASES - 1, alpha=0.05)
    assert few.p_value is None and few.trusted  # too few cases to gate anything
    assert trust_of(0, MIN_TRUST_CASES, alpha=0.05).p_value == pytest.approx(0.2**6)


def test_a_forecast_uses_only_the_months_before_its_origin():
    rng = np.random.default_rng(1)
    y = np.log(3e6) + np.cumsum(0.03 + rng.normal(0, 0.01, 40))
    model = fit_trend(y, seed=1)
    before = rolling_forecasts(y, components=Components(), variances=model.variances)
    changed = y.copy()
    changed[24:] += 0.5  # everything from origin 24 on
    after = rolling_forecasts(changed, components=Components(), variances=model.variances)
    kept = before["origin"] <= 24
    np.testing.assert_allclose(
        after.loc[kept, ["p10", "p50", "p90"]], before.loc[kept, ["p10", "p50", "p90"]]
    )
    assert not np.allclose(after.loc[~kept, "p50"], before.loc[~kept, "p50"])
    assert (before["origin"] >= 12).all() and set(before["horizon"]) == {3, 6, 12}


def test_the_backtest_of_a_well_specified_model_covers_near_nominal():
    """Steady growth as the model describes it: pooled P10-P90 coverage close to 80% over twenty
    companies, and the trust check quiet on nearly all of them."""
    covered, cases, flagged = 0, 0, 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = np.log(3e6) + np.cumsum(0.03 + rng.normal(0, 0.01, 48))
        trust = rolling_backtest(y, fit_trend(y, seed=seed), alpha=0.05).trust
        covered, cases, flagged = covered + trust.covered, cases + trust.cases, flagged + (not trust.trusted)
    assert 0.72 <= covered / cases <= 0.92 and flagged <= 2


def test_the_baseline_grows_at_the_last_year_s_mean_growth():
    rng = np.random.default_rng(2)
    growth = np.r_[np.full(24, 0.05), np.full(12, 0.02)] + rng.normal(0, 0.005, 36)
    y = np.cumsum(growth)
    paths = baseline_paths(y, horizon=12, n_paths=4000, seed=0)
    drift = np.diff(y)[-12:].mean()
    assert np.median(paths[-1]) - y[-1] == pytest.approx(12 * drift, abs=0.01)
    assert baseline_paths(y[:24], horizon=12, n_paths=10) is None  # fewer than 24 growths
