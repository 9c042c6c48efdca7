"""Benchmarks for the foundation: loading + validating each sample, whole runs, one notebook.

Run with `make bench` on an installed venv; it prints a Markdown table for the README.
Wall-clock figures on this machine; not a test (speed is measured here, never asserted).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from playbook import PROJECT_ROOT, SAMPLES_DIR
from playbook.data import load_dataset
from playbook.samples import SCENARIOS

REPEATS = 5


def median_seconds(action, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rows = []
    for name in SCENARIOS:
        data = load_dataset(SAMPLES_DIR / name)
        seconds = median_seconds(lambda: load_dataset(SAMPLES_DIR / name))
        size = f"{len(data.accounts):,} accounts, {len(data.users):,} users, {len(data.feature_requests):,} requests"
        rows.append((f"load + validate `{name}` ({size})", seconds))

    def playbook_run(*args: str):
        def run() -> None:
            with tempfile.TemporaryDirectory() as out:
                subprocess.run(
                    [sys.executable, "-m", "playbook", "run", "--out", out, *args],
                    check=True, capture_output=True, cwd=PROJECT_ROOT,
                )
        return run

    rows.append(("`playbook run` (what `make report` runs), default sample, all notebooks", median_seconds(playbook_run(), 3)))
    rows.append(("penetration notebook alone on the largest sample (`--data late --only penetration`)",
                 median_seconds(playbook_run("--data", "late", "--only", "penetration"), 3)))

    print(f"| benchmark (median of repeats, {os.cpu_count()} cores) | seconds |")
    print("|---|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
