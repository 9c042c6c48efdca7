"""Product-analytics exports into the contract's `events`, streamed by DuckDB (never loaded whole).

- `segment`: the warehouse `tracks` table (Segment has no file export of its own: dump the table
  its warehouse destination keeps to CSV or Parquet; columns per
  https://segment.com/docs/connections/storage/warehouses/schema/ — user_id, event_text (the
  event's name; `event` is its slug, used only when event_text is absent), timestamp, and the
  account as `context_group_id`, set when the source sends context.groupId). Column names are
  matched ignoring case (a Snowflake unload writes USER_ID); timestamps may carry an offset
  ("2024-06-01 10:00:00.000 +0000", Snowflake's default output) and are read in UTC.
- `amplitude`: the Export API's archive (a zip of gzipped JSON-lines files, one event a line, with
  user_id, event_type, event_time in UTC and `groups` {group type: [ids]};
  https://amplitude.com/docs/apis/analytics/export). The account is the group type given with
  --group (default `company`).
- `mixpanel`: the raw event export (JSON lines {"event", "properties": {"time", "distinct_id",
  "$user_id", ...}}; time in Unix seconds, or milliseconds with time_in_ms;
  https://developer.mixpanel.com/reference/raw-event-export). The account is the group key
  property given with --group (default `company_id`). Mixpanel's SDKs store a group key as a
  list ("company_id": ["ws_4c127664"];
  https://docs.mixpanel.com/docs/data-structure/group-analytics/group-analytics-implementation).

A group value that is a list (Amplitude's and Mixpanel's) counts when it holds one id; a list of
several ids cannot say which account the event belongs to and is set aside and counted, and an
empty one is an event without an account. Events without a user (anonymous), without an account,
or with an account the account map does not know are counted and set aside; so are events whose
time cannot be read.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import ibis

from playbook.data.errors import DataError, Problem, did_you_mean
from playbook.data.events import connect
from playbook.imports.ids import Crosswalk
from playbook.imports.read import Imported, find_column

IMPORT_MEMORY_LIMIT = "1GB"  # DuckDB spills beyond it: an import's peak stays well under 2 GB
SEGMENT_FIELDS = {
    "user_id": ("user_id",),
    "account_id": ("context_group_id", "group_id", "context_groupId"),
    "occurred_at": ("timestamp", "original_timestamp", "received_at"),
    "event": ("event_text", "event"),
}
DEFAULT_GROUP = {"amplitude": "company", "mixpanel": "company_id"}
# Timestamps with a numeric offset after a space (Snowflake's default output), read when the
# ISO-8601 cast cannot.
OFFSET_FORMATS = "['%Y-%m-%d %H:%M:%S.%g %z', '%Y-%m-%d %H:%M:%S %z', '%Y-%m-%d %H:%M:%S.%f %z']"


def _pointer(key: str) -> str:
    """A JSON Pointer to `key` as an SQL string literal (escaped both ways)."""
    escaped = key.replace("~", "~0").replace("/", "~1")
    return "'/" + escaped.replace("'", "''") + "'"


def _quoted(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def json_files(files: list[Path], scratch: Path) -> list[Path]:
    """The JSON-lines files to read: a zip's members are extracted (they stay compressed)."""
    out = []
    for path in files:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as archive:
                for n, member in enumerate(m for m in archive.namelist() if not m.endswith("/")):
                    target = scratch / f"{path.stem}-{n:05d}-{Path(member).name}"
                    with archive.open(member) as source, target.open("wb") as sink:
                        while chunk := source.read(1 << 20):
                            sink.write(chunk)
                    out.append(target)
        else:
            out.append(path)
    return out


def _segment_sql(con, files: list[Path], overrides: dict[str, str]) -> str:
    reader = (
        f"read_parquet({_quoted(files)})"
        if all(p.suffix.lower() == ".parquet" for p in files)
        else f"read_csv({_quoted(files)}, all_varchar = true, header = true)"
    )
    columns = [d[0] for d in con.raw_sql(f"SELECT * FROM {reader} LIMIT 0").description]
    chosen, problems = {}, []
    for name, names in SEGMENT_FIELDS.items():
        candidates = (overrides[name],) if name in overrides else names
        found = find_column(candidates, columns, files[0].name)
        if found is None and name != "event":
            problems.append(
                Problem(
                    files[0].name,
                    " or ".join(candidates),
                    f"is missing (the field '{name}'){did_you_mean(candidates[0], columns)}; "
                    f"name yours with --map {name}=YOUR_COLUMN",
                )
            )
        chosen[name] = found
    if problems:
        raise DataError(problems)
    event = f'CAST("{chosen["event"]}" AS VARCHAR)' if chosen["event"] else "NULL"
    stamp = f'CAST("{chosen["occurred_at"]}" AS VARCHAR)'
    return (
        f'SELECT CAST("{chosen["user_id"]}" AS VARCHAR) AS user_id, '
        f'CAST("{chosen["account_id"]}" AS VARCHAR) AS group_id, FALSE AS several, '
        f"timezone('UTC', coalesce(TRY_CAST({stamp} AS TIMESTAMPTZ), "
        f"try_strptime({stamp}, {OFFSET_FORMATS}))) AS occurred_at, "
        f"{event} AS event FROM {reader}"
    )


def _group(value: str) -> str:
    """SQL for the account in a group value: a string, or the one id of a one-element list."""
    return (
        f"CASE json_type({value}) WHEN 'ARRAY' THEN "
        f"CASE WHEN json_array_length({value}) = 1 THEN json_extract_string({value}, '$[0]') END "
        f"ELSE json_extract_string({value}, '$') END"
    )


