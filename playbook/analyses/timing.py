"""Timing: is ARR in the band where top-down sales pay off, and is the product flywheel working?

GitHub, Twilio and SendGrid all started investing in top-down sales teams with bottom-up ARR
between $20M and $30M (a16z, "The $20M-$500M question: adding top-down sales", Dec 2020).
This module places the company's ARR against that band, forecasts when it will enter it, and
collects the flywheel evidence the article names.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded

VERDICTS = ("early", "approaching", "in_window", "late")
DEFAULT_BAND = (20e6, 30e6)  # GitHub, Twilio, SendGrid: $20-30M ARR
MIN_FORECAST_MONTHS = 12
GROWTH_WINDOW_MONTHS = 24  # the forecast extrapolates the growth of the last two years
NRR_TOP_COMPANIES = 1.5  # the article: top companies often show NRR above 150%
MAGIC_NUMBER_EFFICIENT = 0.75  # common SaaS benchmark, not from the article


@dataclass(frozen=True)
class MonthsToBand:
    """Months until ARR first reaches the band's lower edge, across simulated paths.

    A quantile is None when fewer than that share of paths reach the band within the horizon.
    """

    p10: int | None
    p50: int | None
    p90: int | None
    n_paths: int
    horizon_months: int
    growth_months: int  # monthly growth figures the model was estimated on

    def to_dict(self) -> dict:
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90, "n": self.growth_months}


@dataclass(frozen=True)
class Indicator:
    """One piece of flywheel evidence, beside the rule of thumb it is compared with."""

    name: str
    value: float | None
    unit: str  # "share" (0-1), "ratio" or "usd"
    mark: float | None
    mark_source: str
    n_months: int
    note: str = ""

    @property
    def meets_mark(self) -> bool | None:
        if self.value is None or self.mark is None:
            return None
        return self.value >= self.mark


@dataclass(frozen=True)
class TimingResult:
    """The timing verdict and its evidence. `to_dict()` is the summary.json `timing` section."""

    verdict: str
    as_of: pd.Timestamp
    current_arr: float
    band: tuple[float, float]
    months_to_band: MonthsToBand | None
    months_past_band: int | None
    indicators: tuple[Indicator, ...]
    n_months: int
    approach_months: int
    history: pd.DataFrame = field(repr=False)  # month, arr
    forecast: pd.DataFrame | None = field(repr=False)  # month, p10, p50, p90 (USD)
    notes: tuple[str, ...] = ()

    def indicator(self, name: str) -> Indicator:
        return next(i for i in self.indicators if i.name == name)

    def to_dict(self) -> dict:
        value = {i.name: i.value for i in self.indicators}
        return {
            "verdict": self.verdict,
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "current_arr": round(self.current_arr, 2),
            "band": [self.band[0], self.band[1]],
            "months_to_band": self.months_to_band.to_dict() if self.months_to_band else None,
            "months_past_band": self.months_past_band,
            "arr_growth_annual": value["arr_growth_annual"],
            "nrr": value["nrr"],
            "self_serve_share": value["self_serve_share"],
            "magic_number": value["magic_number"],
            "signup_growth": value["signup_growth"],
            "n_months": self.n_months,
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------------------------------
# Flywheel evidence


def arr_growth_annual(arr: pd.DataFrame) -> float | None:
    """ARR now over ARR twelve months earlier, minus one (share); None with under 13 months."""
    if len(arr) < 13 or arr["arr"].iloc[-13] <= 0:
        return None
    return rounded(arr["arr"].iloc[-1] / arr["arr"].iloc[-13] - 1)


def trailing_nrr(arr: pd.DataFrame) -> float | None:
    """Trailing-12-month net revenue retention from the ARR movement columns (share).

    (ARR twelve months ago + expansion - contraction - churn over the twelve months) divided by
    ARR twelve months ago. None when a movement column is missing or there are under 13 months.
    """
    movements = ["expansion_arr", "contraction_arr", "churned_arr"]
    if len(arr) < 13 or any(c not in arr for c in movements):
        return None
    window = arr.iloc[-12:]
    if window[movements].isna().any().any():
        return None
    start = arr["arr"].iloc[-13]
    if start <= 0:
        return None
    kept = (
        start + window["expansion_arr"].sum() - window["contraction_arr"].sum() - window["churned_arr"].sum()
    )
    return rounded(kept / start)


def self_serve_share(arr: pd.DataFrame) -> float | None:
    """Share of the last month's ARR that came through the self-serve (bottom-up) motion."""
    if "self_serve_arr" not in arr or pd.isna(arr["self_serve_arr"].iloc[-1]) or arr["arr"].iloc[-1] <= 0:
        return None
    return rounded(arr["self_serve_arr"].iloc[-1] / arr["arr"].iloc[-1])


