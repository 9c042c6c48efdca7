"""Benchmark: raw events -> one row of activity per user, the playbook's step against its floor.

Synthetic event Parquet files (100 events per user, 30 users per account, two years) are written
by DuckDB under benchmarks/out/. Each case runs in a fresh process, which reports:

- `aggregation`: the per-user aggregation alone (the Ibis expression, or the SQL, to a DataFrame);
- `step`: the whole loading step (for the playbook: the events' contract checks, the aggregation,
  the count of events after as_of, the one-account-per-user check);
- `process`: the process from start to exit, imports included (timed by the parent);
- peak resident memory of the process.

Engines: the playbook on DuckDB (through Ibis, the default 3 GB memory cap, both cores);
hand-written DuckDB SQL for the same aggregation on the same file and settings (the practical
floor); pandas (the whole file in memory; up to 50M); the playbook's expression on a local Spark
session (10M, for orientation; its session start is reported apart).

Run: `.venv/bin/python benchmarks/bench_usage.py` (all cases), or name sizes:
`.venv/bin/python benchmarks/bench_usage.py 10000000 500000000`. Figures go in
docs/performance.md; nothing asserts them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

OUT = Path(__file__).parent / "out"
SIZES = (10_000_000, 50_000_000, 500_000_000)
AS_OF = pd.Timestamp("2026-09-30")
PANDAS_UP_TO = 50_000_000
SPARK_SIZES = (10_000_000,)


def events_file(n: int) -> Path:
    """Synthetic events over two years, written by DuckDB (never held in Python memory)."""
    import duckdb

    path = OUT / f"events_{n // 1_000_000}M.parquet"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    users = max(n // 100, 1)
    con = duckdb.connect()
    con.execute("SET memory_limit = '3GB'")
    con.execute(
        f"""
        COPY (
            SELECT 'U' || lpad(CAST(u AS VARCHAR), 9, '0') AS user_id,
                   'A' || lpad(CAST(u // 30 AS VARCHAR), 8, '0') AS account_id,
                   TIMESTAMP '2024-10-01' + INTERVAL (hash(i) % (730 * 86400)) SECOND AS occurred_at,
                   'view' AS event
            FROM (SELECT i, (i * 7919) % {users} AS u FROM range({n}) t(i))
        ) TO '{path}.tmp' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
        """
    )
    con.close()
    Path(f"{path}.tmp").rename(path)
    return path


def hand_sql(path: Path) -> str:
    """The aggregation as one would write it by hand in DuckDB SQL."""
    end = AS_OF.date()
    start = (AS_OF - pd.Timedelta(days=27)).date()
    return f"""
        WITH known AS (
            SELECT user_id, account_id, CAST(occurred_at AS DATE) AS day
            FROM read_parquet('{path}')
            WHERE CAST(occurred_at AS DATE) <= DATE '{end}'
        ),
        span AS (
            SELECT user_id, account_id, min(day) AS first_active, max(day) AS last_active,
                   count(*) FILTER (WHERE day >= DATE '{start}') AS events_28d
            FROM known GROUP BY user_id, account_id
        ),
        days AS (
            SELECT user_id, account_id, count(DISTINCT day) AS active_days_28d
            FROM known WHERE day >= DATE '{start}' GROUP BY user_id, account_id
        )
        SELECT user_id, account_id, first_active, last_active,
               coalesce(active_days_28d, 0) AS active_days_28d, events_28d
        FROM span LEFT JOIN days USING (user_id, account_id)
    """


def measure(engine: str, path: Path) -> dict:
    if engine == "playbook":
        from playbook.data.events import EventsAt, connect, read_events, user_activity, user_activity_expr

        start = time.perf_counter()
        con = connect()
        users = len(user_activity_expr(read_events(con, [path]), as_of=AS_OF).to_pandas())
        con.disconnect()
        aggregation = time.perf_counter() - start
        start = time.perf_counter()
        activity, _ = user_activity(EventsAt(files=(path,)), as_of=AS_OF)
        return {"aggregation": aggregation, "step": time.perf_counter() - start, "users": len(activity)}
    if engine == "sql":
        from playbook.data.events import connect  # the same settings: threads, memory cap, UTC

        start = time.perf_counter()
        con = connect()
        users = len(con.raw_sql(hand_sql(path)).df())
        con.disconnect()
        seconds = time.perf_counter() - start
        return {"aggregation": seconds, "step": seconds, "users": users}
    if engine == "pandas":
        start = time.perf_counter()
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
        seconds = time.perf_counter() - start
        return {"aggregation": seconds, "step": seconds, "users": len(activity)}
    if engine == "spark":
        import ibis
        from pyspark.sql import SparkSession

        from playbook.data.events import user_activity_expr

        start = time.perf_counter()
        session = (
            SparkSession.builder.master("local[2]")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", "3g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        con = ibis.pyspark.connect(session)
        session_start = time.perf_counter() - start
        start = time.perf_counter()
        users = len(user_activity_expr(con.read_parquet(str(path)), as_of=AS_OF).to_pandas())
        seconds = time.perf_counter() - start
        session.stop()
        return {"aggregation": seconds, "step": seconds, "users": users, "session_start": session_start}
    raise ValueError(engine)


def child(engine: str, path: str) -> None:
    result = measure(engine, Path(path))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


LABELS = {
    "playbook": "playbook: DuckDB via Ibis",
    "sql": "hand-written DuckDB SQL (floor)",
    "pandas": "pandas groupby, in memory",
    "spark": "playbook's expression on Spark local[2]",
}


HEADER = (
    "| events | engine | aggregation (s) | events/s | × floor | step (s) | process (s) | peak memory (MB) |\n"
    "|---:|---|---:|---:|---:|---:|---:|---:|"
)


def row(n: int, engine: str, m: dict, floor: float | None) -> str:
    label = LABELS[engine] + (f" (+{m['session_start']:.0f} s session start)" if "session_start" in m else "")
    ratio = f"{m['aggregation'] / floor:.2f}" if floor else ""
    return (
        f"| {n:,} | {label} | {m['aggregation']:.1f} | {n / m['aggregation']:,.0f} | {ratio} "
        f"| {m['step']:.1f} | {m['process']:.1f} | {m['peak_mb']:,.0f} |"
    )


def main(sizes: list[int]) -> None:
    print(HEADER)
    for n in sizes:
        path = events_file(n)
        engines = ["sql", "playbook"]
        engines += ["pandas"] if n <= PANDAS_UP_TO else []
        engines += ["spark"] if n in SPARK_SIZES else []
        floor = None
        users = set()
        for engine in engines:
            started = time.perf_counter()
            run = subprocess.run(
                [sys.executable, __file__, "--child", engine, str(path)], capture_output=True, text=True
            )
            if run.returncode != 0:
                print(
                    f"| {n:,} | {LABELS[engine]} | failed: {run.stderr.strip().splitlines()[-1]} |",
                    flush=True,
                )
                continue
            m = json.loads(run.stdout.strip().splitlines()[-1]) | {"process": time.perf_counter() - started}
            users.add(m["users"])
            floor = floor or m["aggregation"]  # the hand-written SQL runs first
            print(row(n, engine, m, floor), flush=True)
        if len(users) > 1:
            print(f"warning: engines disagree on the number of users at {n:,} events: {sorted(users)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main([int(a) for a in sys.argv[1:]] or list(SIZES))
