"""Which signal defines a ready account, and whether its rise is a tipping point: judged out of fold.

Three signals are tested (employee penetration, departments, seats), and choosing the best of
several after looking is part of the test (DESIGN.md, "Account for the choices made after looking"):

1. Each signal's permutation test (`tipping_point.step_test`); the p-values are adjusted together
   (Holm), and a signal claims a rise only when its adjusted p-value is below alpha.
2. Among the signals that claim one, the pipeline signal is the one that predicts our deals best
   out of fold: folds of whole accounts, each deal predicted by a step whose cut is re-chosen on
   the other folds and by a smooth curve fitted on them, scored by log loss; a signal's score is
   the better of its two. (Scoring the step alone picks a proxy when the truth is smooth: a step on
   seats predicts a smooth rise on employee penetration about as well as a step on penetration.)
   A named `pipeline_signal` overrides this choice (never the test).
3. Another signal that claims a rise but adds nothing out of fold to the chosen one moves with it:
   it finds the same accounts. Adding means evidence, as everywhere: the two cuts together predict
   our deals better than the chosen cut alone, by a one-sided paired t-test on each account's
   summed log-loss differences at alpha (out-of-fold scores are noisy: about half of pure echoes beat
   the chosen cut alone by chance).
4. A rise is a tipping point only when the step predicts our deals better out of fold than a smooth
   monotone curve (logistic regression on log usage); otherwise the win rate rises gradually
   (`gradual_rise`). Accounts are valued on the calibrated win curve either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.settings import CommonSettings
from playbook.analyses.step_model import step_up
from playbook.analyses.tipping_point import Threshold, holm, step_test, threshold_of
from playbook.analyses.win_curve import N_FOLDS, account_folds

AUTO = "auto"  # `pipeline_signal`: choose out of fold among the signals that claim a rise
# Why the pipeline signal is the one it is (codes the views word).
REASONS = ("named", "best_out_of_fold", "no_claim")
# Predictions are kept this far from 0 and 1 before they are scored: one surprising deal must not
# decide a comparison on its own.
CLIP = 1e-3


def signal_thresholds(
    closed: pd.DataFrame,
    won: pd.Series,
    rules_of_thumb: dict[str, float],
    *,
    alpha: float = CommonSettings.alpha,
    n_permutations: int,
    n_boot: int = CommonSettings.n_boot,
    seed: int = CommonSettings.seed,
) -> dict[str, Threshold]:
    """Each signal's verdict from its permutation test, the p-values adjusted for every signal
    tested (Holm).

    Parameters
    ----------
    closed, won
        Closed deals with one column per signal (its value on the day the deal opened) and
        account_id; and whether each was won.
    rules_of_thumb
        Each signal's name and the article's mark for it (shown for reference without a claim).
    alpha, n_permutations, n_boot, seed
        The level the adjusted p-values are read at, the permutations, the interval's bootstrap
        resamples and the seed.
    """
    tests = {
        s: step_test(
            closed[s], won, closed["account_id"], name=s, n_permutations=n_permutations, seed=[seed, i]
        )
        for i, s in enumerate(rules_of_thumb)
    }
    up = holm({s: t.p_up for s, t in tests.items()})
    down = holm({s: t.p_down for s, t in tests.items()})
    family = sum(t.tested for t in tests.values())
    return {
        s: threshold_of(
            t,
            rule_of_thumb=rules_of_thumb[s],
            alpha=alpha,
            n_boot=n_boot,
            seed=[seed, i],
            p_adjusted=up[s],
            p_reversed_adjusted=down[s],
            adjusted_for=max(family, 1),
        )
        for i, (s, t) in enumerate(tests.items())
    }


# ---------------------------------------------------------------------------------------------
# Out-of-fold predictions: each deal predicted by a model fitted on the other folds' accounts


def deal_log_losses(predicted: np.ndarray, won: np.ndarray) -> np.ndarray:
    """Each deal's log loss (nats) of its win probability against its outcome."""
    p = np.clip(predicted, CLIP, 1 - CLIP)
    return -(won * np.log(p) + (1 - won) * np.log1p(-p))


def log_loss(predicted: np.ndarray, won: np.ndarray) -> float:
    """Mean log loss per deal (nats; lower is better) of win probabilities against outcomes."""
    return float(np.mean(deal_log_losses(predicted, won)))


def gain_p_value(before: np.ndarray, after: np.ndarray, groups: np.ndarray) -> float:
    """One-sided p-value that `after` predicts better than `before` (per-deal log losses): a paired
    t-test on each account's summed difference, accounts being the unit deals are folded by."""
    from scipy.stats import ttest_1samp  # see the note on imports in timing.py

    _, inverse = np.unique(groups, return_inverse=True)
    gains = np.bincount(inverse, weights=before - after)
    if np.ptp(gains) == 0:
        return 1.0
    return float(ttest_1samp(gains, 0.0, alternative="greater").pvalue)


