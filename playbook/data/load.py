"""Read a company's exports, map their column names, parse types and enforce the data contract.

Only this module (and the runner) touches input files. Every broken rule becomes a `Problem`;
all problems found are raised together as one `DataError`, before any analysis runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from playbook.data.columns import read_column_map
from playbook.data.contract import TABLES
from playbook.data.cut import SNAPSHOTS, SetAside, cut_at, month_end
from playbook.data.engines import SOURCE_FILE, Source, data_name, fetch, is_source_file, read_source
from playbook.data.errors import DataError, Problem
from playbook.data.events import EventsAt
from playbook.data.notes import Note
from playbook.data.parse import check_table, decoding_note, read_table
from playbook.data.rules import contiguous_months, date_order, foreign_keys, months_of_arr, movement_gaps
from playbook.data.settings import DataSettings

SUFFIXES = (".csv", ".parquet", ".xlsx")
EVENT_SUFFIXES = (".csv", ".parquet")  # events are read where they lie, by DuckDB


@dataclass(frozen=True, kw_only=True)
class Dataset:
    """A validated company dataset cut at the analysis date: one DataFrame per table present.

    Tables that were not provided are None. `events_at` says where the raw events are (files, or
    a table on an engine); they are never loaded into memory (they may be huge): usage at a date is
    computed from them where they are (`usage.usage_at`) when `usage_from_events`. `set_aside` says
    what the as_of cut removed; `notes` say which optional tables are missing and what a backtest
    cannot cut. `source` is the folder, or the source.yaml of an engine.
    """

    source: Path
    as_of: pd.Timestamp
    arr_monthly: pd.DataFrame
    accounts: pd.DataFrame | None = None
    users: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    feature_requests: pd.DataFrame | None = None
    features: pd.DataFrame | None = None
    leader_candidates: pd.DataFrame | None = None
    interview_scores: pd.DataFrame | None = None
    account_arr: pd.DataFrame | None = None
    account_map: pd.DataFrame | None = None
    arr_events: pd.DataFrame | None = None
    events_at: EventsAt | None = None
    usage_from_events: bool = False
    active_window_days: int = DataSettings.active_window_days
    set_aside: tuple[SetAside, ...] = ()
    notes: tuple[Note, ...] = field(default_factory=tuple)
    decoded: tuple[Note, ...] = ()  # how files that are not UTF-8 were decoded (told to the user)

    @property
    def name(self) -> str:
        """How run folders and the board pack name these data (`engines.data_name`)."""
        return data_name(self.source)

    def has(self, *tables: str) -> bool:
        """True when every named table was provided."""
        return all(
            self.events_at is not None if t == "events" else getattr(self, t) is not None for t in tables
        )

    def missing(self, *tables: str) -> list[str]:
        """The named tables that were not provided."""
        return [t for t in tables if not self.has(t)]


# ---------------------------------------------------------------------------------------------
# Files


def _table_files(folder: Path, table: str) -> list[Path]:
    suffixes = EVENT_SUFFIXES if table == "events" else SUFFIXES
    files = [folder / f"{table}{s}" for s in suffixes if (folder / f"{table}{s}").is_file()]
    if table == "events" and (folder / "events").is_dir():
        files += sorted(p for s in suffixes for p in (folder / "events").glob(f"*{s}"))
    return files


def _analysis_date(arr: pd.DataFrame, as_of: str | pd.Timestamp | None) -> pd.Timestamp:
    """`as_of` given, or the last day of the last month of arr_monthly — never the wall clock."""
    first, last = arr["month"].min(), arr["month"].max()
    if as_of is None:
        return last + pd.offsets.MonthEnd(0)
    try:
        when = pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        raise DataError(
            [Problem("parameters", "as_of", f"must be an ISO-8601 date, got {as_of!r}")]
        ) from None
    if when < first + pd.offsets.MonthEnd(0):
        raise DataError(
            [
                Problem(
                    "parameters",
                    "as_of",
                    f"{when.date()} is before the end of the first month of arr_monthly ({first:%Y-%m})",
                )
            ]
        )
    return when


# ---------------------------------------------------------------------------------------------


def _from_folder(
    folder: Path, mapping: dict
) -> tuple[dict[str, pd.DataFrame], list[Problem], EventsAt | None]:
    """Every table file of a folder, read and checked; where its events are."""
    files = {name: _table_files(folder, name) for name in TABLES}
    events_at = None
    if files["events"]:
        events_at = EventsAt(files=tuple(files["events"]), mapping=_events_mapping(mapping))
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        found = files[name]
        if name == "events":
            continue  # aggregated out of core by the usage module, never loaded here
        if len(found) > 1:
            problems.append(
                Problem(name, None, f"is given twice ({', '.join(p.name for p in found)}); keep one")
            )
            continue
        if not found:
            if table.required:
                problems.append(Problem(f"{name}.csv", None, "is required but missing"))
            continue
        frame, found_problems = read_table(table, found[0], mapping.get(name), events_at is not None)
        problems += found_problems
        if frame is not None:
            tables[name] = frame
    return tables, problems, events_at


def _from_source(
    source: Source, mapping: dict
) -> tuple[dict[str, pd.DataFrame], list[Problem], EventsAt | None]:
    """Every table a source.yaml places, fetched from its engine (or read from its file) and
    checked by the same rules as a folder's files; the events stay on the engine."""
    events_at = None
    if "events" in source.tables:
        place = source.tables["events"]
        if place.on_engine:
            events_at = EventsAt(source=source, mapping=_events_mapping(mapping))
        else:
            events_at = EventsAt(files=(place.file,), mapping=_events_mapping(mapping))
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        if name == "events":
            continue
        place = source.tables.get(name)
        if place is None:
            if table.required:
                problems.append(Problem(source.path.name, f"tables.{name}", "is required but not placed"))
            continue
        if place.on_engine:
            raw = fetch(source, name, table.key)
            frame, found = check_table(
                table, raw, source.label(name), ".parquet", mapping.get(name), events_at is not None
            )
        else:
            frame, found = read_table(table, place.file, mapping.get(name), events_at is not None)
        problems += found
        if frame is not None:
            tables[name] = frame
    return tables, problems, events_at


