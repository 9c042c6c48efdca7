"""Compensation: payouts by hand, a labour market where the answer can go either way, and a
recommendation that says how far it holds."""

from __future__ import annotations

import json

import numpy as np
import pytest

from playbook.analyses.compensation import (
    DEFAULT_PLANS,
    Plan,
    Team,
    certainty_equivalent,
    compare_plans,
    payout_curves,
    plans_from,
    simulate_plan,
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


SMALL = {"n_runs": 60, "n_quarters": 6}


def objective(plan: Plan, **team) -> float:
    return simulate_plan(plan, Team(**{**SMALL, **team}), seed=0).objective


VARIABLE, FIXED = Plan("10/90", base_share=0.1), Plan("90/10", base_share=0.9)


def test_risk_aversion_moves_the_answer_toward_fixed_pay():
    """The more reps dislike risk, the less a mostly variable plan gains over a mostly fixed one."""
    gains = [
        objective(VARIABLE, risk_aversion=r) - objective(FIXED, risk_aversion=r) for r in (0.0, 4.0, 8.0)
    ]
    assert gains[0] > gains[1] > gains[2]
    team = Team()
    low, high = (
        certainty_equivalent(VARIABLE, Team(risk_aversion=r), np.array([1.0]))[0] for r in (0.0, 4.0)
    )
    assert high < low <= VARIABLE.payout(10, 1, team.ote / 4)


def test_free_riding_weakens_effort_and_bookings():
    """A team quota passes on only 1/n of a rep's own effort: the more pay rides on the team, the
    less effort, and with effort mattering, the fewer net bookings."""
    team = Team(**SMALL, effort_response=0.3)
    shares = (0.0, 0.5, 1.0)
    efforts = [team.effort(Plan("x", base_share=0.5, team_share=s)) for s in shares]
    assert efforts[0] > efforts[1] > efforts[2] > 1
    values = [objective(Plan("x", base_share=0.5, team_share=s), effort_response=0.3) for s in shares]
    assert values[0] > values[1] > values[2]
    bigger = Team(**{**SMALL, "n_reps": 40}, effort_response=0.3)
    assert (
        bigger.effort(Plan("t", base_share=0.5, team_share=1.0)) < efforts[2]
    )  # more reps, more free-riding


def test_the_model_is_not_rigged_each_of_two_plans_wins_somewhere_reasonable():
    """Regression: market value equalled the 50/50 plan's expected pay and pay changed neither effort
    nor turnover, so the most variable plan always won (a 10/90 plan was always recommended)."""
    plans = plans_from([{"name": "30/70 individual", "base_share": 0.3}])
    fearless = compare_plans(plans, Team(**SMALL, risk_aversion=1.0, effort_response=0.3), grid_runs=20)
    cautious = compare_plans(plans, Team(**SMALL, risk_aversion=4.0, effort_response=0.0), grid_runs=20)
    assert fearless.recommended == "30/70 individual" and cautious.recommended == "50/50 individual"
    # the cautious setting sits near the edge: the notebook reports where the winner switches
    switched = {s["parameter"]: s for s in cautious.switches}
    assert switched["risk_aversion"]["to"] == "50/50 individual"  # more risk aversion: more base pay
    assert switched["effort_response"]["to"] == "30/70 individual"  # more effort response: more variable
    assert 0 < fearless.holds_on_grid < 1 and 0 < cautious.holds_on_grid < 1


def test_a_seat_stays_empty_when_no_candidate_accepts():
    """Regression: when no candidate accepted an offer, the last one joined anyway."""
    stingy = Plan("all at risk", base_share=0.0, cap=1.0)  # no upside beyond quota: nobody wants it
    outcome = simulate_plan(stingy, Team(**SMALL, risk_aversion=4.0), seed=0)
    assert outcome.empty_seat_share > 0.2
    assert simulate_plan(DEFAULT_PLANS[0], Team(**SMALL), seed=0).empty_seat_share < 0.05


def test_team_quota_weakens_pay_for_performance_and_the_roster():
    result = compare_plans(DEFAULT_PLANS, Team(**SMALL), grid_runs=20)
    solo, team = result.outcome("50/50 individual"), result.outcome("70/30 team quota")
    assert solo.pay_performance_corr > 0.8 and team.pay_performance_corr < solo.pay_performance_corr
    assert team.roster_quality_end < solo.roster_quality_end  # adverse selection, from who stays and joins
    assert result.recommended == "50/50 individual"


def test_same_seed_same_outcomes():
    a = compare_plans(DEFAULT_PLANS, Team(**SMALL), seed=4, grid_runs=20).to_dict()
    assert a == compare_plans(DEFAULT_PLANS, Team(**SMALL), seed=4, grid_runs=20).to_dict()


def test_summary_section_carries_the_contract_fields():
    summary = compare_plans(DEFAULT_PLANS, Team(**SMALL), grid_runs=20).to_dict()
    assert summary["verdict"] in {p["name"] for p in summary["plans"]}
    assert {"objective", "runner_up", "margin", "holds_on_grid", "switches"} <= set(summary)
    for plan in summary["plans"]:
        assert {"name", "net_bookings_per_seat_year", "empty_seat_share", "roster_quality_end"} <= set(plan)
    json.dumps(summary, allow_nan=False)


def test_payout_curves_table():
    table = payout_curves(DEFAULT_PLANS)
    assert list(table.columns) == [p.name for p in DEFAULT_PLANS]
    assert table.loc[1.0].tolist() == pytest.approx([1.0, 1.0])
