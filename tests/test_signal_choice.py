"""Choosing the penetration signal: Holm across the signals, the best out of fold, echoes, and a
step called a tipping point only when it beats a smooth rise out of fold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.analyses.signal_choice import (
    choose_signal,
    log_loss,
    logistic_fit,
    signal_thresholds,
    smooth_predictions,
    step_predictions,
)
from playbook.analyses.step_model import step_up, steps_up
from playbook.analyses.tipping_point import holm, step_test, threshold_of
from playbook.analyses.win_curve import account_folds

MARKS = {"employee_penetration": 0.03, "departments": 2.0, "seats": 16.0}


def deals(rng, n_accounts: int = 300, *, response) -> tuple[pd.DataFrame, pd.Series]:
    """Closed deals, 1-3 per account: employee share log-normal around 4%, seats moving with it,
    departments drawn on their own; winning from `response(frame)`."""
    per = np.minimum(rng.geometric(0.7, n_accounts), 3)
    account = np.repeat(np.arange(n_accounts), per).astype(str)
    share = np.exp(rng.normal(np.log(0.04), 1.0, len(account)))
    frame = pd.DataFrame(
        {
            "account_id": account,
            "employee_penetration": share,
            "seats": np.round(share * rng.lognormal(np.log(400), 0.3, len(account))),
            "departments": rng.integers(1, 8, len(account)).astype(float),
        }
    )
    return frame, pd.Series(rng.uniform(size=len(frame)) < response(frame))


def test_holm_matches_its_definition_and_statsmodels_and_leaves_untested_signals_out(rng):
    from statsmodels.stats.multitest import multipletests

    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": None})
    # sorted 0.01, 0.03, 0.04 -> 3 x 0.01, max(0.03, 2 x 0.03), max(0.06, 1 x 0.04)
    assert adjusted["a"] == pytest.approx(0.03) and adjusted["b"] == pytest.approx(0.06)
    assert adjusted["c"] == pytest.approx(0.06) and adjusted["d"] is None
    assert holm({"a": 0.02, "b": None}) == {"a": 0.02, "b": None}  # a family of one is not adjusted
    for _ in range(50):
        p = rng.uniform(0, 0.5, 3)
        ours = holm(dict(enumerate(p)))
        assert [ours[i] for i in range(3)] == pytest.approx(multipletests(p, method="holm")[1])


def test_an_effect_only_adjustment_can_remove_is_not_claimed(rng):
    """A p-value below alpha alone but not after the adjustment for three signals claims nothing."""
    frame, won = deals(rng, response=lambda f: np.where(f["employee_penetration"] >= 0.05, 0.4, 0.25))
    test = step_test(frame["employee_penetration"], won, frame["account_id"], name="x", n_permutations=999)
    assert test.tested
    alone = threshold_of(test, rule_of_thumb=0.03, alpha=min(1.0, test.p_up * 1.01), n_boot=500)
    family = threshold_of(
        test,
        rule_of_thumb=0.03,
        alpha=min(1.0, test.p_up * 1.01),
        n_boot=500,
        p_adjusted=min(1.0, test.p_up * 3),
        p_reversed_adjusted=1.0,
        adjusted_for=3,
    )
    assert alone.verdict == "own_threshold" and family.verdict == "no_effect" and family.threshold is None
    assert family.p_value == alone.p_value and family.to_dict()["adjusted_for"] == 3


def test_resampled_cuts_are_the_best_cut_of_the_deals_drawn(rng):
    x = np.round(np.exp(rng.normal(np.log(0.04), 1, 300)), 3)
    y = (rng.uniform(size=300) < np.where(x >= 0.05, 0.5, 0.12)).astype(float)
    counts = rng.multinomial(300, np.full(300, 1 / 300), size=5).astype(float)
    below, cuts = steps_up(x, y, counts)
    for b in range(5):
        drawn = np.repeat(np.arange(300), counts[b].astype(int))
        assert cuts[b] == step_up(x[drawn], y[drawn])
        assert below[b] == x[drawn][x[drawn] < cuts[b]].max()  # the gap: no deal drawn in between


def test_logistic_fit_is_the_maximum_likelihood_fit(rng):
    import statsmodels.api as sm

    z = rng.normal(0, 1, 400)
    won = (rng.uniform(size=400) < 1 / (1 + np.exp(-(-0.5 + 1.2 * z)))).astype(float)
    reference = sm.Logit(won, sm.add_constant(z)).fit(disp=0).params
    assert logistic_fit(z, won) == pytest.approx(tuple(reference), abs=1e-6)
    separated = logistic_fit(np.arange(10.0), (np.arange(10) >= 5).astype(float))
    assert np.isfinite(separated).all()  # one value separates wins from losses: still finite


@pytest.mark.parametrize("truth", ["step", "smooth"])
def test_out_of_fold_a_step_beats_a_smooth_rise_only_when_the_truth_is_a_step(rng, truth):
    def response(f):
        if truth == "step":
            return np.where(f["employee_penetration"] >= 0.05, 0.55, 0.1)
        return 1 / (1 + np.exp(-(np.log(0.3 / 0.7) + 1.2 * np.log(f["employee_penetration"] / 0.05))))

    frame, won = deals(rng, 600, response=response)
    x, y = frame["employee_penetration"].to_numpy(), won.to_numpy(float)
    folds = account_folds(frame["account_id"].to_numpy(), 5, 0)
    step, curve = log_loss(step_predictions(x, y, folds), y), log_loss(smooth_predictions(x, y, folds), y)
    assert (step < curve) == (truth == "step")


def choice_for(frame, won, **kwargs):
    thresholds = signal_thresholds(frame, won, MARKS, n_permutations=999, n_boot=500)
    return thresholds, choose_signal(frame, won, thresholds, **kwargs)


def test_the_signal_that_carries_the_step_is_chosen_and_its_echo_is_labelled(rng):
    """A step on departments, seats made to move with departments, employee penetration unrelated:
    departments is chosen out of fold, and seats are labelled as moving with it."""
    frame, won = deals(rng, 400, response=lambda f: np.where(f["departments"] >= 4, 0.55, 0.12))
    frame = frame.assign(seats=frame["departments"] * 10 + rng.integers(0, 3, len(frame)))  # moves with it
    thresholds, choice = choice_for(frame, won)
    assert choice.chosen == "departments" and choice.reason == "best_out_of_fold"
    assert thresholds["departments"].p_adjusted >= thresholds["departments"].p_value
    assert choice.echoes.get("seats") == "departments"
    assert choice.scores["departments"].step < choice.scores["departments"].constant
    named = choose_signal(frame, won, thresholds, requested="seats")
    assert named.chosen == "seats" and named.reason == "named"  # a named signal overrides the choice


def test_without_any_rise_no_signal_is_chosen_for_a_claim():
    """(How often a company with no effect gets a claim is measured by make calibrate.)"""
    frame, won = deals(np.random.default_rng(5), 300, response=lambda f: np.full(len(f), 0.3))
    thresholds, choice = choice_for(frame, won, seed=1)
    assert not any(t.claimed for t in thresholds.values())
    assert choice.reason == "no_claim" and not choice.scores and not choice.echoes
    assert choice.chosen == min(thresholds, key=lambda s: thresholds[s].p_adjusted)
    with pytest.raises(ValueError, match="pipeline_signal must be auto or one of"):
        choose_signal(frame, won, thresholds, requested="logins")
