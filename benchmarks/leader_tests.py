"""How the sales-leader tests behave on interview loops of the size a company runs.

Run with `.venv/bin/python benchmarks/leader_tests.py` (about two minutes); it prints the
Markdown tables that `make figures` writes into docs/methods.md.

1. False leads and power: five candidates scored 1-5 on the four attributes by 3, 4 or 5
   interviewers (each score the true level plus normal noise of sd 0.55, rounded and clipped, as
   in the samples). With all five candidates identical, how often is a clear leader called?
   With one candidate 1.5 points better on every attribute, how often is it found?
2. Coverage of the 95% interval of a candidate's weighted score (a t-interval over the
   interviewers), against the candidate's expected score under the rounding.
3. Coverage of the ICC(2,1) interval (McGraw & Wong), on continuous scores with a known ICC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from playbook.analyses.leaders import assess_leaders, icc_agreement
from playbook.samples.tables import interview_loop

CANDIDATES = pd.DataFrame({"candidate_id": [f"C{i}" for i in range(1, 6)], "name": list("ABCDE")})
NOISE = 0.55


def false_leads_and_power(k: int, *, loops: int, seed: int) -> tuple[int, int, int, int]:
    rng = np.random.default_rng(seed)
    same = np.full((5, 4), 3.5)
    false = sum(
        assess_leaders(CANDIDATES, interview_loop(rng, same, k=k)).verdict == "clear_leader"
        for _ in range(loops)
    )
    better = np.full((5, 4), 3.0)
    better[0] = 4.5
    power_loops = loops // 3
    results = [assess_leaders(CANDIDATES, interview_loop(rng, better, k=k)) for _ in range(power_loops)]
    found = sum(r.verdict == "clear_leader" and r.leader == "C1" for r in results)
    return false, loops, found, power_loops


def expected_rounded_score(level: float, rng) -> float:
    """The mean of round(level + noise) clipped to 1-5: what an interviewer's score estimates."""
    return float(np.clip(np.round(level + rng.normal(0, NOISE, 2_000_000)), 1, 5).mean())


def score_coverage(k: int, *, loops: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    truth = np.array([[4.6, 4.5, 4.2, 3.4], [3.8, 4.1, 3.9, 3.8], [3.2, 3.0, 3.6, 4.0]])
    target = np.array([[expected_rounded_score(v, rng) for v in row] for row in truth]).mean(axis=1)
    covered = 0
    for _ in range(loops):
        table = assess_leaders(CANDIDATES.iloc[:3], interview_loop(rng, truth, k=k)).ranking.table
        table = table.set_index("candidate_id").loc[["C1", "C2", "C3"]]
        covered += int(((table["ci_low"] <= target) & (target <= table["ci_high"])).sum())
    return covered / (3 * loops)


def icc_coverage(true_icc: float, *, n: int, k: int, loops: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    covered = 0
    for _ in range(loops):
        matrix = rng.normal(0, np.sqrt(true_icc), (n, 1)) + rng.normal(0, np.sqrt(1 - true_icc), (n, k))
        _, (low, high) = icc_agreement(matrix)
        covered += low <= true_icc <= high
    return covered / loops


def tables() -> str:
    """The three studies as Markdown tables (what `make figures` writes into docs/methods.md)."""
    lines = [
        "| interviewers | false clear leaders, 5 identical candidates "
        "| a candidate 1.5 points better found |",
        "|---|---|---|",
    ]
    for k in (3, 4, 5):
        false, loops, found, power_loops = false_leads_and_power(k, loops=1000, seed=10 + k)
        share, power = false / loops, found / power_loops
        lines.append(f"| {k} | {false} of {loops} ({share:.1%}) | {found} of {power_loops} ({power:.0%}) |")
    lines += [
        "",
        "| interviewers | coverage of a candidate's 95% score interval (3 candidates x 400 loops) |",
        "|---|---|",
    ]
    for k in (3, 4, 5):
        lines.append(f"| {k} | {score_coverage(k, loops=400, seed=20 + k):.1%} |")
    lines += [
        "",
        "| true ICC | coverage of the 95% ICC(2,1) interval, 5 candidates x 4 interviewers (2,000 loops) |",
        "|---|---|",
    ]
    for true_icc in (0.2, 0.5, 0.8):
        coverage = icc_coverage(true_icc, n=5, k=4, loops=2000, seed=30 + round(10 * true_icc))
        lines.append(f"| {true_icc} | {coverage:.1%} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(tables(), end="")
