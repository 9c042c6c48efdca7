"""The calibration studies that simulate directly instead of drawing companies: interview loops for
the clear-leader test (hundreds of thousands; through the data contract one loop costs about 80 ms,
drawn directly and judged by `scorecard.clear_leads` — the verdict of `assess_leaders`, checked
loop for loop by tests/test_leaders.py — a cell of 20,000 takes a fraction of a second), and the
pay model's full grid of assumptions. `make calibrate` runs them after the scenario library and
writes each table between its markers in docs/methods.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.analyses.calibration import Measured, wilson
from playbook.analyses.compensation import DEFAULT_PLANS, Team, compare_plans
from playbook.analyses.leaders import checked_weights
from playbook.analyses.pay_sensitivity import grid_points, winners_at
from playbook.analyses.scorecard import clear_leads, icc_arrays, rounding_sd, score_interval
from playbook.analyses.settings import CommonSettings
from playbook.samples.scenarios.leaders import FALSE_LEAD, KINDS, LOOP_CELLS, LoopCell, loop_truth
from playbook.samples.tables import loop_cubes
from playbook.views.calibration import leader_loops_markdown, pay_grid_markdown

FALSE_KINDS = ("identical", "tied finalists")  # no candidate is better: any clear lead is false
# A candidate's score interval, on loops of three candidates (the benchmark it replaced).
COVERAGE_TRUTH = np.array([[4.6, 4.5, 4.2, 3.4], [3.8, 4.1, 3.9, 3.8], [3.2, 3.0, 3.6, 4.0]])


@dataclass(frozen=True, kw_only=True)
class LoopRow:
    """One cell of the loop study: each kind of loop (`KINDS`) measured (None where it does not
    exist: tied finalists need a field)."""

    cell: LoopCell
    measured: dict[str, Measured | None]


def leader_loops(
    *, loops: int = 20_000, power_loops: int = 4_000, seed: int = 0, alpha: float = CommonSettings.alpha
) -> list[LoopRow]:
    """False clear leaders (no candidate better) and power (the best candidate found) in every cell
    of LOOP_CELLS, on loops drawn directly, equal attribute weights."""
    weights = np.array(list(checked_weights(None).values()))
    rows = []
    for i, cell in enumerate(LOOP_CELLS):
        rng = np.random.default_rng([seed, i])
        measured: dict[str, Measured | None] = {}
        for kind in KINDS:
            truth = loop_truth(kind, cell.candidates)
            if truth is None:
                measured[kind] = None
                continue
            false = kind in FALSE_KINDS
            n = loops if false else power_loops
            cube = loop_cubes(rng, truth, loops=n, k=cell.interviewers, noise=cell.noise)
            leads = clear_leads(cube, weights, alpha=alpha)
            hits = int((leads.clear if false else leads.clear & (leads.leader == 0)).sum())
            measured[kind] = Measured(
                label=kind,
                statistic="rate",
                value=hits / n,
                interval=wilson(hits, n),
                n=n,
                target=FALSE_LEAD if false else None,
            )
        rows.append(LoopRow(cell=cell, measured=measured))
    return rows


def _expected_score(level: np.ndarray, noise: float) -> np.ndarray:
    """What an interviewer's whole-number score estimates: the mean of round(level + noise)
    clipped to 1-5, exactly (normal noise)."""
    from scipy.stats import norm

    edges = norm.cdf((np.arange(1.5, 5, 1.0)[:, None, None] - level) / noise)  # P(score <= 1, ..., 4)
    below = np.concatenate([edges, np.ones((1, *level.shape))])
    chance = np.diff(np.concatenate([np.zeros((1, *level.shape)), below]), axis=0)
    return (np.arange(1, 6)[:, None, None] * chance).sum(axis=0)


def score_coverage(*, loops: int = 4_000, seed: int = 0) -> pd.DataFrame:
    """Coverage of a candidate's 95% score interval (t over interviewers, never narrower than the
    rounding, clipped to 1-5) of the score its interviewers estimate, by interviewers and noise."""
    weights = np.array(list(checked_weights(None).values()))
    rows = []
    for noise in (0.55, 1.0):
        target = (_expected_score(COVERAGE_TRUTH, noise) * weights).sum(axis=1)
        for k in (3, 4, 5):
            rng = np.random.default_rng([seed, k, round(100 * noise)])
            cube = loop_cubes(rng, COVERAGE_TRUTH, loops=loops, k=k, noise=noise)
            _, low, high, _ = score_interval((cube * weights).sum(axis=-1), rounding_sd(weights))
            covered = int(((low <= target) & (target <= high)).sum())
            rows.append({"noise": noise, "interviewers": k, "covered": covered, "n": low.size})
    return pd.DataFrame(rows)


def icc_coverage(*, loops: int = 4_000, seed: int = 0) -> pd.DataFrame:
    """Coverage of the 95% ICC(2,1) interval on continuous scores with a known ICC, 5 candidates x 4
    interviewers."""
    rows = []
    for true_icc in (0.2, 0.5, 0.8):
        rng = np.random.default_rng([seed, round(10 * true_icc)])
        scores = rng.normal(0, np.sqrt(true_icc), (loops, 5, 1)) + rng.normal(
            0, np.sqrt(1 - true_icc), (loops, 5, 4)
        )
        _, low, high, _ = icc_arrays(scores)
        rows.append(
            {"icc": true_icc, "covered": int(((low <= true_icc) & (true_icc <= high)).sum()), "n": loops}
        )
    return pd.DataFrame(rows)


def leader_study(*, quick: bool = False) -> tuple[str, bool]:
    """The loop study's tables (Markdown) and whether every false-lead target holds."""
    rows = leader_loops(loops=4_000 if quick else 20_000, power_loops=1_000 if quick else 4_000)
    scores = score_coverage(loops=1_000 if quick else 4_000)
    icc = icc_coverage(loops=1_000 if quick else 4_000)
    holds = all(m.holds is not False for r in rows for m in r.measured.values() if m is not None)
    return leader_loops_markdown(rows, scores, icc, alpha=CommonSettings.alpha), holds


