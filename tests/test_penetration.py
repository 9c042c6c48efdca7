"""Penetration: point-in-time usage, a planted threshold recovered, no leak from later rollouts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.analyses.accounts import power_users
from playbook.analyses.penetration import (
    RULES_OF_THUMB,
    assess_penetration,
    best_cut,
    deal_usage,
    tipping_point,
    usage_at,
    win_curve,
)
from playbook.data import load_dataset
from playbook.views.penetration import power_user_table
from playbook.views.people import mask_email

D = pd.Timestamp


def planted_deals(rng, n: int = 300, threshold: float = 0.05, low: float = 0.1, high: float = 0.6):
    """Deals whose win rate steps from `low` to `high` at `threshold` of employee penetration."""
    signal = np.exp(rng.uniform(np.log(0.002), np.log(0.4), n))
    won = rng.uniform(size=n) < np.where(signal >= threshold, high, low)
    return pd.Series(signal), pd.Series(won)


def test_usage_counts_only_users_active_on_the_day():
    users = pd.DataFrame(
        {
            "account_id": ["A", "A", "A", "B"],
            "first_active": [D("2024-01-01"), D("2024-03-01"), D("2024-06-02"), D("2024-01-01")],
            "last_active": [D("2024-12-31"), D("2024-05-31"), D("2024-12-31"), D("2024-02-01")],
            "department": ["eng", "sales", "eng", "eng"],
        }
    )
    accounts = pd.DataFrame({"account_id": ["A", "B"], "employee_count": [10, 4]})
    when = pd.DataFrame(
        {"account_id": ["A", "A", "B"], "date": [D("2024-06-01"), D("2024-06-02"), D("2024-06-01")]}
    )
    usage = usage_at(users, accounts, when)
    # 1 June: user 1 only (user 2 stopped in May, user 3 starts on 2 June); B: nobody
    assert usage["active_users"].tolist() == [1, 2, 0]
    assert usage["departments"].tolist() == [1, 1, 0]
    assert usage["employee_penetration"].tolist() == [0.1, 0.2, 0.0]


def test_best_cut_finds_a_clean_step():
    signal = np.arange(20, dtype=float)
    won = signal >= 12
    assert best_cut(signal, won, min_group=3) == 12.0


def test_planted_threshold_lies_inside_the_interval(rng):
    signal, won = planted_deals(rng)
    t = tipping_point(signal, won, name="employee_penetration", n_boot=500, seed=1)
    assert t.source == "company_data"
    assert t.ci[0] <= 0.05 <= t.ci[1]
    assert t.ci[0] <= t.threshold <= t.ci[1]
    assert t.win_rate_above > t.win_rate_below and t.lift == pytest.approx(
        t.win_rate_above / t.win_rate_below
    )
    assert t.n == 300 and t.n_wins == int(won.sum())


def test_same_seed_same_interval(rng):
    signal, won = planted_deals(rng)
    first = tipping_point(signal, won, name="employee_penetration", n_boot=500, seed=7)
    assert first == tipping_point(signal, won, name="employee_penetration", n_boot=500, seed=7)


@pytest.mark.parametrize("n, wins", [(25, 12), (80, 6)])
def test_thin_data_falls_back_to_the_rule_of_thumb(n, wins):
    signal = pd.Series(np.linspace(0.001, 0.2, n))
    won = pd.Series(np.arange(n) >= n - wins)
    t = tipping_point(signal, won, name="departments")
    assert t.source == "rule_of_thumb" and t.ci is None
    assert t.threshold == RULES_OF_THUMB["departments"].value
    assert "Too thin" in t.note and f"{n} closed deals and {wins} wins" in t.note


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="signals are"):
        tipping_point(pd.Series([1.0]), pd.Series([True]), name="vibes")
    with pytest.raises(ValueError, match="at least 500"):
        tipping_point(pd.Series([1.0]), pd.Series([True]), name="seats", n_boot=100)


def test_win_curve_rises_with_the_signal_and_its_band_holds_the_fit(rng):
    signal, won = planted_deals(rng)
    curve = win_curve(signal, won, name="employee_penetration")
    grid = np.array([0.005, 0.02, 0.1, 0.3])
    p = curve.predict(grid)
    low, high = curve.interval(grid)
    assert np.all(np.diff(p) > 0)
    assert np.all((low <= p) & (p <= high))


def test_a_rollout_after_a_won_deal_does_not_move_the_threshold(rng):
    """Plant a big rollout after every win: usage at opening, and so the threshold, must not change."""
    data = load_dataset(SAMPLES_DIR / "ready")
    won = data.opportunities[data.opportunities["outcome"] == "won"]
    rollout = pd.DataFrame(
        {
            "user_id": [f"X{i}" for i in range(len(won) * 50)],
            "account_id": np.repeat(won["account_id"].to_numpy(), 50),
            "first_active": np.repeat((won["closed_at"] + pd.Timedelta(days=1)).to_numpy(), 50),
            "last_active": data.as_of,
            "department": "rollout",
        }
    )
    with_rollout = pd.concat([data.users, rollout], ignore_index=True)
    before = deal_usage(data.opportunities, data.users, data.accounts)
    after = deal_usage(data.opportunities, with_rollout, data.accounts)
    pd.testing.assert_frame_equal(before, after)
    # while today's usage of the won accounts did jump
    now = usage_at(
        with_rollout, data.accounts, pd.DataFrame({"account_id": won["account_id"], "date": data.as_of})
    )
    then = usage_at(
        data.users, data.accounts, pd.DataFrame({"account_id": won["account_id"], "date": data.as_of})
    )
    assert (now["active_users"] - then["active_users"] == 50).all()


@pytest.fixture(scope="module")
def assessed():
    out = {}
    for name in ("early", "ready", "late"):
        data = load_dataset(SAMPLES_DIR / name)
        out[name] = (
            data,
            assess_penetration(data.users, data.accounts, data.opportunities, as_of=data.as_of, n_boot=500),
        )
    return out


@pytest.mark.parametrize("name", ["ready", "late"])
def test_samples_recover_their_planted_threshold(assessed, name):
    truth = json.loads((SAMPLES_DIR / name / "planted_truths.json").read_text())["penetration_threshold"]
    t = assessed[name][1].thresholds["employee_penetration"]
    assert t.source == "company_data"
    assert t.ci[0] <= truth <= t.ci[1]


def test_the_early_sample_falls_back_honestly(assessed):
    result = assessed["early"][1]
    assert all(t.source == "rule_of_thumb" for t in result.thresholds.values())
    summary = result.to_dict()
    assert summary["employee_penetration"]["source"] == "rule_of_thumb"
    assert summary["employee_penetration"]["ci"] is None
    assert any("historical top-down win rate" in note for note in result.notes)


def test_summary_section_carries_the_contract_fields(assessed):
    summary = assessed["ready"][1].to_dict()
    for signal in ("employee_penetration", "departments", "seats"):
        assert set(summary[signal]) >= {
            "threshold",
            "ci",
            "win_rate_below",
            "win_rate_above",
            "lift",
            "n",
            "source",
        }
    assert summary["ready_accounts"] > 10 and summary["pipeline_value"] > 0
    assert summary["premature_accounts"] > 0
    assert {"country", "ready_accounts", "growth_12m"} <= set(summary["countries"][0])
    json.dumps(summary, allow_nan=False)


def test_ready_accounts_have_no_won_or_open_deal_and_are_ranked(assessed):
    data, result = assessed["ready"]
    engaged = set(data.opportunities.loc[data.opportunities["outcome"] != "lost", "account_id"])
    assert not engaged & set(result.ready["account_id"])
    threshold = result.thresholds["employee_penetration"].threshold
    assert (result.ready["employee_penetration"] >= threshold).all()
    assert result.ready["expected_value"].is_monotonic_decreasing


def test_premature_accounts_are_large_and_below_with_what_they_need(assessed):
    _, result = assessed["ready"]
    threshold = result.thresholds["employee_penetration"].threshold
    premature = result.premature
    assert (premature["employee_count"] >= 1000).all() and (
        premature["employee_penetration"] < threshold
    ).all()
    reached = (premature["active_users"] + premature["needed"]) / premature["employee_count"]
    assert (reached >= threshold).all()


def test_the_events_path_and_the_users_path_agree():
    from_events = load_dataset(SAMPLES_DIR / "ready")
    from_users = load_dataset(SAMPLES_DIR / "ready", derive_activity=False)
    a = assess_penetration(
        from_events.users,
        from_events.accounts,
        from_events.opportunities,
        as_of=from_events.as_of,
        n_boot=500,
    )
    b = assess_penetration(
        from_users.users, from_users.accounts, from_users.opportunities, as_of=from_users.as_of, n_boot=500
    )
    assert a.to_dict() == b.to_dict()


def test_power_users_most_active_first_and_their_emails_masked_unless_asked(assessed):
    assert mask_email("ada.lopez@acme.example") == "a•••@acme.example"
    assert mask_email(None) == "•••"
    users = pd.DataFrame(
        {
            "user_id": ["U1", "U2"],
            "account_id": ["A", "A"],
            "email": ["ada@x.example", "ben@x.example"],
            "last_active": [D("2026-09-30")] * 2,
            "events_28d": [3, 9],
        }
    )
    top = power_users(users, ["A"], as_of=D("2026-09-30"))
    assert top["user_id"].tolist() == ["U2", "U1"]  # most active first
    _, result = assessed["ready"]
    shown = power_user_table(result)
    assert shown["email"].str.contains("•••@").all()
    assert not power_user_table(result, show_pii=True)["email"].str.contains("•••").any()
