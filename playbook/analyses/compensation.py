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

The recommendation maximises one stated objective — bookings per dollar of pay over the horizon,
empty seats and departures included — and a sensitivity grid shows where it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import ClassVar

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.settings import CommonSettings
from playbook.data.settings import Settings, SettingsError, setting

# The one objective plans are compared on: net bookings per seat and year — bookings less the cost
# of sales (pay and recruiting), an empty seat selling nothing.
OBJECTIVE = "net_bookings_per_seat_year"
RISK_AVERSION_GRID = (0.0, 1.0, 2.0, 4.0)
EFFORT_RESPONSE_GRID = (0.0, 0.15, 0.3, 0.6)
SCAN_POINTS = 9  # per parameter, for the values where the winning plan switches
LUCK_POINTS = 24  # quantiles of luck behind each certainty equivalent
NEW_HIRE_PACE = 0.5  # share of a full quarter's sales in a new hire's first quarter


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
        a = np.clip(np.asarray(attainment, dtype=float), 0, self.cap)
        return np.where(a <= 1, a, 1 + self.accelerator * (a - 1))

    def payout(self, individual, team, ote: float) -> np.ndarray:
        """Pay for a period (currency) at individual and team attainment, OTE for the period."""
        variable = (1 - self.base_share) * ote
        share = (1 - self.team_share) * self.earned(individual) + self.team_share * self.earned(team)
        return self.base_share * ote + variable * share

    def incentive(self, n_reps: int) -> float:
        """The share of OTE that rides on the rep's own results: variable pay, of which a team
        quota passes on only 1/n of a rep's own contribution."""
        return (1 - self.base_share) * ((1 - self.team_share) + self.team_share / n_reps)


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

    @property
    def market(self) -> Plan:
        """The plan other employers offer (the going norm: 50/50 in the article)."""
        return Plan("market", base_share=self.market_fixed_share)

    def effort(self, plan: Plan) -> float:
        """Effort under a plan: 1 with no incentive, 1 + effort_response at a 50/50 individual plan,
        rising ever more slowly beyond it (the square root of the incentive)."""
        return 1 + self.effort_response * np.sqrt(plan.incentive(self.n_reps) / 0.5)


def certainty_equivalent(plan: Plan, team: Team, skill) -> np.ndarray:
    """What a rep of each skill values a quarter's pay under `plan` at (currency): expected pay less
    the risk premium, over the spread of luck and of what the rep does not know of their own skill,
    the team at its expected attainment."""
    from scipy.stats import norm  # see the note on imports in timing.py

    ote = team.ote / 4
    z = norm.ppf((np.arange(LUCK_POINTS) + 0.5) / LUCK_POINTS)
    spread = np.hypot(team.luck, team.self_knowledge)
    luck = np.exp(spread * z - spread**2 / 2)
    effort = team.effort(plan)
    credit = (1 - team.expansion_share) + team.expansion_share * plan.expansion_credit
    attainment = np.asarray(skill, dtype=float)[..., None] * effort * luck * credit
    pay = plan.payout(attainment, effort * credit, ote) / ote  # in OTE units
    return ote * (pay.mean(axis=-1) - team.risk_aversion * pay.var(axis=-1) / 2)


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


