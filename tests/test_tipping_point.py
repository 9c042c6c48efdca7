"""The tipping point: claimed only with evidence, on seeded companies. The error rates and the
interval's coverage over many companies are measured on the scenario library by make calibrate
(playbook/samples/scenarios/penetration.py; table in docs/methods.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.analyses.step_model import account_permutations, permutation_p_values
from playbook.analyses.tipping_point import deals_needed, step_test, threshold_of

THRESHOLD = 0.05


def tipping_point(signal, won, accounts, *, name, rule_of_thumb, n_permutations, seed=0, **kwargs):
    """One signal tested alone (a family of one: its p-values are not adjusted)."""
    test = step_test(signal, won, accounts, name=name, n_permutations=n_permutations, seed=seed)
    return threshold_of(test, rule_of_thumb=rule_of_thumb, seed=seed, **kwargs)


def synthetic_deals(
    rng, *, effect: str = "step", n_accounts: int = 160, low: float = 0.12, high: float = 0.55
):
    """Deals of a synthetic company: 1-4 per account, signal log-normal around 4%, and winning
    that steps up at THRESHOLD ("step"), steps down ("reversed") or ignores the signal ("none")."""
    per_account = np.minimum(rng.geometric(0.7, n_accounts), 4)
    accounts = np.repeat(np.arange(n_accounts), per_account).astype(str)
    signal = np.exp(rng.normal(np.log(0.04), 1.0, len(accounts)))
    above = signal >= THRESHOLD
    p = {
        "step": np.where(above, high, low),
        "reversed": np.where(above, low, high),
        "none": np.full(len(signal), (low + high) / 2),
    }[effect]
    won = rng.uniform(size=len(signal)) < p
    return pd.Series(signal), pd.Series(won), pd.Series(accounts)


def test_a_planted_step_is_found_with_evidence(rng):
    signal, won, accounts = synthetic_deals(rng, n_accounts=300)
    t = tipping_point(
        signal, won, accounts, name="employee_penetration", rule_of_thumb=0.03, n_permutations=999, seed=1
    )
    assert t.verdict == "own_threshold" and t.source == "company_data"
    assert t.p_value < 0.01 and t.win_rate_above > t.win_rate_below
    assert t.ci[0] <= THRESHOLD <= t.ci[1] and t.ci[0] <= t.threshold <= t.ci[1]
    assert t.n == len(signal) and t.n_accounts == accounts.nunique()
    assert t == tipping_point(
        signal, won, accounts, name="employee_penetration", rule_of_thumb=0.03, n_permutations=999, seed=1
    )


def test_negative_controls_claim_nothing_on_a_seeded_company():
    """No effect, and a reversed one: no threshold (the rates over many companies, family-wise
    across the three signals, are measured by make calibrate: docs/methods.md)."""
    for effect, verdicts in (("none", {"no_effect"}), ("reversed", {"reversed"})):
        signal, won, accounts = synthetic_deals(np.random.default_rng(7), effect=effect)
        t = tipping_point(
            signal, won, accounts, name="employee_penetration", rule_of_thumb=0.03, n_permutations=999, seed=7
        )
        assert t.verdict in verdicts and t.threshold is None and t.ci is None, effect


def test_whole_accounts_are_permuted_among_accounts_with_as_many_deals():
    accounts = np.array(["a", "a", "b", "c", "c", "d", "e", "e"])
    source = account_permutations(accounts, 200, np.random.default_rng(0))
    blocks = {"a": (0, 1), "c": (3, 4), "e": (6, 7)}
    for row in source:
        # a two-deal account receives a two-deal account's outcomes, in order
        assert {tuple(row[list(p)]) for p in blocks.values()} == set(blocks.values())
        assert set(row[[2, 5]]) == {2, 5}  # single-deal accounts swap among themselves
    assert len({tuple(r) for r in source}) > 10  # and the permutations differ


def test_p_values_are_permutation_p_values(rng):
    signal, won, accounts = synthetic_deals(rng, effect="none")
    x, y, a = signal.to_numpy(), won.to_numpy(float), accounts.to_numpy()
    up, down, _ = permutation_p_values(x, y, a, min_group=8, n_permutations=999, seed=3)
    for p in (up, down):
        assert 1 / 1000 <= p <= 1 and round(p * 1000) == p * 1000  # (1 + #) / (B + 1)


def test_too_few_deals_is_not_a_verdict_of_absence():
    signal, won = pd.Series(np.linspace(0.001, 0.2, 25)), pd.Series(np.arange(25) >= 15)
    t = tipping_point(
        signal, won, pd.Series(range(25)), name="departments", rule_of_thumb=2.0, n_permutations=999
    )
    assert t.verdict == "too_few_deals" and t.source == "rule_of_thumb" and t.threshold is None
    needed = t.needed
    assert needed.closed_deals > 25 and 0 < needed.wins < needed.closed_deals
    assert needed.win_rate_above == pytest.approx(2 * needed.win_rate_below)
    rarer = deals_needed(win_rate=0.1, share_above=0.3, alpha=0.05)
    assert rarer.closed_deals > deals_needed(win_rate=0.3, share_above=0.3, alpha=0.05).closed_deals
    assert (
        deals_needed(win_rate=0.2, share_above=0.3, alpha=0.01).closed_deals
        > deals_needed(win_rate=0.2, share_above=0.3, alpha=0.05).closed_deals
    )


def test_parameters_are_checked():
    one = pd.Series([1.0])
    with pytest.raises(ValueError, match="at least 999"):
        tipping_point(one, one, one, name="seats", rule_of_thumb=16, n_permutations=100)
    with pytest.raises(ValueError, match="at least 500"):
        tipping_point(one, one, one, name="seats", rule_of_thumb=16, n_permutations=999, n_boot=100)
    with pytest.raises(ValueError, match="alpha"):
        tipping_point(one, one, one, name="seats", rule_of_thumb=16, n_permutations=999, alpha=1.5)
