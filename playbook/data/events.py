"""Raw product events at scale: read, checked, and aggregated to one row of activity per user.

The aggregations are Ibis expressions (`user_activity_expr` here, `usage.usage_at_expr`), so the
same code runs wherever the events live: DuckDB over CSV/Parquet files here (larger than memory,
both cores), a warehouse or Spark elsewhere. Only `read_events` and the functions that call it
touch files. Events after the analysis date are left out of every aggregation (the as_of cut).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from playbook.data.engines import SOURCE_HEADING, Source, engine_failure, engine_table, first_line
from playbook.data.errors import MAX_ROWS_SHOWN, DataError, Problem

WINDOW_DAYS = 28  # the window of the users table's `active_days_28d` and `events_28d`
DUCKDB_MEMORY_LIMIT = "3GB"  # beyond it DuckDB spills to disk instead of failing


def user_activity_expr(events: ir.Table, *, as_of: pd.Timestamp) -> ir.Table:
    """Per user: first and last active day, active days and events in the 28 days to `as_of`.

    `events` needs `user_id`, `account_id` and a timestamp `occurred_at`. Events after `as_of`
    are ignored: activity is what was known on the analysis date.
    """
    end = ibis.date(as_of.year, as_of.month, as_of.day)
    start_ts = as_of.normalize() - pd.Timedelta(days=WINDOW_DAYS - 1)
    start = ibis.date(start_ts.year, start_ts.month, start_ts.day)
    user = ["user_id", "account_id"]
    known = events.select(*user, day=events.occurred_at.date()).filter(lambda t: t.day <= end)
    # Two plain aggregations rather than one with a distinct count over every event: a distinct
    # count cannot spill to disk (DuckDB runs out of memory at 500M events), while the window's
    # few events are cheap to count distinctly. The boolean is summed through ifelse, not a
    # cast, which PostgreSQL refuses.
    span = known.group_by(user).aggregate(
        first_active=known.day.min(),
        last_active=known.day.max(),
        events_28d=(known.day >= start).ifelse(1, 0).sum(),
    )
    window = known.view()  # the same `known`, so SQL engines compute it once (a shared CTE)
    window = window.filter(window.day >= start)
    days = window.group_by(user).aggregate(active_days_28d=window.day.nunique())
    joined = span.left_join(days, user)
    return joined.select(
        *user,
        "first_active",
        "last_active",
        active_days_28d=joined.active_days_28d.fill_null(0),
        events_28d=joined.events_28d,
    )


def connect(threads: int = 2) -> ibis.BaseBackend:
    """An in-process DuckDB connection using both cores, with a memory cap (spills beyond it).

    The session time zone is UTC, so an event's day does not depend on the machine's zone.
    """
    con = ibis.duckdb.connect(threads=threads)
    con.raw_sql(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


def events_name(files: list[Path]) -> str:
    """How error messages name the events: the file, or the folder and its number of files."""
    return files[0].name if len(files) == 1 else f"events/ ({len(files)} files)"


def read_events(con: ibis.BaseBackend, files: list[Path], mapping: dict[str, str] | None = None) -> ir.Table:
    """The raw events as an Ibis table (nothing loaded into memory), columns mapped to canonical names."""
    paths = [str(p) for p in files]
    if all(p.endswith(".parquet") for p in paths):
        table = con.read_parquet(paths)
    elif all(p.endswith(".csv") for p in paths):
        table = con.read_csv(paths, all_varchar=True)
    else:
        raise DataError([Problem("events", None, "mixes .csv and .parquet files; use one format")])
    return _renamed(table, mapping)


def _renamed(table: ir.Table, mapping: dict[str, str] | None) -> ir.Table:
    if not mapping:
        return table
    return table.rename(
        {canonical: theirs for canonical, theirs in mapping.items() if theirs in table.columns}
    )


@dataclass(frozen=True)
class EventsAt:
    """Where the raw events are: files read by an in-process DuckDB, or a table on a source's engine."""

    files: tuple[Path, ...] = ()
    source: Source | None = None
    mapping: dict[str, str] | None = None

    @property
    def name(self) -> str:
        return events_name(list(self.files)) if self.files else self.source.label("events")

    @contextmanager
    def opened(self, threads: int = 2) -> Iterator[ir.Table]:
        """The events as an Ibis table on their engine, for the length of a `with` block."""
        if self.source is not None:
            table = _renamed(engine_table(self.source, "events"), self.mapping)  # the source's connection
            try:
                yield table
            except DataError:
                raise
            except Exception as exc:  # the engine's own error types: a failed query on the source
                raise DataError(
                    [Problem(self.name, None, engine_failure(self.source, exc))], heading=SOURCE_HEADING
                ) from None
            return
        import duckdb

        con = connect(threads)
        try:
            # DuckDB reads the files lazily: a corrupt or truncated one fails when first read,
            # here or inside the block. Either way it is a problem with the file, said as such.
            try:
                yield read_events(con, list(self.files), self.mapping)
            except duckdb.Error as exc:
                problem = Problem(self.name, None, f"cannot be read as events ({first_line(exc)})")
                raise DataError([problem]) from None
        finally:
            con.disconnect()


