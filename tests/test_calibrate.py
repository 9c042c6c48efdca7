"""The calibration study's machinery: drawing, pooling, targets and the table in docs/methods.md.

The scenarios themselves are checked by tests/test_scenarios.py; here a toy scenario (ARR that
grows steadily, timing calibrated) exercises the path a scenario's companies take.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.analyses.calibration import measured, wilson
from playbook.runner import calibrate
from playbook.samples.scenarios import Company, Scenario, Target
from playbook.views.calibration import table_markdown


def steady_arr(seed: int) -> Company:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    arr = 2e6 * np.exp(np.cumsum(rng.normal(0.025, 0.01, 36)))
    return Company(
        tables={"arr_monthly": pd.DataFrame({"month": months.strftime("%Y-%m"), "arr": arr.round(2)})},
        truth={"verdict": "early"},
    )


TOY = Scenario(
    name="toy",
    section="timing",
    truth="ARR near $5M growing about 35% a year",
    correct="early",
    generate=steady_arr,
    measure=lambda company, results: {
        "correct": results.timing.verdict == company.truth["verdict"],
        "arr": results.timing.current_arr,
    },
    targets=(Target(label="early", outcome="correct", value=0.9),),
    report=("arr",),
)


def test_a_company_goes_through_the_contract_and_the_analysis():
    outcomes = calibrate.company_outcomes(TOY, 3)
    assert outcomes["correct"] is True and outcomes["arr"] > 3e6


def test_a_study_of_some_scenarios_keeps_the_other_scenarios_rows():
    header = "| scenario | outcome |\n|---|---|\n"
    current = header + "| a | old a |\n|  | old a, second row |\n| b | old b |\n| gone | left the library |"
    fresh = header + "| b | new b |\n|  | new b, second row |"
    table = calibrate.merged_table(current, fresh, ["a", "b"])
    assert (
        table == header + "| a | old a |\n|  | old a, second row |\n| b | new b |\n|  | new b, second row |"
    )


def test_a_rate_target_reads_its_wilson_interval():
    target = Target(label="x", outcome="hit", value=0.95)
    nine_of_ten = [{"hit": i < 95} for i in range(100)]
    row = measured(target, nine_of_ten, target=target)
    assert row.value == 0.95 and row.interval[0] < 0.95 < row.interval[1] and row.holds
    assert wilson(95, 100) == pytest.approx((0.8882, 0.9785), abs=1e-4)
    low = measured(target, [{"hit": i < 85} for i in range(100)], target=target)
    assert not low.holds  # the interval (77%-91%) does not reach 95%
    at_most = Target(label="x", outcome="hit", comparison="at_most", value=0.05)
    assert measured(at_most, [{"hit": i < 7} for i in range(100)], target=at_most).holds
    assert not measured(at_most, [{"hit": i < 15} for i in range(100)], target=at_most).holds


def test_pooled_ratios_medians_and_missing_outcomes():
    ratio = Target(
        label="r",
        outcome="expected",
        statistic="pooled_ratio",
        denominator="actual",
        comparison="between",
        value=0.85,
        high=1.15,
    )
    rows = [{"expected": 9.0, "actual": 10.0}, {"expected": 12.0, "actual": 10.0}, {"expected": None}]
    found = measured(ratio, rows, target=ratio)
    assert found.value == pytest.approx(21 / 20) and found.n == 2 and found.holds
    median = Target(label="m", outcome="x", statistic="median", comparison="at_most", value=2.0)
    assert measured(median, [{"x": 1.0}, {"x": 3.0}, {"x": 1.5}], target=median).holds
    assert measured(median, [], target=median).holds is False  # nothing measured meets no target


def test_targets_are_checked_when_declared():
    with pytest.raises(ValueError, match="denominator"):
        Target(label="x", outcome="y", statistic="pooled_ratio")
    with pytest.raises(ValueError, match="high value"):
        Target(label="x", outcome="y", comparison="between", value=0.7)


def test_the_table_is_written_between_the_markers(tmp_path):
    found = {"toy": [calibrate.company_outcomes(TOY, seed) for seed in range(3)]}
    text = table_markdown([TOY], found)
    assert "| toy | ARR near $5M growing about 35% a year | early | early | 100%" in text
    methods = tmp_path / "methods.md"
    methods.write_text(
        f"# Methods\n\nbefore\n\n{calibrate.BEGIN_MARKER}\nstale table\n{calibrate.END_MARKER}\n\nafter\n"
    )
    calibrate.write_methods(text, methods)
    written = methods.read_text()
    assert "stale table" not in written and text in written and "before" in written and "after" in written
