"""The same analyses where the data live: a DuckDB database file, a real PostgreSQL server and a
local Spark session, each pointed at by a source.yaml and compared with the folder of files.

PostgreSQL and Spark skip locally, with the reason, only when their binaries are absent; under
CI=true they never skip (`.ci/run` installs them).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.data import DataError, load_dataset
from playbook.data.engines import close_all, read_source
from playbook.data.usage import account_usage
from playbook.runner.run import run_playbook
from tests.conftest import require
from tests.engine_servers import (
    duckdb_file,
    free_port,
    load_postgres,
    postgres_bin,
    postgres_cluster,
    sample_files,
    write_source,
)
from tests.test_cli import cli

TABLES = ["arr_monthly", "accounts", "users", "opportunities", "feature_requests", "features"]


def assert_same_data(engine, folder) -> None:
    """Every table, the per-user activity and the penetration inputs, row for row."""
    assert engine.as_of == folder.as_of
    assert engine.set_aside == folder.set_aside
    for name in TABLES:
        a, b = getattr(engine, name), getattr(folder, name)
        assert (a is None) == (b is None), name
        if a is None:
            continue
        order = list(b.columns[:2])
        a = a[b.columns].sort_values(order, ignore_index=True)
        b = b.sort_values(order, ignore_index=True)
        # Engines return their own numeric widths; values must agree (floats to 1e-9 relative).
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9, obj=name)
    ua, ub = account_usage(engine), account_usage(folder)
    for part in ("deals", "now", "year_ago"):
        pd.testing.assert_frame_equal(getattr(ua, part), getattr(ub, part), obj=part)


def comparable(summary: dict) -> dict:
    """A summary without the run's own description of where its data came from."""
    summary = json.loads(json.dumps(summary))
    for key in ("data_dir", "data_name"):
        summary["run"].pop(key)
    return summary


# ---------------------------------------------------------------------------------------------
# source.yaml


@pytest.mark.parametrize(
    "spec, key, words",
    [
        (
            "backend: oracle\ntables: {arr_monthly: arr}\n",
            "backend",
            "must be one of duckdb, postgres, pyspark",
        ),
        (
            "backend: postgres\npostgres: {host: h, password: hunter2}\ntables: {arr_monthly: arr}\n",
            "postgres.password",
            "credentials never go in source.yaml",
        ),
        (
            "backend: duckdb\nduckdb: {path: x.duckdb}\ntables: {revenue: arr}\n",
            "tables.revenue",
            "not a contract",
        ),
        ("backend: duckdb\ntables: {arr_monthly: arr}\n", "duckdb.path", "is required"),
        ("backend: postgres\npostgres: {host: h, db: x}\ntables: {arr_monthly: a}\n", "postgres.db", "not a"),
        ("backend: duckdb\nduckdb: {path: x}\ntables: {arr_monthly: [a]}\n", "tables.arr_monthly", "must be"),
        (
            "backend: ibis\nibis: {url: 'snowflake://me:hunter2@acct/DB/S'}\ntables: {arr_monthly: a}\n",
            "ibis.url",
            "credentials never go in source.yaml",
        ),
    ],
)
def test_a_wrong_source_yaml_names_its_key(tmp_path, spec, key, words):
    path = tmp_path / "source.yaml"
    path.write_text(spec)
    with pytest.raises(DataError) as err:
        read_source(path, ["arr_monthly", "accounts"])
    message = str(err.value)
    assert "source.yaml" in message and key in message and words in message
    assert "hunter2" not in message


# ---------------------------------------------------------------------------------------------
# DuckDB database file


@pytest.fixture(scope="module")
def duckdb_source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("duckdb-source")
    places = duckdb_file(SAMPLES_DIR / "early", folder / "warehouse.duckdb")
    places["account_map"] = {"file": str(SAMPLES_DIR / "early" / "account_map.csv")}
    return write_source(folder, "duckdb", {"path": "warehouse.duckdb"}, places)


def test_a_duckdb_file_gives_the_folders_data(duckdb_source):
    assert_same_data(load_dataset(duckdb_source), load_dataset(SAMPLES_DIR / "early"))
    # A backtest cuts the events on the engine exactly as on the files.
    assert_same_data(
        load_dataset(duckdb_source, as_of="2025-09-30"),
        load_dataset(SAMPLES_DIR / "early", as_of="2025-09-30"),
    )
    close_all()


def test_any_ibis_backend_by_its_url(duckdb_source, tmp_path):
    """`backend: ibis` reaches a backend by its connection URL (how BigQuery or Snowflake would be
    named); tested here with DuckDB's URL on the same database file."""
    import yaml

    spec = yaml.safe_load(duckdb_source.read_text())
    database = duckdb_source.parent / spec.pop("duckdb")["path"]
    spec |= {"backend": "ibis", "ibis": {"url": f"duckdb://{database}"}}
    source = tmp_path / "source.yaml"
    source.write_text(yaml.safe_dump(spec))
    assert_same_data(load_dataset(source), load_dataset(SAMPLES_DIR / "early"))
    close_all()


def test_a_folder_holding_source_yaml_is_read_through_it(duckdb_source):
    assert load_dataset(duckdb_source.parent).source == duckdb_source
    close_all()