def _rate(wins: float, n: float, prior: float = 0.5, weight: float = 1.0) -> float:
    """A win rate pulled toward `prior` by `weight` deals: never exactly 0 or 1 on a few deals."""
    return (wins + weight * prior) / (n + weight)


def step_predictions(x: np.ndarray, won: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Out of fold: each deal's win rate on its side of the best cut chosen on the other folds
    (the rate of the other folds when they show no rise)."""
    predicted = np.empty(len(x))
    for fold in np.unique(folds):
        test, train = folds == fold, folds != fold
        cut = step_up(x[train], won[train])
        if cut is None:
            predicted[test] = _rate(won[train].sum(), train.sum())
            continue
        above = x[train] >= cut
        rate_above = _rate(won[train][above].sum(), above.sum())
        rate_below = _rate(won[train][~above].sum(), (~above).sum())
        predicted[test] = np.where(x[test] >= cut, rate_above, rate_below)
    return predicted


def logistic_fit(z: np.ndarray, won: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Maximum-likelihood logistic regression of won on z (Newton's method): intercept and slope.

    A vanishing ridge (1e-6) keeps the steps finite when one value of z separates wins from losses.
    """
    design = np.column_stack([np.ones_like(z), z])
    beta = np.zeros(2)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-design @ beta))
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(hessian, design.T @ (won - p) - 1e-6 * beta)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[0]), float(beta[1])


def log_usage(x: np.ndarray) -> np.ndarray:
    """The log of a signal, zero usage counted at half the smallest usage seen (log 0 is undefined)."""
    positive = x[x > 0]
    floor = positive.min() / 2 if len(positive) else 1.0
    return np.log(np.maximum(x, floor))


def smooth_predictions(x: np.ndarray, won: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Out of fold: each deal's win probability from a logistic regression on log usage fitted on
    the other folds (a smooth monotone curve, the alternative to a step)."""
    z = log_usage(x)
    predicted = np.empty(len(x))
    for fold in np.unique(folds):
        test, train = folds == fold, folds != fold
        if won[train].min() == won[train].max():  # one outcome only: nothing to fit
            predicted[test] = _rate(won[train].sum(), train.sum())
            continue
        intercept, slope = logistic_fit(z[train], won[train])
        predicted[test] = 1 / (1 + np.exp(-(intercept + slope * z[test])))
    return predicted


def constant_predictions(won: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Out of fold: the other folds' win rate, for every deal (what knowing nothing of usage gives)."""
    predicted = np.empty(len(won))
    for fold in np.unique(folds):
        test, train = folds == fold, folds != fold
        predicted[test] = _rate(won[train].sum(), train.sum())
    return predicted


def two_step_predictions(
    chosen: np.ndarray, other: np.ndarray, won: np.ndarray, folds: np.ndarray
) -> np.ndarray:
    """Out of fold: each deal's win rate in its cell of two cuts (the chosen signal's and another's,
    each chosen on the other folds), a cell's rate pulled toward its side of the chosen cut; with
    no rise on the other signal, the chosen cut's prediction alone."""
    predicted = np.empty(len(won))
    for fold in np.unique(folds):
        test, train = folds == fold, folds != fold
        cut, second = step_up(chosen[train], won[train]), step_up(other[train], won[train])
        side = chosen >= cut if cut is not None else np.ones(len(won), bool)
        cell = other >= second if second is not None else np.ones(len(won), bool)
        for s in (True, False):
            in_side = train & (side == s)
            side_rate = _rate(won[in_side].sum(), in_side.sum())
            for c in (True, False):
                in_cell = train & (side == s) & (cell == c)
                rate = _rate(won[in_cell].sum(), in_cell.sum(), prior=side_rate, weight=2.0)
                predicted[test & (side == s) & (cell == c)] = rate
    return predicted


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OutOfFold:
    """How well one signal predicts our closed deals out of fold: mean log loss per deal (nats,
    lower is better) of a step at the cut re-chosen in each fold, of a smooth curve (logistic on
    log usage) and of a constant win rate; `with_chosen` of this signal's cut and the chosen
    signal's together (None for the chosen signal itself)."""

    signal: str
    step: float
    smooth: float
    constant: float
    with_chosen: float | None = None
    n: int

    @property
    def step_beats_smooth(self) -> bool:
        """A tipping point rather than a gradual rise: the step predicts better than the curve."""
        return self.step < self.smooth

    @property
    def best(self) -> float:
        """The signal's score: the better of its step and its smooth curve."""
        return min(self.step, self.smooth)

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "step_log_loss": rounded(self.step),
            "smooth_log_loss": rounded(self.smooth),
            "constant_log_loss": rounded(self.constant),
            "with_chosen_log_loss": rounded(self.with_chosen),
            "step_beats_smooth": self.step_beats_smooth,
        }


