"""How `playbook import amplitude` scales: a 20-million-event Export API archive, streamed.

Run with `.venv/bin/python benchmarks/bench_imports.py [EVENTS]` (default 20,000,000; the archive
is built once under /tmp and reused). It builds an Amplitude-style export — a zip of 24 gzipped
JSON-lines files with the fields the Export API documents (user_id, event_type, event_time,
groups, event_properties, user_properties, ...) — then runs the import in a fresh process and
reports wall time and the process's peak resident memory (`/usr/bin/time -v`). The figure in
docs/performance.md comes from here; no test times it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb

FILES = 24  # one per hour of a day, as the Export API splits an export


def build_archive(events: int, path: Path) -> None:
    """The export: 30 users per account, 100 events per user, over a year."""
    users = max(events // 100, 1)
    parts = path.parent / f"{path.stem}-parts"
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"""COPY (
          SELECT i % {FILES} AS part,
                 'u' || (i % {users}) AS user_id,
                 'dev-' || (i % {users}) AS device_id,
                 ['view', 'edit', 'share', 'export'][1 + i % 4] AS event_type,
                 strftime(TIMESTAMP '2025-10-01' + to_seconds(CAST((i * 7919) % 31536000 AS BIGINT)),
                          '%Y-%m-%d %H:%M:%S.%f') AS event_time,
                 json_object('company', ['grp-' || ((i % {users}) // 30)]) AS groups,
                 json_object('page', '/p/' || (i % 50)) AS event_properties,
                 json_object('plan', 'team') AS user_properties,
                 i AS event_id, 123456 AS app, 'ins-' || i AS "$insert_id"
          FROM range({events}) t(i)
        ) TO '{parts}' (FORMAT json, PARTITION_BY (part), COMPRESSION gzip)"""
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for n, part in enumerate(sorted(parts.rglob("*.json.gz"))):
            archive.write(part, f"123456/123456_2026-09-30_{n}#0.json.gz")
    shutil.rmtree(parts)


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    archive = Path(tempfile.gettempdir()) / f"amplitude-{events}.zip"
    if not archive.is_file():
        started = time.perf_counter()
        build_archive(events, archive)
        size = archive.stat().st_size / 1e9
        print(f"built {archive} ({size:.2f} GB) in {time.perf_counter() - started:.0f} s")
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            "-m",
            "playbook.runner.cli",
            "import",
            "amplitude",
            str(archive),
            "--to",
            out,
        ]
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
        print(done.stdout.strip())
        print("| events | archive (GB) | seconds | events/s | peak memory (MB) |")
        print("|---:|---:|---:|---:|---:|")
        print(
            f"| {events:,} | {archive.stat().st_size / 1e9:.2f} | {seconds:.0f} | {events / seconds:,.0f} "
            f"| {peak_kb / 1024:,.0f} |"
        )


if __name__ == "__main__":
    main()
