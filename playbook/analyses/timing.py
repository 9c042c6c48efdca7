"""Timing: is ARR in the band where top-down sales pay off, and is the product flywheel working?

GitHub, Twilio and SendGrid all started investing in top-down sales teams with bottom-up ARR
between $20M and $30M (a16z, "The $20M-$500M question: adding top-down sales", Dec 2020).
This module places the company's ARR against that band, forecasts when it will enter it (with a
growth rate that is allowed to slow, see `forecast`), and collects the flywheel evidence the
article names.

Imports: statsmodels and scipy are imported inside the functions that fit models, here and in
every analysis module. A notebook that only reads a run's stored results never needs them, and
importing them is a large part of a notebook kernel's start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from playbook.analyses.forecast import Backtest, TrendForecast, fit_trend, rolling_backtest
from playbook.analyses.outcome import rounded
from playbook.analyses.settings import CommonSettings
from playbook.data.notes import Note
from playbook.data.settings import Settings, SettingsError, setting

VERDICTS = ("early", "approaching", "in_window", "late")
MIN_FORECAST_MONTHS = 12
NRR_TOP_COMPANIES = 1.5  # the article: top companies often show NRR above 150%
MAGIC_NUMBER_EFFICIENT = 0.75  # common SaaS benchmark, not from the article
RECENT_MONTHS, LONGER_MONTHS = 6, 24  # recent growth against the longer run
SLOWING = 0.8  # recent growth below this share of the longer-run rate is called slowing


@dataclass(frozen=True, kw_only=True)
class TimingSettings(Settings):
    """Timing: the ARR band where top-down sales pay off, and how soon counts as approaching."""

    GROUP: ClassVar[str] = "timing: ARR against the top-down band"

    # GitHub, Twilio and SendGrid started top-down sales with bottom-up ARR of $20-30M.
    band_low: float = setting(
        20e6,
        kind="number",
        unit="currency",
        minimum=0,
        help="lower edge of the top-down ARR band (GitHub, Twilio, SendGrid)",
    )
    band_high: float = setting(
        30e6,
        kind="number",
        unit="currency",
        minimum=0,
        help="upper edge of the band; above it, top-down sales are late",
    )
    approach_months: int = setting(
        12,
        kind="int",
        unit="months",
        minimum=1,
        help="below the band, a median entry within this many months is approaching",
    )

    def check_together(self) -> None:
        if self.band_low >= self.band_high:
            raise SettingsError(
                f"parameter 'band_low' ({self.band_low:g}) must be below 'band_high' ({self.band_high:g})"
            )


@dataclass(frozen=True, kw_only=True)
class MonthsToBand:
    """Months until ARR first reaches the band's lower edge, across simulated paths.

    A quantile is None when fewer than that share of paths reach the band within the horizon;
    P10 and P90 are None when the history has no noise to learn the uncertainty from (`ranged`).
    """

    p10: int | None
    p50: int | None
    p90: int | None
    n_paths: int
    horizon_months: int
    n_months: int  # months of ARR the model was fitted on
    ranged: bool = True

    def to_dict(self) -> dict:
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90, "n": self.n_months, "ranged": self.ranged}


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """One piece of flywheel evidence, beside the rule of thumb it is compared with (the views
    name each mark's source by the indicator's name). `method` says how it was computed when
    there is more than one way (net revenue retention: exact or compounded)."""

    name: str
    value: float | None
    unit: str  # "share" (0-1), "ratio" or "usd"
    mark: float | None
    n_months: int
    method: Note | None = None

    @property
    def meets_mark(self) -> bool | None:
        if self.value is None or self.mark is None:
            return None
        return self.value >= self.mark


@dataclass(frozen=True, kw_only=True)
class Growth:
    """ARR growth, annualised (shares), recently and over the longer run, and whether it slows."""

    recent: float | None  # the last RECENT_MONTHS, annualised
    longer: float | None  # the last LONGER_MONTHS (or all there is), annualised
    longer_months: int
    today: float | None  # the forecast model's growth rate at the last month, annualised

    @property
    def slowing(self) -> bool:
        return self.recent is not None and self.longer is not None and self.recent < SLOWING * self.longer

    def to_dict(self) -> dict:
        return {
            "recent_6m": rounded(self.recent),
            f"longer_{self.longer_months}m": rounded(self.longer),
            "model_today": rounded(self.today),
            "slowing": self.slowing,
        }


@dataclass(frozen=True, kw_only=True)
class TimingResult:
    """The timing verdict and its evidence. `to_dict()` is the summary.json `timing` section."""

    verdict: str
    as_of: pd.Timestamp
    current_arr: float
    band: tuple[float, float]
    months_to_band: MonthsToBand | None
    months_past_band: int | None
    indicators: tuple[Indicator, ...]
    growth: Growth
    backtest: Backtest | None
    n_months: int
    approach_months: int
    history: pd.DataFrame = field(repr=False)  # month, arr
    forecast: pd.DataFrame | None = field(repr=False)  # month, p10, p50, p90 (USD)
    notes: tuple[Note, ...] = ()

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
            "growth": self.growth.to_dict(),
            "nrr": value["nrr"],
            "nrr_method": self.indicator("nrr").method.code,
            "self_serve_share": value["self_serve_share"],
            "magic_number": value["magic_number"],
            "signup_growth": value["signup_growth"],
            "forecast_backtest": None if self.backtest is None else self.backtest.to_dict(),
            "n_months": self.n_months,
            "notes": [n.to_dict() for n in self.notes],
        }


# ---------------------------------------------------------------------------------------------
# Flywheel evidence


def arr_growth_annual(arr: pd.DataFrame) -> float | None:
    """ARR now over ARR twelve months earlier, minus one (share); None with under 13 months."""
    if len(arr) < 13 or arr["arr"].iloc[-13] <= 0:
        return None
    return rounded(arr["arr"].iloc[-1] / arr["arr"].iloc[-13] - 1)


def annualised_growth(arr: pd.DataFrame, months: int) -> float | None:
    """ARR growth over the last `months` months, as a yearly rate (share); None without them."""
    if len(arr) <= months or arr["arr"].iloc[-months - 1] <= 0 or arr["arr"].iloc[-1] <= 0:
        return None
    return float((arr["arr"].iloc[-1] / arr["arr"].iloc[-months - 1]) ** (12 / months) - 1)


def compounded_nrr(arr: pd.DataFrame) -> float | None:
    """Trailing-12-month net revenue retention compounded from the monthly movements (share).

    The product over the last twelve months of 1 + (expansion - contraction - churn) / ARR of the
    month before. An approximation: the movement columns are company totals, so expansion of
    customers won during the year still counts (less than adding the year's movements to the
    ARR of a year ago, which counts all of it). New and reactivated ARR (customers returning after
    churn) are not retention and are left out. None when a movement column is missing or there
    are under 13 months.
    """
    movements = ["expansion_arr", "contraction_arr", "churned_arr"]
    if len(arr) < 13 or any(c not in arr for c in movements):
        return None
    window = arr.iloc[-12:]
    before = arr["arr"].iloc[-13:-1].to_numpy(dtype=float)
    if window[movements].isna().any().any() or (before <= 0).any():
        return None
    net = (window["expansion_arr"] - window["contraction_arr"] - window["churned_arr"]).to_numpy(dtype=float)
    return rounded(float(np.prod(1 + net / before)))


def cohort_nrr(account_arr: pd.DataFrame, *, month: pd.Timestamp) -> tuple[float | None, int]:
    """Net revenue retention of the customers paying twelve months before `month` (share), and
    how many they were: their ARR in `month` over their ARR then. Exact, from customer-level ARR.

    `account_arr` has one row per account and month: account_id, month (month start), arr.
    """
    start = month - pd.DateOffset(months=12)
    then = account_arr[(account_arr["month"] == start) & (account_arr["arr"] > 0)]
    if then.empty:
        return None, 0
    now = account_arr[account_arr["month"] == month].set_index("account_id")["arr"]
    kept = then["account_id"].map(now).fillna(0.0)
    return rounded(float(kept.sum() / then["arr"].sum())), len(then)


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


def nrr_indicator(arr: pd.DataFrame, account_arr: pd.DataFrame | None) -> Indicator:
    """NRR exactly from customer-level ARR when it is given, else compounded from the movements."""
    if account_arr is not None and len(arr):
        value, customers = cohort_nrr(account_arr, month=arr["month"].iloc[-1])
        if value is not None:
            return Indicator(
                name="nrr",
                value=value,
                unit="share",
                mark=NRR_TOP_COMPANIES,
                n_months=13,
                method=Note("nrr_cohort", customers=customers),
            )
    return Indicator(
        name="nrr",
        value=compounded_nrr(arr),
        unit="share",
        mark=NRR_TOP_COMPANIES,
        n_months=min(len(arr), 13),
        method=Note("nrr_compounded"),
    )


def flywheel_indicators(arr: pd.DataFrame, account_arr: pd.DataFrame | None = None) -> tuple[Indicator, ...]:
    """The flywheel evidence the columns allow, each beside its rule of thumb."""
    n = len(arr)
    return (
        Indicator(
            name="arr_growth_annual",
            value=arr_growth_annual(arr),
            unit="share",
            mark=None,
            n_months=min(n, 13),
        ),
        nrr_indicator(arr, account_arr),
        Indicator(name="self_serve_share", value=self_serve_share(arr), unit="share", mark=None, n_months=1),
        Indicator(
            name="magic_number",
            value=magic_number(arr),
            unit="ratio",
            mark=MAGIC_NUMBER_EFFICIENT,
            n_months=min(n, 6),
        ),
        Indicator(
            name="signup_growth", value=signup_growth(arr), unit="share", mark=None, n_months=min(n, 24)
        ),
    )


# ---------------------------------------------------------------------------------------------
# Forecast


def months_to_band(paths: np.ndarray, *, band_low: float, n_months: int, ranged: bool = True) -> MonthsToBand:
    """First month each simulated log-ARR path reaches `band_low`, summarised as P10/P50/P90."""
    horizon, n_paths = paths.shape
    reached = paths >= np.log(band_low)
    first = np.where(reached.any(axis=0), reached.argmax(axis=0) + 1, np.inf)

    def quantile(q: float) -> int | None:
        value = np.quantile(first, q, method="inverted_cdf")
        return None if not np.isfinite(value) else int(value)

    return MonthsToBand(
        p10=quantile(0.1) if ranged else None,
        p50=quantile(0.5),
        p90=quantile(0.9) if ranged else None,
        n_paths=n_paths,
        horizon_months=horizon,
        n_months=n_months,
        ranged=ranged,
    )


def _forecast_frame(model: TrendForecast, last_month: pd.Timestamp, horizon: int) -> pd.DataFrame:
    months = pd.date_range(last_month + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")
    q = np.exp(model.quantiles(np.arange(1, horizon + 1)))
    return pd.DataFrame({"month": months, "p10": q[:, 0], "p50": q[:, 1], "p90": q[:, 2]})


def growth_of(arr: pd.DataFrame, model: TrendForecast | None) -> Growth:
    longer = min(LONGER_MONTHS, len(arr) - 1)
    return Growth(
        recent=annualised_growth(arr, RECENT_MONTHS),
        longer=annualised_growth(arr, longer) if longer > RECENT_MONTHS else None,
        longer_months=max(longer, 0),
        today=None if model is None else model.annual_growth,
    )


def assess_timing(
    arr_monthly: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    band_low: float = TimingSettings.band_low,
    band_high: float = TimingSettings.band_high,
    approach_months: int = TimingSettings.approach_months,
    horizon_months: int = 60,
    n_paths: int = 2000,
    seed: int = CommonSettings.seed,
    account_arr: pd.DataFrame | None = None,
) -> TimingResult:
    """Place ARR against the top-down band, forecast entry, and verdict.

    Parameters
    ----------
    arr_monthly
        One row per calendar month: `month` (month start) and `arr` (USD), plus the optional
        movement, self-serve, spend and signup columns of the data contract.
    as_of
        Analysis date; months ending after it are ignored.
    band_low, band_high
        The ARR band (currency) where top-down sales start to pay off; default $20-30M.
    approach_months
        Below the band, a median forecast entry within this many months is `approaching`.
    horizon_months, n_paths, seed
        Forecast horizon (months), number of simulated paths, and the random seed.
    account_arr
        Customer-level monthly ARR (account_id, month, arr), when known: NRR is then exact.

    Returns
    -------
    TimingResult
        `early` (below the band, median entry further than `approach_months`), `approaching`,
        `in_window` or `late` (past the band), with the forecast and flywheel evidence.
    """
    low, high = band_low, band_high
    if not 0 < low < high:
        raise ValueError(f"the band needs 0 < band_low < band_high, got {low:g} and {high:g}")
    if approach_months < 1 or horizon_months < approach_months:
        raise ValueError("need 1 <= approach_months <= horizon_months")

    arr = arr_monthly[arr_monthly["month"] + pd.offsets.MonthEnd(0) <= as_of]
    arr = arr.sort_values("month", ignore_index=True)
    if arr.empty:
        raise ValueError(f"no complete month of arr_monthly ends on or before as_of {as_of:%Y-%m-%d}")
    current = float(arr["arr"].iloc[-1])
    notes: list[Note] = []
    positive = arr[arr["arr"] > 0]
    model = (
        fit_trend(np.log(positive["arr"].to_numpy()), seed=seed)
        if len(positive) >= MIN_FORECAST_MONTHS
        else None
    )
    growth = growth_of(arr, model)
    if growth.slowing:
        notes.append(
            Note(
                "growth_slowing",
                recent=growth.recent,
                recent_months=RECENT_MONTHS,
                longer=growth.longer,
                longer_months=growth.longer_months,
            )
        )

    forecast, to_band, past, backtest = None, None, None, None
    if current >= high:
        verdict = "late"
        # Months since ARR last crossed the band's top edge and stayed above it.
        past = int((arr["arr"] >= high)[::-1].cumprod().sum())
    elif current >= low:
        verdict = "in_window"
    elif model is None:
        verdict = "early"
        notes.append(Note("too_few_months_to_forecast", months=len(positive), needed=MIN_FORECAST_MONTHS))
    else:
        if not model.converged:
            notes.append(Note("forecast_not_converged"))
        ranged = model.spread_is_estimable()
        if not ranged:
            notes.append(Note("forecast_without_noise"))
        paths = model.simulate(horizon=horizon_months, n_paths=n_paths, seed=seed)
        to_band = months_to_band(paths, band_low=low, n_months=model.n_months, ranged=ranged)
        forecast = _forecast_frame(model, arr["month"].iloc[-1], horizon_months)
        if model.annual_growth <= 0:
            notes.append(Note("arr_not_growing"))
        soon = to_band.p50 is not None and to_band.p50 <= approach_months
        verdict = "approaching" if soon else "early"
        backtest = rolling_backtest(np.log(positive["arr"].to_numpy()), seed=seed)
        if backtest.cases == 0:
            backtest = None

    return TimingResult(
        verdict=verdict,
        as_of=as_of,
        current_arr=current,
        band=(float(low), float(high)),
        months_to_band=to_band,
        months_past_band=past,
        indicators=flywheel_indicators(arr, account_arr),
        growth=growth,
        backtest=backtest,
        n_months=len(arr),
        approach_months=approach_months,
        history=arr[["month", "arr"]].copy(),
        forecast=forecast,
        notes=tuple(notes),
    )
