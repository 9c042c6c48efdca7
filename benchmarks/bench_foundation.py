"""Benchmarks for the foundation: loading + validating each sample, whole runs, one notebook.

Run with `make bench` on an installed venv; it prints a Markdown table for docs/performance.md.
Figures on this machine; not a test (speed is measured here, never asserted). A run's CPU time
is the CPU of the whole process tree (the runner and every notebook kernel it started), as
`/usr/bin/time -v` reports it.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from playbook import PROJECT_ROOT, SAMPLES_DIR
from playbook.data import load_dataset
from playbook.samples.companies import SAMPLES

REPEATS = 5


def median_seconds(action, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def playbook_run(*args: str, repeats: int = 3) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds of `playbook run ARGS` in a fresh process."""
    walls, cpus = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            cpu, start = children_cpu(), time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "playbook", "run", "--out", out, *args],
                check=True,
                capture_output=True,
                cwd=PROJECT_ROOT,
            )
            walls.append(time.perf_counter() - start)
            cpus.append(children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    print(f"| benchmark (median of repeats, {os.cpu_count()} cores) | wall seconds | CPU seconds |")
    print("|---|---:|---:|")
    for name in SAMPLES:
        data = load_dataset(SAMPLES_DIR / name)
        seconds = median_seconds(lambda name=name: load_dataset(SAMPLES_DIR / name))
        size = (
            f"{len(data.accounts):,} accounts, {len(data.users):,} users, "
            f"{len(data.feature_requests):,} requests"
        )
        print(f"| load + validate `{name}` ({size}) | {seconds:.2f} | |")
    runs = (
        ("`playbook run` (what `make report` runs), default sample, all notebooks", ()),
        (
            "penetration notebook alone on the largest sample (`--data late --only penetration`)",
            ("--data", "late", "--only", "penetration"),
        ),
    )
    for label, args in runs:
        wall, cpu = playbook_run(*args)
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
