"""Which components a history supports: a planted jump is found where it is, a yearly pattern is
kept when it is there, and neither is claimed on steady growth (negative controls)."""

from __future__ import annotations

import numpy as np
import pytest

from playbook.analyses.forecast import Components
from playbook.analyses.forecast_structure import shift_statistics, structure_of


def steady(seed: int, n: int = 48) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.log(5e6) + np.cumsum(0.035 + rng.normal(0, 0.01, n))


def seasons(n: int = 48, phase: float = 0.0) -> np.ndarray:
    return 0.06 * np.sin(2 * np.pi * (np.arange(n) / 12 + phase))


def test_a_jump_is_found_in_its_month_with_its_size():
    for position in (10, 30, 46):  # early, mid-history, two months before the analysis date
        y = steady(position)
        y[position:] += np.log(1.3)
        fit = structure_of(y, first_month=1)
        (shift,) = fit.shifts
        assert (shift.position, shift.source) == (position, "detected") and shift.statistic > 4
        assert np.expm1(shift.size) == pytest.approx(0.3, abs=0.04)


def test_the_last_month_is_never_tested_and_a_declared_shift_is_taken_as_given():
    y = steady(1)
    y[-1:] += np.log(1.3)  # one month at the new level: a blip or a shift, the data cannot tell
    stats = shift_statistics(y, Components())
    assert np.isnan(stats[-1]) and np.isnan(stats[:3]).all()
    assert not structure_of(y, first_month=1).shifts
    (shift,) = structure_of(y, first_month=1, declared=(47,)).shifts
    assert (shift.position, shift.source, shift.statistic) == (47, "declared", None)


def test_no_shift_and_no_pattern_on_steady_growth():
    """Negative control: ten steady companies, no level shift claimed, no yearly pattern kept."""
    fits = [structure_of(steady(seed), first_month=1, seed=seed) for seed in range(10)]
    assert not any(fit.shifts for fit in fits)
    assert not any(fit.seasonal for fit in fits) and all(fit.seasonal_tested for fit in fits)


def test_a_yearly_pattern_is_kept_when_the_backtest_clearly_prefers_it():
    fit = structure_of(steady(2) + seasons(phase=0.3), first_month=1)
    assert fit.seasonal and fit.seasonal_score <= 0.7 * fit.plain_score and fit.seasonal_cases >= 10
    short = structure_of((steady(2) + seasons(phase=0.3))[:30], first_month=1)
    assert not short.seasonal_tested and not short.seasonal  # under 36 months: not tried


def test_shifts_are_found_before_the_pattern_is_tested():
    """A jump on top of seasons: both found, and the jump's size is not soaked up by the pattern."""
    y = steady(3) + seasons(phase=0.1)
    y[40:] += np.log(1.25)
    fit = structure_of(y, first_month=1)
    assert fit.seasonal and [s.position for s in fit.shifts] == [40]
    assert np.expm1(fit.shifts[0].size) == pytest.approx(0.25, abs=0.04)
    trend = fit.adjusted(y)
    assert np.abs(np.diff(trend)[38:41]).max() < 0.08  # no jump left in the trend
