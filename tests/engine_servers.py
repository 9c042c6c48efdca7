"""Real engines for the tests: a throwaway PostgreSQL cluster, a DuckDB database file, and the
source.yaml files that point the playbook at them. Each loads a sample company as it is on disk.

PostgreSQL runs from Debian's `postgresql` package: `initdb` and `pg_ctl` start a private cluster
on a free local port (as the `postgres` system user when the tests run as root, since `initdb`
refuses root), with password authentication over TCP so wrong credentials can be tested.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

PG_USER = "playbook"
PG_PASSWORD = "throwaway-test-password"
PG_DATABASE = "company"
# DuckDB's inferred types, as PostgreSQL column types.
PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "BOOLEAN": "boolean",
}


def sample_files(sample: Path) -> dict[str, Path]:
    """The contract tables of a sample folder: table name -> its file."""
    return {p.stem: p for p in sorted(sample.iterdir()) if p.suffix in (".csv", ".parquet")}


def _relation(path: Path) -> str:
    return f"read_csv('{path}')" if path.suffix == ".csv" else f"read_parquet('{path}')"


def write_source(folder: Path, backend: str, settings: dict, tables: dict[str, str | dict]) -> Path:
    """A source.yaml in `folder`; returns its path."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "source.yaml"
    path.write_text(
        yaml.safe_dump({"backend": backend, backend: settings, "tables": tables}, sort_keys=False)
    )
    return path


def duckdb_file(sample: Path, database: Path, schema: str = "saas") -> dict[str, str]:
    """Load every table of a sample into a DuckDB database file; table -> schema.table."""
    con = duckdb.connect(str(database))
    try:
        con.execute(f"CREATE SCHEMA {schema}")
        for name, path in sample_files(sample).items():
            con.execute(f"CREATE TABLE {schema}.{name} AS SELECT * FROM {_relation(path)}")
    finally:
        con.close()
    return {name: f"{schema}.{name}" for name in sample_files(sample)}


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl (Debian keeps them out of PATH), or None when absent."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    database: str

    def settings(self, schema: str = "public") -> dict:
        return {
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "user": self.user,
            "schema": schema,
        }

    def connect(self):
        import psycopg

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=self.database
        )


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    """A throwaway PostgreSQL cluster on a free local port, stopped and removed afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    root = Path(tempfile.mkdtemp(prefix="playbook-pg-"))
    data = root / "data"
    pwfile = root / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if as_root:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, env=env, cwd=root)

    run(
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "--username",
        PG_USER,
        "--pwfile",
        str(pwfile),
        "--auth-host=scram-sha-256",
        "--auth-local=trust",
        "--encoding=UTF8",
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c TimeZone=UTC"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
    try:
        server = Postgres("127.0.0.1", port, PG_USER, PG_PASSWORD, "postgres")
        with server.connect() as conn:
            conn.autocommit = True
            conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        yield Postgres("127.0.0.1", port, PG_USER, PG_PASSWORD, PG_DATABASE)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def load_postgres(server: Postgres, sample: Path, schema: str = "saas") -> dict[str, str]:
    """Load every table of a sample into PostgreSQL with COPY (types as DuckDB infers them)."""
    con = duckdb.connect()
    with server.connect() as pg:
        pg.execute(f"CREATE SCHEMA {schema}")
        for name, path in sample_files(sample).items():
            relation = con.sql(f"SELECT * FROM {_relation(path)}")
            columns = ", ".join(
                f'"{c}" {PG_TYPES.get(str(t), "text")}'
                for c, t in zip(relation.columns, relation.types, strict=True)
            )
            pg.execute(f"CREATE TABLE {schema}.{name} ({columns})")
            with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
                relation.write_csv(tmp.name, header=True)
                sql = f"COPY {schema}.{name} FROM STDIN (FORMAT csv, HEADER true)"
                with pg.cursor().copy(sql) as copy, open(tmp.name, "rb") as f:
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
        pg.commit()
    con.close()
    return {name: f"{schema}.{name}" for name in sample_files(sample)}
