"""Data that live in an engine: a `source.yaml` naming an Ibis backend and where each table lives.

    backend: postgres            # duckdb | postgres | pyspark | ibis
    postgres:                    # connection settings; never a password (PGPASSWORD or ~/.pgpass)
      host: db.internal
      port: 5432
      database: analytics
      user: playbook
      schema: saas               # optional: where unqualified table names are looked up
    tables:
      arr_monthly: finance.arr_monthly   # a table on the engine ("schema.table" or "table")
      accounts: crm_accounts
      events: product.events             # aggregated on the engine; only aggregates come back
      interview_scores:
        file: interviews.xlsx            # a file beside source.yaml

`duckdb` takes `path` (a database file, opened read-only); `pyspark` takes `master` (default
"local[2]") and optional `conf`, and a table may be `{parquet: path or glob}` read by Spark;
`ibis` takes `url`, any Ibis connection URL (`bigquery://project/dataset`,
`snowflake://user@account/DB/SCHEMA?warehouse=WH`), without a password. The session time zone is
UTC on every engine, so an event's day never depends on a server's zone.

Tables other than events are small (one row per account, deal or month): they are fetched and
checked by exactly the rules a file is. Events stay on the engine: their rules, the as_of cut, the
per-user activity and the usage at deal dates run there as Ibis expressions (`events`, `usage`).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import yaml

from playbook.data.errors import DataError, Problem

SOURCE_FILE = "source.yaml"
BACKENDS = ("duckdb", "postgres", "pyspark", "ibis")
SETTINGS = {
    "duckdb": {"path"},
    "postgres": {"host", "port", "database", "user", "schema"},
    "pyspark": {"master", "conf"},
    "ibis": {"url", "schema"},  # any Ibis backend by its connection URL (BigQuery, Snowflake, ...)
}
SECRETS = {"password", "passwd", "pwd", "secret", "token"}
WHAT_TO_CHECK = {
    "duckdb": "check the database file's path and that no other process holds it for writing",
    "postgres": "check host, port and database in source.yaml, that the server is running, and the "
    "credentials in PGPASSWORD (or PGUSER) or ~/.pgpass",
    "pyspark": "check the master URL in source.yaml and that Java 17 is installed (java -version)",
    "ibis": "check the url in source.yaml, that the backend is installed (pip install "
    "'ibis-framework[<backend>]') and its credentials in the environment",
}


@dataclass(frozen=True)
class Place:
    """Where one contract table lives: a table on the engine, a Parquet path read by the engine,
    or a file beside source.yaml."""

    table: str
    engine_table: str | None = None
    parquet: str | None = None
    file: Path | None = None

    @property
    def on_engine(self) -> bool:
        return self.file is None

    def describe(self, backend: str) -> str:
        if self.engine_table:
            return f"{backend} table {self.engine_table}"
        if self.parquet:
            return f"{backend} parquet {self.parquet}"
        return str(self.file.name)


@dataclass(frozen=True)
class Source:
    """A parsed source.yaml (no secrets: credentials come from the environment)."""

    path: Path
    backend: str
    settings: dict
    tables: dict[str, Place]

    def label(self, table: str) -> str:
        """How a table is named in error messages: the source file and where the table lives."""
        return f"{self.path.name}: {table} ({self.tables[table].describe(self.backend)})"


def is_source_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in (".yaml", ".yml")


def data_name(where: Path) -> str:
    """How run folders and the board pack name data: a folder by its name; a source.yaml by its
    folder's name (or by its stem when it has another name)."""
    if is_source_file(where):
        return where.parent.name if where.stem == "source" else where.stem
    return where.name


SOURCE_HEADING = "the data source cannot be used"


def _fail(path: Path, key: str | None, message: str) -> DataError:
    return DataError([Problem(path.name, key, message, label="key")], heading=SOURCE_HEADING)


