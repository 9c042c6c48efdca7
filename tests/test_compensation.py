"""Compensation: payouts by hand, a labour market where the answer can go either way, a
vectorised simulation that equals the plain computation, and a recommendation that names the
plans compared and where each wins."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from scipy.stats import norm

from playbook.analyses import pay_model
from playbook.analyses.compensation import (
    DEFAULT_PLANS,
    Plan,
    Team,
    compare_plans,
    payout_curves,
    plans_from,
    simulate_plans,
)
from playbook.analyses.pay_model import certainty_equivalent
from playbook.analyses.pay_sensitivity import RANGES, grid_points, sample_points, sweep_points

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
    return simulate_plans((plan,), Team(**{**SMALL, **team}), seed=0)[0].objective


def plain_certainty_equivalent(plan: Plan, team: Team, skill: np.ndarray) -> np.ndarray:
    """The certainty equivalent computed the plain way: the plan's pay at every luck point."""
    z = norm.ppf((np.arange(pay_model.LUCK_POINTS) + 0.5) / pay_model.LUCK_POINTS)
    spread = np.hypot(team.luck, team.self_knowledge)
    luck = np.exp(spread * z - spread**2 / 2)
    effort = team.effort(plan)
    credit = (1 - team.expansion_share) + team.expansion_share * plan.expansion_credit
    pay = plan.payout(skill[:, None] * effort * luck * credit, effort * credit, 1.0)
    return team.ote / 4 * (pay.mean(axis=1) - team.risk_aversion * pay.var(axis=1) / 2)


@pytest.mark.parametrize("plan", PLANS, ids=[p.name for p in PLANS])
def test_the_exact_certainty_equivalent_equals_the_plain_one(plan, rng):
    """The vectorised model takes mean and variance from prefix sums over sorted luck points; at
    skills that put attainment below quota, between quota and cap, and beyond the cap, it equals
    evaluating the plan at every luck point."""
    skill = np.concatenate([rng.lognormal(0, 0.6, 200), [1e-6, 0.5, 1.0, 2.0, 8.0]])
    for team in (Team(), Team(luck=0.7, risk_aversion=5.0, effort_response=0.5, n_reps=4)):
        fast = certainty_equivalent(plan, team, skill)
        assert fast == pytest.approx(plain_certainty_equivalent(plan, team, skill), rel=1e-9, abs=1e-6)


def test_points_simulated_together_equal_each_alone():
    """Teams of one size simulated at once see the same draws as each alone: batching changes no
    figure."""
    plans = DEFAULT_PLANS
    teams = [Team(**SMALL, risk_aversion=r, market_fixed_share=m) for r, m in ((0.0, 0.5), (4.0, 0.7))]
    together = pay_model.simulate(plans, teams, seed=3)
    for i, team in enumerate(teams):
        alone = pay_model.simulate(plans, [team], seed=3)
        assert together.objective_by_run[i] == pytest.approx(alone.objective_by_run[0], rel=1e-12)
        assert together.empty_seat_share[i] == pytest.approx(alone.empty_seat_share[0])


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


BUILT_IN = plans_from([{"name": "30/70 individual", "base_share": 0.3}])  # the workshop's plan too
# Assumptions under which each built-in plan beats each other one (SMALL teams otherwise).
FAVOURING = {
    "50/50 individual": {"risk_aversion": 4.0, "effort_response": 0.0},
    "30/70 individual": {"risk_aversion": 1.0, "effort_response": 0.3},
    # a small team (little free-riding), a market paying mostly base, lumpy deals, risk-averse reps
    "70/30 team quota": {
        "n_reps": 6,
        "market_fixed_share": 0.7,
        "luck": 0.6,
        "risk_aversion": 4.0,
        "effort_response": 0.0,
    },
}


@pytest.mark.parametrize(
    "pair", list(itertools.combinations(BUILT_IN, 2)), ids=lambda pair: " vs ".join(p.name for p in pair)
)
def test_the_model_is_not_rigged_each_plan_of_a_pair_wins_somewhere_reasonable(pair):
    """Every pair of built-in plans, head to head: each wins under assumptions people hold, and the
    sensitivity analysis of the other's run finds where. Regression: the grid varied only risk
    aversion and effort response, and the test pitted 50/50 against a 30/70 plan only, never
    against the team quota (which needs a small team, a market paying mostly base, lumpy deals and
    risk-averse reps)."""
    for plan in pair:
        result = compare_plans(pair, Team(**{**SMALL, **FAVOURING[plan.name]}), samples=16, sample_runs=20)
        assert result.recommended == plan.name, (plan.name, result.margin)
        assert set(result.plans_compared) == {p.name for p in pair}
    everywhere = compare_plans(pair, Team(**SMALL), samples=64, sample_runs=20)
    for plan in pair:  # each wins somewhere in the space the normal run samples
        assert everywhere.sensitivity.wins(plan.name) > 0 or any(
            s["to"] == plan.name for s in everywhere.switches
        ), plan.name