def _several(value: str) -> str:
    return f"coalesce(json_type({value}) = 'ARRAY' AND json_array_length({value}) > 1, FALSE)"


def _amplitude_sql(files: list[Path], group: str) -> str:
    value = f"json_extract(groups, {_pointer(group)})"
    return (
        f"SELECT CAST(user_id AS VARCHAR) AS user_id, {_group(value)} AS group_id, "
        f"{_several(value)} AS several, "
        "TRY_CAST(event_time AS TIMESTAMP) AS occurred_at, event_type AS event "
        f"FROM read_json({_quoted(files)}, format = 'newline_delimited', compression = 'auto', "
        "columns = {user_id: 'VARCHAR', event_time: 'VARCHAR', event_type: 'VARCHAR', groups: 'JSON'})"
    )


def _mixpanel_sql(files: list[Path], group: str) -> str:
    time = "TRY_CAST(json_extract_string(properties, '/time') AS DOUBLE)"
    user = (
        "coalesce(json_extract_string(properties, '/$user_id'), "
        "CASE WHEN starts_with(json_extract_string(properties, '/distinct_id'), '$device:') THEN NULL "
        "ELSE json_extract_string(properties, '/distinct_id') END)"
    )
    value = f"json_extract(properties, {_pointer(group)})"
    return (
        f"SELECT {user} AS user_id, {_group(value)} AS group_id, {_several(value)} AS several, "
        f"CASE WHEN {time} > 1e11 THEN make_timestamp(CAST({time} * 1000 AS BIGINT)) "
        f"ELSE make_timestamp(CAST({time} * 1000000 AS BIGINT)) END AS occurred_at, event "
        f"FROM read_json({_quoted(files)}, format = 'newline_delimited', compression = 'auto', "
        "columns = {event: 'VARCHAR', properties: 'JSON'})"
    )


def import_events(
    vendor: str,
    files: list[Path],
    out: Path,
    imported: Imported,
    crosswalk: Crosswalk,
    *,
    group: str | None,
    overrides: dict[str, str],
) -> int:
    """Write the contract's events for one export to `out` (Parquet), streaming; the rows written."""
    con = connect()
    con.raw_sql(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
    con.raw_sql("SET preserve_insertion_order = false")
    with tempfile.TemporaryDirectory(prefix="playbook-import-", dir=out.parent) as scratch:
        scratch = Path(scratch)
        try:
            if vendor == "segment":
                sql = _segment_sql(con, files, overrides)
            else:
                readable = json_files(files, scratch)
                group = group or DEFAULT_GROUP[vendor]
                sql = (
                    _amplitude_sql(readable, group)
                    if vendor == "amplitude"
                    else _mixpanel_sql(readable, group)
                )
            staged = scratch / "staged.parquet"
            con.raw_sql(f"COPY ({sql}) TO '{staged}' (FORMAT parquet)")
        except DataError:
            raise
        except Exception as exc:  # a malformed export: name it, never a traceback
            raise DataError(
                [Problem(files[0].name, None, f"cannot be read as a {vendor} export ({exc})")]
            ) from None
        return _finish(con, staged, out, imported, crosswalk)


def _finish(con, staged: Path, out: Path, imported: Imported, crosswalk: Crosswalk) -> int:
    events = con.read_parquet(str(staged))
    counts = (
        events.aggregate(
            rows=events.count(),
            no_user=events.user_id.isnull().sum(),
            several=(events.user_id.notnull() & events.several).sum(),
            no_group=(events.user_id.notnull() & ~events.several & events.group_id.isnull()).sum(),
            no_time=(
                events.user_id.notnull() & events.group_id.notnull() & events.occurred_at.isnull()
            ).sum(),
        )
        .to_pandas()
        .iloc[0]
    )
    imported.rows_in = int(counts["rows"])
    imported.aside(int(counts["no_user"]), "events without a user id (anonymous)")
    imported.aside(
        int(counts["several"]), "events whose group key lists several accounts (which one is not said)"
    )
    imported.aside(int(counts["no_group"]), "events without an account (group) id")
    imported.aside(int(counts["no_time"]), "events whose time cannot be read")
    usable = events.filter(
        events.user_id.notnull() & events.group_id.notnull() & events.occurred_at.notnull()
    )
    column = crosswalk.column_for("analytics")
    if column is None:
        if crosswalk.table is not None:
            imported.notes.append(
                f"{crosswalk.file} has no analytics_id column: group ids are used as account ids."
            )
        mapped = usable.mutate(account_id=usable.group_id)
    else:
        known = crosswalk.table.dropna(subset=[column])[[column, "account_id"]].rename(
            columns={column: "group_key"}
        )
        lookup = ibis.memtable(known.astype(str))
        joined = usable.left_join(lookup, usable.group_id == lookup.group_key)
        missing = joined.filter(joined.account_id.isnull())
        top = missing.group_by("group_id").aggregate(n=missing.count()).order_by(ibis.desc("n")).to_pandas()
        if len(top):
            shown = ", ".join(f"{g} ({n})" for g, n in top.head(5).itertuples(index=False))
            more = f" and {len(top) - 5} more" if len(top) > 5 else ""
            imported.aside(
                int(top["n"].sum()),
                f"events of {len(top):,} group ids not in {crosswalk.file}'s analytics_id (events per id: "
                f"{shown}{more})",
            )
        mapped = joined.filter(joined.account_id.notnull())
    final = mapped.select("user_id", "account_id", "occurred_at", "event")
    con.to_parquet(final, str(out))
    return int(con.read_parquet(str(out)).count().to_pandas())
