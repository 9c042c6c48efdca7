"""The statistics of an interview scorecard, on arrays: how consistently interviewers separate the
candidates (ICC(2,1) with its interval), whether the first candidate is ahead of the second (a
two-sided paired t-test), and the clear-leader verdict of whole interview loops, many at once.

`leaders.assess_leaders` reads one company's scores with these functions; the calibration study
(`make calibrate`) runs `clear_leads` on hundreds of thousands of simulated loops, and a test
checks that it calls every loop as `assess_leaders` does.

Why two-sided: the first two are chosen after looking — whichever candidate scored higher is
called first — so a one-sided test "first above second" tests in the direction just observed
and calls a false lead twice as often as its level (10.8% of loops with two identical finalists
and four interviewers, at a 5% level). The two-sided test asks whether the two differ at all,
which is what the ranking has not yet shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_INTERVIEWERS_FOR_INTERVAL = 3
# Scores are whole numbers: an interviewer's score carries at least its rounding's uncertainty
# (the standard deviation of a uniform error of one point), so no interval is narrower than that.
ROUNDING_SD = 1 / np.sqrt(12)
SCALE = (1.0, 5.0)  # the scores' scale: intervals are clipped to it


def rounding_sd(weights) -> np.ndarray:
    """The rounding's standard deviation in a weighted score (weights on the last axis, summing to
    1): each whole-number score carries a uniform error of one point, 1/sqrt(12)."""
    return ROUNDING_SD * np.sqrt((np.asarray(weights, dtype=float) ** 2).sum(axis=-1))


def score_interval(
    scores, floor, *, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each candidate's mean score over the interviewers (the last axis; NaN where one did not
    score) and its t-interval, the spread never below `floor` and the interval clipped to the 1-5
    scale; no interval (NaN) from fewer than 3 interviewers.

    Returns (mean, low, high, interviewers), each over the leading axes.
    """
    from scipy.stats import t  # see the note on imports in timing.py

    x = np.asarray(scores, dtype=float)
    counts = (~np.isnan(x)).sum(axis=-1)
    mean = np.nanmean(x, axis=-1)
    sd = np.maximum(np.nanstd(x, axis=-1, ddof=1), floor)
    half = t.ppf((1 + level) / 2, np.maximum(counts - 1, 1)) * sd / np.sqrt(counts)
    shown = counts >= MIN_INTERVIEWERS_FOR_INTERVAL
    low = np.where(shown, np.clip(mean - half, *SCALE), np.nan)
    high = np.where(shown, np.clip(mean + half, *SCALE), np.nan)
    return mean, low, high, counts


