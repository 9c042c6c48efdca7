"""Benchmark: raw events -> user activity, DuckDB via Ibis (the playbook) against plain pandas.

Writes synthetic event Parquet files (1M, 10M, 50M events; 100 events per user, 30 users per
account) under benchmarks/out/, then runs each engine in a fresh process and reports wall time,
events per second and peak resident memory. Run: `.venv/bin/python benchmarks/bench_usage.py`
(add sizes, e.g. `1000000 10000000`, to run fewer). Figures go in the README; nothing asserts them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

OUT = Path(__file__).parent / "out"
SIZES = (1_000_000, 10_000_000, 50_000_000)
AS_OF = pd.Timestamp("2026-09-30")


def events_file(n: int) -> Path:
    """Synthetic events over two years, written by DuckDB (never held in Python memory)."""
    path = OUT / f"events_{n // 1_000_000}M.parquet"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    users = max(n // 100, 1)
    duckdb.sql(
        f"""
        COPY (
            SELECT 'U' || lpad(CAST(u AS VARCHAR), 8, '0') AS user_id,
                   'A' || lpad(CAST(u // 30 AS VARCHAR), 7, '0') AS account_id,
                   TIMESTAMP '2024-10-01' + INTERVAL (hash(i) % (730 * 86400)) SECOND AS occurred_at,
                   'view' AS event
            FROM (SELECT i, (i * 7919) % {users} AS u FROM range({n}) t(i))
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """
    )
    return path


def measure_duckdb(path: Path) -> int:
    from playbook.usage import user_activity

    return len(user_activity([path], as_of=AS_OF))


def measure_pandas(path: Path) -> int:
    """The same aggregation as a plain pandas groupby, the whole file in memory."""
    events = pd.read_parquet(path, columns=["user_id", "account_id", "occurred_at"])
    events = events[events["occurred_at"] < AS_OF + pd.Timedelta(days=1)]
    day = events["occurred_at"].dt.normalize()
    recent = day >= AS_OF - pd.Timedelta(days=27)
    events = events.assign(day=day, recent_day=day.where(recent), recent=recent)
    activity = events.groupby(["user_id", "account_id"]).agg(
        first_active=("day", "min"),
        last_active=("day", "max"),
        active_days_28d=("recent_day", "nunique"),
        events_28d=("recent", "sum"),
    )
    return len(activity)


def child(engine: str, path: str) -> None:
    start = time.perf_counter()
    users = {"duckdb": measure_duckdb, "pandas": measure_pandas}[engine](Path(path))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "users": users}))


def main(sizes: list[int]) -> None:
    print("| events | engine | seconds | events/s | peak memory (MB) | users |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in sizes:
        path = events_file(n)
        for engine in ("duckdb", "pandas"):
            run = subprocess.run(
                [sys.executable, __file__, "--child", engine, str(path)], capture_output=True, text=True
            )
            if run.returncode != 0:
                print(
                    f"| {n:,} | {engine} | failed: {run.stderr.strip().splitlines()[-1]} | | | |", flush=True
                )
                continue
            m = json.loads(run.stdout.strip().splitlines()[-1])
            label = "DuckDB via Ibis (playbook)" if engine == "duckdb" else "pandas groupby (baseline)"
            print(
                f"| {n:,} | {label} | {m['seconds']:.1f} | {n / m['seconds']:,.0f} "
                f"| {m['peak_mb']:,.0f} | {m['users']:,} |",
                flush=True,
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main([int(a) for a in sys.argv[1:]] or list(SIZES))
