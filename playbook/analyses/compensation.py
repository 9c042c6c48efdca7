"""Sales compensation: a plan simulator in which adverse selection is an outcome, not an assumption.

Most sales leaders in the article recommend the traditional 50/50 split (50% base, 50%
commission): "no prize, no fight". One engineering-led company paid 70/30 with the 30% tied to the
whole team's quota; the best reps subsidised the worst, and the roster filled with weaker reps.
Here reps of different skill sell, get paid under a plan, leave when paid below their market
value, and are replaced by hires who accept only offers that meet theirs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded


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


@dataclass(frozen=True)
class Team:
    """The simulated sales team and its labour market (per quarter unless said otherwise)."""

    n_reps: int = 20
    quota: float = 1_000_000.0  # annual bookings quota per rep (currency)
    ote: float = 200_000.0  # annual on-target earnings per rep (currency)
    skill_spread: float = 0.35  # sd of log skill; skill 1 = an average rep, worth OTE on the market
    # Market value = OTE x (market_fixed_share + (1 - market_fixed_share) x skill): the going norm,
    # which most sales leaders in the article put at 50/50, pays half regardless of skill.
    market_fixed_share: float = 0.5
    luck: float = 0.25  # sd of log quarterly noise on attainment
    expansion_share: float = 0.3  # share of bookings that is expansion/consumption of existing accounts
    base_attrition: float = 0.03  # quarterly chance a rep leaves whatever the pay
    pay_sensitivity: float = 1.5  # extra chance of leaving per unit shortfall of pay below market value
    offers_per_hire: int = 20  # candidates met per opening; the first whose offer meets their value joins
    n_quarters: int = 8
    n_runs: int = 200


@dataclass(frozen=True)
class PlanOutcome:
    """One plan's results over all runs; intervals are P10-P90 across runs."""

    plan: Plan
    cost_of_sales: float
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
            "cost_of_sales": rounded(self.cost_of_sales),
            "pay_ratio_top_bottom": rounded(self.pay_ratio_top_bottom),
            "pay_performance_corr": rounded(self.pay_performance_corr),
            "roster_quality_end": rounded(self.roster_quality_end),
            "roster_quality_interval": [rounded(x) for x in self.roster_quality_interval],
        }