def icc_arrays(scores, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ICC(2,1) — two-way random effects, absolute agreement, one interviewer — of complete
    candidates x interviewers matrices (the last two axes), and its F-based interval (McGraw &
    Wong 1996, case 2A; as in R's psych::ICC).

    Returns (icc, low, high, measurable), each over the leading axes; `measurable` is False where
    every score is equal (nothing to separate), and the other three are NaN there.
    """
    from scipy.stats import f  # see the note on imports in timing.py

    x = np.asarray(scores, dtype=float)
    n, k = x.shape[-2:]
    grand = x.mean(axis=(-2, -1))
    rows, cols = x.mean(axis=-1), x.mean(axis=-2)
    ms_rows = k * ((rows - grand[..., None]) ** 2).sum(axis=-1) / (n - 1)
    ms_cols = n * ((cols - grand[..., None]) ** 2).sum(axis=-1) / (k - 1)
    residual = x - rows[..., :, None] - cols[..., None, :] + grand[..., None, None]
    ms_error = (residual**2).sum(axis=(-2, -1)) / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    measurable = (denominator > 0) & ~((ms_error == 0) & (ms_rows == 0))
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        icc = (ms_rows - ms_error) / denominator
        fj = ms_cols / ms_error
        vn = (k - 1) * (n - 1) * (k * icc * fj + n * (1 + (k - 1) * icc) - k * icc) ** 2
        vd = (n - 1) * k**2 * icc**2 * fj**2 + (n * (1 + (k - 1) * icc) - k * icc) ** 2
        # Satterthwaite's degrees of freedom reach 0 (or 0/0) when the candidates' means are all
        # equal (nothing separates them); a floor of 1 keeps the interval defined, and it then lies
        # below 0.
        v = np.where(vd > 0, np.maximum(vn / vd, 1.0), 1.0)
        f_upper, f_lower = f.isf(alpha / 2, n - 1, v), f.isf(alpha / 2, v, n - 1)
        spread = k * ms_cols + (k * n - k - n) * ms_error
        low = n * (ms_rows - f_upper * ms_error) / (f_upper * spread + n * ms_rows)
        high = n * (f_lower * ms_rows - ms_error) / (spread + n * f_lower * ms_rows)
    exact = ms_error == 0  # interviewers agree exactly on candidates that differ
    low, high = np.where(exact, icc, low), np.where(exact, 1.0, high)
    missing = np.where(measurable, 1.0, np.nan)
    return icc * missing, low * missing, high * missing, measurable


def icc_agreement(matrix: np.ndarray, *, level: float = 0.95) -> tuple[float, tuple[float, float]] | None:
    """ICC(2,1) of one complete candidates x interviewers matrix and its interval; None when every
    score is equal."""
    icc, low, high, measurable = icc_arrays(np.asarray(matrix, dtype=float)[None], level=level)
    if not measurable[0]:
        return None
    return float(icc[0]), (float(low[0]), float(high[0]))


def lead_p(differences, floor) -> np.ndarray:
    """Two-sided paired t-test that two candidates' scores differ: the p-value from each
    interviewer's score difference (interviewers on the last axis, 3 or more).

    The standard deviation is never taken below `floor` (the rounding of whole-number scores in a
    difference): when every interviewer gives the same difference its spread is 0, and the test
    would call any such lead certain. Assumes the differences are roughly normal around the true
    difference.
    """
    from scipy.stats import t  # see the note on imports in timing.py

    d = np.asarray(differences, dtype=float)
    k = d.shape[-1]
    sd = np.maximum(d.std(axis=-1, ddof=1), floor)
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero floor: no weight left (unused)
        return 2 * t.sf(np.abs(d.mean(axis=-1)) / (sd / np.sqrt(k)), k - 1)


def difference_floor(weights) -> np.ndarray:
    """The floor of a score difference's standard deviation: two candidates' rounding."""
    return np.sqrt(2) * rounding_sd(weights)


@dataclass(frozen=True, kw_only=True)
class Leads:
    """The clear-leader verdict of many interview loops (arrays over the loops).

    leader: index of the candidate ranked first (without the uncertain attributes, when any);
    clear: the verdict is `clear_leader`; p: the paired test's p-value in the ranking with every
    attribute; uncertain: loops x attributes, the attributes whose agreement interval reaches 0.
    """

    leader: np.ndarray
    clear: np.ndarray
    p: np.ndarray
    uncertain: np.ndarray


def _first_two(cube: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first candidate by weighted score (ties to the lower index, as candidate ids sort) and
    the paired test's p-value against the second."""
    scores = (cube * weights[..., None, None, :]).sum(axis=-1)  # loops x candidates x interviewers
    order = np.argsort(-scores.mean(axis=-1), axis=-1, kind="stable")
    first = np.take_along_axis(scores, order[..., :1, None], axis=-2)[..., 0, :]
    second = np.take_along_axis(scores, order[..., 1:2, None], axis=-2)[..., 0, :]
    return order[..., 0], lead_p(first - second, difference_floor(weights))


def clear_leads(cube, weights, *, alpha: float) -> Leads:
    """The verdict of `leaders.assess_leaders` on complete interview loops, many at once.

    Parameters
    ----------
    cube
        loops x candidates x interviewers x attributes whole-number scores (1-5), every candidate
        scored on every attribute by every interviewer (3 or more), attributes in the contract's
        order.
    weights
        The attributes' weights, summing to 1.
    alpha
        A lead is clear when the paired test's p-value is below it in both rankings (with every
        attribute, and without those whose agreement interval reaches 0), for the same candidate.
    """
    cube = np.asarray(cube, dtype=float)
    weights = np.asarray(weights, dtype=float)
    loops, n, k, _ = cube.shape
    if k < MIN_INTERVIEWERS_FOR_INTERVAL or n < 2:
        raise ValueError(f"clear_leads needs 2 or more candidates and 3 or more interviewers, got {n} x {k}")
    _, low, _, _ = icc_arrays(np.moveaxis(cube, -1, -3))  # loops x attributes
    uncertain = ~(low > 0) & (weights > 0)
    leader, p = _first_two(cube, np.broadcast_to(weights, (loops, len(weights))))
    # The second ranking, without the uncertain attributes (when any and something is left).
    kept = np.where(uncertain, 0.0, weights)
    total = kept.sum(axis=-1, keepdims=True)
    second = uncertain.any(axis=-1) & (total[:, 0] > 0)
    leader_certain, p_certain = _first_two(cube, kept / np.where(total > 0, total, 1.0))
    clear = (p < alpha) & np.where(second, (p_certain < alpha) & (leader_certain == leader), True)
    return Leads(leader=np.where(second, leader_certain, leader), clear=clear, p=p, uncertain=uncertain)
