"""Readiness: the overview's rules, the samples' answers, and agreement with every section."""

from __future__ import annotations

import pytest

from playbook import SAMPLES_DIR
from playbook.analyses.outcome import Skipped
from playbook.analyses.overview import assess_overview
from playbook.data import load_dataset
from playbook.runner.params import Params
from playbook.runner.results import assess_all
from playbook.views.overview import readiness_headline, reason_texts


@pytest.fixture(scope="module")
def results():
    return {
        name: assess_all(
            load_dataset(SAMPLES_DIR / name),
            Params(n_boot=500),
            ("timing", "penetration", "enterprise_demand"),
        )
        for name in ("early", "ready", "late")
    }


def readiness(r, **kwargs):
    return assess_overview(r.timing, r.penetration, r.enterprise_demand, **kwargs)


def words(r, overview):
    return reason_texts(overview, r.timing, r.penetration, r.enterprise_demand)


@pytest.mark.parametrize("name, verdict", [("early", "not_yet"), ("ready", "ready"), ("late", "overdue")])
def test_the_samples_give_their_answers(results, name, verdict):
    assert readiness(results[name]).verdict == verdict


def test_not_yet_says_what_is_missing_and_what_would_change_it(results):
    r = results["early"]
    overview = readiness(r)
    assert {m.prerequisite for m in overview.missing} >= {"tipping_point", "customer_driven"}
    text = readiness_headline(overview, words(r, overview))
    assert text.startswith("Not yet. Missing:") and "closed top-down deals" in text
    assert f"needs about {r.penetration.threshold.needed.closed_deals:,} closed top-down deals" in text


def test_min_ready_accounts_is_a_parameter(results):
    r = results["ready"]
    assert readiness(r, min_ready_accounts=10**6).verdict == "not_yet"
    with pytest.raises(ValueError, match="at least 0"):
        readiness(r, min_ready_accounts=-1)


def test_the_pipeline_prerequisite_reads_the_conservative_end_of_the_ready_count(results):
    """DESIGN: a verdict that depends on an estimated threshold reads its conservative end."""
    r = results["ready"]
    low, point = r.penetration.ready_accounts_p10, len(r.penetration.ready)
    assert 0 < low < point
    assert readiness(r, min_ready_accounts=low).reason("ready_accounts").met
    assert not readiness(r, min_ready_accounts=low + 1).reason("ready_accounts").met  # the point would pass
    texts = words(r, readiness(r, min_ready_accounts=low + 1))
    assert f"P10 {low:,} ready accounts" in texts[2].evidence


def test_the_overview_reads_the_demand_verdict_and_cannot_disagree_with_it():
    """Regression: with min_customer_share 0.9 section 03 said customer-driven while the overview
    said the prerequisite was not met (the section used a hard-coded 0.5)."""
    data = load_dataset(SAMPLES_DIR / "ready")
    for share in (0.5, 0.9):
        r = assess_all(data, Params(n_boot=500, min_customer_share=share), ("enterprise_demand", "overview"))
        customer = r.overview.reason("customer_driven").met
        assert customer == (r.enterprise_demand.verdict == "customer-driven")
    assert r.enterprise_demand.verdict == "sales-driven" and r.overview.verdict == "not_yet"


def test_late_is_overdue_whatever_else_holds(results):
    r = results["late"]
    skipped_pen, skipped_demand = (
        Skipped(section="penetration", missing=("users",)),
        Skipped(section="enterprise_demand", missing=("feature_requests",)),
    )
    overview = assess_overview(r.timing, skipped_pen, skipped_demand)
    assert overview.verdict == "overdue"
    texts = reason_texts(overview, r.timing, skipped_pen, skipped_demand)
    assert "close the gaps fast" in readiness_headline(overview, texts)


def test_summary_reasons_have_the_contract_fields(results):
    summary = readiness(results["ready"]).to_dict()
    assert summary["verdict"] == "ready" and "readiness" not in summary
    assert all(set(r) >= {"prerequisite", "met", "section"} for r in summary["reasons"])