def _broken_copy(duckdb_source: Path, tmp_path: Path, sql: str) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(duckdb_source.parent, folder)
    con = duckdb.connect(str(folder / "warehouse.duckdb"))
    con.execute(sql)
    con.close()
    return folder / "source.yaml"


@pytest.mark.parametrize(
    "sql, words",
    [
        ("DROP TABLE saas.accounts", ["tables.accounts", "saas.accounts not found on duckdb"]),
        (
            "ALTER TABLE saas.accounts DROP COLUMN employee_count",
            ["accounts (duckdb table saas.accounts)", "employee_count", "required column is missing"],
        ),
        (
            "ALTER TABLE saas.events DROP COLUMN occurred_at",
            ["events (duckdb table saas.events)", "occurred_at"],
        ),
        (
            "UPDATE saas.events SET account_id = 'NOPE' "
            "WHERE user_id = (SELECT min(user_id) FROM saas.events)",
            ["events (duckdb table saas.events)", "must name a known account_id", "'NOPE'"],
        ),
    ],
)
def test_what_is_wrong_on_the_engine_is_a_clear_error(duckdb_source, tmp_path, sql, words):
    source = _broken_copy(duckdb_source, tmp_path, sql)
    out = tmp_path / "reports"
    done = cli("run", "--data", str(source), "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr, (word, done.stderr)
    assert not out.exists() or not any(out.iterdir())


# ---------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    require(postgres_bin() is not None, "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    folder = tmp_path_factory.mktemp("postgres-source")
    with postgres_cluster() as server:
        places = load_postgres(server, SAMPLES_DIR / "ready")
        places["account_map"] = {"file": str(SAMPLES_DIR / "ready" / "account_map.csv")}
        yield server, write_source(folder, "postgres", server.settings(), places)
        close_all()


def test_postgres_gives_the_folders_data(postgres, monkeypatch):
    server, source = postgres
    monkeypatch.setenv("PGPASSWORD", server.password)
    assert_same_data(load_dataset(source), load_dataset(SAMPLES_DIR / "ready"))
    close_all()


def _variant(source: Path, name: str, change) -> Path:
    import yaml

    spec = yaml.safe_load(source.read_text())
    change(spec)
    path = source.parent / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_bad_postgres_connections_are_clear_errors(postgres, tmp_path):
    server, source = postgres
    good = {"PGPASSWORD": server.password}
    closed_port = free_port()
    cases = [
        (source, {"PGPASSWORD": "wrong"}, ["cannot connect to postgres", "password authentication failed"]),
        (
            _variant(source, "unreachable", lambda s: s["postgres"].update(port=closed_port)),
            good,
            ["cannot connect to postgres", "check host, port"],
        ),
        (
            _variant(source, "missing-table", lambda s: s["tables"].update(accounts="saas.no_such_table")),
            good,
            ["tables.accounts", "saas.no_such_table not found on postgres"],
        ),
    ]
    for path, env, words in cases:
        out = tmp_path / path.stem
        done = cli("run", "--data", str(path), "--out", str(out), env=env)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and server.password not in done.stderr
        assert path.name in done.stderr
        for word in words:
            assert word in done.stderr, (word, done.stderr)
        assert not out.exists() or not any(out.iterdir())


def test_a_missing_column_on_postgres_names_table_and_column(postgres, monkeypatch):
    server, source = postgres
    monkeypatch.setenv("PGPASSWORD", server.password)
    with server.connect() as pg:
        pg.execute("CREATE TABLE saas.events_no_time AS SELECT user_id, account_id FROM saas.events LIMIT 10")
        pg.commit()
    path = _variant(source, "no-time", lambda s: s["tables"].update(events="saas.events_no_time"))
    with pytest.raises(DataError) as err:
        load_dataset(path)
    assert "events (postgres table saas.events_no_time)" in str(err.value)
    assert "occurred_at" in str(err.value)
    close_all()


# ---------------------------------------------------------------------------------------------
# Spark


@pytest.fixture(scope="module")
def spark_source(tmp_path_factory) -> Path:
    require(shutil.which("java") is not None, "Java (17) is not installed, so Spark cannot start")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        require(False, "pyspark is not installed (pip install -e '.[spark]')")
    sample = SAMPLES_DIR / "early"
    places = {name: {"file": str(path)} for name, path in sample_files(sample).items()}
    places["events"] = {"parquet": str(sample / "events.parquet")}
    source = write_source(tmp_path_factory.mktemp("spark-source"), "pyspark", {"master": "local[2]"}, places)
    yield source
    close_all()


def test_spark_gives_the_folders_data(spark_source):
    assert_same_data(load_dataset(spark_source), load_dataset(SAMPLES_DIR / "early"))


def test_a_run_on_spark_gives_the_folders_summary(spark_source, tmp_path):
    on_spark = run_playbook(spark_source, out_dir=tmp_path / "spark")
    on_files = run_playbook(SAMPLES_DIR / "early", out_dir=tmp_path / "files")
    assert not on_spark.failed and not on_files.failed
    assert comparable(on_spark.summary) == comparable(on_files.summary)
    assert on_spark.folder.name == "run-001-spark-source0"
