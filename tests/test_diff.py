"""playbook diff: what changed between two runs, including runs written before schema version 2."""

from __future__ import annotations

import json

from playbook.runner.diff import changes, previous_run, read_summary, upgraded
from playbook.views.notes import change_text


def test_diff_lists_changes_and_nothing_for_identical_summaries():
    a = {
        "schema_version": 2,
        "overview": {"verdict": "not_yet"},
        "timing": {"verdict": "early", "current_arr": 8e6},
        "enterprise_demand": {"top_by_arr_at_stake": [{"feature": "SAML SSO"}]},
    }
    b = {
        "schema_version": 2,
        "overview": {"verdict": "ready"},
        "timing": {"verdict": "in_window", "current_arr": 24e6},
        "enterprise_demand": {"top_by_arr_at_stake": [{"feature": "SCIM provisioning"}]},
    }
    assert changes(a, a) == []
    found = [change_text(c.what, c.before, c.after) for c in changes(a, b)]
    assert found[:3] == [
        "readiness: not_yet → ready",
        "timing verdict: early → in_window",
        "ARR: 8,000,000 → 24,000,000",
    ]
    assert "top feature by ARR at stake: SAML SSO → SCIM provisioning" in found


def test_a_summary_from_before_schema_2_reads_with_one_verdict_key(tmp_path):
    old = {
        "overview": {"readiness": "ready"},
        "penetration": {"badge": "own threshold"},
        "enterprise_demand": {"badge": "customer-driven"},
        "leaders": {"badge": "C1 leads"},
        "compensation": {"recommended_plan": "50/50 individual"},
        "timing": {"verdict": "in_window"},
    }
    (tmp_path / "summary.json").write_text(json.dumps(old))
    now = read_summary(tmp_path)
    assert now["schema_version"] == 2
    assert now["overview"]["verdict"] == "ready" and "readiness" not in now["overview"]
    assert now["penetration"]["verdict"] == "own_threshold"
    assert now["enterprise_demand"]["verdict"] == "customer-driven"
    assert (now["leaders"]["verdict"], now["leaders"]["leader"]) == ("clear_leader", "C1")
    assert now["compensation"]["verdict"] == "50/50 individual"
    new = upgraded(now | {"overview": {"verdict": "not_yet"}})
    assert [change_text(c.what, c.before, c.after) for c in changes(now, new)] == [
        "readiness: ready → not_yet"
    ]
    assert upgraded({"leaders": {"badge": "no clear leader"}})["leaders"]["verdict"] == "no_clear_leader"


def test_previous_run_is_the_latest_of_the_same_data(tmp_path):
    for name, data in [
        ("run-001-a", "/d/a"),
        ("run-002-b", "/d/b"),
        ("run-010-a", "/d/a"),
        ("run-009-a", "/d/a"),
    ]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps({"run": {"data_dir": data}}))
    assert previous_run(tmp_path, "/d/a").name == "run-010-a"  # by number, not by name
    assert previous_run(tmp_path, "/d/c") is None