def _events_mapping(mapping: dict) -> dict[str, str] | None:
    return mapping["events"].columns if "events" in mapping else None


def load_dataset(
    data_dir: str | Path,
    *,
    as_of: str | pd.Timestamp | None = None,
    active_window_days: int = DataSettings.active_window_days,
    derive_activity: bool = True,
) -> Dataset:
    """Load and validate every table of the contract found in `data_dir`, cut at the analysis date.

    Parameters
    ----------
    data_dir
        Folder with one `.csv`, `.parquet` or `.xlsx` file per table (and optionally
        `columns.yaml`), or a `source.yaml` placing the tables on an engine (`engines`).
    as_of
        Analysis date; defaults to the last day of the last month in `arr_monthly`. Every table
        is reduced to what was known on it (`cut.cut_at`).
    active_window_days
        A user is active at a date when active at some point in this many days ending at it.
    derive_activity
        When an events table is given, derive each user's activity, and usage at every date,
        from it (out of core, on DuckDB); False keeps `users` as provided (to compare the paths).

    Raises
    ------
    DataError
        When any rule of the contract is broken; the message names file, column, rule and rows.
    """
    where = Path(data_dir)
    if where.is_dir() and (where / SOURCE_FILE).is_file():
        where = where / SOURCE_FILE
    if is_source_file(where):
        mapping = read_column_map(where.parent)
        tables, problems, events_at = _from_source(read_source(where, list(TABLES)), mapping)
    elif where.is_dir():
        mapping = read_column_map(where)
        tables, problems, events_at = _from_folder(where, mapping)
    else:
        raise DataError([Problem(str(where), None, f"is not a folder of exports or a {SOURCE_FILE}")])
    return _validated(
        where.resolve(),
        tables,
        problems,
        events_at,
        as_of=as_of,
        active_window_days=active_window_days,
        derive_activity=derive_activity,
    )


