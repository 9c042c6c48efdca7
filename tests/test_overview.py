"""Overview and diff: the readiness rules, the samples' answers, and what changed between runs."""
from __future__ import annotations

import pytest

from playbook import SAMPLES_DIR
from playbook.data import load_dataset
from playbook.demand import assess_enterprise_demand
from playbook.diff import changes, previous_run
from playbook.overview import assess_readiness, readiness_headline
from playbook.penetration import assess_penetration
from playbook.report import Skipped
from playbook.timing import assess_timing


@pytest.fixture(scope="module")
def results():
    out = {}
    for name in ("early", "ready", "late"):
        data = load_dataset(SAMPLES_DIR / name)
        out[name] = (
            assess_timing(data.arr_monthly, as_of=data.as_of),
            assess_penetration(data.users, data.accounts, data.opportunities, as_of=data.as_of, n_boot=500),
            assess_enterprise_demand(data.feature_requests, data.accounts, as_of=data.as_of,
                                     opportunities=data.opportunities, features=data.features, users=data.users),
        )
    return out


@pytest.mark.parametrize("name, readiness", [("early", "not_yet"), ("ready", "ready"), ("late", "overdue")])
def test_the_samples_give_their_answers(results, name, readiness):
    assert assess_readiness(*results[name]).readiness == readiness


def test_not_yet_says_what_is_missing_and_what_would_change_it(results):
    overview = assess_readiness(*results["early"])
    missing = {r.prerequisite for r in overview.missing}
    assert "a tipping point from our own deals" in missing
    assert "customers, not sales, drive enterprise demand" in missing
    text = readiness_headline(overview)
    assert text.startswith("Not yet. Missing:") and "needs at least 30 closed top-down deals" in text


def test_thresholds_are_parameters(results):
    timing, pen, demand = results["ready"]
    assert assess_readiness(timing, pen, demand, min_ready_accounts=10**6).readiness == "not_yet"
    assert assess_readiness(timing, pen, demand, min_customer_share=0.95).readiness == "not_yet"


def test_late_is_overdue_whatever_else_holds(results):
    timing, _, _ = results["late"]
    skipped = Skipped("penetration", "no users")
    overview = assess_readiness(timing, skipped, Skipped("enterprise_demand", "no requests"))
    assert overview.readiness == "overdue"
    assert "close the gaps fast" in readiness_headline(overview)


def test_summary_reasons_have_the_contract_fields(results):
    summary = assess_readiness(*results["ready"]).to_dict()
    assert summary["readiness"] == "ready"
    assert all(set(r) >= {"prerequisite", "met", "evidence"} for r in summary["reasons"])


def test_diff_lists_changes_and_nothing_for_identical_summaries():
    a = {"overview": {"readiness": "not_yet"}, "timing": {"verdict": "early", "current_arr": 8e6},
         "enterprise_demand": {"top_by_arr_at_stake": [{"feature": "SAML SSO"}]}}
    b = {"overview": {"readiness": "ready"}, "timing": {"verdict": "in_window", "current_arr": 24e6},
         "enterprise_demand": {"top_by_arr_at_stake": [{"feature": "SCIM provisioning"}]}}
    assert changes(a, a) == []
    found = [str(c) for c in changes(a, b)]
    assert found[:3] == ["readiness: not_yet → ready", "timing verdict: early → in_window", "ARR: 8,000,000 → 24,000,000"]
    assert "top feature by ARR at stake: SAML SSO → SCIM provisioning" in found


def test_previous_run_is_the_latest_of_the_same_data(tmp_path):
    import json

    for name, data in [("run-001-a", "/d/a"), ("run-002-b", "/d/b"), ("run-010-a", "/d/a"), ("run-009-a", "/d/a")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text(json.dumps({"run": {"data_dir": data}}))
    assert previous_run(tmp_path, "/d/a").name == "run-010-a"  # by number, not by name
    assert previous_run(tmp_path, "/d/c") is None
