"""Timing scenarios: when does ARR reach the band, on companies whose growth is not a straight line?

Every company has 48 months of ARR (log ARR: a level that grows by a monthly rate, level noise
that persists, and a little noise that reverts) and a future drawn by the same process for 60
months more, so the true months to the band's lower edge ($20M) are known: the first future month
whose ARR reaches it (None when it does not within 60 months). The forecast's P10-P90 interval of
months to the band is judged against that truth: coverage (nominal 80%), sharpness (P90 past the
horizon, P90 over P50), and the interval score against the baseline forecast (the mean log growth
of the last 12 months, block-bootstrapped) — "never" counted as 61 months.

- steady: a constant growth rate between 30% and 100% a year;
- seasonal: steady, with a yearly pattern of +-6% around the trend (random phase);
- decelerating: growth halving every 2-4 years, before and after the analysis date;
- jump: about $9M of ARR growing 40% a year, then an acquisition adding 30% to ARR two months
  before the analysis date (the last two months at the new level), not declared in `arr_events`:
  the truth is about 18 months, `early`; `jump_declared` is the same company with the acquisition
  declared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from playbook.samples.scenarios.base import Company, Scenario, Target

BAND_LOW = 20e6  # the default band's lower edge (TimingSettings.band_low)
HISTORY, FUTURE = 48, 60  # months
LAST_MONTH = pd.Timestamp("2026-09-01")
APPROACH = 12  # months (TimingSettings.approach_months)
JUMP = 0.30  # the acquisition adds 30% to ARR
JUMP_MONTHS_BEFORE = 2  # months at the new level at the analysis date, the last included


def _log_arr(rng, growth: np.ndarray, *, end_log_arr: float, seasonal: bool = False) -> np.ndarray:
    """History and future of log ARR: monthly growth `growth` (HISTORY + FUTURE months), level noise
    that persists and measurement noise that reverts, placed so the last history month's trend
    is `end_log_arr`; a yearly pattern of +-6% when `seasonal`."""
    n = HISTORY + FUTURE
    level_sd, irregular_sd = rng.uniform(0.006, 0.015), rng.uniform(0.0, 0.006)
    trend = np.cumsum(growth + rng.normal(0, level_sd, n))
    trend = trend - trend[HISTORY - 1] + end_log_arr
    y = trend + rng.normal(0, irregular_sd, n)
    if seasonal:
        y = y + 0.06 * np.sin(2 * np.pi * (np.arange(n) / 12 + rng.uniform()))
    return y


def _company(y: np.ndarray, *, events: pd.DataFrame | None = None, **truth) -> Company:
    months = pd.date_range(end=LAST_MONTH, periods=HISTORY, freq="MS")
    months_to_band = _crossing(y[HISTORY - 1 :], np.log(BAND_LOW))
    tables = {
        "arr_monthly": pd.DataFrame({"month": months.strftime("%Y-%m"), "arr": np.exp(y[:HISTORY]).round(2)})
    }
    if events is not None:
        tables["arr_events"] = events
    verdict = "approaching" if months_to_band is not None and months_to_band <= APPROACH else "early"
    return Company(tables=tables, truth={"months_to_band": months_to_band, "verdict": verdict, **truth})


def _crossing(log_arr: np.ndarray, level: float) -> float | None:
    """Months after the first value until log ARR first reaches `level`, the crossing placed
    within its month by linear interpolation (as the forecast places it); None if it never does."""
    reached = np.flatnonzero(log_arr >= level)
    if len(reached) == 0:
        return None
    m = int(reached[0])
    if m == 0:
        return 0.0
    return m - 1 + (level - log_arr[m - 1]) / (log_arr[m] - log_arr[m - 1])


def _distance(rng, monthly_growth: float) -> float:
    """Log ARR below the band at the analysis date: 4 to 16 months of growth at `monthly_growth`."""
    return rng.uniform(4, 16) * monthly_growth


def steady(seed: int, *, seasonal: bool = False) -> Company:
    rng = np.random.default_rng([seed, 21, 1 + seasonal])
    g = np.log1p(rng.uniform(0.3, 1.0)) / 12
    y = _log_arr(
        rng, np.full(HISTORY + FUTURE, g), end_log_arr=np.log(BAND_LOW) - _distance(rng, g), seasonal=seasonal
    )
    return _company(y, growth_today=float(np.expm1(12 * g)))


def seasonal(seed: int) -> Company:
    return steady(seed, seasonal=True)


def decelerating(seed: int) -> Company:
    rng = np.random.default_rng([seed, 21, 3])
    today = rng.uniform(0.3, 0.6) / 12  # monthly log growth at the analysis date
    half_life = rng.uniform(24, 48)
    t = np.arange(HISTORY + FUTURE) - (HISTORY - 1)
    growth = today * 2.0 ** (-t / half_life)
    ahead = np.cumsum(growth[HISTORY:])
    # Place ARR 4 to 16 months of *decelerating* growth below the band.
    end = np.log(BAND_LOW) - ahead[int(rng.integers(4, 17)) - 1]
    y = _log_arr(rng, growth, end_log_arr=end)
    return _company(y, growth_today=float(np.expm1(12 * today)))


def jump(seed: int, *, declared: bool = False) -> Company:
    rng = np.random.default_rng([seed, 21, 4])
    g = np.log1p(0.4) / 12
    before = np.log(rng.uniform(8.5e6, 10e6))  # trend ARR the month before the acquisition
    y = _log_arr(rng, np.full(HISTORY + FUTURE, g), end_log_arr=before + (JUMP_MONTHS_BEFORE) * g)
    first = HISTORY - JUMP_MONTHS_BEFORE  # the first month at the new level
    y[first:] += np.log1p(JUMP)
    month = (LAST_MONTH - pd.DateOffset(months=JUMP_MONTHS_BEFORE - 1)).strftime("%Y-%m")
    events = pd.DataFrame({"month": [month], "kind": ["acquisition"]}) if declared else None
    return _company(y, events=events, growth_today=0.4, jump_month=month)


def jump_declared(seed: int) -> Company:
    return jump(seed, declared=True)


def _measure(company: Company, results) -> dict:
    timing = results.timing
    truth = company.truth["months_to_band"]
    to_band, baseline = timing.months_to_band, timing.baseline_to_band
    if to_band is None or baseline is None:  # drawn in the band already (noise): nothing to judge
        return {"untrusted": False, "early": False}
    in_reach = truth is not None and 6 <= truth <= 12
    never = to_band.horizon_months + 1
    shifts = () if timing.structure is None else timing.structure.shifts
    return {
        "covered": to_band.covers(truth),
        "score": to_band.interval_score(truth),
        "baseline_score": baseline.interval_score(truth),
        "p90_beyond_horizon": (to_band.p90 is None) if in_reach else None,
        "p90_over_p50": (to_band.p90 or never) / to_band.p50 if in_reach and to_band.p50 else None,
        "untrusted": timing.verdict == "unclear",
        "verdict_right": (timing.forecast_says or timing.verdict) == company.truth["verdict"],
        "early": timing.verdict == "early",
        "growth_over_truth": timing.growth.today / company.truth["growth_today"],
        "seasonal_kept": bool(timing.structure and timing.structure.seasonal),
        "shift_found": any(f"{s.month:%Y-%m}" == company.truth.get("jump_month") for s in shifts),
        "shift_declared": any(s.source == "declared" for s in shifts),
        "false_shift": any(f"{s.month:%Y-%m}" != company.truth.get("jump_month") for s in shifts),
    }


def _coverage() -> Target:
    return Target(
        label="P10–P90 of months to the band covers the truth",
        outcome="covered",
        comparison="between",
        value=0.7,
        high=0.9,
    )


def _score(value: float, words: str) -> Target:
    return Target(
        label=f"interval score over the baseline's ({words})",
        outcome="score",
        statistic="pooled_ratio",
        denominator="baseline_score",
        comparison="at_most",
        value=value,
    )


UNTRUSTED = Target(
    label="forecast flagged untrusted (`unclear`)", outcome="untrusted", comparison="at_most", value=0.1
)

SCENARIOS = (
    Scenario(
        name="timing_steady",
        section="timing",
        truth="ARR 4–16 months of growth below $20M, growing a steady 30–100% a year, 48 months",
        correct="`approaching` when the true months to the band are ≤ 12, else `early`",
        generate=steady,
        measure=_measure,
        targets=(
            _coverage(),
            Target(
                label="P90 beyond the 60-month horizon (truth 6–12 months ahead)",
                outcome="p90_beyond_horizon",
                comparison="at_most",
                value=0.1,
            ),
            Target(
                label="P90 / P50 (truth 6–12 months ahead)",
                outcome="p90_over_p50",
                statistic="median",
                comparison="at_most",
                value=2.0,
            ),
            _score(1.05, "no worse than + 5%"),
            UNTRUSTED,
        ),
        report=("verdict_right", "growth_over_truth", "seasonal_kept", "false_shift"),
        smoke={"covered": True, "untrusted": False, "seasonal_kept": False},
    ),
    Scenario(
        name="timing_seasonal",
        section="timing",
        truth="steady growth with a yearly pattern of ±6% around the trend, 48 months",
        correct="as steady; the yearly pattern kept, the forecast trusted",
        generate=seasonal,
        measure=_measure,
        targets=(_coverage(), _score(1.0, "better"), UNTRUSTED),
        report=("seasonal_kept", "verdict_right", "growth_over_truth", "false_shift"),
        smoke={"covered": True, "untrusted": False, "seasonal_kept": True},
    ),
    Scenario(
        name="timing_decelerating",
        section="timing",
        truth="growth of 30–60% a year today, halving every 2–4 years (before and after the analysis date)",
        correct="`approaching` when the true months to the band are ≤ 12, else `early`",
        generate=decelerating,
        measure=_measure,
        targets=(_coverage(), _score(1.0, "better")),
        report=("untrusted", "verdict_right", "growth_over_truth"),
        smoke={"covered": True},
    ),
    Scenario(
        name="timing_jump",
        section="timing",
        truth=(
            "$8.5–10M ARR growing 40% a year, +30% by an acquisition two months before the analysis "
            "date (the last two months at the new level), not declared"
        ),
        correct="`early` (about 18 months to the band)",
        generate=jump,
        measure=_measure,
        targets=(
            _coverage(),
            _score(1.0, "better"),
            Target(label="verdict `early`", outcome="early", value=0.8),
        ),
        report=("shift_found", "false_shift", "untrusted", "growth_over_truth"),
        smoke={"early": True, "shift_found": True},
    ),
    Scenario(
        name="timing_jump_declared",
        section="timing",
        truth="the same acquisition, declared in arr_events",
        correct="`early`; the step modelled as declared",
        generate=jump_declared,
        measure=_measure,
        targets=(_coverage(), Target(label="verdict `early`", outcome="early", value=0.8)),
        report=("shift_declared", "false_shift", "untrusted", "growth_over_truth"),
        companies=50,
        smoke={"early": True, "shift_declared": True},
    ),
)
