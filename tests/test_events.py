"""Events at scale: events -> user activity on DuckDB, checked by hand, across files, and on bad input."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from playbook.data import DataError, load_dataset
from playbook.data.events import EventsAt, user_activity, user_activity_expr
from tests.conftest import tiny_tables, write_tables

AS_OF = pd.Timestamp("2026-09-30")

EVENTS = pd.DataFrame(
    {
        "user_id": ["U1", "U1", "U1", "U1", "U2", "U2"],
        "account_id": ["A1", "A1", "A1", "A1", "A2", "A2"],
        "occurred_at": [
            "2025-01-05T09:00:00Z",  # first active
            "2026-09-10T08:00:00Z",  # in the 28 days (3 Sep - 30 Sep)
            "2026-09-10T17:30:00Z",  # same day: one active day, two events
            "2026-10-02T10:00:00Z",  # after as_of: ignored
            "2026-09-02T23:59:59Z",  # the day before the window
            "2026-09-03T00:00:00Z",  # the window's first day
        ],
    }
)


def test_activity_by_hand(tmp_path):
    path = tmp_path / "events.csv"
    EVENTS.to_csv(path, index=False)
    activity, later = user_activity(EventsAt(files=(path,)), as_of=AS_OF)
    activity = activity.set_index("user_id")
    assert later == 1  # the October event, after as_of
    assert activity.loc["U1", "first_active"] == pd.Timestamp("2025-01-05")
    assert activity.loc["U1", "last_active"] == pd.Timestamp("2026-09-10")  # the October event is after as_of
    assert (activity.loc["U1", "active_days_28d"], activity.loc["U1", "events_28d"]) == (1, 2)
    assert (activity.loc["U2", "active_days_28d"], activity.loc["U2", "events_28d"]) == (1, 1)


def test_a_folder_of_parquet_files_gives_the_same_activity(tmp_path):
    single = tmp_path / "events.csv"
    EVENTS.to_csv(single, index=False)
    folder = tmp_path / "events"
    folder.mkdir()
    typed = EVENTS.assign(occurred_at=pd.to_datetime(EVENTS["occurred_at"]).dt.tz_localize(None))
    for i, part in enumerate([typed.iloc[:3], typed.iloc[3:]]):
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    pd.testing.assert_frame_equal(
        user_activity(EventsAt(files=(single,)), as_of=AS_OF)[0],
        user_activity(EventsAt(files=tuple(sorted(folder.glob("*.parquet")))), as_of=AS_OF)[0],
    )


def events_company(tmp_path, events: pd.DataFrame):
    tables = tiny_tables()
    tables["events"] = events
    return write_tables(tmp_path / "company", tables)


def test_events_replace_the_activity_in_users_and_keep_its_descriptions(tmp_path):
    data = load_dataset(events_company(tmp_path, EVENTS))
    users = data.users.set_index("user_id")
    assert set(users.index) == {"U1", "U2"}  # users are those the events show
    assert users.loc["U1", "last_active"] == pd.Timestamp("2026-09-10")
    assert users.loc["U1", "department"] == "engineering"  # from users.csv


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda e: e.assign(occurred_at=e["occurred_at"].where(e.index != 2, "yesterday")),
            "events.csv, column 'occurred_at': must be an ISO-8601 timestamp — 1 event(s), e.g. 'yesterday'",
        ),
        (
            lambda e: e.assign(account_id=e["account_id"].where(e.index != 4, "A9")),
            "events.csv, column 'account_id': "
            "must name a known account_id in accounts — 1 event(s), e.g. 'A9'",
        ),
        (
            lambda e: e.assign(account_id=e["account_id"].where(e.index != 0, "A2")),
            "events.csv, column 'user_id': each user must belong to one account — 1 event(s), e.g. 'U1'",
        ),
        (
            lambda e: e.drop(columns="occurred_at"),
            "events.csv, column 'occurred_at': required column is missing",
        ),
    ],
)
def test_bad_events_get_a_clear_error(tmp_path, change, expected):
    with pytest.raises(DataError) as caught:
        load_dataset(events_company(tmp_path, change(EVENTS.copy())))
    assert expected in str(caught.value)


def test_the_expression_is_portable_beyond_duckdb():
    """The same Ibis expression compiles for engines where large event tables live."""
    events = ibis.table(
        {"user_id": "string", "account_id": "string", "occurred_at": "timestamp"}, name="events"
    )
    expr = user_activity_expr(events, as_of=AS_OF)
    for dialect in ("pyspark", "bigquery", "snowflake", "postgres"):
        assert "GROUP BY" in ibis.to_sql(expr, dialect=dialect).upper()
