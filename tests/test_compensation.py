"""Compensation: payout never falls as attainment rises; team quotas weaken pay for performance
and the roster."""

from __future__ import annotations

import json

import numpy as np
import pytest

from playbook.analyses.compensation import (
    DEFAULT_PLANS,
    Plan,
    Team,
    compare_plans,
    payout_curves,
    plans_from,
)

PLANS = plans_from(
    [
        {"name": "60/40 accelerated", "base_share": 0.6, "accelerator": 2.0},
        {"name": "consumption farmer", "base_share": 0.5, "expansion_credit": 0.5, "cap": 2.0},
        {"name": "all team", "base_share": 0.2, "team_share": 1.0, "accelerator": 0.0},
    ]
)


@pytest.mark.parametrize("plan", PLANS, ids=[p.name for p in PLANS])
def test_payout_never_falls_as_attainment_rises(plan, rng):
    """A property over random team attainment and a fine grid of individual attainment."""
    grid = np.linspace(0, 4, 801)
    for team in rng.uniform(0, 3, 25):
        pay = plan.payout(grid, team, 50_000.0)
        assert np.all(np.diff(pay) >= -1e-9)
        # and in team attainment too, at fixed individual attainment
        assert np.all(np.diff(plan.payout(1.0, grid, 50_000.0)) >= -1e-9)


def test_payout_by_hand():
    fifty = Plan("50/50", base_share=0.5, accelerator=2.0, cap=2.0)
    assert fifty.payout(1.0, 0.0, 100.0) == pytest.approx(100.0)  # on target: OTE
    assert fifty.payout(0.0, 0.0, 100.0) == pytest.approx(50.0)  # base only
    assert fifty.payout(1.5, 0.0, 100.0) == pytest.approx(50 + 50 * 2.0)  # 1 + 2 x 0.5 of the variable
    assert fifty.payout(3.0, 0.0, 100.0) == fifty.payout(2.0, 0.0, 100.0)  # capped
    team = Plan("70/30 team", base_share=0.7, team_share=1.0)
    assert team.payout(0.1, 1.0, 100.0) == team.payout(2.0, 1.0, 100.0) == pytest.approx(100.0)


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"name": "x", "base_share": 1.2}, "base_share must be between 0 and 1"),
        ({"name": "x", "base_share": 0.5, "team_share": -0.1}, "team_share"),
        ({"name": "x", "base_share": 0.5, "bonus": 1}, "may set"),
        ({"base_share": 0.5}, "needs name"),
        ({"name": "50/50 individual", "base_share": 0.5}, "unique"),
    ],
)
def test_bad_plans_are_rejected(spec, message):
    with pytest.raises(ValueError, match=message):
        plans_from([spec])


@pytest.fixture(scope="module")
def compared():
    return compare_plans(DEFAULT_PLANS, Team(n_runs=200), seed=0)


def test_team_quota_weakens_pay_for_performance(compared):
    fifty, team = compared.outcome("50/50 individual"), compared.outcome("70/30 team quota")
    assert team.pay_performance_corr < fifty.pay_performance_corr
    assert team.pay_ratio_top_bottom < fifty.pay_ratio_top_bottom


def test_adverse_selection_emerges_from_the_simulation(compared):
    """Nothing in the model names a winner: the team plan's roster weakens because of who leaves
    and who joins."""
    fifty, team = compared.outcome("50/50 individual"), compared.outcome("70/30 team quota")
    assert team.roster_quality_interval[1] < fifty.roster_quality_end
    assert team.roster_quality_path[-1, 1] < team.roster_quality_path[0, 1]
    assert compared.recommended == "50/50 individual"


def test_same_seed_same_outcomes():
    a = compare_plans(DEFAULT_PLANS, Team(n_runs=50), seed=3).to_dict()
    assert a == compare_plans(DEFAULT_PLANS, Team(n_runs=50), seed=3).to_dict()
    json.dumps(a, allow_nan=False)


def test_summary_section_carries_the_contract_fields(compared):
    summary = compared.to_dict()
    for plan in summary["plans"]:
        assert {
            "name",
            "base_share",
            "team_share",
            "cost_of_sales",
            "pay_ratio_top_bottom",
            "pay_performance_corr",
            "roster_quality_end",
        } <= set(plan)
    assert summary["verdict"] in {p["name"] for p in summary["plans"]}


def test_payout_curves_table():
    table = payout_curves(DEFAULT_PLANS)
    assert list(table.columns) == [p.name for p in DEFAULT_PLANS]
    assert table.loc[1.0].tolist() == pytest.approx([1.0, 1.0])  # both pay OTE on target
