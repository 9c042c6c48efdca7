"""What a ready account is worth: a calibrated win curve and a deal size, used only where the data reach.

The win curve is isotonic: the win rate never falls as penetration rises (the article's claim,
which the tipping-point test has checked before the curve is used), with no shape assumed
beyond that. An isotonic fit is calibrated on its own training data by construction, so its
calibration is checked out of fold: folds of whole accounts, each predicted by a curve fitted on
the others, against a constant win rate (the Brier score). Deal size is fitted, not assumed:
log(amount) against log(employees) on won deals, its slope shown with an interval.
Neither is used outside the range of the deals it was fitted on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded

N_FOLDS = 5
MIN_WON_WITH_AMOUNT = 5
# Every step of the isotonic curve rests on at least this many closed deals: smaller blocks are
# pooled with a neighbour, so a few deals at an extreme (five won of five) never read as a certain
# win. Pooling keeps the curve's average equal to the observed win rate.
MIN_BLOCK_DEALS = 20


@dataclass(frozen=True, kw_only=True)
class WinCurve:
    """Win probability (0-1) as a non-decreasing function of one signal, inside its support."""

    signal: str
    knots: np.ndarray = field(repr=False)  # distinct signal values of closed deals
    fitted: np.ndarray = field(repr=False)  # win probability at each knot
    n: int
    calibration: pd.DataFrame = field(repr=False)  # low, high, predicted, observed, n (out of fold)
    brier: float  # out of fold
    brier_constant: float  # a constant win rate, out of fold

    @property
    def support(self) -> tuple[float, float]:
        return float(self.knots[0]), float(self.knots[-1])

    def predict(self, x) -> np.ndarray:
        """Win probability at each signal value; NaN outside the range of closed deals."""
        x = np.asarray(x, dtype=float)
        low, high = self.support
        return np.where((x >= low) & (x <= high), np.interp(x, self.knots, self.fitted), np.nan)

    def to_dict(self) -> dict:
        return {
            "model": "isotonic",
            "n": self.n,
            "support": [rounded(v) for v in self.support],
            "brier": rounded(self.brier),
            "brier_constant_rate": rounded(self.brier_constant),
        }


def isotonic_fit(
    x: np.ndarray, y: np.ndarray, *, min_block: int = MIN_BLOCK_DEALS
) -> tuple[np.ndarray, np.ndarray]:
    """The non-decreasing least-squares fit of y on x, each of its steps resting on at least
    `min_block` observations: (distinct x, fitted value at each)."""
    from scipy.optimize import isotonic_regression  # see the note on imports in timing.py

    knots, inverse = np.unique(x, return_inverse=True)
    counts = np.bincount(inverse).astype(float)
    fitted = isotonic_regression(np.bincount(inverse, weights=y) / counts, weights=counts, increasing=True).x
    _, block = np.unique(fitted, return_inverse=True)  # the fit is non-decreasing: blocks in order
    sizes = list(np.bincount(block, weights=counts))
    wins = list(np.bincount(block, weights=fitted * counts))
    first = list(range(len(sizes)))  # each pooled block's first original block
    while len(sizes) > 1 and min(sizes) < min_block:
        i = int(np.argmin(sizes))
        j = i + 1 if i == 0 else i - 1 if i == len(sizes) - 1 or sizes[i - 1] <= sizes[i + 1] else i + 1
        keep, drop = min(i, j), max(i, j)
        sizes[keep] += sizes.pop(drop)
        wins[keep] += wins.pop(drop)
        first.pop(drop)
    pooled = np.searchsorted(first, block, side="right") - 1
    return knots, (np.array(wins) / np.array(sizes))[pooled]


def account_folds(accounts: np.ndarray, n_folds: int, seed) -> np.ndarray:
    """A fold number for each deal, whole accounts together, assigned at random (seeded)."""
    codes, inverse = np.unique(accounts, return_inverse=True)
    fold_of_account = np.random.default_rng(seed).permutation(len(codes)) % n_folds
    return fold_of_account[inverse]


def calibration_table(predicted: np.ndarray, won: np.ndarray, bins: int = 5) -> pd.DataFrame:
    """Predicted against observed win rates in bins of the prediction (quantile bins)."""
    edges = np.unique(np.quantile(predicted, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, predicted, side="right") - 1, 0, max(len(edges) - 2, 0))
    frame = pd.DataFrame({"bin": which, "predicted": predicted, "won": won})
    table = frame.groupby("bin").agg(
        predicted=("predicted", "mean"), observed=("won", "mean"), n=("won", "size")
    )
    low = [edges[i] for i in table.index]
    high = [edges[min(i + 1, len(edges) - 1)] for i in table.index]
    return table.assign(low=low, high=high).reset_index(drop=True)[
        ["low", "high", "predicted", "observed", "n"]
    ]


def win_curve(
    signal: pd.Series, won: pd.Series, accounts: pd.Series, *, name: str, seed=0
) -> WinCurve | None:
    """Fit the isotonic win curve and check it out of fold; None when it cannot be fitted."""
    keep = signal.notna().to_numpy()
    x = signal.to_numpy(dtype=float)[keep]
    y = won.to_numpy(dtype=float)[keep]
    groups = accounts.astype(str).to_numpy()[keep]
    if len(np.unique(y)) < 2 or len(np.unique(x)) < 2:
        return None
    knots, fitted = isotonic_fit(x, y)
    folds = account_folds(groups, N_FOLDS, seed)
    out_of_fold, constant = np.empty(len(x)), np.empty(len(x))
    for fold in range(N_FOLDS):
        test = folds == fold
        if not test.any() or test.all():
            out_of_fold[test], constant[test] = y.mean(), y.mean()
            continue
        k, f = isotonic_fit(x[~test], y[~test])
        out_of_fold[test] = np.interp(x[test], k, f)
        constant[test] = y[~test].mean()
    return WinCurve(
        signal=name,
        knots=knots,
        fitted=fitted,
        n=len(x),
        calibration=calibration_table(out_of_fold, y),
        brier=float(np.mean((out_of_fold - y) ** 2)),
        brier_constant=float(np.mean((constant - y) ** 2)),
    )


@dataclass(frozen=True, kw_only=True)
class DealSize:
    """Won-deal amount against account size: log(amount) = a + b log(employees), fitted on won deals.

    `slope` is the elasticity (1 = proportional to employees) with its 95% interval; predictions
    are retransformed with Duan's smearing factor and only made inside the employee range fitted.
    """

    intercept: float
    slope: float
    ci: tuple[float, float]
    smearing: float
    n: int
    employees: tuple[float, float]

    def predict(self, employees) -> np.ndarray:
        """Expected won amount (currency) for accounts of these sizes; NaN outside the fitted range."""
        e = np.asarray(employees, dtype=float)
        inside = (e >= self.employees[0]) & (e <= self.employees[1])
        with np.errstate(divide="ignore", invalid="ignore"):
            amount = self.smearing * np.exp(self.intercept + self.slope * np.log(e))
        return np.where(inside, amount, np.nan)

    def to_dict(self) -> dict:
        return {
            "slope": rounded(self.slope),
            "ci": [rounded(self.ci[0]), rounded(self.ci[1])],
            "n": self.n,
            "employees": [rounded(v) for v in self.employees],
        }


def deal_size(won_deals: pd.DataFrame) -> DealSize | None:
    """Fit amount against employees on won deals (`amount`, `employee_count`); None with too few."""
    if "amount" not in won_deals:
        return None
    rows = won_deals[(won_deals["amount"] > 0) & (won_deals["employee_count"] > 0)]
    if len(rows) < MIN_WON_WITH_AMOUNT or rows["employee_count"].nunique() < 2:
        return None
    import statsmodels.api as sm  # see the note on imports in timing.py

    log_e = np.log(rows["employee_count"].to_numpy(dtype=float))
    log_a = np.log(rows["amount"].to_numpy(dtype=float))
    fit = sm.OLS(log_a, sm.add_constant(log_e)).fit()
    low, high = fit.conf_int(0.05)[1]
    smearing = float(np.mean(np.exp(fit.resid)))
    return DealSize(
        intercept=float(fit.params[0]),
        slope=float(fit.params[1]),
        ci=(float(low), float(high)),
        smearing=smearing,
        n=len(rows),
        employees=(float(np.exp(log_e.min())), float(np.exp(log_e.max()))),
    )
