"""The scenario library's seeded smoke: every scenario, a company or two each, checked for the
direction of each verdict (the full study is `make calibrate`; its table is in docs/methods.md).

A scenario declares what its seeded companies must show (`smoke`); a failure here means a verdict
now points the wrong way on a company shaped unlike our samples.
"""

from __future__ import annotations

import pytest

from playbook.runner.calibrate import company_outcomes
from playbook.samples.scenarios import all_scenarios

LIBRARY = all_scenarios()
SECTIONS = ("timing", "penetration", "enterprise_demand", "leaders", "compensation")


def test_the_library_covers_every_question_it_is_asked_about():
    covered = {s.section for s in LIBRARY.values()}
    assert {"penetration", "enterprise_demand"} <= covered, covered


@pytest.mark.parametrize("name", list(LIBRARY))
def test_every_scenario_states_its_truth_and_what_it_must_find(name):
    scenario = LIBRARY[name]
    assert scenario.truth and scenario.correct and scenario.section in SECTIONS
    assert scenario.targets and scenario.smoke, "a scenario without targets or smoke claims nothing"
    assert scenario.generate(0).truth == scenario.generate(0).truth  # seeded: the same company twice


@pytest.mark.parametrize(
    "name, seed", [(name, seed) for name, s in LIBRARY.items() for seed in s.smoke_seeds]
)
def test_the_seeded_companies_point_the_right_way(name, seed):
    scenario = LIBRARY[name]
    outcomes = company_outcomes(scenario, seed)
    wrong = {k: outcomes.get(k) for k, v in scenario.smoke.items() if outcomes.get(k) != v}
    assert not wrong, f"{name} seed {seed}: expected {dict(scenario.smoke)}, got {wrong}"