@dataclass(frozen=True, kw_only=True)
class SignalChoice:
    """The pipeline signal and why (`reason`, one of REASONS), with the out-of-fold scores behind
    it: `scores` for each signal that claims a rise, `echoes` each other such signal that adds
    nothing out of fold to the chosen one, mapped to the chosen signal it moves with."""

    requested: str  # `auto` or a signal named in the parameters
    chosen: str
    reason: str
    scores: dict[str, OutOfFold] = field(default_factory=dict)
    echoes: dict[str, str] = field(default_factory=dict)
    n_folds: int = N_FOLDS

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"reason must be one of {', '.join(REASONS)}, got {self.reason!r}")

    def shape(self, signal: str) -> str | None:
        """`step` or `gradual` for a signal that claims a rise; None for the others."""
        score = self.scores.get(signal)
        return None if score is None else "step" if score.step_beats_smooth else "gradual"

    def to_dict(self) -> dict:
        return {
            "requested": self.requested,
            "chosen": self.chosen,
            "reason": self.reason,
            "n_folds": self.n_folds,
            "out_of_fold": {s: score.to_dict() for s, score in self.scores.items()},
            "echoes": dict(self.echoes),
        }


def choose_signal(
    closed: pd.DataFrame,
    won: pd.Series,
    thresholds: dict[str, Threshold],
    *,
    requested: str = AUTO,
    alpha: float = CommonSettings.alpha,
    seed: int = CommonSettings.seed,
) -> SignalChoice:
    """The pipeline signal: the named one, or among the signals whose (adjusted) test claims a rise
    the one with the lowest out-of-fold log loss (of its step or its smooth curve); with no claim,
    the reversed signal with the smallest adjusted p-value, else the tested one with the smallest,
    else the first signal.

    Parameters
    ----------
    closed, won
        Closed deals with one column per signal and account_id; and whether each was won.
    thresholds
        Each signal's verdict (`signal_thresholds`), in the order signals are preferred on ties.
    requested
        `auto`, or the signal a company named in advance.
    alpha
        The level at which another signal's cut must improve the chosen one's predictions not to
        be read as moving with it.
    seed
        Seeds the folds (whole accounts, shared by every signal).
    """
    if requested != AUTO and requested not in thresholds:
        raise ValueError(
            f"pipeline_signal must be {AUTO} or one of {', '.join(thresholds)}, got {requested!r}"
        )
    y = won.to_numpy(dtype=float)
    groups = closed["account_id"].astype(str).to_numpy()
    folds = account_folds(groups, N_FOLDS, seed)
    claims = [s for s, t in thresholds.items() if t.verdict == "own_threshold"]
    scores: dict[str, OutOfFold] = {}
    for s in claims:
        x, keep = _signal(closed, s)
        scores[s] = OutOfFold(
            signal=s,
            step=log_loss(step_predictions(x, y[keep], folds[keep]), y[keep]),
            smooth=log_loss(smooth_predictions(x, y[keep], folds[keep]), y[keep]),
            constant=log_loss(constant_predictions(y[keep], folds[keep]), y[keep]),
            n=int(keep.sum()),
        )
    if requested != AUTO:
        chosen, reason = requested, "named"
    elif claims:
        chosen, reason = min(claims, key=lambda s: (scores[s].best, claims.index(s))), "best_out_of_fold"
    else:
        chosen, reason = _without_claim(thresholds), "no_claim"
    echoes = {}
    if chosen in scores:
        for s in claims:
            if s == chosen:
                continue
            both = closed[chosen].notna().to_numpy() & closed[s].notna().to_numpy()
            x_chosen, x_other = (closed.loc[both, c].to_numpy(dtype=float) for c in (chosen, s))
            pair = deal_log_losses(two_step_predictions(x_chosen, x_other, y[both], folds[both]), y[both])
            alone = deal_log_losses(step_predictions(x_chosen, y[both], folds[both]), y[both])
            scores[s] = replace(scores[s], with_chosen=float(pair.mean()))
            if gain_p_value(alone, pair, groups[both]) >= alpha:  # no evidence it adds: it echoes
                echoes[s] = chosen
    return SignalChoice(requested=requested, chosen=chosen, reason=reason, scores=scores, echoes=echoes)


def _signal(closed: pd.DataFrame, signal: str) -> tuple[np.ndarray, np.ndarray]:
    """A signal's known values and which deals have one."""
    keep = closed[signal].notna().to_numpy()
    return closed.loc[keep, signal].to_numpy(dtype=float), keep


def _without_claim(thresholds: dict[str, Threshold]) -> str:
    """The signal a result without a claim is shown on: the clearest fall, else the closest to a
    rise, else the first signal with deals to count."""
    reversed_ = [s for s, t in thresholds.items() if t.verdict == "reversed"]
    if reversed_:
        return min(reversed_, key=lambda s: thresholds[s].p_reversed_adjusted)
    tested = [s for s, t in thresholds.items() if t.p_adjusted is not None]
    if tested:
        return min(tested, key=lambda s: thresholds[s].p_adjusted)
    counted = [s for s, t in thresholds.items() if t.n > 0]
    return (counted or list(thresholds))[0]