def magic_number(arr: pd.DataFrame) -> float | None:
    """Net new ARR in the last quarter over sales & marketing spend in the quarter before."""
    if "sales_marketing_spend" not in arr or len(arr) < 7:
        return None
    spend = arr["sales_marketing_spend"].iloc[-6:-3]
    if spend.isna().any() or spend.sum() <= 0:
        return None
    return rounded((arr["arr"].iloc[-1] - arr["arr"].iloc[-4]) / spend.sum())


def signup_growth(arr: pd.DataFrame) -> float | None:
    """Signups in the last twelve months over the twelve before, minus one (share)."""
    if "signups" not in arr or len(arr) < 24:
        return None
    recent, before = arr["signups"].iloc[-12:], arr["signups"].iloc[-24:-12]
    if recent.isna().any() or before.isna().any() or before.sum() <= 0:
        return None
    return rounded(float(recent.sum()) / float(before.sum()) - 1)


def flywheel_indicators(arr: pd.DataFrame) -> tuple[Indicator, ...]:
    """The flywheel evidence the columns allow, each beside its rule of thumb."""
    n = len(arr)
    return (
        Indicator("arr_growth_annual", arr_growth_annual(arr), "share", None, "", min(n, 13)),
        Indicator(
            "nrr",
            trailing_nrr(arr),
            "share",
            NRR_TOP_COMPANIES,
            "rule of thumb (the article): top companies often exceed 150%",
            min(n, 13),
        ),
        Indicator(
            "self_serve_share",
            self_serve_share(arr),
            "share",
            None,
            "the bottom-up motion is the pipeline for top-down sales",
            1,
        ),
        Indicator(
            "magic_number",
            magic_number(arr),
            "ratio",
            MAGIC_NUMBER_EFFICIENT,
            "industry rule of thumb (not from the article): above 0.75 is efficient",
            min(n, 6),
        ),
        Indicator("signup_growth", signup_growth(arr), "share", None, "", min(n, 24)),
    )


# ---------------------------------------------------------------------------------------------
# Forecast


