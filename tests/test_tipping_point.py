"""The tipping point: claimed only with evidence; negative controls; interval coverage by simulation.

The simulation studies' counts are the figures docs/methods.md states (`make figures` writes them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.analyses.tipping_point import (
    account_permutations,
    deals_needed,
    lr_interval,
    permutation_p_values,
    tipping_point,
)
from tests import stated

THRESHOLD = 0.05


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


def claimed(effect: str, seeds) -> list[str]:
    verdicts = []
    for seed in seeds:
        signal, won, accounts = synthetic_deals(np.random.default_rng(seed), effect=effect)
        verdicts.append(
            tipping_point(
                signal,
                won,
                accounts,
                name="employee_penetration",
                rule_of_thumb=0.03,
                n_permutations=999,
                n_boot=500,
                seed=seed,
            ).verdict
        )
    return verdicts


def stated_count(study: str) -> tuple[int, int]:
    """A count docs/methods.md states for a study ("7 of 200"), written by `make figures`. Seeded
    permutation tests with no optimiser upstream give the same integers on any machine, so the
    docs must state them exactly."""
    found = stated.row("tipping-point", study=study)
    return int(found["count"]), int(found["of"])


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


def test_negative_control_no_effect_claims_nothing_in_at_least_95_percent_of_companies():
    """Winning independent of penetration: a claim is a false positive. The old step model found
    a cut every time (in-sample lift of 2x or more in a third of such companies)."""
    verdicts = claimed("none", range(200))
    false_claims = verdicts.count("own_threshold")
    assert false_claims / len(verdicts) <= 0.05, false_claims
    assert (false_claims, len(verdicts)) == stated_count("no effect")


def test_negative_control_a_reversed_effect_is_never_claimed_and_is_named():
    verdicts = claimed("reversed", range(60))
    assert "own_threshold" not in verdicts
    assert verdicts.count("reversed") >= 50  # more usage, fewer wins: said so
    assert (verdicts.count("own_threshold"), 60) == stated_count("reversed effect")
    assert (verdicts.count("reversed"), 60) == stated_count("reversed effect, named")


def interval_coverage(companies: int) -> tuple[int, int]:
    """Of `companies` with a planted step at 5%, how many intervals cover it: the likelihood-ratio
    interval's count, and the percentile bootstrap's (the method it replaced). An interval covers
    when it reaches the gap between the observed signals around the step (a cut can only fall on
    an observed value)."""
    covered, percentile_covered = 0, 0
    for seed in range(companies):
        rng = np.random.default_rng(10_000 + seed)
        signal, won, accounts = synthetic_deals(rng, n_accounts=200)
        x, y, a = signal.to_numpy(), won.to_numpy(float), accounts.to_numpy()
        below_step, above_step = x[x < THRESHOLD].max(), x[x >= THRESHOLD].min()
        _, (low, high) = lr_interval(x, y, a, min_group=max(5, len(x) // 20), n_boot=500, seed=seed)
        covered += low <= above_step and high >= below_step
        low, high = percentile_bootstrap(x, y, rng)
        percentile_covered += low <= above_step and high >= below_step
    return int(covered), int(percentile_covered)


def test_the_interval_covers_a_planted_step_at_its_nominal_rate():
    """Coverage by simulation over 200 companies with a planted step at 5%; nominal 95%. The
    percentile bootstrap of the best cut, resampling deals, is measured beside it."""
    covered, percentile_covered = interval_coverage(200)
    assert covered / 200 >= 0.90
    assert percentile_covered < covered  # the method it replaced under-covers
    assert (covered, 200) == stated_count("interval coverage")
    assert (percentile_covered, 200) == stated_count("replaced interval")


def percentile_bootstrap(x, y, rng, n_boot: int = 300) -> tuple[float, float]:
    """The replaced method: the best cut in deal-level resamples, 2.5th and 97.5th percentiles."""
    from playbook.analyses.tipping_point import _candidates, step_profile

    cuts = []
    for _ in range(n_boot):
        i = rng.integers(0, len(x), len(x))
        order = np.argsort(x[i], kind="stable")
        xs, ys = x[i][order], y[i][order]
        loglik = np.where(_candidates(xs, max(5, len(xs) // 20)), step_profile(ys)[0], -np.inf)
        cuts.append(xs[int(np.argmax(loglik))])
    return float(np.quantile(cuts, 0.025)), float(np.quantile(cuts, 0.975))


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