def _examples(name: str, column: str, rule: str, values: list, n: int) -> Problem:
    """A problem shown by its offending values (event scans have no line numbers to give)."""
    shown = ", ".join(repr(v) for v in values[:MAX_ROWS_SHOWN])
    more = f" and {n - MAX_ROWS_SHOWN} more" if n > MAX_ROWS_SHOWN else ""
    return Problem(name, column, f"{rule} — {n} event(s), e.g. {shown}{more}")


def checked_events(events: ir.Table, name: str, known_accounts: pd.Series | None) -> ir.Table:
    """Required columns present, timestamps parseable, accounts known; else a DataError."""
    missing = [c for c in ("user_id", "account_id", "occurred_at") if c not in events.columns]
    if missing:
        raise DataError(
            [
                Problem(name, c, f"required column is missing (columns found: {', '.join(events.columns)})")
                for c in missing
            ]
        )
    events = events.mutate(user_id=events.user_id.cast("string"), account_id=events.account_id.cast("string"))
    if events.occurred_at.type().is_string():
        events = events.mutate(
            _raw=events.occurred_at, occurred_at=events.occurred_at.strip().try_cast("timestamp")
        )
        bad = events.filter(events.occurred_at.isnull() & events._raw.notnull() & (events._raw.strip() != ""))
        n_bad = int(bad.count().execute())
        if n_bad:
            sample = bad.select(value=bad._raw).limit(MAX_ROWS_SHOWN).execute()["value"].tolist()
            raise DataError([_examples(name, "occurred_at", "must be an ISO-8601 timestamp", sample, n_bad)])
        events = events.drop("_raw")
    if known_accounts is not None:
        accounts = ibis.memtable(pd.DataFrame({"account_id": known_accounts.astype(str).unique()}))
        unknown = events.select("account_id").anti_join(accounts, "account_id")
        n_unknown = int(unknown.count().execute())
        if n_unknown:
            sample = (
                unknown.select("account_id").distinct().limit(MAX_ROWS_SHOWN).execute()["account_id"].tolist()
            )
            raise DataError(
                [_examples(name, "account_id", "must name a known account_id in accounts", sample, n_unknown)]
            )
    return events


def user_activity(
    events_at: EventsAt,
    *,
    as_of: pd.Timestamp,
    known_accounts: pd.Series | None = None,
    threads: int = 2,
) -> tuple[pd.DataFrame, int]:
    """Aggregate the events to one row per user where they live (DuckDB over files, or the engine).

    Returns the activity — user_id, account_id, first_active, last_active (dates),
    active_days_28d, events_28d — and how many events fell after `as_of` (left out).
    """
    name = events_at.name
    with events_at.opened(threads) as raw:
        events = checked_events(raw, name, known_accounts)
        activity = user_activity_expr(events, as_of=as_of).to_pandas()
        later = int(events.filter(events.occurred_at.date() > as_of.date()).count().execute())
    twice = activity.loc[activity["user_id"].duplicated(), "user_id"].unique().tolist()
    if twice:
        raise DataError(
            [_examples(name, "user_id", "each user must belong to one account", twice, len(twice))]
        )
    activity = activity.astype(
        {
            "user_id": object,
            "account_id": object,
            "first_active": "datetime64[ns]",
            "last_active": "datetime64[ns]",
            "active_days_28d": "Int64",
            "events_28d": "Int64",
        }
    ).sort_values("user_id", ignore_index=True)
    return activity, later


def join_activity(users: pd.DataFrame | None, activity: pd.DataFrame) -> pd.DataFrame:
    """Users with their activity from events; what `users` adds (department, email...) is kept.

    Users who appear only in the events are kept too (their descriptive columns empty).
    """
    derived = ["first_active", "last_active", "active_days_28d", "events_28d"]
    if users is None:
        return activity
    described = users.drop(columns=[c for c in derived if c in users])
    merged = activity.merge(described.drop(columns="account_id"), on="user_id", how="left")
    return merged[[*activity.columns, *[c for c in described.columns if c not in activity.columns]]]