def simulate_log_arr(
    log_arr: np.ndarray, *, horizon: int, n_paths: int, seed: int, window: int = GROWTH_WINDOW_MONTHS
) -> tuple[np.ndarray, int, list[str]]:
    """Simulated future paths of log ARR (horizon x n_paths) from a log-linear model.

    Monthly log growth = drift + noise, estimated by maximum likelihood (a statsmodels
    state-space model) on the last `window` months. Each path draws its own drift and noise
    variance from their estimated sampling distribution, so the fan carries the uncertainty
    about the growth rate itself, not only month-to-month noise.
    Returns the paths, the number of monthly growth figures behind them, and any notes.
    """
    # Imported here, not at the top: a notebook that only reads stored results never needs
    # statsmodels, and its import is a large part of a kernel's start-up.
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    notes = []
    growth = np.diff(log_arr)[-window:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = SARIMAX(growth, order=(0, 0, 0), trend="c").fit(disp=False)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        notes.append("The ARR growth model did not fully converge; read its months as rough.")
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(fit.params, fit.cov_params(), size=n_paths)
    drift, variance = draws[:, 0], np.abs(draws[:, 1])
    steps = drift + np.sqrt(variance) * rng.standard_normal((horizon, n_paths))
    return log_arr[-1] + np.cumsum(steps, axis=0), len(growth), notes


def months_to_band(paths: np.ndarray, *, band_low: float, growth_months: int) -> MonthsToBand:
    """First month each simulated ARR path reaches `band_low`, summarised as P10/P50/P90."""
    horizon, n_paths = paths.shape
    reached = paths >= np.log(band_low)
    first = np.where(reached.any(axis=0), reached.argmax(axis=0) + 1, np.inf)

    def quantile(q: float) -> int | None:
        value = np.quantile(first, q, method="inverted_cdf")
        return None if not np.isfinite(value) else int(value)

    return MonthsToBand(quantile(0.1), quantile(0.5), quantile(0.9), n_paths, horizon, growth_months)


def _forecast_frame(paths: np.ndarray, last_month: pd.Timestamp) -> pd.DataFrame:
    months = pd.date_range(last_month + pd.offsets.MonthBegin(1), periods=paths.shape[0], freq="MS")
    q = np.exp(np.quantile(paths, [0.1, 0.5, 0.9], axis=1))
    return pd.DataFrame({"month": months, "p10": q[0], "p50": q[1], "p90": q[2]})


# ---------------------------------------------------------------------------------------------


def assess_timing(
    arr_monthly: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    band: tuple[float, float] = DEFAULT_BAND,
    approach_months: int = 12,
    horizon_months: int = 60,
    n_paths: int = 2000,
    seed: int = 0,
) -> TimingResult:
    """Place ARR against the top-down band, forecast entry, and verdict.

    Parameters
    ----------
    arr_monthly
        One row per calendar month: `month` (month start) and `arr` (USD), plus the optional
        movement, self-serve, spend and signup columns of the data contract.
    as_of
        Analysis date; months ending after it are ignored.
    band
        (low, high) ARR in USD where top-down sales start to pay off; default $20-30M.
    approach_months
        Below the band, a median forecast entry within this many months is `approaching`.
    horizon_months, n_paths, seed
        Forecast horizon (months), number of simulated paths, and the random seed.

    Returns
    -------
    TimingResult
        `early` (below the band, median entry further than `approach_months`), `approaching`,
        `in_window` or `late` (past the band), with the forecast and flywheel evidence.
    """
    low, high = band
    if not 0 < low < high:
        raise ValueError(f"band must be (low, high) with 0 < low < high, got {band!r}")
    if approach_months < 1 or horizon_months < approach_months:
        raise ValueError("need 1 <= approach_months <= horizon_months")

    arr = arr_monthly[arr_monthly["month"] + pd.offsets.MonthEnd(0) <= as_of]
    arr = arr.sort_values("month", ignore_index=True)
    if arr.empty:
        raise ValueError(f"no complete month of arr_monthly ends on or before as_of {as_of:%Y-%m-%d}")
    current = float(arr["arr"].iloc[-1])
    notes: list[str] = []

    forecast, to_band, past = None, None, None
    if current >= high:
        verdict = "late"
        above = arr["arr"] >= high
        # Months since ARR last crossed the band's top edge and stayed above it.
        crossed = int(above[::-1].cumprod().sum())
        past = crossed
    elif current >= low:
        verdict = "in_window"
    else:
        positive = arr[arr["arr"] > 0]
        if len(positive) < MIN_FORECAST_MONTHS:
            verdict = "early"
            notes.append(
                f"Only {len(positive)} months of positive ARR: too few to forecast when ARR "
                f"reaches the band (at least {MIN_FORECAST_MONTHS} needed). The verdict rests on "
                "the article's rule of thumb alone: below the band is early."
            )
        else:
            paths, growth_months, fit_notes = simulate_log_arr(
                np.log(positive["arr"].to_numpy()), horizon=horizon_months, n_paths=n_paths, seed=seed
            )
            notes += fit_notes
            to_band = months_to_band(paths, band_low=low, growth_months=growth_months)
            forecast = _forecast_frame(paths, arr["month"].iloc[-1])
            soon = to_band.p50 is not None and to_band.p50 <= approach_months
            verdict = "approaching" if soon else "early"

    return TimingResult(
        verdict=verdict,
        as_of=as_of,
        current_arr=current,
        band=(float(low), float(high)),
        months_to_band=to_band,
        months_past_band=past,
        indicators=flywheel_indicators(arr),
        n_months=len(arr),
        approach_months=approach_months,
        history=arr[["month", "arr"]].copy(),
        forecast=forecast,
        notes=tuple(notes),
    )