def pay_grid(*, levels: int = 5, runs: int | None = None, seed: int = 0) -> tuple[pd.DataFrame, object]:
    """The winner between the built-in plans at every point of the full grid of the assumptions the
    sensitivity analysis varies (levels ** 6 points, simulated a team size at a time), and the
    normal run's result on the same team for comparison."""
    normal = compare_plans(DEFAULT_PLANS, Team(), seed=seed)
    runs = runs or normal.sensitivity.runs
    points = grid_points(levels=levels)
    parts = []
    for _, same_size in points.groupby("n_reps", sort=True):
        for start in range(0, len(same_size), 500):
            chunk = same_size.iloc[start : start + 500]
            parts.append(winners_at(DEFAULT_PLANS, Team(), chunk, seed=seed, runs=runs).points)
    return pd.concat(parts, ignore_index=True), normal


def pay_study(*, quick: bool = False) -> tuple[str, bool]:
    """The full grid's table (Markdown) and whether the normal run's sample agrees with it: the
    share of the sample where the team quota wins has a Wilson interval that reaches the grid's."""
    grid, normal = pay_grid(levels=3 if quick else 5)
    quota = DEFAULT_PLANS[1].name
    wins = normal.sensitivity.wins(quota)
    low, high = wilson(wins, len(normal.sensitivity.sample))
    share = float((grid["winner"] == quota).mean())
    agrees = bool(low <= share <= high)
    return pay_grid_markdown(grid, normal, quota=quota, interval=(low, high), agrees=agrees), agrees


# What `make calibrate` runs besides the scenario library (headings: views.calibration.STUDY_HEADINGS).
STUDIES = {"leader_loops": leader_study, "pay_grid": pay_study}
