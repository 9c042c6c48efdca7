"""How far the public backtest's figures move from one machine to another, and how often the test's
tolerance would fail a machine whose figures are correct.

The forecast's noise variances are fitted by an optimiser whose end point depends on rounding
(benchmarks/backtest_forecast.py, part 3). This study, quoted in docs/methods.md ("How precise the
figures are", written by `make figures`):

1. runs the public backtest with OpenBLAS forced to other CPUs' kernels (`OPENBLAS_CORETYPE`),
   each in a fresh process: what another machine computes;
2. draws a pool of refits from perturbed starting values, at both scales `make figures` uses but
   other seeds;
3. estimates how often tests/test_forecast.py's rule (a recomputed figure within the width of the
   stated range, plus 1.5 printed units) fails a second machine: the stated figures come from one
   machine, the range from REFITS refits per scale drawn from the pool, the recomputation from
   another machine, drawn either among the OpenBLAS kernels or as a perturbed start.

Run with `.venv/bin/python benchmarks/forecast_precision.py` (about five minutes).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

BENCHMARKS = Path(__file__).resolve().parent
KERNELS = (
    "Prescott", "Core2", "Nehalem", "Sandybridge", "Haswell", "SkylakeX", "Cooperlake", "Atom",
    "Barcelona", "Zen",
)  # fmt: skip
POOL_REFITS = 24  # per scale, seeds apart from those of `make figures`
RESAMPLES = 4000
PERCENT_UNIT = 0.1


def backtest_module():
    spec = importlib.util.spec_from_file_location("backtest_forecast", BENCHMARKS / "backtest_forecast.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def figures(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Covered counts and median errors (percent), one per company and `all`, in row order."""
    return frame["covered"].to_numpy(int), 100 * frame["median_error"].to_numpy(float)


def kernel_results() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The default fit's figures under each OpenBLAS kernel, each in a fresh process."""
    results = {}
    for kernel in KERNELS:
        done = subprocess.run(
            [sys.executable, __file__, "--default"],
            env={**os.environ, "OPENBLAS_CORETYPE": kernel},
            capture_output=True,
            text=True,
            check=True,
        )
        frame = pd.DataFrame(json.loads(done.stdout))
        results[kernel] = figures(frame)
    return results


def failure_rate(stated_pool, refit_pools, second_pool, refits: int, rng) -> float:
    """Share of resamples in which a second machine's figures fall outside the tolerance."""
    fails = 0
    for _ in range(RESAMPLES):
        covered_a, error_a = stated_pool[rng.integers(len(stated_pool))]
        covered_b, error_b = second_pool[rng.integers(len(second_pool))]
        drawn = [pool[i] for pool in refit_pools for i in rng.choice(len(pool), refits, replace=False)]
        covered = np.array([covered_a, *(c for c, _ in drawn)])
        errors = np.round(np.array([error_a, *(e for _, e in drawn)]), 1)
        width_c = covered.max(axis=0) - covered.min(axis=0)
        width_e = errors.max(axis=0) - errors.min(axis=0)
        ok = (np.abs(covered_b - covered_a) <= width_c).all() and (
            np.abs(error_b - np.round(error_a, 1)) <= width_e + 1.5 * PERCENT_UNIT
        ).all()
        fails += not ok
    return fails / RESAMPLES


def precision_table() -> str:
    """The study as a Markdown table."""
    backtest = backtest_module()
    kernels = kernel_results()
    distinct = {(tuple(c), tuple(np.round(e, 6))) for c, e in kernels.values()}
    pool = backtest.public_refits(refits=POOL_REFITS, first=backtest.REFITS)  # seeds figures do not use
    pools = [
        [figures(frame) for _, frame in by_scale.groupby("refit", sort=True)]
        for _, by_scale in pool.groupby("scale", sort=True)
    ]
    rng = np.random.default_rng(0)
    as_kernels = failure_rate(list(kernels.values()), pools, list(kernels.values()), backtest.REFITS, rng)
    everything = [f for p in pools for f in p]
    as_starts = failure_rate(everything, pools, everything, backtest.REFITS, rng)
    covered = np.array([c[-1] for c, _ in kernels.values()])
    errors = np.array([e[-1] for _, e in kernels.values()])
    cases = int(backtest.public_backtest()["cases"].iloc[-1])
    rows = [
        ("OpenBLAS kernels tried", f"{len(kernels)} ({len(distinct)} distinct results)"),
        ("overall median P50 error across kernels", f"{errors.min():.1f}%–{errors.max():.1f}%"),
        ("overall forecasts covered across kernels", f"{covered.min()}–{covered.max()} of {cases}"),
        (
            "a second machine outside the tolerance, machines differing as OpenBLAS kernels do",
            f"{as_kernels:.1%}",
        ),
        (
            f"the same, machines differing as perturbed starts ({len(everything)} refits)",
            f"{as_starts:.1%}",
        ),
    ]
    lines = ["| what | measured |", "|---|---|", *(f"| {what} | {value} |" for what, value in rows)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if "--default" in sys.argv[1:]:
        print(backtest_module().public_backtest().to_json(orient="records"))
    else:
        print(precision_table(), end="")