def test_the_result_reports_where_the_team_quota_wins():
    result = compare_plans(DEFAULT_PLANS, Team(**SMALL), samples=64, sample_runs=20)
    summary = result.to_dict()
    assert summary["plans_compared"] == ["50/50 individual", "70/30 team quota"]
    region = next(r for r in summary["sensitivity"]["regions"] if r["plan"] == "70/30 team quota")
    wins = result.sensitivity.wins("70/30 team quota")
    assert region["sample_points"] == wins and region["of"] == 64
    if wins:  # its corner: smaller teams, a market paying more base, more risk-averse reps
        sample = result.sensitivity.sample
        won = sample[sample["winner"] == "70/30 team quota"]
        assert won["n_reps"].mean() < sample["n_reps"].mean()
        assert won["market_fixed_share"].mean() > sample["market_fixed_share"].mean()
        assert won["risk_aversion"].mean() > sample["risk_aversion"].mean()
        assert region["ranges"]["n_reps"] == [won["n_reps"].min(), won["n_reps"].max()]
    else:
        assert region["behind"] < 0 and set(region["closest"]) == set(RANGES)
    assert result.holds_in_sample == pytest.approx(1 - wins / 64)


def test_the_risky_corner_switches_along_the_sweeps():
    """Near the edge between 50/50 and 30/70, the one-at-a-time sweeps say which way each moves."""
    plans = plans_from([{"name": "30/70 individual", "base_share": 0.3}])
    cautious = compare_plans(plans, Team(**SMALL, risk_aversion=4.0, effort_response=0.0), samples=16)
    switched = {s["parameter"]: s for s in cautious.switches}
    assert switched["risk_aversion"]["to"] == "50/50 individual"  # more risk aversion: more base pay
    assert switched["effort_response"]["to"] == "30/70 individual"  # more effort response: more variable
    assert 0 < cautious.holds_in_sample < 1


def test_sensitivity_points_cover_their_ranges():
    team = Team()
    sweeps = sweep_points(team)
    for name, (low, high) in RANGES.items():
        along = sweeps[sweeps["parameter"] == name]
        assert along[name].min() == pytest.approx(low) and along[name].max() == pytest.approx(high)
        others = [n for n in RANGES if n != name]
        assert (along[others] == [getattr(team, n) for n in others]).all().all()  # one at a time
    sample = sample_points(points=64, seed=0)
    assert len(sample) == 64 and sample.equals(sample_points(points=64, seed=0))
    for name, (low, high) in RANGES.items():
        assert low <= sample[name].min() and sample[name].max() <= high
        assert sample[name].nunique() >= 8  # space-filling: no assumption held
    assert len(grid_points(levels=3)) == 3 ** len(RANGES)


def test_a_seat_stays_empty_when_no_candidate_accepts():
    """Regression: when no candidate accepted an offer, the last one joined anyway."""
    stingy = Plan("all at risk", base_share=0.0, cap=1.0)  # no upside beyond quota: nobody wants it
    outcome = simulate_plans((stingy,), Team(**SMALL, risk_aversion=4.0), seed=0)[0]
    assert outcome.empty_seat_share > 0.2
    assert simulate_plans(DEFAULT_PLANS, Team(**SMALL), seed=0)[0].empty_seat_share < 0.05


def test_team_quota_weakens_pay_for_performance_and_the_roster():
    result = compare_plans(DEFAULT_PLANS, Team(**SMALL), samples=16, sample_runs=20)
    solo, team = result.outcome("50/50 individual"), result.outcome("70/30 team quota")
    assert solo.pay_performance_corr > 0.8 and team.pay_performance_corr < solo.pay_performance_corr
    assert team.roster_quality_end < solo.roster_quality_end  # adverse selection, from who stays and joins
    assert result.recommended == "50/50 individual"


def test_same_seed_same_outcomes():
    a = compare_plans(DEFAULT_PLANS, Team(**SMALL), seed=4, samples=16, sample_runs=20).to_dict()
    assert a == compare_plans(DEFAULT_PLANS, Team(**SMALL), seed=4, samples=16, sample_runs=20).to_dict()


def test_summary_section_carries_the_contract_fields():
    summary = compare_plans(DEFAULT_PLANS, Team(**SMALL), samples=16, sample_runs=20).to_dict()
    assert summary["verdict"] in {p["name"] for p in summary["plans"]}
    assert {"objective", "plans_compared", "runner_up", "margin", "holds_in_sample", "switches"} <= set(
        summary
    )
    assert {"ranges", "sample_points", "wins_in_sample", "regions"} <= set(summary["sensitivity"])
    for plan in summary["plans"]:
        assert {"name", "net_bookings_per_seat_year", "empty_seat_share", "roster_quality_end"} <= set(plan)
    json.dumps(summary, allow_nan=False)


def test_payout_curves_table():
    table = payout_curves(DEFAULT_PLANS)
    assert list(table.columns) == [p.name for p in DEFAULT_PLANS]
    assert table.loc[1.0].tolist() == pytest.approx([1.0, 1.0])