def simulate_plan(plan: Plan, team: Team, *, seed: int) -> PlanOutcome:
    """Run the team under one plan for `n_quarters`, `n_runs` times (vectorised across runs)."""
    rng = np.random.default_rng(seed)
    runs, reps = team.n_runs, team.n_reps
    quota, ote = team.quota / 4, team.ote / 4
    credit = (1 - team.expansion_share) + team.expansion_share * plan.expansion_credit
    skill = np.exp(rng.normal(0, team.skill_spread, (runs, reps)))
    start_quality = skill.mean(axis=1)
    quality = np.empty((team.n_quarters + 1, runs))
    quality[0] = 1.0
    pay_total = bookings_total = 0.0
    ratios, correlations = [], []
    for quarter in range(team.n_quarters):
        attainment = skill * np.exp(rng.normal(-(team.luck**2) / 2, team.luck, (runs, reps)))
        credited = attainment * credit
        team_attainment = credited.mean(axis=1, keepdims=True)
        pay = plan.payout(credited, team_attainment, ote)
        pay_total += pay.sum()
        bookings_total += (attainment * quota).sum()
        ordered = np.sort(pay, axis=1)
        quarter_n = max(reps // 4, 1)
        ratios.append(np.mean(ordered[:, -quarter_n:].mean(axis=1) / ordered[:, :quarter_n].mean(axis=1)))
        correlations.append(
            np.nanmean(
                [
                    np.corrcoef(p, a)[0, 1] if p.std() > 0 else 0.0
                    for p, a in zip(pay, attainment, strict=True)
                ]
            )
        )
        # Reps paid below their market value (rising with skill) are more likely to leave.
        market = market_value(skill, team, ote)
        shortfall = np.clip((market - pay) / market, 0, None)
        leaves = rng.uniform(size=(runs, reps)) < np.clip(
            team.base_attrition + team.pay_sensitivity * shortfall, 0, 0.9
        )
        skill = np.where(leaves, _hires(plan, team, rng, (runs, reps), team_attainment, ote, credit), skill)
        quality[quarter + 1] = skill.mean(axis=1) / start_quality
    end = quality[-1]
    path = np.quantile(quality, [0.1, 0.5, 0.9], axis=1).T
    return PlanOutcome(
        plan=plan,
        cost_of_sales=float(pay_total / bookings_total),
        pay_ratio_top_bottom=float(np.mean(ratios)),
        pay_performance_corr=float(np.mean(correlations)),
        roster_quality_end=float(np.median(end)),
        roster_quality_interval=(float(np.quantile(end, 0.1)), float(np.quantile(end, 0.9))),
        roster_quality_path=path,
    )


def market_value(skill, team: Team, ote: float) -> np.ndarray:
    """What another employer would pay a rep of this skill for the period (currency)."""
    return ote * (team.market_fixed_share + (1 - team.market_fixed_share) * np.asarray(skill))


def _hires(plan: Plan, team: Team, rng, shape, team_attainment, ote: float, credit: float) -> np.ndarray:
    """Skill of the rep who fills each opening: the first candidate whose expected pay meets their value."""
    candidates = np.exp(rng.normal(0, team.skill_spread, (*shape, team.offers_per_hire)))
    expected = plan.payout(candidates * credit, team_attainment[..., None], ote)
    accepts = expected >= market_value(candidates, team, ote)
    first = np.where(accepts.any(axis=-1), accepts.argmax(axis=-1), team.offers_per_hire - 1)
    return np.take_along_axis(candidates, first[..., None], axis=-1)[..., 0]


@dataclass(frozen=True)
class CompensationResult:
    """Every plan's simulated outcome and the recommended plan; its verdict is that plan's name."""

    team: Team
    outcomes: tuple[PlanOutcome, ...]
    recommended: str
    reason: str

    @property
    def verdict(self) -> str:
        return self.recommended

    def outcome(self, name: str) -> PlanOutcome:
        return next(o for o in self.outcomes if o.plan.name == name)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "plans": [o.to_dict() for o in self.outcomes],
            "reason": self.reason,
            "team": asdict(self.team),
        }


def compare_plans(
    plans: tuple[Plan, ...] = DEFAULT_PLANS, team: Team = Team(), *, seed: int = 0
) -> CompensationResult:
    """Simulate every plan on the same team (same seed) and recommend one.

    The recommendation is the plan that keeps the strongest roster (median end quality), unless
    another is within 2% of it and cheaper per unit of bookings.
    """
    outcomes = tuple(simulate_plan(p, team, seed=seed) for p in plans)
    best = max(outcomes, key=lambda o: o.roster_quality_end)
    close = [o for o in outcomes if o.roster_quality_end >= best.roster_quality_end - 0.02]
    chosen = min(close, key=lambda o: (o.cost_of_sales, o.plan.name))
    reason = (
        f"{chosen.plan.name} keeps the strongest roster after {team.n_quarters} quarters "
        f"(median {chosen.roster_quality_end:.2f}× the starting average skill, P10-P90 "
        f"{chosen.roster_quality_interval[0]:.2f}-{chosen.roster_quality_interval[1]:.2f}, "
        f"{team.n_runs} runs) "
        f"at a cost of sales of {chosen.cost_of_sales:.1%}."
    )
    return CompensationResult(team, outcomes, chosen.plan.name, reason)


def payout_curves(plans: tuple[Plan, ...], *, ote: float = 1.0, team_attainment: float = 1.0) -> pd.DataFrame:
    """Pay (as a multiple of OTE) by individual attainment for each plan, the team at `team_attainment`."""
    grid = np.linspace(0, 2, 81)
    return pd.DataFrame(
        {p.name: p.payout(grid, team_attainment, ote) for p in plans}, index=pd.Index(grid, name="attainment")
    )