def load_tables(
    frames: dict[str, pd.DataFrame],
    *,
    name: str = "tables",
    as_of: str | pd.Timestamp | None = None,
    active_window_days: int = DataSettings.active_window_days,
) -> Dataset:
    """Validate tables held in memory (as a folder's files would hold them: columns named as in the
    contract, ids and dates as text or parsed) by the contract's rules, cut at the analysis date.

    What the scenario library's companies go through: the same checks and cut as a folder, without
    files. `name` is how errors and the run name the data. No raw events: activity comes from
    `users`.
    """
    unknown = sorted(set(frames) - set(TABLES) | ({"events"} & set(frames)))
    if unknown:
        raise ValueError(f"unknown or unsupported table(s) {unknown}; tables are {', '.join(TABLES)}")
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for table_name, table in TABLES.items():
        if table_name not in frames:
            if table.required:
                problems.append(Problem(f"{name}: {table_name}", None, "is required but missing"))
            continue
        frame, found = check_table(
            table, frames[table_name], f"{name}: {table_name}", ".parquet", None, False
        )
        problems += found
        if frame is not None:
            tables[table_name] = frame
    return _validated(Path(name), tables, problems, None, as_of=as_of, active_window_days=active_window_days)


def _validated(
    where: Path,
    tables: dict[str, pd.DataFrame],
    problems: list[Problem],
    events_at: EventsAt | None,
    *,
    as_of: str | pd.Timestamp | None,
    active_window_days: int,
    derive_activity: bool = True,
) -> Dataset:
    """The tables checked across each other (months, keys, dates), cut at the analysis date, with
    the activity derived from events where they are given."""
    if not problems:
        if "arr_monthly" in tables:
            problems += contiguous_months(tables["arr_monthly"])
        problems += foreign_keys(tables)
        problems += date_order(tables)
        problems += months_of_arr(tables)
    if problems:
        raise DataError(problems)
    decoded = tuple(note for frame in tables.values() if (note := decoding_note(frame)))

    if active_window_days < 1:
        raise DataError([Problem("parameters", "active_window_days", "must be at least 1 day")])
    tables["arr_monthly"] = tables["arr_monthly"].sort_values("month", ignore_index=True)
    analysis_date = _analysis_date(tables["arr_monthly"], as_of)
    backtest = analysis_date < month_end(tables["arr_monthly"]["month"]).iloc[-1]
    # Events must name accounts of the file as given (a contract rule), not only those the cut keeps.
    known_accounts = tables["accounts"]["account_id"] if "accounts" in tables else None
    tables, set_aside = cut_at(tables, analysis_date)
    from_events = events_at is not None and derive_activity
    if from_events:
        # Each user's activity comes from the events, joined to what users.csv describes.
        from playbook.data.events import join_activity, user_activity

        activity, later = user_activity(events_at, as_of=analysis_date, known_accounts=known_accounts)
        tables["users"] = join_activity(tables.get("users"), activity)
        if later:
            set_aside += (SetAside(table="events", rule="events_after", rows=later),)
    # A missing optional table: the analyses that need it are skipped (views say what else it means).
    notes = [
        Note("missing_table", table=name)
        for name in TABLES
        if name not in tables and not (name == "events" and events_at is not None)
    ]
    gaps = movement_gaps(tables["arr_monthly"])
    if gaps:
        notes.append(gaps)
    if backtest:
        notes.append(Note("backtest_snapshots", as_of=f"{analysis_date:%Y-%m-%d}", columns=SNAPSHOTS))
    arr = tables.pop("arr_monthly")
    return Dataset(
        source=where,
        as_of=analysis_date,
        arr_monthly=arr,
        events_at=events_at,
        usage_from_events=from_events,
        active_window_days=active_window_days,
        set_aside=set_aside,
        notes=tuple(notes),
        decoded=decoded,
        **tables,
    )
