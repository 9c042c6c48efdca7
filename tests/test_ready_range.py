"""The ready accounts' P10-P90: the cut, the win curve and the deal size re-estimated together on
resampled accounts (its coverage over many companies is measured by make calibrate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from playbook.analyses.ready_range import RESAMPLE_EXPONENT, ready_range

CUT = 0.05


def company(rng, n_accounts: int):
    """Closed deals with a step at CUT, amounts growing with employees, and today's accounts."""
    per = np.minimum(rng.geometric(0.7, n_accounts), 3)
    account = np.repeat(np.arange(n_accounts), per).astype(str)
    share = np.exp(rng.normal(np.log(0.04), 1.0, len(account)))
    employees = np.exp(rng.uniform(np.log(100), np.log(5000), len(account)))
    won = pd.Series(rng.uniform(size=len(account)) < np.where(share >= CUT, 0.5, 0.12))
    closed = pd.DataFrame(
        {
            "account_id": account,
            "employee_penetration": share,
            "employee_count": employees,
            "amount": np.where(won, 40 * employees * rng.lognormal(0, 0.3, len(account)), np.nan),
        }
    )
    candidates = pd.DataFrame(
        {
            "employee_penetration": np.exp(rng.normal(np.log(0.04), 1.0, 3 * n_accounts)),
            "employee_count": np.exp(rng.uniform(np.log(100), np.log(5000), 3 * n_accounts)),
        }
    )
    return closed, won, candidates


def test_the_range_covers_the_count_at_the_true_threshold_and_values_the_same_accounts(rng):
    closed, won, candidates = company(rng, 400)
    spread = ready_range(closed, won, candidates, signal="employee_penetration", priced=True, resamples=400)
    at_truth = int((candidates["employee_penetration"] >= CUT).sum())
    low, high = spread.accounts
    assert low <= at_truth <= high and low < high
    assert spread.resampled_accounts == round(400**RESAMPLE_EXPONENT) < spread.n_accounts == 400
    value_low, value_high = spread.pipeline
    # the true value of the accounts past the truth: 50% of 40 x employees x exp(0.3^2 / 2)
    past = candidates["employee_count"][candidates["employee_penetration"] >= CUT]
    assert value_low <= 0.5 * 40 * np.exp(0.3**2 / 2) * past.sum() <= value_high
    assert spread == ready_range(
        closed, won, candidates, signal="employee_penetration", priced=True, resamples=400
    )


def test_more_deals_narrow_the_range():
    def width(n):
        closed, won, candidates = company(np.random.default_rng(n), n)
        low, high = ready_range(closed, won, candidates, signal="employee_penetration", priced=False).accounts
        return (high - low) / len(candidates)

    assert width(1600) < width(200)


def test_without_amounts_only_the_count_has_a_range(rng):
    closed, won, candidates = company(rng, 300)
    spread = ready_range(
        closed.drop(columns="amount"), won, candidates, signal="employee_penetration", priced=False
    )
    assert spread.pipeline is None and spread.accounts[0] <= spread.accounts[1]
    assert spread.to_dict()["levels"] == [0.1, 0.9]
    with pytest.raises(KeyError):
        ready_range(closed, won, candidates, signal="departments", priced=False)