def simulate_plan(plan: Plan, team: Team, *, seed) -> PlanOutcome:
    """Run the team under one plan for `n_quarters`, `n_runs` times (vectorised across runs)."""
    rng = np.random.default_rng(seed)
    runs, reps = team.n_runs, team.n_reps
    quota, ote = team.quota / 4, team.ote / 4
    credit = (1 - team.expansion_share) + team.expansion_share * plan.expansion_credit
    effort = team.effort(plan)
    skill = np.exp(rng.normal(0, team.skill_spread, (runs, reps)))
    start_quality = skill.mean(axis=1)
    performance = skill.copy()  # what the market has seen of each rep
    occupied = np.ones((runs, reps), bool)
    new = np.zeros((runs, reps), bool)
    quality = np.empty((team.n_quarters + 1, runs))
    quality[0] = 1.0
    pay_by_run, bookings_by_run = np.zeros(runs), np.zeros(runs)
    empty = departures = 0
    ratios, correlations = [], []
    for quarter in range(team.n_quarters):
        luck = np.exp(rng.normal(-(team.luck**2) / 2, team.luck, (runs, reps)))
        attainment = np.where(occupied, skill * effort * luck * np.where(new, NEW_HIRE_PACE, 1.0), 0.0)
        credited = attainment * credit
        team_attainment = credited.mean(axis=1, keepdims=True)  # empty seats sell nothing
        pay = np.where(occupied, plan.payout(credited, team_attainment, ote), 0.0)
        pay_by_run += pay.sum(axis=1)
        bookings_by_run += (attainment * quota).sum(axis=1)
        empty += int((~occupied).sum())
        full = occupied.all(axis=1)
        if full.any():
            ordered = np.sort(pay[full], axis=1)
            q = max(reps // 4, 1)
            ratios.append(np.mean(ordered[:, -q:].mean(axis=1) / ordered[:, :q].mean(axis=1)))
            correlations.append(
                np.nanmean(
                    [
                        np.corrcoef(p, a)[0, 1] if p.std() > 0 else 0.0
                        for p, a in zip(pay[full], attainment[full], strict=True)
                    ]
                )
            )
        # Other employers judge a rep by performance (recent attainment, at full pace and own effort).
        seen = attainment / (effort * np.where(new, NEW_HIRE_PACE, 1.0))
        performance = np.where(occupied, 0.5 * performance + 0.5 * seen, performance)
        offer = certainty_equivalent(team.market, team, performance)
        value = certainty_equivalent(plan, team, skill)
        shortfall = np.clip((offer - value) / np.maximum(offer, 1e-9), 0, None)
        chance = np.clip(team.base_attrition + team.pay_sensitivity * shortfall, 0, 0.9)
        leaves = occupied & (rng.uniform(size=(runs, reps)) < chance)
        departures += int(leaves.sum())
        occupied &= ~leaves
        new[:] = False
        # Openings: the first candidate whose certainty equivalent nearly meets the going plan's joins.
        candidates = np.exp(rng.normal(0, team.skill_spread, (runs, reps, team.offers_per_hire)))
        going = certainty_equivalent(team.market, team, candidates)
        accepts = certainty_equivalent(plan, team, candidates) >= (1 - team.hiring_slack) * going
        hire = ~occupied & accepts.any(axis=-1)
        joined = np.take_along_axis(candidates, accepts.argmax(axis=-1)[..., None], axis=-1)[..., 0]
        skill = np.where(hire, joined, skill)
        performance = np.where(hire, joined, performance)
        occupied |= hire
        new |= hire
        pay_by_run += hire.sum(axis=1) * team.hiring_cost * team.ote
        seated = np.maximum(occupied.sum(axis=1), 1)
        quality[quarter + 1] = (skill * occupied).sum(axis=1) / seated / start_quality
    seat_quarters = runs * reps * team.n_quarters
    seat_years = reps * team.n_quarters / 4
    end = quality[-1]
    return PlanOutcome(
        plan=plan,
        objective=float((bookings_by_run - pay_by_run).mean() / seat_years),
        objective_by_run=(bookings_by_run - pay_by_run) / seat_years,
        cost_of_sales=float(pay_by_run.sum() / bookings_by_run.sum()),
        effort=float(effort),
        empty_seat_share=empty / seat_quarters,
        attrition=departures / seat_quarters,
        pay_ratio_top_bottom=float(np.mean(ratios)) if ratios else float("nan"),
        pay_performance_corr=float(np.mean(correlations)) if correlations else float("nan"),
        roster_quality_end=float(np.median(end)),
        roster_quality_interval=(float(np.quantile(end, 0.1)), float(np.quantile(end, 0.9))),
        roster_quality_path=np.quantile(quality, [0.1, 0.5, 0.9], axis=1).T,
    )


def winner(outcomes) -> tuple[PlanOutcome, PlanOutcome | None]:
    """The plan with the most net bookings per seat and year, and the runner-up."""
    ranked = sorted(outcomes, key=lambda o: (-o.objective, o.plan.name))
    return ranked[0], (ranked[1] if len(ranked) > 1 else None)


@dataclass(frozen=True, kw_only=True)
class CompensationResult:
    """Every plan's simulated outcome, the recommended plan and how robust the recommendation is.

    `grid`: risk_aversion, effort_response, winner, margin (the winner's objective over the
    runner-up's, minus one) over a grid of the two most uncertain assumptions; `switches`: the
    values of each assumption (the others held) where the winning plan changes.
    """

    team: Team
    outcomes: tuple[PlanOutcome, ...]
    recommended: str
    runner_up: str | None
    margin: float | None  # recommended over runner-up, objective ratio minus one
    wins_share_of_runs: float | None  # paired runs in which the recommended plan beats the runner-up
    grid: pd.DataFrame = field(repr=False)
    switches: tuple[dict, ...] = ()

    @property
    def verdict(self) -> str:
        return self.recommended

    @property
    def holds_on_grid(self) -> float:
        """Share of the sensitivity grid where the recommended plan also wins."""
        return float((self.grid["winner"] == self.recommended).mean())

    def outcome(self, name: str) -> PlanOutcome:
        return next(o for o in self.outcomes if o.plan.name == name)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "objective": OBJECTIVE,
            "runner_up": self.runner_up,
            "margin": rounded(self.margin),
            "wins_share_of_runs": rounded(self.wins_share_of_runs),
            "holds_on_grid": rounded(self.holds_on_grid),
            "switches": list(self.switches),
            "plans": [o.to_dict() for o in self.outcomes],
            "team": {k: (rounded(v) if isinstance(v, float) else v) for k, v in self.team.__dict__.items()},
        }


