"""Enterprise demand: planted size elasticity recovered, ARR at stake by hand, honest without a catalogue."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.analyses.demand import (
    assess_enterprise_demand,
    customer_driven_share,
    is_enterprise,
    size_elasticity,
)
from playbook.analyses.penetration import open_deal_win_probability
from playbook.data import load_dataset
from playbook.runner.params import Params
from playbook.runner.results import assess_all
from playbook.views.demand import cost_benefit_sentences, disagreement
from tests.conftest import contract_error

AS_OF = pd.Timestamp("2026-09-30")


def test_enterprise_features_from_the_catalogue_else_the_category():
    requests = pd.DataFrame(
        {
            "feature": ["SAML SSO", "Dark mode", "Audit trail", "Emoji"],
            "category": [None, None, "Audit", None],
        }
    )
    catalogue = pd.DataFrame(
        {"feature": ["SAML SSO", "Dark mode"], "category": ["security", "ui"], "enterprise": [True, False]}
    )
    assert is_enterprise(requests, catalogue).tolist() == [True, False, True, False]
    assert is_enterprise(requests, None).tolist() == [False, False, True, False]


def test_planted_elasticity_is_recovered(rng):
    n = 3000
    seats = pd.Series(np.exp(rng.uniform(0, np.log(2000), n)))
    years = pd.Series(rng.uniform(0.5, 6, n))
    counts = pd.Series(rng.poisson(0.2 * years * 1.6 ** np.log2(seats)))
    e = size_elasticity(counts, seats, years, kind="enterprise")
    assert e.ci[0] <= 1.6 <= e.ci[1]
    # No size effect planted: the ratio sits at 1 (a tolerance, not interval coverage, which a
    # 95% interval misses one time in twenty: over 30 seeds the mean was 1.000 and 28 covered 1).
    flat = size_elasticity(pd.Series(rng.poisson(0.5 * years)), seats, years, kind="core")
    assert abs(flat.irr_per_doubling - 1) < 0.03 and flat.ci[1] < e.ci[0]
    rate, low, high = e.rate([8, 64])
    assert np.all(low <= rate) and np.all(rate <= high) and rate[1] > rate[0]


def test_customer_share_with_its_interval():
    requests = pd.DataFrame(
        {"source": ["support"] * 6 + ["community", "self_serve"] + ["sales"] * 2 + ["sales"]}
    )
    enterprise = pd.Series([True] * 10 + [False])
    share, ci, n = customer_driven_share(requests, enterprise)
    assert (share, n) == (0.8, 10)
    assert ci[0] < 0.8 < ci[1]
    assert customer_driven_share(requests.drop(columns="source"), enterprise) == (None, None, 0)


def small_company():
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "employee_count": [100, 200, 300],
            "seats": [10, 20, 30],
            "arr": [1000.0, 2000.0, 3000.0],
            "created_at": pd.to_datetime(["2024-01-01"] * 3),
        }
    )
    requests = pd.DataFrame(
        {
            "request_id": ["R1", "R2", "R3", "R4"],
            "account_id": ["A1", "A2", "A3", "A3"],
            "feature": ["SCIM", "SCIM", "Dark mode", "SCIM"],
            "created_at": pd.to_datetime(["2025-01-01"] * 4),
            "category": ["access control", "access control", "ui", "access control"],
            "source": ["support", "sales", "community", "support"],
        }
    )
    opportunities = pd.DataFrame(
        {
            "opportunity_id": ["O1", "O2", "O3"],
            "account_id": ["A1", "A2", "A3"],
            "opened_at": pd.to_datetime(["2026-01-01"] * 3),
            "outcome": ["open", "lost", "lost"],
            "amount": [10_000.0, 50_000.0, 7_000.0],
            "loss_reason": [None, "Missing feature: SCIM", "price"],
        }
    )
    return accounts, requests, opportunities


def assess_small(requests, accounts, opportunities, **kwargs):
    """Demand on a hand-built company; open deals valued at the historical win rate."""
    probability, source = open_deal_win_probability(opportunities, None)
    return assess_enterprise_demand(
        requests,
        accounts,
        as_of=AS_OF,
        opportunities=opportunities,
        win_probability=probability,
        win_probability_source=source,
        **kwargs,
    )


def test_arr_at_stake_by_hand_and_losses_beside_it():
    accounts, requests, opportunities = small_company()
    result = assess_small(requests, accounts, opportunities)
    rows = result.rankings.set_index("feature")
    # only A1 has an open deal; no closed deal was won, so the historical win rate is 0 of 2
    assert rows.loc["SCIM", "open_deals"] == 1
    assert rows.loc["SCIM", "arr_at_stake"] == 0.0
    # Dark mode was asked for only by A3, which has no open deal
    assert rows.loc["Dark mode", "arr_at_stake"] == 0.0 and rows.loc["Dark mode", "open_deals"] == 0
    assert rows.loc["SCIM", "lost_arr"] == 50_000.0  # named in the loss reason, not added to the stake
    assert rows.loc["SCIM", "requesting_arr"] == 6000.0 and rows.loc["SCIM", "accounts"] == 3
    assert result.to_dict()["lost_arr_by_feature"] == {"SCIM": 50000.0}


def test_arr_at_stake_uses_the_win_probability():
    accounts, requests, opportunities = small_company()
    opportunities = opportunities.assign(outcome=["open", "won", "lost"])
    result = assess_small(requests, accounts, opportunities)
    # historical win rate: 1 won of 2 closed
    assert result.rankings.set_index("feature").loc["SCIM", "arr_at_stake"] == pytest.approx(5_000.0)
    assert "historical top-down win rate (2 closed deals)" in result.win_probability_source


def test_without_a_catalogue_it_runs_on_categories_and_says_what_is_missing():
    accounts, requests, opportunities = small_company()
    result = assess_small(requests, accounts, opportunities, features=None)
    assert not result.has_effort
    assert any("payback cannot be computed" in note for note in result.notes)
    assert cost_benefit_sentences(result) == [
        "Payback is not computed: the features catalogue has no effort_weeks."
    ]
    top = result.to_dict()["top_by_arr_at_stake"][0]
    assert top["effort_weeks"] is None and top["payback"] is None


def test_bad_cost_is_rejected():
    accounts, requests, _ = small_company()
    with pytest.raises(ValueError, match="positive"):
        assess_enterprise_demand(requests, accounts, as_of=AS_OF, cost_per_engineering_week=0)


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda f: f.assign(account_id=["A1", "A7"]),
            "feature_requests.csv, column 'account_id': must name a known account_id",
        ),
        (
            lambda f: f.assign(created_at=["2020-01-01", "2024-02-01"]),
            "feature_requests.csv, column 'created_at': "
            "must not be before the account's created_at in accounts — line 2",
        ),
    ],
)
def test_requests_from_unknown_accounts_or_before_the_account_existed_are_rejected(
    tmp_path, change, expected
):
    assert expected in contract_error(tmp_path / "c", "feature_requests", change)


def assess_sample(data):
    """Demand on a sample company as a run computes it (open deals valued with the penetration curve)."""
    return assess_all(data, Params(n_boot=500), ("enterprise_demand",)).enterprise_demand


@pytest.fixture(scope="module")
def assessed():
    out = {}
    for name in ("early", "ready", "late"):
        data = load_dataset(SAMPLES_DIR / name)
        out[name] = (data, assess_sample(data))
    return out


@pytest.mark.parametrize("name", ["early", "ready", "late"])
def test_samples_recover_their_planted_elasticity(assessed, name):
    truths = json.loads((SAMPLES_DIR / name / "planted_truths.json").read_text())
    result = assessed[name][1]
    enterprise, core = result.elasticity["enterprise"], result.elasticity["core"]
    assert enterprise.ci[0] <= truths["enterprise_irr_per_doubling"] <= enterprise.ci[1]
    assert core.ci[0] <= truths["core_irr_per_doubling"] <= core.ci[1]


def test_ready_sample_ranks_differently_by_count_and_by_stake(assessed):
    summary = assessed["ready"][1].to_dict()
    top_stake = summary["top_by_arr_at_stake"][0]["feature"]
    assert summary["top_by_count"][0] == "Dark mode" != top_stake
    features = assessed["ready"][0].features.set_index("feature")
    assert features.loc[top_stake, "enterprise"]
    assert "Why: the accounts asking for Dark mode" in disagreement(assessed["ready"][1])


def test_ready_sample_is_customer_driven_and_early_is_not(assessed):
    assert assessed["ready"][1].customer_share > 0.5
    assert assessed["early"][1].customer_share < 0.5  # planted: 60% of early's enterprise requests via sales


def test_open_deals_use_the_penetration_curve_when_the_data_support_it(assessed):
    for name, expected in (
        ("ready", "the penetration win curve"),
        ("early", "the historical top-down win rate"),
    ):
        result = assessed[name][1]
        assert result.win_probability_source.startswith(expected), name
    data = assessed["ready"][0]
    penetration = assess_all(data, Params(n_boot=500), ("penetration",)).penetration
    probability, _ = open_deal_win_probability(data.opportunities, penetration)
    assert probability.between(0, 1).all() and probability.nunique() > 1
    probability, _ = open_deal_win_probability(data.opportunities, None)
    assert probability.nunique() == 1


def test_summary_section_carries_the_contract_fields(assessed):
    summary = assessed["ready"][1].to_dict()
    for kind in ("enterprise", "core"):
        assert set(summary["size_elasticity"][kind]) >= {"irr_per_doubling", "ci", "n_accounts"}
    assert 0 <= summary["customer_driven_share"] <= 1
    assert set(summary["top_by_arr_at_stake"][0]) == {
        "feature",
        "arr_at_stake",
        "accounts",
        "effort_weeks",
        "payback",
    }
    assert summary["lost_arr_by_feature"]  # planted: lost deals naming SAML SSO and role-based access control
    json.dumps(summary, allow_nan=False)


def test_cost_benefit_sentence_reads_like_the_issue(assessed):
    sentence = next(
        s for s in cost_benefit_sentences(assessed["ready"][1], top=20) if s.startswith("SCIM provisioning")
    )
    assert "SCIM provisioning: requested by" in sentence and "accounts, $" in sentence
    assert "of pipeline in play over the next six months, about 8 engineering weeks" in sentence
