"""The as_of cut: a run at X on full data equals a run on the data cut at X by hand."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.data import load_dataset
from playbook.data.cut import SNAPSHOTS, cut_at
from playbook.data.notes import Note
from playbook.runner.params import Params
from playbook.runner.results import assess_all

D = pd.Timestamp
CUT = "2025-09-30"


def test_each_rule_by_hand():
    tables = {
        "arr_monthly": pd.DataFrame(
            {"month": [D("2025-08-01"), D("2025-09-01"), D("2025-10-01")], "arr": [1, 2, 3]}
        ),
        "accounts": pd.DataFrame(
            {"account_id": ["A", "B"], "created_at": [D("2024-01-01"), D("2025-10-02")]}
        ),
        "users": pd.DataFrame(
            {
                "user_id": ["U1", "U2", "U3"],
                "first_active": [D("2025-01-01"), D("2025-09-01"), D("2025-10-05")],
                "last_active": [D("2025-02-01"), D("2025-12-01"), D("2025-11-01")],
            }
        ),
        "opportunities": pd.DataFrame(
            {
                "opportunity_id": ["O1", "O2", "O3"],
                "opened_at": [D("2025-01-01"), D("2025-08-01"), D("2025-10-01")],
                "outcome": ["won", "lost", "open"],
                "closed_at": [D("2025-03-01"), D("2025-11-01"), pd.NaT],
            }
        ),
        "feature_requests": pd.DataFrame(
            {"request_id": ["R1", "R2"], "created_at": [D("2025-09-30"), D("2025-10-01")]}
        ),
    }
    cut, report = cut_at(tables, D(CUT))
    assert cut["arr_monthly"]["arr"].tolist() == [1, 2]
    assert cut["accounts"]["account_id"].tolist() == ["A"]
    assert cut["users"]["user_id"].tolist() == ["U1", "U2"]
    assert cut["users"]["last_active"].tolist() == [D("2025-02-01"), D(CUT)]  # clipped
    assert cut["opportunities"]["outcome"].tolist() == ["won", "open"]  # closed after as_of: still open
    assert cut["opportunities"]["closed_at"].isna().tolist() == [False, True]
    assert cut["feature_requests"]["request_id"].tolist() == ["R1"]
    assert {(s.table, s.rows) for s in report} == {
        ("arr_monthly", 1),
        ("accounts", 1),
        ("users", 1),
        ("users", 1),
        ("opportunities", 1),
        ("feature_requests", 1),
    } and len(report) == 7
    assert tables["users"]["last_active"].max() == D("2025-12-01")  # the input is never changed


def cut_by_hand(source, folder, when: str):
    """A copy of a sample folder holding only what was known at `when`, written by hand."""
    when = D(when)
    folder.mkdir()
    for path in source.iterdir():
        if path.suffix not in (".csv", ".parquet"):
            continue
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
        name = path.stem
        dates = {
            "accounts": "created_at",
            "users": "first_active",
            "opportunities": "opened_at",
            "feature_requests": "created_at",
        }
        if name == "arr_monthly":
            frame = frame[pd.to_datetime(frame["month"]) + pd.offsets.MonthEnd(0) <= when]
        elif name == "events":
            frame = frame[frame["occurred_at"].dt.normalize() <= when]
        elif name in dates:
            frame = frame[pd.to_datetime(frame[dates[name]]) <= when]
        if name == "users":
            frame = frame.assign(last_active=frame["last_active"].clip(upper=when))
        if name == "opportunities":
            later = pd.to_datetime(frame["closed_at"]) > when
            frame = frame.assign(
                outcome=frame["outcome"].where(~later, "open"), closed_at=frame["closed_at"].where(~later)
            )
        if name == "account_map":  # written after accounts: its rows of accounts known then
            continue
        if path.suffix == ".parquet":
            frame.to_parquet(folder / path.name, index=False)
        else:
            frame.to_csv(folder / path.name, index=False)
    ids = pd.read_csv(source / "account_map.csv", dtype=str)
    known = pd.read_csv(folder / "accounts.csv", dtype=str)["account_id"]
    ids[ids["account_id"].isin(known)].to_csv(folder / "account_map.csv", index=False)
    return folder


def comparable(results) -> dict:
    """What must match: every section's summary (thresholds, n, pipeline, elasticities, shares, months)."""
    out = {}
    for name in ("timing", "penetration", "enterprise_demand"):
        section = results.section(name).to_dict()
        section.pop("notes", None)
        out[name] = section
    return out


@pytest.mark.parametrize("name", ["early", "ready", "late", "mirage"])
def test_a_backtest_equals_a_run_on_data_cut_by_hand(tmp_path, name):
    params = Params(n_boot=500)
    sections = ("timing", "penetration", "enterprise_demand")
    full = load_dataset(SAMPLES_DIR / name, as_of=CUT)
    by_hand = load_dataset(cut_by_hand(SAMPLES_DIR / name, tmp_path / "cut", CUT))
    assert full.as_of == by_hand.as_of == D(CUT)
    assert comparable(assess_all(full, params, sections)) == comparable(assess_all(by_hand, params, sections))
    told = {s.table for s in full.set_aside}
    assert {"arr_monthly", "opportunities", "feature_requests", "events"} <= told
    assert Note("backtest_snapshots", as_of="2025-09-30", columns=SNAPSHOTS) in full.notes
    shutil.rmtree(tmp_path / "cut")


def test_the_run_reports_what_the_cut_set_aside():
    """Regression: with as_of 2025-09-30 on ready the threshold used every closed deal, including
    the 221 opportunities opened after it, and 3,575 later feature requests."""
    data = load_dataset(SAMPLES_DIR / "ready", as_of=CUT)
    told = {s.rule: s.rows for s in data.set_aside}
    assert told["opportunities_opened_after"] > 100
    assert told["requests_after"] > 1000
    assert (data.opportunities["opened_at"] <= D(CUT)).all()
    assert (data.feature_requests["created_at"] <= D(CUT)).all()
    assert (data.accounts["created_at"] <= D(CUT)).all()
    closed = data.opportunities[data.opportunities["outcome"] != "open"]
    assert (closed["closed_at"] <= D(CUT)).all()
