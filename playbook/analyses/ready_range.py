"""How many accounts are ready and what they are worth, with the uncertainty of everything behind them.

The ready count and the expected pipeline rest on three estimates from our closed deals: the cut
(which accounts are past it), the win curve (each account's win probability) and the deal size.
An account bootstrap re-estimates the three together: each resample draws whole accounts' closed
deals, re-chooses the cut (the maximum-likelihood step up, as the point estimate does), refits the
isotonic win curve and the deal-size regression, and counts and values today's accounts with
them. The 10th and 90th percentiles over the resamples are the range shown, and the readiness
prerequisite reads the 10th (DESIGN.md: a verdict that depends on an estimated threshold reads
its conservative end).

The best cut is a change point: its bootstrap can be inconsistent (resampled cuts stick to the
observed deal values around the estimate, so the spread is too narrow). Resamples therefore draw
fewer accounts than there are (m out of n, m = n ** RESAMPLE_EXPONENT), which widens the spread
toward the cut's true uncertainty; its coverage of the count at the true threshold is measured by
`make calibrate` on the scenario library (docs/methods.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.settings import CommonSettings
from playbook.analyses.step_model import steps_up
from playbook.analyses.win_curve import MIN_WON_WITH_AMOUNT, isotonic_fit

LEVELS = (0.1, 0.9)  # the range shown: P10 to P90
RESAMPLE_EXPONENT = 0.9  # m = n ** 0.9 accounts per resample (m out of n)
RESAMPLES = 400  # enough for a P10 and a P90 (not for the tails a 95% interval needs)


@dataclass(frozen=True, kw_only=True)
class ReadyRange:
    """P10-P90 of the ready accounts and of their expected pipeline (currency; None when deals
    have no amounts), over `resamples` resamples of `resampled_accounts` of the `n_accounts`
    accounts with closed deals. `without_cut` resamples showed no rise (no account ready)."""

    accounts: tuple[int, int]
    pipeline: tuple[float, float] | None
    resamples: int
    resampled_accounts: int
    n_accounts: int
    without_cut: int

    @property
    def accounts_p10(self) -> int:
        return self.accounts[0]

    def to_dict(self) -> dict:
        return {
            "accounts": list(self.accounts),
            "pipeline": None if self.pipeline is None else [rounded(v, 2) for v in self.pipeline],
            "levels": list(LEVELS),
            "resamples": self.resamples,
            "resampled_accounts": self.resampled_accounts,
            "n_accounts": self.n_accounts,
            "without_cut": self.without_cut,
        }


def _deal_size_fit(log_employees: np.ndarray, log_amount: np.ndarray, weights: np.ndarray):
    """Weighted least squares of log amount on log employees, with Duan's smearing factor:
    (intercept, slope, smearing), or None with too few deals or a single size."""
    used = weights > 0
    if weights.sum() < MIN_WON_WITH_AMOUNT or np.unique(log_employees[used]).size < 2:
        return None
    root = np.sqrt(weights)
    design = np.column_stack([np.ones_like(log_employees), log_employees])
    beta = np.linalg.lstsq(design * root[:, None], log_amount * root, rcond=None)[0]
    residual = log_amount - design @ beta
    smearing = np.sum(weights * np.exp(residual)) / weights.sum()
    return beta[0], beta[1], smearing


def ready_range(
    closed: pd.DataFrame,
    won: pd.Series,
    candidates: pd.DataFrame,
    *,
    signal: str,
    priced: bool,
    resamples: int = RESAMPLES,
    seed: int | list[int] = CommonSettings.seed,
) -> ReadyRange:
    """P10-P90 of the ready accounts and their expected pipeline, the cut, the win curve and the
    deal size re-estimated together in each account resample.

    Parameters
    ----------
    closed, won
        Closed deals (account_id, the signal when the deal opened, employee_count; amount when
        known) and whether each was won.
    candidates
        Today's accounts that could be ready: no won or open top-down deal, inside our deal
        experience (the signal now, employee_count). Ready: at or above the cut.
    signal
        The pipeline signal.
    priced
        Whether the point estimate values accounts (a deal-size fit exists): only then is the
        pipeline's range computed.
    resamples, seed
        Resamples and the seed.
    """
    keep = closed[signal].notna().to_numpy()
    x = closed.loc[keep, signal].to_numpy(dtype=float)
    y = won.to_numpy(dtype=float)[keep]
    groups = closed.loc[keep, "account_id"].astype(str).to_numpy()
    _, inverse = np.unique(groups, return_inverse=True)
    n_accounts = int(inverse.max()) + 1
    m = max(2, int(round(n_accounts**RESAMPLE_EXPONENT)))
    rng = np.random.default_rng([*np.atleast_1d(seed), 2])
    drawn_accounts = rng.multinomial(m, np.full(n_accounts, 1 / n_accounts), size=resamples)
    weights = drawn_accounts[:, inverse].astype(float)  # how often each deal is drawn
    # Every cut between the largest signal below the best cut and the cut itself fits a resample
    # equally well (no deal lies between them): each resample's cut is drawn anywhere in that gap.
    below, best = steps_up(x, y, weights)
    cuts = below + (best - below) * (1 - rng.uniform(size=resamples))

    now = candidates[signal].to_numpy(dtype=float)
    # accounts at or above each resample's cut (none where the resample shows no rise)
    counts = np.where(np.isfinite(cuts), len(now) - np.searchsorted(np.sort(now), cuts, side="left"), 0)
    pipeline = None
    if priced:
        employees = closed.loc[keep, "employee_count"].to_numpy(dtype=float)
        amount = (
            closed.loc[keep, "amount"].to_numpy(dtype=float)
            if "amount" in closed
            else np.full(len(x), np.nan)
        )
        sized = (y == 1) & (amount > 0) & (employees > 0)
        log_e, log_a = np.log(employees[sized]), np.log(amount[sized])
        log_now = np.log(candidates["employee_count"].to_numpy(dtype=float))
        values = np.full(resamples, np.nan)
        for b in np.flatnonzero(np.isfinite(cuts)):
            fit = _deal_size_fit(log_e, log_a, weights[b, sized])
            if fit is None:
                continue
            intercept, slope, smearing = fit
            past = now >= cuts[b]
            drawn = np.repeat(np.arange(len(x)), weights[b].astype(int))
            knots, fitted = isotonic_fit(x[drawn], y[drawn])
            probability = np.interp(now[past], knots, fitted)
            values[b] = np.sum(probability * smearing * np.exp(intercept + slope * log_now[past]))
        values[~np.isfinite(cuts)] = 0.0  # no rise in the resample: nobody is ready
        if np.isfinite(values).any():
            low, high = np.nanquantile(values, LEVELS, method="inverted_cdf")
            pipeline = (float(low), float(high))
    low, high = np.quantile(counts, LEVELS, method="inverted_cdf")
    return ReadyRange(
        accounts=(int(low), int(high)),
        pipeline=pipeline,
        resamples=resamples,
        resampled_accounts=m,
        n_accounts=n_accounts,
        without_cut=int((~np.isfinite(cuts)).sum()),
    )