def _winner_at(plans, team: Team, seed) -> tuple[str, float | None]:
    best, second = winner([simulate_plan(p, team, seed=seed) for p in plans])
    return best.plan.name, (None if second is None else best.objective / second.objective - 1)


def switch_points(plans, team: Team, *, seed, grid_runs: int) -> tuple[dict, ...]:
    """Along each uncertain assumption (the others held), the values where the winning plan changes."""
    found = []
    light = replace(team, n_runs=grid_runs)
    for name, values in (
        ("risk_aversion", np.linspace(0, max(RISK_AVERSION_GRID), SCAN_POINTS)),
        ("effort_response", np.linspace(0, max(EFFORT_RESPONSE_GRID), SCAN_POINTS)),
    ):
        winners = [_winner_at(plans, replace(light, **{name: float(v)}), seed)[0] for v in values]
        for (a, wa), (b, wb) in zip(
            zip(values, winners, strict=True), zip(values[1:], winners[1:], strict=True), strict=False
        ):
            if wa != wb:
                found.append({"parameter": name, "between": [rounded(a), rounded(b)], "from": wa, "to": wb})
    return tuple(found)


def compare_plans(
    plans: tuple[Plan, ...] = DEFAULT_PLANS,
    team: Team = Team(),
    *,
    seed: int = CommonSettings.seed,
    grid_runs: int = 60,
) -> CompensationResult:
    """Simulate every plan on the same team (the same random draws) and recommend the one with the
    most bookings per dollar of pay; then the same over a grid of the uncertain assumptions
    (`grid_runs` runs per cell)."""
    outcomes = tuple(simulate_plan(p, team, seed=seed) for p in plans)
    best, second = winner(outcomes)
    margin = None if second is None else best.objective / second.objective - 1
    beats = None if second is None else float(np.mean(best.objective_by_run > second.objective_by_run))
    light = replace(team, n_runs=grid_runs)
    rows = []
    for risk in RISK_AVERSION_GRID:
        for response in EFFORT_RESPONSE_GRID:
            name, cell_margin = _winner_at(
                plans, replace(light, risk_aversion=risk, effort_response=response), seed
            )
            rows.append((risk, response, name, cell_margin))
    grid = pd.DataFrame(rows, columns=["risk_aversion", "effort_response", "winner", "margin"])
    return CompensationResult(
        team=team,
        outcomes=outcomes,
        recommended=best.plan.name,
        runner_up=None if second is None else second.plan.name,
        margin=margin,
        wins_share_of_runs=beats,
        grid=grid,
        switches=switch_points(plans, team, seed=seed, grid_runs=grid_runs),
    )


def payout_curves(plans: tuple[Plan, ...], *, team_attainment: float = 1.0) -> pd.DataFrame:
    """Pay as a multiple of on-target earnings, by individual attainment, for each plan (the team at
    `team_attainment`)."""
    grid = np.linspace(0, 2, 81)
    return pd.DataFrame(
        {p.name: p.payout(grid, team_attainment, 1.0) for p in plans}, index=pd.Index(grid, name="attainment")
    )