def read_source(path: str | Path, known_tables: list[str]) -> Source:
    """Parse and check a source.yaml; DataError naming the key at fault."""
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _fail(path, None, f"cannot be read as YAML ({first_line(exc)})") from None
    if not isinstance(spec, dict):
        raise _fail(path, None, "must be a mapping with `backend` and `tables`")
    unknown = sorted(set(spec) - {"backend", "tables", *BACKENDS})
    if unknown:
        raise _fail(
            path, unknown[0], f"is not a source.yaml key (known: backend, tables, {', '.join(BACKENDS)})"
        )
    backend = spec.get("backend")
    if backend not in BACKENDS:
        raise _fail(path, "backend", f"must be one of {', '.join(BACKENDS)}, got {backend!r}")
    settings = spec.get(backend) or {}
    if not isinstance(settings, dict):
        raise _fail(path, backend, "must be a mapping of connection settings")
    secrets = sorted(k for k in settings if str(k).lower() in SECRETS)
    if secrets:
        raise _fail(
            path,
            f"{backend}.{secrets[0]}",
            "credentials never go in source.yaml: give them through the environment "
            "(for PostgreSQL: PGPASSWORD, or ~/.pgpass)",
        )
    extra = sorted(set(settings) - SETTINGS[backend])
    if extra:
        raise _fail(
            path,
            f"{backend}.{extra[0]}",
            f"is not a {backend} setting (known: {', '.join(sorted(SETTINGS[backend]))})",
        )
    if backend == "duckdb" and not settings.get("path"):
        raise _fail(path, "duckdb.path", "is required: the database file")
    if backend == "ibis":
        url = str(settings.get("url") or "")
        if "://" not in url:
            raise _fail(
                path, "ibis.url", "is required: an Ibis connection URL such as bigquery://project/dataset"
            )
        if urlsplit(url).password:
            raise _fail(
                path,
                "ibis.url",
                "credentials never go in source.yaml: leave the password out of the URL and give it "
                "as the backend reads it from the environment",
            )
    tables = spec.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise _fail(
            path, "tables", "must map contract tables to where they live (e.g. arr_monthly: finance.arr)"
        )
    places: dict[str, Place] = {}
    for table, where in tables.items():
        if table not in known_tables:
            raise _fail(
                path, f"tables.{table}", f"is not a contract table (known: {', '.join(known_tables)})"
            )
        if isinstance(where, str) and where.strip():
            places[table] = Place(table, engine_table=where.strip())
        elif isinstance(where, dict) and set(where) == {"file"}:
            places[table] = Place(table, file=(path.parent / str(where["file"])).resolve())
        elif isinstance(where, dict) and set(where) == {"parquet"} and backend in ("pyspark", "duckdb"):
            places[table] = Place(table, parquet=str((path.parent / str(where["parquet"])).resolve()))
        else:
            raise _fail(
                path,
                f"tables.{table}",
                "must be a table name on the engine, {file: PATH} or (duckdb, pyspark) {parquet: PATH}",
            )
    return Source(path.resolve(), backend, dict(settings), places)


# ---------------------------------------------------------------------------------------------
# Connections


_CONNECTIONS: dict[Path, object] = {}  # one connection per source file for the life of the process


