"""Sales compensation: a plan simulator whose answer comes from its assumptions stated, not built in.

Most sales leaders in the article recommend the traditional 50/50 split (50% base, 50% commission):
"no prize, no fight". One engineering-led company paid 70/30 with the 30% tied to the whole team's
quota; the best reps subsidised the worst, and the roster filled with weaker reps. Those are
experience, not model output. Here each plan is simulated on the same team:

- reps value pay by its certainty equivalent: expected pay less a risk premium (`risk_aversion`
  times half the variance of pay, in units of on-target earnings);
- effort rises with the share of pay that rides on the rep's own results, with diminishing
  returns (`effort_response`); a team quota dilutes that link, since a rep's own effort moves
  only 1/n of the team's attainment (free-riding);
- outside offers follow a rep's recent performance, and a rep whose certainty equivalent falls
  short of their offer is likelier to leave;
- an opening goes to the first candidate whose certainty equivalent meets their own offer; when
  none does, the seat stays empty for the quarter and its quota goes unsold; a new hire sells at
  half pace in their first quarter.

The recommendation maximises one stated objective — net bookings per seat and year, empty seats
and departures included — and the sensitivity analysis varies what decides it: team size, the
market's plan, luck, pay sensitivity, risk aversion and effort response, one at a time and over a
space-filling sample (`pay_model.py` runs them all at once). The result names the plans compared
and where each wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.pay_model import earned, effort, simulate
from playbook.analyses.pay_sensitivity import (
    RANGES,
    SAMPLE_POINTS,
    SAMPLE_RUNS,
    Sensitivity,
    margin_over,
    sample_points,
    sweep_points,
    winners_at,
)
from playbook.analyses.settings import CommonSettings
from playbook.data.settings import Settings, SettingsError, setting

# The one objective plans are compared on: net bookings per seat and year — bookings less the cost
# of sales (pay and recruiting), an empty seat selling nothing.
OBJECTIVE = "net_bookings_per_seat_year"


@dataclass(frozen=True)
class Plan:
    """A compensation plan. Shares are 0-1; attainment is bookings over quota (1 = 100%).

    base_share: share of on-target earnings (OTE) paid as salary.
    team_share: share of the variable pay that depends on the whole team's attainment.
    accelerator: variable earned per unit of attainment above 100% (1 = linear, 2 = double rate).
    expansion_credit: share of expansion/consumption bookings credited (Twilio-style farming).
    cap: attainment beyond which nothing more is earned.
    """

    name: str
    base_share: float
    team_share: float = 0.0
    accelerator: float = 1.0
    expansion_credit: float = 1.0
    cap: float = 3.0

    def __post_init__(self) -> None:
        for key in ("base_share", "team_share", "expansion_credit"):
            if not 0 <= getattr(self, key) <= 1:
                raise ValueError(
                    f"plan {self.name!r}: {key} must be between 0 and 1, got {getattr(self, key)}"
                )
        if self.accelerator < 0 or self.cap < 1:
            raise ValueError(f"plan {self.name!r}: accelerator must be >= 0 and cap >= 1")

    def earned(self, attainment) -> np.ndarray:
        """Share of the variable target earned at an attainment (never falls as attainment rises)."""
        return earned(np.asarray(attainment, dtype=float), self.accelerator, self.cap)

    def payout(self, individual, team, ote: float) -> np.ndarray:
        """Pay for a period (currency) at individual and team attainment, OTE for the period."""
        variable = (1 - self.base_share) * ote
        share = (1 - self.team_share) * self.earned(individual) + self.team_share * self.earned(team)
        return self.base_share * ote + variable * share


DEFAULT_PLANS = (
    Plan("50/50 individual", base_share=0.5),
    Plan("70/30 team quota", base_share=0.7, team_share=1.0),
)


def plans_from(custom: list[dict] | None) -> tuple[Plan, ...]:
    """The two article plans plus any the user defines (dicts of Plan's fields)."""
    plans = list(DEFAULT_PLANS)
    allowed = set(Plan.__dataclass_fields__)
    for spec in custom or []:
        unknown = set(spec) - allowed
        if unknown or "name" not in spec or "base_share" not in spec:
            raise ValueError(
                f"a custom plan needs name and base_share and may set {sorted(allowed)}; got {spec}"
            )
        plans.append(Plan(**spec))
    names = [p.name for p in plans]
    if len(set(names)) != len(names):
        raise ValueError(f"plan names must be unique, got {names}")
    return tuple(plans)


@dataclass(frozen=True, kw_only=True)
class CompensationSettings(Settings):
    """Compensation: the simulated sales team, its market, and the plans to compare."""

    GROUP: ClassVar[str] = "compensation: the simulated sales team and its pay plans"

    ote: float = setting(
        200_000, kind="number", unit="currency a year", minimum=0, help="on-target earnings per rep"
    )
    quota: float = setting(
        1_000_000, kind="number", unit="currency a year", minimum=0, help="bookings quota per rep"
    )
    n_reps: int = setting(20, kind="int", minimum=2, help="reps in the simulated team")
    n_quarters: int = setting(8, kind="int", minimum=1, unit="quarters", help="quarters simulated")
    n_runs: int = setting(200, kind="int", minimum=10, help="simulated runs per plan")
    skill_spread: float = setting(
        0.35, kind="number", minimum=0, help="spread of rep skill (standard deviation of its log)"
    )
    pay_sensitivity: float = setting(
        1.5,
        kind="number",
        minimum=0,
        help="extra quarterly chance of leaving per unit of shortfall below what the going plan is worth",
    )
    # At 2, a 50/50 plan's risk costs a rep about 5% of its expected pay.
    risk_aversion: float = setting(
        2.0,
        kind="number",
        minimum=0,
        help="reps' risk aversion: the risk premium is this times half the variance of pay (in OTE units)",
    )
    effort_response: float = setting(
        0.15,
        kind="number",
        minimum=0,
        help="extra effort at a 50/50 individual plan (share), rising with the square root of pay at risk",
    )
    custom_plans: list | None = setting(
        None, kind="list", help="extra plans, e.g. [{name: 60/40, base_share: 0.6, accelerator: 1.5}]"
    )

    def check_together(self) -> None:
        try:
            plans_from(self.custom_plans)
        except (ValueError, TypeError) as exc:
            raise SettingsError(str(exc)) from None


@dataclass(frozen=True, kw_only=True)
class Team:
    """The simulated sales team and its labour market (per quarter unless said otherwise)."""

    n_reps: int = CompensationSettings.n_reps
    quota: float = CompensationSettings.quota  # annual bookings quota per rep (currency)
    ote: float = CompensationSettings.ote  # annual on-target earnings per rep (currency)
    skill_spread: float = CompensationSettings.skill_spread  # sd of log skill; skill 1 = an average rep
    # Other employers pay the going plan: this base share of OTE, the rest on individual results.
    market_fixed_share: float = 0.5
    # A candidate joins for a certainty equivalent this much below the going plan's.
    hiring_slack: float = 0.05
    luck: float = 0.35  # sd of log quarterly noise on attainment (enterprise deals are lumpy)
    self_knowledge: float = 0.3  # sd of log error in what a rep knows of their own skill
    expansion_share: float = 0.3  # share of bookings that is expansion/consumption of existing accounts
    base_attrition: float = 0.03  # quarterly chance a rep leaves whatever the pay
    pay_sensitivity: float = CompensationSettings.pay_sensitivity
    risk_aversion: float = CompensationSettings.risk_aversion  # premium: this x variance of pay / 2
    effort_response: float = CompensationSettings.effort_response  # effort = 1 + this x sqrt(incentive / 0.5)
    offers_per_hire: int = 5  # candidates met per opening in a quarter
    hiring_cost: float = 0.2  # recruiting cost of one hire, as a share of annual OTE
    n_quarters: int = CompensationSettings.n_quarters
    n_runs: int = CompensationSettings.n_runs

    @classmethod
    def from_settings(cls, settings: CompensationSettings) -> Team:
        """The team the settings describe (the settings name the fields people set)."""
        named = {f.name for f in fields(cls)} & {f.name for f in fields(settings)}
        return cls(**{name: getattr(settings, name) for name in named})

    def effort(self, plan: Plan) -> float:
        """Effort under a plan: 1 with no incentive, 1 + effort_response at a 50/50 individual plan,
        rising ever more slowly beyond it; a team quota dilutes it (free-riding)."""
        return float(effort(plan.base_share, plan.team_share, self.n_reps, self.effort_response))


@dataclass(frozen=True, kw_only=True)
class PlanOutcome:
    """One plan's results over all runs; intervals are P10-P90 across runs."""

    plan: Plan
    objective: float  # net bookings per seat and year (currency), the mean over runs
    objective_by_run: np.ndarray = field(repr=False)
    cost_of_sales: float
    effort: float
    empty_seat_share: float  # share of seat-quarters left empty
    attrition: float  # departures per rep per quarter
    pay_ratio_top_bottom: float
    pay_performance_corr: float
    roster_quality_end: float  # mean skill at the end / at the start
    roster_quality_interval: tuple[float, float]
    roster_quality_path: np.ndarray = field(repr=False)  # quarters x (p10, p50, p90)

    def to_dict(self) -> dict:
        return {
            "name": self.plan.name,
            "base_share": self.plan.base_share,
            "team_share": self.plan.team_share,
            "accelerator": self.plan.accelerator,
            "expansion_credit": self.plan.expansion_credit,
            "net_bookings_per_seat_year": rounded(self.objective, 0),
            "cost_of_sales": rounded(self.cost_of_sales),
            "effort": rounded(self.effort),
            "empty_seat_share": rounded(self.empty_seat_share),
            "attrition_per_quarter": rounded(self.attrition),
            "pay_ratio_top_bottom": rounded(self.pay_ratio_top_bottom),
            "pay_performance_corr": rounded(self.pay_performance_corr),
            "roster_quality_end": rounded(self.roster_quality_end),
            "roster_quality_interval": [rounded(x) for x in self.roster_quality_interval],
        }


def simulate_plans(plans, team: Team, *, seed) -> tuple[PlanOutcome, ...]:
    """Run the team under every plan for `n_quarters`, `n_runs` times, on the same random draws."""
    found = simulate(plans, [team], seed=seed, detail=True)
    outcomes = []
    for p, plan in enumerate(plans):
        end = found.quality[-1, 0, p]
        outcomes.append(
            PlanOutcome(
                plan=plan,
                objective=float(found.objective[0, p]),
                objective_by_run=found.objective_by_run[0, p],
                cost_of_sales=float(found.cost_of_sales[0, p]),
                effort=float(found.effort[0, p]),
                empty_seat_share=float(found.empty_seat_share[0, p]),
                attrition=float(found.attrition[0, p]),
                pay_ratio_top_bottom=float(found.pay_ratio_top_bottom[0, p]),
                pay_performance_corr=float(found.pay_performance_corr[0, p]),
                roster_quality_end=float(np.median(end)),
                roster_quality_interval=(float(np.quantile(end, 0.1)), float(np.quantile(end, 0.9))),
                roster_quality_path=np.quantile(found.quality[:, 0, p], [0.1, 0.5, 0.9], axis=1).T,
            )
        )
    return tuple(outcomes)


def winner(outcomes) -> tuple[PlanOutcome, PlanOutcome | None]:
    """The plan with the most net bookings per seat and year, and the runner-up."""
    ranked = sorted(outcomes, key=lambda o: (-o.objective, o.plan.name))
    return ranked[0], (ranked[1] if len(ranked) > 1 else None)


@dataclass(frozen=True, kw_only=True)
class CompensationResult:
    """Every plan's simulated outcome, the recommended plan, and where each plan wins.

    `sensitivity`: the winner at each point of the one-at-a-time sweeps and of the space-filling
    sample over the assumptions of RANGES.
    """

    team: Team
    outcomes: tuple[PlanOutcome, ...]
    recommended: str
    runner_up: str | None
    margin: float | None  # recommended over runner-up, objective ratio minus one
    wins_share_of_runs: float | None  # paired runs in which the recommended plan beats the runner-up
    sensitivity: Sensitivity

    @property
    def verdict(self) -> str:
        return self.recommended

    @property
    def plans_compared(self) -> tuple[str, ...]:
        return tuple(o.plan.name for o in self.outcomes)

    @property
    def holds_in_sample(self) -> float:
        """Share of the space-filling sample where the recommended plan also wins."""
        return self.sensitivity.holds(self.recommended)

    @property
    def switches(self) -> tuple[dict, ...]:
        return self.sensitivity.switches()

    def outcome(self, name: str) -> PlanOutcome:
        return next(o for o in self.outcomes if o.plan.name == name)

    def to_dict(self) -> dict:
        s = self.sensitivity
        return {
            "verdict": self.verdict,
            "objective": OBJECTIVE,
            "plans_compared": list(self.plans_compared),
            "runner_up": self.runner_up,
            "margin": rounded(self.margin),
            "wins_share_of_runs": rounded(self.wins_share_of_runs),
            "holds_in_sample": rounded(self.holds_in_sample),
            "sensitivity": {
                "ranges": {name: list(r) for name, r in RANGES.items()},
                "sample_points": len(s.sample),
                "runs_per_point": s.runs,
                "wins_in_sample": {plan: s.wins(plan) for plan in s.plans},
                "regions": [s.region(plan) for plan in s.plans if plan != self.recommended],
            },
            "switches": list(self.switches),
            "plans": [o.to_dict() for o in self.outcomes],
            "team": {k: (rounded(v) if isinstance(v, float) else v) for k, v in self.team.__dict__.items()},
        }


def compare_plans(
    plans: tuple[Plan, ...] = DEFAULT_PLANS,
    team: Team = Team(),
    *,
    seed: int = CommonSettings.seed,
    samples: int = SAMPLE_POINTS,
    sample_runs: int = SAMPLE_RUNS,
) -> CompensationResult:
    """Simulate every plan on the same team (the same random draws) and recommend the one with the
    most net bookings per seat and year; then find the winner when the uncertain assumptions move,
    one at a time and `samples` Sobol points at once (`sample_runs` runs each)."""
    outcomes = simulate_plans(plans, team, seed=seed)
    best, second = winner(outcomes)
    margin = None if second is None else margin_over(best.objective, second.objective)
    beats = None if second is None else float(np.mean(best.objective_by_run > second.objective_by_run))
    points = pd.concat([sweep_points(team), sample_points(points=samples, seed=seed)], ignore_index=True)
    return CompensationResult(
        team=team,
        outcomes=outcomes,
        recommended=best.plan.name,
        runner_up=None if second is None else second.plan.name,
        margin=margin,
        wins_share_of_runs=beats,
        sensitivity=winners_at(plans, team, points, seed=seed, runs=sample_runs),
    )


def payout_curves(plans: tuple[Plan, ...], *, team_attainment: float = 1.0) -> pd.DataFrame:
    """Pay as a multiple of on-target earnings, by individual attainment, for each plan (the team at
    `team_attainment`)."""
    grid = np.linspace(0, 2, 81)
    return pd.DataFrame(
        {p.name: p.payout(grid, team_attainment, 1.0) for p in plans}, index=pd.Index(grid, name="attainment")
    )
