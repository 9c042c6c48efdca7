"""A tipping point in the win rate, claimed only when the company's own deals give evidence for it.

The model is a step: deals whose signal (penetration when the deal opened) is at or above a cut
win at one rate, those below at another. Any data will yield a best cut, so a cut is claimed
only when

1. a permutation test rejects a constant win rate: the statistic is the one-sided likelihood
   ratio (win rate above the cut higher than below) maximised over every allowed cut, and it is
   re-maximised in every permutation (scoring only the observed cut would reject far too often);
   whole accounts' outcomes are permuted, among accounts with the same number of deals, so deals
   of one account stay together; p = (1 + #{T* >= T}) / (B + 1);
2. p < alpha, and the win rate above the cut is higher than below (the expected direction).
   When several signals are tested (`signal_choice`), p is adjusted for all of them (Holm) first,
   so trying three signals does not give three chances to find one.

The cut's interval inverts the likelihood ratio: every cut whose profile likelihood is within a
critical value of the best, the critical value being the 95th percentile of the same statistic
in account-level bootstrap resamples. (A percentile bootstrap of the best cut covers a planted
step far less often than it claims; its coverage is measured by `make calibrate` on the scenario
library, docs/methods.md.)

The step model's statistics (the profile likelihood, the permutations, the interval) are in
`step_model`; whether a claimed rise is a step (a tipping point) or gradual is decided out of
fold, against a smooth curve, in `signal_choice`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.settings import CommonSettings
from playbook.analyses.step_model import allowed_cuts, lr_interval, permutation_p_values, smallest_side

MIN_CLOSED, MIN_WINS = 30, 10  # below these, no test is attempted
POWER = 0.8  # for the closed deals a test would need


@dataclass(frozen=True, kw_only=True)
class DealsNeeded:
    """How many closed deals (and wins) a test at `alpha` needs to detect a given step, with 80% power.

    The step assumed: deals at or above the article's mark win at twice the rate of those below.
    A lower bound: the fixed-cut test it is computed for is more powerful than our search over cuts.
    """

    closed_deals: int
    wins: int
    win_rate_below: float
    win_rate_above: float
    share_above: float
    alpha: float

    def to_dict(self) -> dict:
        return {
            "closed_deals": self.closed_deals,
            "wins": self.wins,
            "win_rate_below": rounded(self.win_rate_below),
            "win_rate_above": rounded(self.win_rate_above),
            "share_above": rounded(self.share_above),
        }


# A signal's verdicts. `gradual_rise` is decided after the test, out of fold (`signal_choice`):
# the rise is real but a smooth curve predicts our deals as well as a step.
VERDICTS = ("own_threshold", "gradual_rise", "no_effect", "reversed", "too_few_deals")
CLAIMS = ("own_threshold", "gradual_rise")  # verdicts with evidence that more usage wins more


@dataclass(frozen=True, kw_only=True)
class Threshold:
    """Our own tipping point on one signal, or why there is none.

    `verdict` (one of VERDICTS): `own_threshold` (evidence: p_adjusted < alpha, higher win rate
    above), `gradual_rise` (the same evidence, but a smooth curve predicts as well as a step: set
    by `signal_choice`), `no_effect`, `reversed` (deals with more usage won less often,
    p_reversed_adjusted < alpha) or `too_few_deals`. `threshold` and `ci` are None unless the
    verdict is a claim (CLAIMS). The win rates are at `rates_at`: our threshold, or the article's
    mark (for reference only) when there is none. `p_value` and `p_reversed` are the signal's own
    permutation p-values; `p_adjusted` and `p_reversed_adjusted` the same adjusted (Holm) for the
    `adjusted_for` signals tested beside it: the verdict reads those.
    """

    signal: str
    verdict: str
    threshold: float | None
    ci: tuple[float, float] | None
    p_value: float | None
    p_reversed: float | None
    p_adjusted: float | None
    p_reversed_adjusted: float | None
    adjusted_for: int
    win_rate_below: float | None
    win_rate_above: float | None
    rates_at: float | None
    n: int
    n_wins: int
    n_accounts: int
    alpha: float
    n_permutations: int
    needed: DealsNeeded | None = None

    @property
    def claimed(self) -> bool:
        """Whether our deals give evidence that more usage wins more (a step or a gradual rise)."""
        return self.verdict in CLAIMS

    @property
    def source(self) -> str:
        """`company_data`, `no_evidence` (enough deals, no effect) or `rule_of_thumb` (too few deals)."""
        if self.claimed:
            return "company_data"
        return "rule_of_thumb" if self.verdict == "too_few_deals" else "no_evidence"

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "threshold": rounded(self.threshold),
            "ci": None if self.ci is None else [rounded(self.ci[0]), rounded(self.ci[1])],
            "p_value": rounded(self.p_value),
            "p_reversed": rounded(self.p_reversed),
            "p_adjusted": rounded(self.p_adjusted),
            "p_reversed_adjusted": rounded(self.p_reversed_adjusted),
            "adjusted_for": self.adjusted_for,
            "n": self.n,
            "n_wins": self.n_wins,
            "n_accounts": self.n_accounts,
            "win_rate_above": rounded(self.win_rate_above),
            "win_rate_below": rounded(self.win_rate_below),
            "rates_at": rounded(self.rates_at),
            "source": self.source,
            "needed": None if self.needed is None else self.needed.to_dict(),
        }


@dataclass(frozen=True, kw_only=True)
class StepTest:
    """One signal's closed deals and its permutation test, before any adjustment for the other
    signals tested beside it. `p_up` and `p_down` are None when there are too few deals to test."""

    signal: str
    x: np.ndarray = field(repr=False, compare=False)  # the signal when each deal opened
    y: np.ndarray = field(repr=False, compare=False)  # 1 won, 0 lost
    groups: np.ndarray = field(repr=False, compare=False)  # each deal's account
    p_up: float | None
    p_down: float | None
    n_permutations: int

    @property
    def tested(self) -> bool:
        return self.p_up is not None


# ---------------------------------------------------------------------------------------------


def deals_needed(
    *, win_rate: float | None, share_above: float | None, alpha: float, power: float = POWER
) -> DealsNeeded:
    """Closed deals (and wins) a one-sided two-proportion test at `alpha` needs to detect a
    doubling of the win rate at the article's mark, with `power`.

    `win_rate` is the company's win rate so far (0.2 when unknown); `share_above` the share of
    its deals at or above the mark (0.3 when unknown), both kept inside sensible bounds.
    """
    from statsmodels.stats.power import NormalIndPower  # see the note on imports in timing.py
    from statsmodels.stats.proportion import proportion_effectsize

    below = float(np.clip(0.2 if win_rate is None or not np.isfinite(win_rate) else win_rate, 0.05, 0.45))
    above = min(2 * below, 0.95)
    share = float(
        np.clip(0.3 if share_above is None or not np.isfinite(share_above) else share_above, 0.1, 0.9)
    )
    n_above = NormalIndPower().solve_power(
        proportion_effectsize(above, below),
        alpha=alpha,
        power=power,
        ratio=(1 - share) / share,
        alternative="larger",
    )
    n_below = n_above * (1 - share) / share
    total = int(np.ceil(n_above + n_below))
    return DealsNeeded(
        closed_deals=total,
        wins=int(np.ceil(n_above * above + n_below * below)),
        win_rate_below=below,
        win_rate_above=above,
        share_above=share,
        alpha=alpha,
    )


def step_test(
    signal: pd.Series,
    won: pd.Series,
    accounts: pd.Series,
    *,
    name: str,
    n_permutations: int,
    seed: int | list[int] = CommonSettings.seed,
) -> StepTest:
    """One signal's permutation test for a step up and for a step down, on closed deals.

    Parameters
    ----------
    signal
        The signal's value on the day each closed deal opened (share 0-1, departments or seats).
    won
        True for won deals, False for lost ones (open deals are left out by the caller).
    accounts
        Each deal's account_id: the unit that is permuted.
    name, n_permutations, seed
        The signal's name, the permutations (at least 999) and the seed.
    """
    if n_permutations < 999:
        raise ValueError(f"n_permutations must be at least 999, got {n_permutations}")
    keep = signal.notna().to_numpy()
    x = signal.to_numpy(dtype=float)[keep]
    y = won.to_numpy(dtype=bool)[keep].astype(float)
    groups = accounts.astype(str).to_numpy()[keep]
    found = {"signal": name, "x": x, "y": y, "groups": groups, "n_permutations": n_permutations}
    min_group = smallest_side(len(x))
    if len(x) < MIN_CLOSED or y.sum() < MIN_WINS or not allowed_cuts(np.sort(x), min_group).any():
        return StepTest(p_up=None, p_down=None, **found)
    p_up, p_down, _ = permutation_p_values(
        x, y, groups, min_group=min_group, n_permutations=n_permutations, seed=seed
    )
    return StepTest(p_up=p_up, p_down=p_down, **found)


def holm(p_values: dict[str, float | None]) -> dict[str, float | None]:
    """Holm's step-down adjustment of the p-values of the signals tested together (None: not
    tested, left out of the family): the k-th smallest of m is multiplied by m - k + 1, and the
    adjusted values never fall as the raw ones rise (statsmodels' `multipletests(method="holm")`,
    which the tests check it against; it is not called here because it collects garbage on
    every call, a second of a run)."""
    tested = sorted((p, k) for k, p in p_values.items() if p is not None)
    adjusted, running = {}, 0.0
    for rank, (p, k) in enumerate(tested):
        running = max(running, min(1.0, (len(tested) - rank) * p))
        adjusted[k] = running
    return {k: adjusted.get(k) for k in p_values}


def threshold_of(
    test: StepTest,
    *,
    rule_of_thumb: float,
    alpha: float = CommonSettings.alpha,
    n_boot: int = CommonSettings.n_boot,
    seed: int | list[int] = CommonSettings.seed,
    p_adjusted: float | None = None,
    p_reversed_adjusted: float | None = None,
    adjusted_for: int = 1,
) -> Threshold:
    """The verdict on one signal from its test: a threshold (with its interval) only when the
    adjusted p-value of a rise is below `alpha` and deals above the cut win more. Several signals
    are tested together by `signal_choice.signal_thresholds`.

    Parameters
    ----------
    test
        The signal's permutation test (`step_test`).
    rule_of_thumb
        The article's mark for the signal: win rates are shown there, for reference only, when the
        data give no threshold of their own.
    alpha, n_boot, seed
        The test's level, the account-bootstrap resamples behind the interval (at least 500), the seed.
    p_adjusted, p_reversed_adjusted, adjusted_for
        The test's p-values adjusted for the `adjusted_for` signals tested beside it (Holm);
        None: the signal was tested alone, its own p-values are used.
    """
    if n_boot < 500:
        raise ValueError(f"n_boot must be at least 500, got {n_boot}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    x, y, groups = test.x, test.y, test.groups
    n, n_wins = len(x), int(y.sum())

    def rates(cut: float) -> tuple[float | None, float | None]:
        below, above = y[x < cut], y[x >= cut]
        return (float(below.mean()) if len(below) else None, float(above.mean()) if len(above) else None)

    up = test.p_up if p_adjusted is None else p_adjusted
    down = test.p_down if p_reversed_adjusted is None else p_reversed_adjusted
    found = {
        "signal": test.signal,
        "p_value": test.p_up,
        "p_reversed": test.p_down,
        "p_adjusted": up,
        "p_reversed_adjusted": down,
        "adjusted_for": adjusted_for,
        "n": n,
        "n_wins": n_wins,
        "n_accounts": len(np.unique(groups)),
        "alpha": alpha,
        "n_permutations": test.n_permutations,
    }
    if test.tested and up < alpha:
        best, ci = lr_interval(x, y, groups, min_group=smallest_side(n), n_boot=n_boot, seed=seed)
        below, above = rates(best)
        if above is not None and below is not None and above > below:
            return Threshold(
                verdict="own_threshold",
                threshold=best,
                ci=ci,
                win_rate_below=below,
                win_rate_above=above,
                rates_at=best,
                **found,
            )
    below, above = rates(rule_of_thumb)  # no threshold of our own: the article's mark, for reference
    needed = None
    if not test.tested:
        verdict = "too_few_deals"
        share = float((x >= rule_of_thumb).mean()) if n >= 5 else None
        needed = deals_needed(win_rate=float(y.mean()) if n >= 5 else None, share_above=share, alpha=alpha)
    else:
        verdict = "reversed" if down < alpha else "no_effect"
    return Threshold(
        verdict=verdict,
        threshold=None,
        ci=None,
        win_rate_below=below,
        win_rate_above=above,
        rates_at=rule_of_thumb,
        needed=needed,
        **found,
    )


def gradual(threshold: Threshold) -> Threshold:
    """The same evidence read as a gradual rise: a smooth curve predicts our deals as well as a step."""
    if threshold.verdict != "own_threshold":
        raise ValueError(f"only a threshold can be read as a gradual rise, not {threshold.verdict!r}")
    return replace(threshold, verdict="gradual_rise")