def first_line(exc: BaseException) -> str:
    """An error's first line, at most 300 characters: what a driver says, without its context."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _connect_duckdb(source: Source):
    import ibis

    path = (source.path.parent / str(source.settings["path"])).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no database file at {path}")
    con = ibis.duckdb.connect(str(path), read_only=True)
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


def _connect_postgres(source: Source):
    import ibis

    s = source.settings
    con = ibis.postgres.connect(
        host=str(s.get("host", "localhost")),
        port=int(s.get("port", 5432)),
        database=s.get("database"),
        user=s.get("user") or os.environ.get("PGUSER"),
        password=os.environ.get("PGPASSWORD"),  # None: libpq reads ~/.pgpass
        connect_timeout=10,
    )
    con.raw_sql("SET TIME ZONE 'UTC'")
    return con


def _connect_pyspark(source: Source):
    import ibis
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(str(source.settings.get("master", "local[2]"))).appName("playbook")
    conf = {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    conf |= {str(k): str(v) for k, v in (source.settings.get("conf") or {}).items()}
    conf["spark.sql.session.timeZone"] = "UTC"  # never overridden: days are UTC days
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


# How to pin a session's time zone to UTC on backends reached by URL (others already work in UTC
# or have no session zone: BigQuery's timestamps are UTC).
UTC_SESSION_SQL = {
    "duckdb": "SET TimeZone = 'UTC'",
    "postgres": "SET TIME ZONE 'UTC'",
    "snowflake": "ALTER SESSION SET TIMEZONE = 'UTC'",
    "trino": "SET TIME ZONE 'UTC'",
}


def _connect_url(source: Source):
    import ibis

    con = ibis.connect(str(source.settings["url"]))
    if con.name in UTC_SESSION_SQL:
        con.raw_sql(UTC_SESSION_SQL[con.name])
    return con


CONNECTORS = {
    "duckdb": _connect_duckdb,
    "postgres": _connect_postgres,
    "pyspark": _connect_pyspark,
    "ibis": _connect_url,
}


def connect(source: Source):
    """The source's Ibis connection (opened once per process); DataError saying what to check."""
    if source.path in _CONNECTIONS:
        return _CONNECTIONS[source.path]
    try:
        con = CONNECTORS[source.backend](source)
    except ImportError as exc:
        if source.backend == "ibis":
            scheme = urlsplit(str(source.settings["url"])).scheme
            install_hint = f"pip install 'ibis-framework[{scheme}]'"
        else:
            install_hint = f"pip install -e '.[{'spark' if source.backend == 'pyspark' else source.backend}]'"
        raise _fail(
            source.path,
            "backend",
            f"the {source.backend} backend is not installed ({first_line(exc)}); install it: {install_hint}",
        ) from None
    except Exception as exc:  # drivers raise their own types; each means "cannot connect"
        raise _fail(
            source.path,
            source.backend,
            f"cannot connect to {source.backend} ({first_line(exc)}); {WHAT_TO_CHECK[source.backend]}",
        ) from None
    _CONNECTIONS[source.path] = con
    return con


def close_all() -> None:
    """Close every connection opened by `connect` (the Spark session is stopped)."""
    while _CONNECTIONS:
        _, con = _CONNECTIONS.popitem()
        with contextlib.suppress(Exception):  # closing is best effort: the process is ending anyway
            con.disconnect()


def engine_failure(source: Source, exc: BaseException) -> str:
    """What to say when a query on the engine fails after connecting."""
    return f"the query on {source.backend} failed ({first_line(exc)}); {WHAT_TO_CHECK[source.backend]}"


def engine_table(source: Source, table: str):
    """An Ibis table expression for a contract table on the engine; DataError when it is absent."""
    con = connect(source)
    place = source.tables[table]
    try:
        if place.parquet:
            return con.read_parquet(place.parquet)
        *schema, name = place.engine_table.split(".")
        if not schema and source.settings.get("schema"):
            schema = [str(source.settings["schema"])]
        return con.table(name, database=".".join(schema) or None)
    except Exception as exc:
        where = f"parquet path {place.parquet}" if place.parquet else f"table {place.engine_table}"
        raise _fail(
            source.path,
            f"tables.{table}",
            f"{where} not found on {source.backend} ({first_line(exc)}); check the name (and "
            "schema) in source.yaml and that the user may read it",
        ) from None


def fetch(source: Source, table: str, key: tuple[str, ...]) -> pd.DataFrame:
    """A small table fetched whole, in a stable order (by its key columns when present)."""
    expr = engine_table(source, table)
    try:
        frame = expr.to_pandas()
    except Exception as exc:
        raise DataError(
            [Problem(source.label(table), None, engine_failure(source, exc))], heading=SOURCE_HEADING
        ) from None
    order = [c for c in key if c in frame.columns]
    if order:
        frame = frame.sort_values(order, kind="stable", ignore_index=True)
    return frame
