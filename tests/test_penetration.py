"""Penetration: our threshold only with evidence, accounts valued only inside our deal experience,
and negative controls on whole generated companies."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.analyses.accounts import power_users
from playbook.analyses.win_curve import deal_size, win_curve
from playbook.data import load_dataset
from playbook.runner.params import Params
from playbook.runner.results import assess_all
from playbook.samples.companies import SAMPLES, write_sample
from playbook.views.overview import reason_texts
from playbook.views.penetration import power_user_table
from playbook.views.people import mask_email

D = pd.Timestamp
SECTIONS = ("penetration", "enterprise_demand", "overview")


def assess(folder, **params):
    return assess_all(
        load_dataset(folder, as_of=params.pop("as_of", None)), Params(n_boot=500, **params), SECTIONS
    )


@pytest.fixture(scope="module")
def samples():
    return {name: assess(SAMPLES_DIR / name) for name in ("early", "ready", "late", "mirage")}


@pytest.mark.parametrize("name", ["ready", "late"])
def test_samples_recover_their_planted_threshold_with_evidence(samples, name):
    """The planted step is on employee penetration; late's 122 closed deals cannot tell it from a
    gradual rise out of fold (and departments predict them as well), so only ready calls it a
    tipping point."""
    truth = json.loads((SAMPLES_DIR / name / "planted_truths.json").read_text())["penetration_threshold"]
    t = samples[name].penetration.thresholds["employee_penetration"]
    assert t.claimed and t.source == "company_data"
    assert t.p_adjusted < 0.05 and t.p_adjusted >= t.p_value and t.win_rate_above > t.win_rate_below
    assert t.ci[0] <= truth <= t.ci[1]
    assert (samples[name].penetration.verdict == "own_threshold") == (name == "ready")


def test_ready_names_the_signals_that_move_with_the_planted_one(samples):
    result = samples["ready"].penetration
    assert result.pipeline_signal == "employee_penetration" and result.choice.reason == "best_out_of_fold"
    assert result.choice.echoes.get("departments") == "employee_penetration"
    summary = result.to_dict()
    assert summary["departments"]["moves_with"] == "employee_penetration"
    assert summary["signal_choice"]["out_of_fold"]["employee_penetration"]["step_beats_smooth"] is True


def test_the_ready_count_carries_the_uncertainty_of_what_it_rests_on(samples):
    result = samples["ready"].penetration
    low, high = result.ready_range.accounts
    assert low <= len(result.ready) <= high and low < high
    value_low, value_high = result.ready_range.pipeline
    assert value_low <= result.pipeline_value <= value_high
    summary = result.to_dict()
    assert summary["ready_accounts_range"] == [low, high] and summary["ready_range"]["resamples"] >= 200
    overview = samples["ready"].overview
    assert overview.reason("ready_accounts").met == (low >= overview.min_ready_accounts)


def test_ready_stays_ready_and_mirage_is_refused(samples):
    assert samples["ready"].overview.verdict == "ready"
    mirage = samples["mirage"]
    assert mirage.penetration.verdict == "no_effect" and mirage.penetration.threshold.threshold is None
    assert mirage.overview.verdict == "not_yet"
    assert [r.prerequisite for r in mirage.overview.missing] == ["tipping_point", "ready_accounts"]
    texts = reason_texts(mirage.overview, mirage.timing, mirage.penetration, mirage.enterprise_demand)
    assert "our deals show no penetration effect (p = " in texts[1].evidence
    assert "after adjusting for the 3 signals tested" in texts[1].evidence
    summary = mirage.penetration.to_dict()
    assert summary["employee_penetration"]["threshold"] is None and summary["ready_accounts"] == 0
    assert summary["pipeline_value"] is None and len(mirage.penetration.by_usage) > 0


def test_the_early_sample_is_thin_and_says_what_would_be_needed(samples):
    early = samples["early"]
    t = early.penetration.threshold
    assert t.verdict == "too_few_deals" and t.needed.closed_deals > t.n
    texts = reason_texts(early.overview, early.timing, early.penetration, early.enterprise_demand)
    assert f"about {t.needed.closed_deals:,} closed top-down deals" in texts[1].to_change


def test_summary_per_signal(samples):
    summary = samples["ready"].penetration.to_dict()
    for signal in ("employee_penetration", "departments", "seats"):
        assert set(summary[signal]) >= {
            "threshold",
            "ci",
            "p_value",
            "n",
            "n_wins",
            "win_rate_above",
            "win_rate_below",
            "source",
        }
        assert summary[signal]["source"] in ("company_data", "no_evidence", "rule_of_thumb")
    json.dumps(summary, allow_nan=False)


def test_ready_accounts_lie_inside_our_deal_experience(samples):
    result = samples["ready"].penetration
    deals = result.deals[result.deals["outcome"].isin(["won", "lost"])]
    ready, outside = result.ready, result.outside
    engaged = set(result.deals.loc[result.deals["outcome"] != "lost", "account_id"])
    assert not engaged & set(ready["account_id"]) and not engaged & set(outside["account_id"])
    assert (ready["employee_penetration"] >= result.threshold.threshold).all()
    assert (ready["employee_count"] >= max(result.min_employees_scored, deals["employee_count"].min())).all()
    assert (ready["employee_count"] <= deals["employee_count"].max()).all()
    assert ready["win_probability"].notna().all() and ready["expected_value"].is_monotonic_decreasing
    # regression: 589 of 1,287 "ready" accounts were smaller than any account that ever had a deal
    assert (outside["reason"] != "").all() and len(outside) > 0
    small = outside[outside["employee_count"] < deals["employee_count"].min()]
    assert small["reason"].isin(["smaller_than_deals", "below_min_employees"]).all()


def test_the_win_curve_agrees_with_the_threshold_table(samples):
    """Regression: the threshold table said deals above 5% won 50% while the curve gave 26% at 5%."""
    result = samples["ready"].penetration
    t, curve = result.threshold, result.curve
    closed = result.deals[result.deals["outcome"].isin(["won", "lost"])]
    above = closed[closed["employee_penetration"] >= t.threshold]
    predicted = curve.predict(above["employee_penetration"]).mean()
    assert predicted == pytest.approx(t.win_rate_above, abs=0.05)
    grid = np.linspace(*curve.support, 50)
    assert np.all(np.diff(curve.predict(grid)) >= 0)  # never falls as usage rises
    assert np.isnan(curve.predict([curve.support[1] * 2])).all()  # never used beyond our deals
    assert curve.brier < curve.brier_constant  # out of fold, better than a constant win rate
    assert curve.calibration["n"].sum() == t.n


def test_isotonic_curve_with_a_planted_step(rng):
    signal = pd.Series(rng.uniform(0, 0.2, 600))
    won = pd.Series(rng.uniform(size=600) < np.where(signal >= 0.05, 0.6, 0.1))
    curve = win_curve(signal, won, pd.Series(np.arange(600) // 2), name="employee_penetration", seed=0)
    low, high = curve.predict([0.02, 0.15])
    assert low == pytest.approx(0.1, abs=0.06) and high == pytest.approx(0.6, abs=0.08)
    table = curve.calibration
    assert np.all(np.abs(table["predicted"] - table["observed"]) < 0.15)  # calibrated out of fold


def test_deal_size_is_fitted_not_assumed_proportional(rng):
    employees = np.exp(rng.uniform(np.log(100), np.log(20_000), 80))
    amount = 300 * employees**0.6 * np.exp(rng.normal(0, 0.3, 80))
    size = deal_size(pd.DataFrame({"employee_count": employees, "amount": amount}))
    assert size.ci[0] <= 0.6 <= size.ci[1] and size.ci[1] < 1
    assert np.isnan(size.predict([50, 50_000])).all()  # outside the fitted sizes: no value
    middle = size.predict([1000])[0]
    assert middle == pytest.approx(300 * 1000**0.6 * np.exp(0.3**2 / 2), rel=0.25)  # smearing
    assert deal_size(pd.DataFrame({"employee_count": [100.0] * 3, "amount": [1.0] * 3})) is None


def test_a_day_earlier_changes_almost_nothing(samples):
    """Regression: 'active now' meant an event on the analysis date itself, so moving as_of one day
    earlier dropped ready accounts from 1,287 to 49 and the pipeline from $7.49M to $0.06M."""
    now, earlier = samples["ready"].penetration, assess(SAMPLES_DIR / "ready", as_of="2026-09-29").penetration
    assert earlier.verdict == "own_threshold"
    assert len(earlier.ready) == pytest.approx(len(now.ready), rel=0.05)
    assert earlier.pipeline_value == pytest.approx(now.pipeline_value, rel=0.05)


def variant(tmp_path, **changes):
    """A smaller company drawn like `ready`, with some of its scenario changed."""
    scenario = dataclasses.replace(SAMPLES["ready"], n_accounts=1500, n_opportunities=300, **changes)
    return write_sample(scenario, tmp_path)


def test_negative_control_messy_last_events_keep_the_pipeline(tmp_path):
    """Active users' last events 0-20 days before as_of (as real exports have them) against all on
    the analysis date: ready accounts within 15%."""
    clean = assess(variant(tmp_path / "clean", last_event_spread_days=0)).penetration
    messy = assess(variant(tmp_path / "messy", last_event_spread_days=20)).penetration
    assert clean.claimed and messy.claimed and clean.pipeline_signal == messy.pipeline_signal
    assert len(messy.ready) == pytest.approx(len(clean.ready), rel=0.15)


@pytest.mark.parametrize(
    "effect, verdicts", [("none", {"no_effect"}), ("reversed", {"reversed", "no_effect"})]
)
def test_negative_control_companies_get_no_threshold_and_no_pipeline(tmp_path, effect, verdicts):
    """Whole generated companies whose winning ignores penetration, or falls with it."""
    results = assess(variant(tmp_path, win_effect=effect, win_rate_below=0.15, win_rate_above=0.45))
    assert results.penetration.verdict in verdicts
    assert len(results.penetration.ready) == 0 and results.penetration.pipeline_value is None
    assert not results.overview.reason("tipping_point").met and results.overview.verdict == "not_yet"


def test_power_users_are_active_in_the_window_most_active_first_and_masked_unless_asked(samples):
    assert mask_email("ada.lopez@acme.example") == "a•••@acme.example"
    assert mask_email(None) == "•••"
    users = pd.DataFrame(
        {
            "user_id": ["U1", "U2", "U3"],
            "account_id": ["A", "A", "A"],
            "email": ["ada@x.example", "ben@x.example", "cy@x.example"],
            "last_active": [D("2026-09-20"), D("2026-09-30"), D("2026-08-01")],
            "events_28d": [3, 9, 20],
        }
    )
    top = power_users(users, ["A"], as_of=D("2026-09-30"), window_days=28)
    assert top["user_id"].tolist() == ["U2", "U1"]  # U3 was last active outside the window
    result = samples["ready"].penetration
    assert power_user_table(result)["email"].str.contains("•••@").all()
    assert not power_user_table(result, show_pii=True)["email"].str.contains("•••").any()
