"""The forecast's public backtest: the README states the figures this code computes."""

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


def test_quarters_are_placed_at_their_quarter_end_month(backtest):
    assert backtest.quarter_end("2016Q2", "calendar (Dec 31)") == pd.Timestamp("2016-06-01")
    # fiscal year to 31 January: FY2020 runs Feb 2019 - Jan 2020
    assert backtest.quarter_end("FY2020Q1", "ends Jan 31 (FY2019 = Feb 2018 - Jan 2019)") == pd.Timestamp(
        "2019-04-01"
    )
    assert backtest.quarter_end("FY2020Q4", "ends Jan 31") == pd.Timestamp("2020-01-01")
    series = backtest.public_series()["Datadog"]
    assert series.notna().sum() == 10 and series.index.freqstr == "MS"  # gaps stay gaps, never interpolated


def test_the_readme_states_the_public_backtest(backtest):
    overall = backtest.public_backtest().set_index("company").loc["all"]
    row = (
        f"| all | {int(overall.cases)} | {int(overall.covered)} | {overall.coverage:.0%} "
        f"({overall.low:.0%}–{overall.high:.0%}) | {overall.median_error:.1%} |"
    )
    assert row in (PROJECT_ROOT / "README.md").read_text()
