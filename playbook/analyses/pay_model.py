"""The pay model's simulation, as array arithmetic: every plan under every set of assumptions at once.

`compensation.py` states the model (plans, the team and its market) and what is compared; this
module runs it. Arrays are points (sets of assumptions: `Team`s) x plans x runs x seats; teams of
different sizes share one array, the seats a team does not have masked out. Every plan and every
point draws the same random numbers (common random numbers), so the plans are compared on the
same luck, the same departures' dice and the same candidates, and a difference between points is
the assumptions' doing, not the draws'.

A rep's certainty equivalent is computed exactly from sorted luck quantiles: over the luck points a
plan's earned share is linear in three pieces (below quota, up to the cap, beyond it), so its mean
and variance come from prefix sums of the luck points and two binary searches, without evaluating
the plan at every luck point for every rep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LUCK_POINTS = 24  # quantiles of luck behind each certainty equivalent
NEW_HIRE_PACE = 0.5  # share of a full quarter's sales in a new hire's first quarter
LEAVING_CAP = 0.9  # the quarterly chance of leaving never exceeds this
MARKET_CAP = 3.0  # the going plan's cap on attainment (a plain individual plan)


@dataclass(frozen=True, kw_only=True)
class Simulated:
    """What the simulation returns, over points x plans (x runs where said).

    objective_by_run: net bookings per seat and year (currency) of each run; cost_of_sales: pay and
    recruiting over bookings; empty_seat_share: seat-quarters left empty; attrition: departures
    per seat-quarter; effort: the plan's effort multiplier; quality: mean skill of the seated reps
    over the starting roster's, quarters + 1 x points x plans x runs. With `detail`:
    pay_ratio_top_bottom (top over bottom quartile's pay, full rosters) and pay_performance_corr
    (correlation of pay with attainment across a roster); NaN without it.
    """

    objective_by_run: np.ndarray
    cost_of_sales: np.ndarray
    empty_seat_share: np.ndarray
    attrition: np.ndarray
    effort: np.ndarray
    quality: np.ndarray
    pay_ratio_top_bottom: np.ndarray
    pay_performance_corr: np.ndarray

    @property
    def objective(self) -> np.ndarray:
        """Mean net bookings per seat and year over the runs (points x plans)."""
        return self.objective_by_run.mean(axis=-1)


class _Luck:
    """The luck quantiles behind a certainty equivalent, for each point: a rep's attainment times
    exp(s z - s^2/2) at the normal quantiles z, s the spread of luck and self-knowledge combined.

    `spread` and `offset` (where a point's prefix sums start) are points x 1 x 1 x 1, so they
    broadcast over a whole simulation; `at(point)` gives them for a list of seats.
    """

    def __init__(self, spread: np.ndarray) -> None:
        from scipy.stats import norm  # see the note on imports in timing.py

        self.z = norm.ppf((np.arange(LUCK_POINTS) + 0.5) / LUCK_POINTS)  # ascending
        spread = np.maximum(spread.ravel(), 1e-12)  # no spread at all: every luck point is 1
        points = np.exp(spread[:, None] * self.z - spread[:, None] ** 2 / 2)  # points x luck
        zero = np.zeros((len(spread), 1))
        self.sum1 = np.concatenate([zero, points.cumsum(axis=1)], axis=1).ravel()
        self.sum2 = np.concatenate([zero, (points**2).cumsum(axis=1)], axis=1).ravel()
        self.spread = spread.reshape(-1, 1, 1, 1)
        self.offset = np.arange(len(spread)).reshape(-1, 1, 1, 1) * (LUCK_POINTS + 1)

    def at(self, point: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(spread, offset) of the seats at `point` (an index array), as a column."""
        return self.spread[point, 0, 0], self.offset[point, 0, 0]

    def earned_moments(self, x, accelerator, cap, where=None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance over the luck points of the share of variable pay earned
        (`compensation.Plan.earned`) at attainment scale x times luck; `where` gives the spread
        and offset of gathered seats (`at`)."""
        spread, offset = where or (self.spread, self.offset)
        n = LUCK_POINTS
        top = 1 + accelerator * (cap - 1)  # earned at and beyond the cap
        # Luck point i takes x to x exp(s z_i - s^2/2), at most t exactly when
        # z_i <= s/2 + log(t / x) / s: j1 points stay at or below quota (t = 1), j2 at or below the
        # cap. (The earned share is continuous, so a point exactly on an edge counts either way.)
        with np.errstate(divide="ignore"):
            quota_edge = spread / 2 - np.log(x) / spread
        j1 = np.searchsorted(self.z, np.ravel(quota_edge), side="right").reshape(quota_edge.shape)
        cap_edge = quota_edge + np.log(cap) / spread
        j2 = np.searchsorted(self.z, np.ravel(cap_edge), side="right").reshape(cap_edge.shape)
        s1_low, s1_high = self.sum1.take(offset + j1), self.sum1.take(offset + j2)
        s2_low, s2_high = self.sum2.take(offset + j1), self.sum2.take(offset + j2)
        s1_mid, s2_mid = s1_high - s1_low, s2_high - s2_low
        middle, above = j2 - j1, n - j2
        first = x * s1_low + middle * (1 - accelerator) + accelerator * x * s1_mid + above * top
        second = (
            x**2 * s2_low
            + middle * (1 - accelerator) ** 2
            + 2 * (1 - accelerator) * accelerator * x * s1_mid
            + accelerator**2 * x**2 * s2_mid
            + above * top**2
        )
        mean = first / n
        return mean, np.maximum(second / n - mean**2, 0.0)


def earned(attainment, accelerator, cap) -> np.ndarray:
    """Share of the variable target earned at an attainment (1 = quota): linear to quota, then
    `accelerator` per unit above it, nothing more beyond `cap` (arrays broadcast)."""
    a = np.clip(attainment, 0, cap)
    return np.where(a <= 1, a, 1 + accelerator * (a - 1))


def effort(base_share, team_share, n_reps, effort_response) -> np.ndarray:
    """Effort under a plan: 1 with no incentive, 1 + effort_response at a 50/50 individual plan,
    rising ever more slowly beyond it (the square root of the incentive: the share of OTE riding on
    the rep's own results, of which a team quota passes on only 1/n — free-riding)."""
    incentive = (1 - base_share) * ((1 - team_share) + team_share / n_reps)
    return 1 + effort_response * np.sqrt(incentive / 0.5)


@dataclass(frozen=True)
class _Terms:
    """A plan's terms and what they mean for effort and credit, as arrays broadcastable to points x
    plans x runs x seats (`at` gathers them for a list of seats)."""

    base: np.ndarray
    team_share: np.ndarray
    accelerator: np.ndarray
    cap: np.ndarray
    credit: np.ndarray
    effort: np.ndarray

    def at(self, point: np.ndarray, plan) -> _Terms:
        """The terms of the seats at `point` and `plan` (index arrays), as a column (seats x 1)."""
        shape = (*np.broadcast_shapes(*(v.shape for v in self.__dict__.values()))[:2], 1, 1)
        return _Terms(*(np.broadcast_to(v, shape)[point, plan, 0, :] for v in self.__dict__.values()))

    def value(self, skill, luck: _Luck, risk_aversion, where=None) -> np.ndarray:
        """Certainty equivalent of a quarter's pay (OTE units) to reps of `skill`: expected pay less
        risk_aversion x half its variance, the team at its expected attainment (`where`: the
        luck of gathered seats, `_Luck.at`)."""
        scale = skill * self.effort * self.credit
        mean, variance = luck.earned_moments(scale, self.accelerator, self.cap, where)
        team = earned(self.effort * self.credit, self.accelerator, self.cap)
        variable = 1 - self.base
        pay = self.base + variable * ((1 - self.team_share) * mean + self.team_share * team)
        return pay - risk_aversion * (variable * (1 - self.team_share)) ** 2 * variance / 2


class _Points:
    """Each assumption of every point (a `compensation.Team`), as points x 1 x 1 x 1 arrays."""

    def __init__(self, teams) -> None:
        self.teams = tuple(teams)

    def __getattr__(self, name: str) -> np.ndarray:
        return np.array([getattr(t, name) for t in self.teams], dtype=float).reshape(-1, 1, 1, 1)

    def common(self, name: str) -> int:
        values = {getattr(t, name) for t in self.teams}
        if len(values) != 1:
            raise ValueError(f"every point of one simulation needs the same {name}, got {sorted(values)}")
        return values.pop()


def _terms(plans, points: _Points) -> tuple[_Terms, _Terms]:
    """The plans' terms (points x plans) and the going plan's (points x 1)."""
    field = {
        k: np.array([getattr(p, k) for p in plans], dtype=float).reshape(1, -1, 1, 1)
        for k in ("base_share", "team_share", "accelerator", "cap", "expansion_credit")
    }
    response = points.effort_response
    plans_terms = _Terms(
        field["base_share"],
        field["team_share"],
        field["accelerator"],
        field["cap"],
        (1 - points.expansion_share) + points.expansion_share * field["expansion_credit"],
        effort(field["base_share"], field["team_share"], points.n_reps, response),
    )
    going = points.market_fixed_share  # the going plan: this base share, the rest individual
    none = np.zeros_like(going)
    market = _Terms(
        going, none, none + 1, none + MARKET_CAP, none + 1, effort(going, none, points.n_reps, response)
    )
    return plans_terms, market


def certainty_equivalent(plan, team, skill) -> np.ndarray:
    """What a rep of each skill values a quarter's pay under `plan` (a `compensation.Plan`) at, in
    currency: expected pay less the risk premium, over the spread of luck and of what the rep does
    not know of their own skill, the team (a `compensation.Team`) at its expected attainment."""
    points = _Points([team])
    terms, _ = _terms([plan], points)
    luck = _Luck(np.hypot(points.luck, points.self_knowledge))
    skill = np.asarray(skill, dtype=float)
    return (
        team.ote / 4 * terms.value(skill.reshape(1, 1, 1, -1), luck, team.risk_aversion).reshape(skill.shape)
    )


def simulate(plans, teams, *, seed, runs: int | None = None, detail: bool = False) -> Simulated:
    """Run every team (a point: one set of assumptions) under every plan for its quarters.

    Parameters
    ----------
    plans
        `compensation.Plan`s.
    teams
        `compensation.Team`s; they must share n_quarters and offers_per_hire (and n_runs unless
        `runs` is given); their sizes may differ (not with `detail`).
    seed
        The random draws, shared by every plan and point.
    runs
        Simulated runs per plan and point (default: the teams' n_runs).
    detail
        Also measure pay dispersion and pay-for-performance (for the plans' table only).
    """
    points = _Points(teams)
    quarters, offers = points.common("n_quarters"), points.common("offers_per_hire")
    runs = runs or points.common("n_runs")
    if detail:
        points.common("n_reps")
    terms, market = _terms(plans, points)
    size = points.n_reps
    shape = (len(points.teams), len(plans), runs, int(size.max()))
    seat = np.arange(shape[-1]) < size  # points x 1 x 1 x seats: the seats a team has
    luck_sd, spread, risk = points.luck, points.skill_spread, points.risk_aversion
    quota, ote = points.quota / 4, points.ote / 4  # a quarter's
    luck = _Luck(np.hypot(luck_sd, points.self_knowledge))

    rng = np.random.default_rng(seed)
    skill = np.broadcast_to(np.exp(spread * rng.standard_normal(shape[2:])), shape).copy()
    start_quality = (skill * seat).sum(axis=-1) / size[..., 0]
    performance = skill.copy()  # what the market has seen of each rep
    value = terms.value(skill, luck, risk)  # what each rep's plan is worth to them
    occupied = np.broadcast_to(seat, shape).copy()
    new = np.zeros(shape, bool)
    quality = np.empty((quarters + 1, *shape[:3]))
    quality[0] = 1.0
    pay_total, bookings = np.zeros(shape[:3]), np.zeros(shape[:3])
    empty, departures = np.zeros(shape[:2]), np.zeros(shape[:2])
    ratios, correlations = [], []
    for quarter in range(quarters):
        pace = np.where(new, NEW_HIRE_PACE, 1.0)
        noise = np.exp(-(luck_sd**2) / 2 + luck_sd * rng.standard_normal(shape[2:]))
        attainment = np.where(occupied, skill * terms.effort * noise * pace, 0.0)
        credited = attainment * terms.credit
        team = credited.sum(axis=-1, keepdims=True) / size  # empty seats sell nothing
        share = (1 - terms.team_share) * earned(credited, terms.accelerator, terms.cap)
        share = share + terms.team_share * earned(team, terms.accelerator, terms.cap)
        pay = np.where(occupied, ote * (terms.base + (1 - terms.base) * share), 0.0)
        pay_total += pay.sum(axis=-1)
        bookings += (attainment * quota).sum(axis=-1)
        empty += (seat & ~occupied).sum(axis=(-2, -1))
        if detail:
            ratio, correlation = _pay_dispersion(pay, attainment, occupied)
            ratios.append(ratio)
            correlations.append(correlation)
        # Other employers judge a rep by performance (recent attainment, at full pace and own effort).
        seen = attainment / (terms.effort * pace)
        performance = np.where(occupied, 0.5 * performance + 0.5 * seen, performance)
        dice = rng.random(shape[2:])
        left = _departures(occupied, performance, value, dice, market, luck, points)
        departures += np.bincount(left[0] * shape[1] + left[1], minlength=shape[0] * shape[1]).reshape(
            shape[:2]
        )
        occupied[left] = False
        new[:] = False
        # Openings: the first candidate whose certainty equivalent nearly meets the going plan's
        # joins, else the seat stays empty.
        draws = rng.standard_normal((*shape[2:], offers))
        filled, joined, joined_value = _hire(draws, seat & ~occupied, terms, market, luck, points)
        skill[filled], performance[filled], value[filled] = joined, joined, joined_value
        occupied[filled], new[filled] = True, True
        hires = np.zeros(shape[:3])
        np.add.at(hires, filled[:3], 1.0)
        pay_total += hires * (points.hiring_cost * points.ote)[..., 0]
        seated = np.maximum(occupied.sum(axis=-1), 1)
        quality[quarter + 1] = (skill * occupied).sum(axis=-1) / seated / start_quality
    seat_quarters = runs * size[..., 0, 0] * quarters  # points x 1
    nan = np.full(shape[:2], np.nan)
    return Simulated(
        objective_by_run=(bookings - pay_total) / (size[..., 0] * quarters / 4),
        cost_of_sales=pay_total.sum(axis=-1) / bookings.sum(axis=-1),
        empty_seat_share=empty / seat_quarters,
        attrition=departures / seat_quarters,
        effort=np.broadcast_to(terms.effort, (*shape[:2], 1, 1))[..., 0, 0],
        quality=quality,
        pay_ratio_top_bottom=_mean_of_finite(ratios) if ratios else nan,
        pay_performance_corr=_mean_of_finite(correlations) if correlations else nan,
    )


def _departures(occupied, performance, value, dice, market: _Terms, luck: _Luck, points: _Points):
    """The seated reps who leave this quarter (an index tuple): a rep leaves with the base chance,
    and more often the further what their plan is worth to them falls short of the going plan's
    value to a rep of their performance (what other employers offer); `dice`: runs x seats
    uniform draws. Only seated reps are evaluated."""
    seated = np.nonzero(occupied)
    t = seated[0]
    offer = market.at(t, 0).value(
        performance[seated][:, None], luck, points.risk_aversion[t, 0, 0], luck.at(t)
    )
    offer = offer[:, 0]
    shortfall = np.clip((offer - value[seated]) / np.maximum(offer, 1e-9), 0, None)
    chance = points.base_attrition[t, 0, 0, 0] + points.pay_sensitivity[t, 0, 0, 0] * shortfall
    leaves = dice[seated[2], seated[3]] < np.clip(chance, 0, LEAVING_CAP)
    return tuple(i[leaves] for i in seated)


def _hire(draws, open_seats, terms: _Terms, market: _Terms, luck: _Luck, points: _Points):
    """Fill the open seats with the first of their candidates (`draws`: runs x seats x offers, in
    standard normal units of log skill) who values the plan within the hiring slack of the going
    one: (index of the seats filled, the joiners' skill, what the plan is worth to them)."""
    where = np.nonzero(open_seats)
    t, p, r, s = where
    candidates = np.exp(points.skill_spread[t, 0, 0] * draws[r, s])  # open seats x offers
    risk, seats_luck = points.risk_aversion[t, 0, 0], luck.at(t)
    worth = terms.at(t, p).value(candidates, luck, risk, seats_luck)
    going = market.at(t, 0).value(candidates, luck, risk, seats_luck)
    accepts = worth >= (1 - points.hiring_slack[t, 0, 0]) * going
    hired = accepts.any(axis=-1)
    first = accepts.argmax(axis=-1)
    rows = np.arange(len(t))
    filled = tuple(i[hired] for i in where)
    return filled, candidates[rows, first][hired], worth[rows, first][hired]


def _pay_dispersion(pay, attainment, occupied) -> tuple[np.ndarray, np.ndarray]:
    """Over the runs whose roster is full (points x plans; NaN when none is): the top quartile's
    pay over the bottom quartile's, and the correlation of pay with attainment across the roster
    (0 when everyone is paid the same)."""
    full = occupied.all(axis=-1)
    ordered = np.sort(pay, axis=-1)
    q = max(pay.shape[-1] // 4, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ordered[..., -q:].mean(axis=-1) / ordered[..., :q].mean(axis=-1)
        p = pay - pay.mean(axis=-1, keepdims=True)
        a = attainment - attainment.mean(axis=-1, keepdims=True)
        spread_p, spread_a = np.sqrt((p**2).sum(axis=-1)), np.sqrt((a**2).sum(axis=-1))
        correlation = (p * a).sum(axis=-1) / (spread_p * spread_a)
    same_pay = spread_p <= 1e-9 * np.abs(pay).mean(axis=-1)
    correlation = np.where(same_pay, 0.0, correlation)
    return _mean_where(ratio, full), _mean_where(correlation, full)


def _mean_where(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The mean over the last axis of the finite values kept (NaN when none)."""
    keep = keep & np.isfinite(values)
    count = keep.sum(axis=-1)
    total = np.where(keep, values, 0.0).sum(axis=-1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _mean_of_finite(per_quarter: list[np.ndarray]) -> np.ndarray:
    """The mean over quarters of a per-quarter measure, quarters without one left out."""
    stacked = np.stack(per_quarter, axis=-1)
    return _mean_where(stacked, np.ones(stacked.shape, bool))
