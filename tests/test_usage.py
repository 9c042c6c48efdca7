"""Usage at a date: one trailing-window definition, the same from the users table and from events."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.data import load_dataset
from playbook.data.events import EventsAt
from playbook.data.usage import account_usage, usage_at_expr, usage_from_events, usage_from_spans

D = pd.Timestamp


USERS = pd.DataFrame(
    {
        "user_id": ["U1", "U2", "U3", "U4"],
        "account_id": ["A", "A", "A", "B"],
        "first_active": [D("2024-01-01"), D("2024-03-01"), D("2024-06-02"), D("2024-01-01")],
        "last_active": [D("2024-12-31"), D("2024-05-31"), D("2024-12-31"), D("2024-02-01")],
        "department": ["eng", "sales", "eng", "eng"],
    }
)


def test_active_means_active_somewhere_in_the_window_ending_on_the_day():
    pairs = pd.DataFrame(
        {
            "account_id": ["A", "A", "A", "B"],
            "date": [D("2024-06-01"), D("2024-06-02"), D("2024-06-28"), D("2024-06-01")],
        }
    )
    usage = usage_from_spans(USERS, pairs, window_days=28)
    # 1 June: U1, and U2 whose last activity (31 May) lies in the 28 days ending on 1 June; U3 starts
    # on 2 June. 28 June: U2's last day is 29 days back, out of the window. B: U4 stopped in February.
    assert usage["active_users"].tolist() == [2, 3, 2, 0]
    assert usage["departments"].tolist() == [2, 2, 1, 0]
    # a one-day window is "active on the day"
    assert usage_from_spans(USERS, pairs, window_days=1)["active_users"].tolist() == [1, 2, 2, 0]


def test_from_events_an_event_in_the_window_counts_and_a_gap_does_not(tmp_path):
    events = pd.DataFrame(
        {
            "user_id": ["U1", "U1", "U2", "U3"],
            "account_id": ["A", "A", "A", "A"],
            "occurred_at": pd.to_datetime(
                ["2024-01-05 10:00", "2024-06-20 08:00", "2024-05-20 23:59", "2024-07-15 00:00"]
            ),
        }
    )
    path = tmp_path / "events.parquet"
    events.to_parquet(path, index=False)
    pairs = pd.DataFrame(
        {"account_id": ["A", "A", "A"], "date": [D("2024-03-01"), D("2024-06-01"), D("2024-06-30")]}
    )
    usage = usage_from_events(
        EventsAt(files=(path,)), pairs, as_of=D("2024-06-30"), window_days=28, users=USERS
    )
    # 1 March: U1's events are on 5 Jan and 20 Jun, none in the window (its span would have counted).
    # 1 June: U2's event of 20 May. 30 June: U1 (20 Jun); U3's event is after as_of, never counted.
    assert usage["active_users"].tolist() == [0, 1, 1]
    assert usage["departments"].tolist() == [0, 1, 1]


def test_the_usage_expression_is_portable_beyond_duckdb():
    events = ibis.table(
        {"user_id": "string", "account_id": "string", "occurred_at": "timestamp"}, name="events"
    )
    windows = ibis.table({"pair": "int64", "account_id": "string", "start": "date", "date": "date"}, name="w")
    departments = ibis.table({"user_id": "string", "department": "string"}, name="d")
    expr = usage_at_expr(events, windows, departments, as_of=D("2026-09-30"))
    for dialect in ("pyspark", "postgres", "snowflake"):
        assert "GROUP BY" in ibis.to_sql(expr, dialect=dialect).upper()


@pytest.mark.parametrize("name", ["ready", "mirage"])
def test_the_events_path_and_the_users_path_agree(name):
    """The samples' events are dense (one at least every 27 days while a user is active), so both
    paths give the same usage at every date the analyses need."""
    from_events = account_usage(load_dataset(SAMPLES_DIR / name))
    from_users = account_usage(load_dataset(SAMPLES_DIR / name, derive_activity=False))
    for part in ("deals", "now", "year_ago"):
        pd.testing.assert_frame_equal(
            getattr(from_events, part), getattr(from_users, part), check_dtype=False
        )


def test_a_rollout_after_a_won_deal_never_counts_at_the_deal():
    """Plant a big rollout after every win: usage at opening must not change, today's must."""
    data = load_dataset(SAMPLES_DIR / "ready", derive_activity=False)
    won = data.opportunities[data.opportunities["outcome"] == "won"]
    rollout = pd.DataFrame(
        {
            "user_id": [f"X{i}" for i in range(len(won) * 50)],
            "account_id": won["account_id"].repeat(50).to_numpy(),
            "first_active": (won["closed_at"] + pd.Timedelta(days=1)).repeat(50).to_numpy(),
            "last_active": data.as_of,
            "department": "rollout",
        }
    )
    pairs = pd.DataFrame({"account_id": won["account_id"], "date": won["opened_at"]})
    with_rollout = pd.concat([data.users, rollout], ignore_index=True)
    before = usage_from_spans(data.users, pairs, window_days=28)
    after = usage_from_spans(with_rollout, pairs, window_days=28)
    pd.testing.assert_frame_equal(before, after)
    today = pairs.assign(date=data.as_of)
    jump = (
        usage_from_spans(with_rollout, today, window_days=28)["active_users"]
        - usage_from_spans(data.users, today, window_days=28)["active_users"]
    )
    assert (jump == 50).all()
