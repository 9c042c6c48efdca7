"""Where each pay plan wins: the assumptions that decide the answer, varied one at a time and
together.

The pay model's answer depends on what it assumes about the team and its market. Those that
decide between a plan on individual results and one on a team quota are varied here over the
ranges below: one at a time (the others as set: where the winner switches), over a scrambled Sobol
sample of all of them at once (a normal run: 64 points), and over their full grid (the calibration
study only). Every point is simulated at once, on the same draws (`pay_model.simulate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.pay_model import simulate
from playbook.analyses.settings import CommonSettings

if TYPE_CHECKING:  # the team is compensation's; this module only replaces its assumptions
    from playbook.analyses.compensation import Team

# The assumptions the sensitivity analysis varies, each over the range it tries. The team quota of
# the article needs a small team (little free-riding), a market paying mostly base, lumpy deals,
# risk-averse reps and effort that does not respond to pay: each of those is inside the ranges.
RANGES: dict[str, tuple[float, float]] = {
    "n_reps": (4, 40),  # reps in the team (sampled on a log scale: free-riding goes with 1/n)
    "market_fixed_share": (0.3, 0.8),  # base share of the going plan elsewhere
    "luck": (0.1, 0.7),  # sd of log quarterly noise on attainment
    "pay_sensitivity": (0.0, 3.0),
    "risk_aversion": (0.0, 6.0),
    "effort_response": (0.0, 0.6),
}
SWEEP_POINTS = 7  # values per assumption in the one-at-a-time sweeps
SAMPLE_POINTS = 64  # Sobol points over all the ranges at once (a power of 2)
SAMPLE_RUNS = 40  # simulated runs per plan at each sensitivity point


def margin_over(best: float, second: float) -> float:
    """How much more the winner's objective is than the runner-up's (share of the runner-up's)."""
    return (best - second) / abs(second) if second else float("inf")


def _scaled(name: str, u: np.ndarray) -> np.ndarray:
    """Positions 0-1 along an assumption's range, as its values (team sizes whole, on a log scale)."""
    low, high = RANGES[name]
    if name == "n_reps":
        return np.round(np.exp(np.log(low) + u * (np.log(high) - np.log(low)))).astype(int)
    return low + u * (high - low)


def sweep_points(team: Team, *, points: int = SWEEP_POINTS) -> pd.DataFrame:
    """Each assumption of RANGES over its range, the others as `team` has them: one row per point
    (source `sweep`, the assumption varied in `parameter`, then every assumption's value)."""
    held = {name: getattr(team, name) for name in RANGES}
    rows = [
        {"source": "sweep", "parameter": name, **held, name: value}
        for name in RANGES
        for value in _scaled(name, np.linspace(0, 1, points))
    ]
    return pd.DataFrame(rows)


def sample_points(*, points: int = SAMPLE_POINTS, seed: int = CommonSettings.seed) -> pd.DataFrame:
    """A scrambled Sobol sample of every assumption of RANGES at once (source `sample`)."""
    from scipy.stats import qmc  # see the note on imports in timing.py

    u = qmc.Sobol(d=len(RANGES), scramble=True, seed=seed).random(points)
    values = {name: _scaled(name, u[:, i]) for i, name in enumerate(RANGES)}
    return pd.DataFrame({"source": "sample", "parameter": None, **values})


def grid_points(*, levels: int) -> pd.DataFrame:
    """Every combination of `levels` evenly spaced values of each assumption (source `grid`): the
    full grid, for the calibration study only (levels ** 6 points)."""
    axes = [_scaled(name, np.linspace(0, 1, levels)) for name in RANGES]
    mesh = np.meshgrid(*axes, indexing="ij")
    return pd.DataFrame(
        {"source": "grid", "parameter": None, **{n: m.ravel() for n, m in zip(RANGES, mesh, strict=True)}}
    )


@dataclass(frozen=True, kw_only=True)
class Sensitivity:
    """Which plan wins at each set of assumptions tried: `points` (source, parameter, the
    assumptions of RANGES, winner, margin — the winner's objective over the runner-up's, minus
    one) and every plan's objective there (`objectives`, points x plans), `runs` runs a point."""

    plans: tuple[str, ...]
    points: pd.DataFrame = field(repr=False)
    objectives: np.ndarray = field(repr=False)
    runs: int

    @property
    def sample(self) -> pd.DataFrame:
        """The space-filling sample (every assumption varied at once)."""
        return self.points[self.points["source"] != "sweep"]

    def wins(self, plan: str) -> int:
        """Sample points where `plan` wins."""
        return int((self.sample["winner"] == plan).sum())

    def holds(self, plan: str) -> float:
        """Share of the sample where `plan` wins."""
        return self.wins(plan) / len(self.sample) if len(self.sample) else float("nan")

    def region(self, plan: str) -> dict:
        """Where `plan` wins: its sample points (and the range of each assumption over them) and the
        sweep values; where it never does, the sample point where it comes closest, and by how much
        it falls behind there."""
        sample = self.sample
        won = sample[sample["winner"] == plan]
        sweeps = self.points[(self.points["source"] == "sweep") & (self.points["winner"] == plan)]
        found: dict = {
            "plan": plan,
            "sample_points": len(won),
            "of": len(sample),
            "sweeps": {
                name: [rounded(v) for v in sweeps.loc[sweeps["parameter"] == name, name]]
                for name in RANGES
                if (sweeps["parameter"] == name).any()
            },
        }
        if len(won):
            found["ranges"] = {name: [rounded(won[name].min()), rounded(won[name].max())] for name in RANGES}
        elif len(sample):
            objectives = self.objectives[sample.index.to_numpy()]
            behind = objectives[:, self.plans.index(plan)] / objectives.max(axis=1) - 1
            nearest = int(np.argmax(behind))
            found["closest"] = {name: rounded(sample[name].iloc[nearest]) for name in RANGES}
            found["behind"] = rounded(behind[nearest])
        return found

    def switches(self) -> tuple[dict, ...]:
        """Along each sweep, the values between which the winning plan changes."""
        found = []
        for name in RANGES:
            sweep = self.points[(self.points["source"] == "sweep") & (self.points["parameter"] == name)]
            values, winners = sweep[name].tolist(), sweep["winner"].tolist()
            for i in range(1, len(values)):
                if winners[i] != winners[i - 1]:
                    found.append(
                        {
                            "parameter": name,
                            "between": [rounded(values[i - 1]), rounded(values[i])],
                            "from": winners[i - 1],
                            "to": winners[i],
                        }
                    )
        return tuple(found)


def winners_at(plans, team: Team, points: pd.DataFrame, *, seed: int, runs: int = SAMPLE_RUNS) -> Sensitivity:
    """Simulate every plan at every point (`team` with the point's assumptions), all at once on the
    same draws, and name the winner of each."""
    teams = [
        replace(team, **{n: (int(row[n]) if n == "n_reps" else float(row[n])) for n in RANGES})
        for _, row in points.iterrows()
    ]
    objectives = simulate(plans, teams, seed=seed, runs=runs).objective
    names = tuple(p.name for p in plans)
    ranked = np.argsort(-objectives, axis=1, kind="stable")
    rows = np.arange(len(points))
    best = objectives[rows, ranked[:, 0]]
    margin = (
        [margin_over(b, s) for b, s in zip(best, objectives[rows, ranked[:, 1]], strict=True)]
        if len(plans) > 1
        else [np.nan] * len(points)
    )
    table = points.reset_index(drop=True).assign(winner=[names[i] for i in ranked[:, 0]], margin=margin)
    return Sensitivity(plans=names, points=table, objectives=objectives, runs=runs)
