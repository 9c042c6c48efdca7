"""The forecast on public companies' revenue (benchmarks/backtest_forecast.py): months to a target
— what the board reads — and levels, each with its interval over forecast origins.

The bounds below are the issue's targets, not the figures printed today: the months-to-target
interval must be calibrated (its 95% interval over origins reaches 80%) and sharp (P90 past the
60-month horizon in at most 10% of cases, median P90 / P50 at most 2)."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from playbook import PROJECT_ROOT


@pytest.fixture(scope="module")
def backtest():
    spec = importlib.util.spec_from_file_location(
        "backtest_forecast", PROJECT_ROOT / "benchmarks" / "backtest_forecast.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cases(backtest):
    return backtest.public_cases()


def test_quarters_are_placed_at_their_quarter_end_month(backtest):
    assert backtest.quarter_end("2016Q2", "calendar (Dec 31)") == pd.Timestamp("2016-06-01")
    # fiscal year to 31 January: FY2020 runs Feb 2019 - Jan 2020
    assert backtest.quarter_end("FY2020Q1", "ends Jan 31 (FY2019 = Feb 2018 - Jan 2019)") == pd.Timestamp(
        "2019-04-01"
    )
    assert backtest.quarter_end("FY2020Q4", "ends Jan 31") == pd.Timestamp("2020-01-01")
    series = backtest.public_series()["Datadog"]
    assert series.notna().sum() == 10 and series.index.freqstr == "MS"  # gaps stay gaps, never interpolated


def test_the_true_months_to_a_target_read_the_reported_figures_log_linearly(backtest):
    import numpy as np

    y = np.log(np.array([100.0, np.nan, np.nan, 200.0, np.nan, np.nan, 400.0]))
    # from the first figure, 141.4 (half-way in log to 200) is reached after 1.5 months
    assert backtest.crossing(y, 0, np.log(100 * 2**0.5)) == pytest.approx(1.5)
    assert backtest.crossing(y, 3, np.log(400.0)) == pytest.approx(3.0)
    assert backtest.crossing(y, 3, np.log(150.0)) == 0.0  # already past it


def test_months_to_a_target_are_calibrated_and_sharp_on_public_companies(backtest, cases):
    targets, _ = cases
    rows = {r["company"]: r for r in backtest.months_to_target_rows(targets)}
    pooled = rows["all"]
    assert pooled["origins"] >= 10 and pooled["cases"] >= pooled["origins"]
    value, low, high = pooled["coverage"]
    assert low <= value <= high and low <= 0.8 <= high  # calibrated within what 11 origins can tell
    assert pooled["beyond"] <= 0.10  # the old model: P90 past the horizon in 42 of 69
    assert pooled["ratio"] <= 2.0  # ... and 5.4 x the P50 where finite


def test_levels_are_calibrated_on_public_companies(backtest, cases):
    _, levels = cases
    pooled = next(r for r in backtest.level_rows(levels) if r["company"] == "all")
    value, low, high = pooled["coverage"]
    assert pooled["origins"] >= 10 and low <= 0.8 <= high
    assert pooled["median_error"] < 0.10


def test_the_interval_resamples_origins_not_cases(backtest):
    """Cases that share an origin move together: an interval over origins is wider than one that
    treats the cases as independent, for the same cases."""
    cases = pd.DataFrame({"origin": ["a"] * 4 + ["b"] * 4 + ["c"] * 4, "covered": [True] * 8 + [False] * 4})
    value, low, high = backtest.by_origin(cases, backtest.coverage)
    # three origins: a resample of "c" alone (1 in 27) covers nothing
    assert value == pytest.approx(2 / 3) and (low, high) == (0.0, 1.0)
    shuffled = cases.assign(origin=[f"o{i}" for i in range(12)])
    _, low_cases, high_cases = backtest.by_origin(shuffled, backtest.coverage)
    assert high_cases - low_cases < high - low
