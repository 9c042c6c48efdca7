"""Interview loops that test the clear-leader verdict: identical candidates, two tied finalists
above a weaker field, a true gap between the best candidate and the rest, lenient interviewers.

Two uses, both drawing loops the same way (`samples.tables.loop_cubes`: each score the
candidate's true level plus the interviewer's leniency plus normal noise, rounded and clipped to
1-5, on every attribute):

- `SCENARIOS`: loops as companies — contract tables through the data contract and the whole
  leaders section — in the library's table and its smoke;
- `LOOP_CELLS` and `loop_truth`: the design of the study `make calibrate` runs on loops drawn
  directly (`runner/studies.py`): 2, 3 and 5 candidates x 3, 4 and 5 interviewers x interviewer
  noise 0.55 and 1.0, tens of thousands of loops a cell. Through the data contract a loop costs
  about 80 ms; that study draws 800,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.data.contract import LEADER_ATTRIBUTES
from playbook.samples.scenarios.base import Company, Scenario, Target
from playbook.samples.tables import long_scores, loop_cubes

LEVEL = 3.5  # every attribute's true level of identical candidates, and the centre of a gap
FINALISTS, FIELD = 4.0, 2.5  # two tied finalists above a weaker field
GAPS = (1.0, 1.5)  # true gaps between the best candidate and the rest
KINDS = ("identical", "tied finalists", *(f"gap {g:g}" for g in GAPS))


@dataclass(frozen=True, kw_only=True)
class LoopCell:
    """One cell of the loop study: an interview loop's size and how noisy its interviewers are
    (the standard deviation of a score around the candidate's true level)."""

    candidates: int
    interviewers: int
    noise: float


LOOP_CELLS = tuple(
    LoopCell(candidates=n, interviewers=k, noise=noise)
    for noise in (0.55, 1.0)
    for n in (2, 3, 5)
    for k in (3, 4, 5)
)


def loop_truth(kind: str, candidates: int) -> np.ndarray | None:
    """The true levels (candidates x attributes) of a kind of loop, the best candidate first:
    `identical` (all at LEVEL), `tied finalists` (two at FINALISTS above the rest at FIELD; None with
    two candidates, where it is `identical`), `gap G` (the first G points above the rest, centred on
    LEVEL)."""
    a = len(LEADER_ATTRIBUTES)
    if kind == "identical":
        return np.full((candidates, a), LEVEL)
    if kind == "tied finalists":
        if candidates < 3:
            return None
        levels = np.full((candidates, a), FIELD)
        levels[:2] = FINALISTS
        return levels
    gap = float(kind.removeprefix("gap "))
    levels = np.full((candidates, a), LEVEL - gap / 2)
    levels[0] = LEVEL + gap / 2
    return levels


# ---------------------------------------------------------------------------------------------
# Loops as companies


INTERVIEWERS = ("CEO", "CTO", "VP Product", "CFO", "COO")


def _company(seed: int, truth: np.ndarray, *, k: int, noise: float, bias=None) -> Company:
    """One loop as a company: the candidates in a random order (the best is not always C1), their
    scores, and a year of ARR (the contract requires it; the leaders section does not read it)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(truth))
    cube = loop_cubes(rng, truth[order], loops=1, k=k, noise=noise, bias=bias)[0]
    ids = [f"C{i + 1}" for i in range(len(truth))]
    months = pd.period_range("2025-01", periods=12, freq="M").astype(str)
    tables = {
        "arr_monthly": pd.DataFrame({"month": months, "arr": np.linspace(8e6, 10e6, 12)}),
        "leader_candidates": pd.DataFrame({"candidate_id": ids, "name": [f"Candidate {i}" for i in ids]}),
        "interview_scores": long_scores(cube, ids, list(INTERVIEWERS[:k])),
    }
    return Company(tables=tables, truth={"best": ids[int(np.argmin(order))]})


def _measure(company: Company, results) -> dict[str, object]:
    leaders = results.leaders
    clear = leaders.verdict == "clear_leader"
    return {
        "clear_leader": clear,
        "found": clear and leaders.leader == company.truth["best"],
        "wrong_leader": clear and leaders.leader != company.truth["best"],
    }


# Where no candidate is better, any clear leader is a false one: at most 5% (issue 18's target).
FALSE_LEAD = Target(label="false clear leaders", outcome="clear_leader", comparison="at_most", value=0.05)

# Lenient and harsh interviewers: the paired test compares candidates within an interviewer, so a
# constant leniency cancels (except where scores hit the 1-5 bounds).
LENIENCY = (1.0, 0.0, -0.5, 0.0)

SCENARIOS = (
    Scenario(
        name="leaders_identical_finalists",
        section="leaders",
        truth="2 identical candidates (3.5 on every attribute), 4 interviewers, one lenient (+1) and one "
        "harsh (−0.5), noise sd 1.0",
        correct="no_clear_leader",
        generate=lambda seed: _company(seed, loop_truth("identical", 2), k=4, noise=1.0, bias=LENIENCY),
        measure=_measure,
        targets=(FALSE_LEAD,),
        companies=200,
        smoke={"clear_leader": False},
    ),
    Scenario(
        name="leaders_tied_above_field",
        section="leaders",
        truth="5 candidates: two tied finalists (4.0) above three at 2.5, 4 interviewers, noise sd 0.55",
        correct="no_clear_leader",
        generate=lambda seed: _company(seed, loop_truth("tied finalists", 5), k=4, noise=0.55),
        measure=_measure,
        targets=(FALSE_LEAD,),
        companies=200,
        smoke={"clear_leader": False},
    ),
    Scenario(
        name="leaders_clear_gap",
        section="leaders",
        truth="5 candidates: one 1.5 points above four equal others, 4 interviewers, one lenient (+1) and "
        "one harsh (−0.5), noise sd 0.55",
        correct="clear_leader, naming the best candidate",
        generate=lambda seed: _company(seed, loop_truth("gap 1.5", 5), k=4, noise=0.55, bias=LENIENCY),
        measure=_measure,
        targets=(
            Target(label="best candidate found", outcome="found", comparison="at_least", value=0.8),
            Target(
                label="a clear lead for the wrong one",
                outcome="wrong_leader",
                comparison="at_most",
                value=0.05,
            ),
        ),
        companies=200,
        smoke={"found": True, "wrong_leader": False},
    ),
)
