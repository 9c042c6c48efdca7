"""The step model of the win rate: deals whose signal (usage when the deal opened) is at or above a
cut win at one rate, those below at another; its likelihood at every cut, the best cut, the
permutation test of whole accounts, and the interval of the cut by likelihood-ratio inversion.

The statistics only: `tipping_point` turns them into a verdict on one signal, `signal_choice`
into the choice among three, `ready_range` into the uncertainty of the ready accounts.
"""

from __future__ import annotations

import numpy as np


def smallest_side(n: int) -> int:
    """Deals a cut must leave on each side: 5, or a twentieth of the deals when more."""
    return max(5, n // 20)


def _bernoulli_loglik(wins: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Maximised Bernoulli log-likelihood of `wins` successes in `n` trials (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = wins / n
        ll = wins * np.log(p) + (n - wins) * np.log1p(-p)
    return np.nan_to_num(ll, copy=False, nan=0.0)


def step_profile(y_sorted: np.ndarray, weights: np.ndarray | None = None):
    """Log-likelihood of the step model at every cut position, and the win rates on each side.

    `y_sorted` holds outcomes (0/1) in order of the signal, one row per resample when 2-D; cut
    position i puts the first i deals below. `weights` count how often each deal appears (a
    bootstrap resample). Returns (loglik, rate_below, rate_above, n_below, n_above).
    """
    w = np.ones_like(y_sorted, dtype=float) if weights is None else weights
    wins = w * y_sorted
    wins_below = np.cumsum(wins, axis=-1) - wins
    n_below = np.cumsum(w, axis=-1) - w
    total_wins, total = wins.sum(-1, keepdims=True), w.sum(-1, keepdims=True)
    n_above = total - n_below
    loglik = _bernoulli_loglik(wins_below, n_below) + _bernoulli_loglik(total_wins - wins_below, n_above)
    with np.errstate(divide="ignore", invalid="ignore"):
        below, above = wins_below / n_below, (total_wins - wins_below) / n_above
    return loglik, below, above, n_below, n_above


def allowed_cuts(x_sorted: np.ndarray, min_group: int) -> np.ndarray:
    """Cut positions allowed: at a new signal value, with at least `min_group` deals on each side."""
    n = len(x_sorted)
    i = np.arange(n)
    return np.r_[False, x_sorted[1:] != x_sorted[:-1]] & (i >= min_group) & (n - i >= min_group)


def steps_up(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The maximum-likelihood cut where the win rate above is higher, in each resample, and the
    largest signal below it among the deals drawn: every cut between the two fits those deals
    equally well. One pair per row of `weights` (resamples x deals: how often each deal is drawn),
    the cut at a new signal value with `smallest_side` deals drawn on each side; NaN where none is.
    """
    order = np.argsort(x, kind="stable")
    xs, ys, w = x[order], y[order].astype(float), weights[:, order]
    loglik, below, above, n_below, n_above = step_profile(np.broadcast_to(ys, w.shape), w)
    drawn = w > 0
    # each position's previous drawn deal: a cut there is at a new value when its signal is larger
    last_drawn = np.maximum.accumulate(np.where(drawn, np.arange(len(xs)), -1), axis=-1)
    previous = np.concatenate([np.full((len(w), 1), -1), last_drawn[:, :-1]], axis=-1)
    new_value = drawn & (previous >= 0) & (xs > xs[np.maximum(previous, 0)])
    side = np.array([smallest_side(int(total)) for total in w.sum(-1)])[:, None]
    up = new_value & (n_below >= side) & (n_above >= side) & (above > below)
    best = np.argmax(np.where(up, loglik, -np.inf), axis=-1)
    found = up.any(-1)
    rows = np.arange(len(w))
    cut = np.where(found, xs[best], np.nan)
    return np.where(found, xs[np.maximum(previous[rows, best], 0)], np.nan), cut


def step_up(x: np.ndarray, y: np.ndarray) -> float | None:
    """The maximum-likelihood cut where the win rate above is higher (None where there is none)."""
    cut = steps_up(x, y, np.ones((1, len(x))))[1][0]
    return None if np.isnan(cut) else float(cut)


def one_sided_lr(y_sorted: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The likelihood-ratio statistic against a constant win rate, maximised over the allowed cuts
    where the win rate above is higher (first) and where it is lower (second); 0 where none is."""
    loglik, below, above, _, _ = step_profile(y_sorted)
    n = y_sorted.shape[-1]
    constant = _bernoulli_loglik(y_sorted.sum(-1, keepdims=True), np.full((1,), float(n)))
    lr = 2 * (loglik - constant)
    up = np.where(allowed & (above > below), lr, 0.0).max(-1)
    down = np.where(allowed & (above < below), lr, 0.0).max(-1)
    return up, down


def account_permutations(accounts: np.ndarray, n_permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Source positions of outcomes under `n_permutations` permutations of whole accounts.

    Accounts with the same number of deals swap their outcomes as blocks (deals of an account
    in their original order), so the within-account structure of the data is kept.
    Returns an (n_permutations x n_deals) array of indices into the deals.
    """
    n = len(accounts)
    source = np.tile(np.arange(n), (n_permutations, 1))
    codes, inverse, sizes = np.unique(accounts, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")  # deals grouped by account, original order kept
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    for k in np.unique(sizes):
        group = np.flatnonzero(sizes == k)  # accounts with k deals
        if len(group) < 2:
            continue
        positions = order[starts[group][:, None] + np.arange(k)]  # accounts x k deal positions
        moved = rng.permuted(np.tile(np.arange(len(group)), (n_permutations, 1)), axis=1)
        for j in range(k):
            source[:, positions[:, j]] = positions[moved, j]
    return source


def permutation_p_values(
    x: np.ndarray, y: np.ndarray, accounts: np.ndarray, *, min_group: int, n_permutations: int, seed
) -> tuple[float, float, int]:
    """One-sided permutation p-values for a step up (expected) and a step down (reversed)."""
    order = np.argsort(x, kind="stable")
    allowed = allowed_cuts(x[order], min_group)
    observed_up, observed_down = one_sided_lr(y[order], allowed)
    source = account_permutations(accounts, n_permutations, np.random.default_rng([*np.atleast_1d(seed), 0]))
    up, down = one_sided_lr(y[source][:, order], allowed)
    tolerance = 1e-9  # equal statistics count as at least as extreme
    p_up = (1 + np.sum(up >= observed_up - tolerance)) / (n_permutations + 1)
    p_down = (1 + np.sum(down >= observed_down - tolerance)) / (n_permutations + 1)
    return float(p_up), float(p_down), int(allowed.sum())


def lr_interval(
    x: np.ndarray,
    y: np.ndarray,
    accounts: np.ndarray,
    *,
    min_group: int,
    n_boot: int,
    seed,
    level: float = 0.95,
) -> tuple[float, tuple[float, float]]:
    """The best step-up cut and its interval by likelihood-ratio inversion, calibrated by an
    account bootstrap.

    The interval holds every allowed cut c with 2 (loglik(best) - loglik(c)) <= q, where q is the
    `level` quantile of 2 (max loglik* - loglik*(best)) over resamples of whole accounts.
    """
    order = np.argsort(x, kind="stable")
    xs, ys, accs = x[order], y[order].astype(float), accounts[order]
    allowed = allowed_cuts(xs, min_group)
    loglik, below, above, _, _ = step_profile(ys)
    loglik = np.where(allowed, loglik, -np.inf)
    up = allowed & (above > below)
    best = int(np.argmax(np.where(up, loglik, -np.inf))) if up.any() else int(np.argmax(loglik))
    _, inverse = np.unique(accs, return_inverse=True)
    n_accounts = inverse.max() + 1
    rng = np.random.default_rng([*np.atleast_1d(seed), 1])
    counts = rng.multinomial(n_accounts, np.full(n_accounts, 1 / n_accounts), size=n_boot)
    weights = counts[:, inverse].astype(float)
    boot, _, _, n_below, n_above = step_profile(np.broadcast_to(ys, weights.shape), weights)
    at_best = boot[:, best]
    valid = allowed & (n_below >= min_group) & (n_above >= min_group)
    best_in_resample = np.where(valid, boot, -np.inf).max(-1)
    statistic = 2 * (np.maximum(best_in_resample, at_best) - at_best)
    critical = float(np.quantile(statistic[np.isfinite(statistic)], level))
    inside = allowed & (2 * (loglik[best] - loglik) <= critical + 1e-9)
    return float(xs[best]), (float(xs[inside].min()), float(xs[inside].max()))
