"""How the ARR forecast's P10-P90 interval holds up: public companies, and simulated decelerating ones.

Run with `.venv/bin/python benchmarks/backtest_forecast.py` (about four minutes; `--public-only`
about one); `make figures` writes the same tables into docs/methods.md, and tests/test_forecast.py
recomputes the public figures and checks the docs state them within their numerical spread.

1. Public revenue (`data/public/public_revenue.json`: sourced figures of product-led companies,
   copied from the project's shared folder): each quarter's revenue x 4 is placed at its
   quarter-end month, with the months between left missing (no interpolation, which would hide
   noise). From every reported quarter with at least four before it, the model is fitted on what
   was known then and its P10-P90 interval checked against every quarter reported in the next
   twelve months.
2. Simulated companies, 60 months each, forecast from month 42: growth that decays geometrically,
   linearly, drifts at random, or stays steady. The chosen model (a local linear trend with the
   uncertainty of its variances) is set beside the variant without that uncertainty and the
   model it replaced (constant growth estimated on the last 24 months).
3. The numerical spread of the public figures: the model's noise variances are fitted by L-BFGS
   on four to nine quarterly figures, where the likelihood is flat; another CPU's rounding sends
   it elsewhere (a median P50 error of 6.9% here, 7.2% on another machine). The public backtest
   is refitted from perturbed starting values (`perturbed_starts`), and the range of its figures
   is the precision they are stated and checked with (docs/methods.md, "How precise the figures
   are").
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pandas as pd

from playbook import PROJECT_ROOT
from playbook.analyses.forecast import fit_trend

PUBLIC = PROJECT_ROOT / "data" / "public" / "public_revenue.json"
MIN_OBSERVED, MAX_AHEAD = 4, 12
# Starting values of the noise variances moved by a factor exp(scale x N(0, 1)): in their sixth
# significant digit (the size of a difference in rounding) and by about 10%; REFITS of each.
REFIT_SCALES, REFITS = (1e-6, 0.1), 16


def quarter_end(key: str, fiscal: str) -> pd.Timestamp:
    """The month a reported quarter ends: '2016Q2' (calendar) or 'FY2020Q1' (fiscal year to Jan 31)."""
    match = re.fullmatch(r"(FY)?(\d{4})Q([1-4])", key)
    if match is None:
        raise ValueError(f"not a quarter: {key!r}")
    year, quarter = int(match.group(2)), int(match.group(3))
    if match.group(1) and "Jan 31" in fiscal:  # FY2020 = Feb 2019 - Jan 2020
        return pd.Timestamp(year - 1, 1, 1) + pd.DateOffset(months=3 * quarter)
    return pd.Timestamp(year, 3 * quarter, 1)


def public_series() -> dict[str, pd.Series]:
    """Each company's quarterly revenue x 4 (an ARR run-rate, USD) on a monthly index, gaps NaN."""
    companies = json.loads(PUBLIC.read_text())["companies"]
    out = {}
    for name, company in companies.items():
        quarters = company.get("quarterly_revenue_usd") or {}
        if len(quarters) <= MIN_OBSERVED:
            continue
        points = pd.Series(
            {quarter_end(k, company["fiscal_year"]): 4 * v for k, v in quarters.items()}
        ).sort_index()
        months = pd.date_range(points.index[0], points.index[-1], freq="MS")
        out[name] = points.reindex(months)
    return out


def observed_cases(series: pd.Series, *, seed: int = 0) -> pd.DataFrame:
    """From every reported figure with MIN_OBSERVED before it (itself included), the P10-P90
    interval of every figure reported in the next MAX_AHEAD months."""
    y = np.log(series.to_numpy(dtype=float))
    seen = np.flatnonzero(np.isfinite(y))
    rows = []
    for k in seen[MIN_OBSERVED - 1 :]:
        later = [j for j in seen if k < j <= k + MAX_AHEAD]
        if not later:
            continue
        q = fit_trend(y[: k + 1], seed=seed).quantiles([j - k for j in later])
        for j, (p10, p50, p90) in zip(later, q, strict=True):
            rows.append((series.index[k], j - k, bool(p10 <= y[j] <= p90), float(abs(np.expm1(p50 - y[j])))))
    return pd.DataFrame(rows, columns=["origin", "months_ahead", "covered", "error"])


def wilson(covered: int, n: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    return tuple(float(v) for v in proportion_confint(covered, n, alpha=0.05, method="wilson"))


def public_backtest() -> pd.DataFrame:
    """One row per company and one for all: cases, covered, coverage with its Wilson interval,
    median absolute error of the P50."""
    rows = []
    cases = {name: observed_cases(series) for name, series in public_series().items()}
    cases = {name: frame for name, frame in cases.items() if len(frame)}
    for name, frame in [*cases.items(), ("all", pd.concat(cases.values()))]:
        covered, n = int(frame["covered"].sum()), len(frame)
        low, high = wilson(covered, n)
        rows.append((name, int(n), covered, covered / n, low, high, float(frame["error"].median())))
    return pd.DataFrame(
        rows, columns=["company", "cases", "covered", "coverage", "low", "high", "median_error"]
    )


@contextmanager
def perturbed_starts(scale: float, seed):
    """Within this block every fit of the forecast model starts from its default starting values
    multiplied by exp(scale x N(0, 1)), one draw per value and fit (seeded)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    rng = np.random.default_rng(seed)
    fit = UnobservedComponents.fit

    def perturbed_fit(model, start_params=None, **kwargs):
        if start_params is None:
            start = np.asarray(model.start_params, dtype=float)
            start_params = start * np.exp(scale * rng.standard_normal(start.size))
        return fit(model, start_params=start_params, **kwargs)

    with mock.patch.object(UnobservedComponents, "fit", perturbed_fit):
        yield


def public_refits(scales=REFIT_SCALES, refits: int = REFITS, *, first: int = 0) -> pd.DataFrame:
    """The public backtest refitted `refits` times from perturbed starting values at each scale
    (seeds `first`, `first + 1`, ...): one row per refit and company (scale, refit, company,
    covered, median_error)."""
    frames = []
    for i, scale in enumerate(scales):
        for k in range(first, first + refits):
            with perturbed_starts(scale, seed=(i, k)):
                frame = public_backtest()
            frames.append(
                frame.assign(scale=scale, refit=k)[["scale", "refit", "company", "covered", "median_error"]]
            )
    return pd.concat(frames, ignore_index=True)


def numerical_spread(public: pd.DataFrame, refits: pd.DataFrame) -> pd.DataFrame:
    """Per company, the lowest and highest covered count and median error over the refits and
    the default fit."""
    both = pd.concat([public[["company", "covered", "median_error"]], refits], ignore_index=True)
    spread = both.groupby("company", sort=False).agg(
        covered_low=("covered", "min"),
        covered_high=("covered", "max"),
        error_low=("median_error", "min"),
        error_high=("median_error", "max"),
    )
    return spread.loc[public["company"]].reset_index()


def coverage_text(covered: int, cases: int) -> str:
    """'81% (62%–91%)': the share of cases covered and its Wilson 95% interval."""
    low, high = wilson(covered, cases)
    return f"{covered / cases:.0%} ({low:.0%}–{high:.0%})"


def public_table(public: pd.DataFrame, spread: pd.DataFrame, refits: int) -> str:
    """The public backtest as a Markdown table, each figure beside its range over `refits` refits."""
    lines = [
        f"| company | forecasts checked | P10–P90 covered | coverage (95% interval) | median error of P50 "
        f"| covered, {refits} refits | median error, {refits} refits |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for r, s in zip(public.itertuples(), spread.itertuples(), strict=True):
        lines.append(
            f"| {r.company} | {r.cases} | {r.covered} | {coverage_text(r.covered, r.cases)} "
            f"| {r.median_error:.1%} | {s.covered_low}–{s.covered_high} "
            f"| {s.error_low:.1%}–{s.error_high:.1%} |"
        )
    return "\n".join(lines) + "\n"


def simulated_growth(kind: str, rng, n: int = 60) -> np.ndarray:
    """Monthly log ARR of a simulated company whose monthly growth decays, drifts or holds."""
    if kind == "geometric decay":
        growth = rng.uniform(0.04, 0.1) * rng.uniform(0.95, 0.99) ** np.arange(n)
    elif kind == "linear decay":
        growth = np.linspace(rng.uniform(0.04, 0.1), rng.uniform(0.0, 0.02), n)
    elif kind == "random drift":
        growth = rng.uniform(0.01, 0.06) + np.cumsum(rng.normal(0, 0.003, n))
    else:  # steady
        growth = np.full(n, rng.uniform(0.01, 0.06))
    if kind != "steady":
        growth = growth + np.cumsum(rng.normal(0, 0.002, n)) * (kind != "random drift")
    return np.log(2e6) + np.cumsum(growth) + rng.normal(0, rng.uniform(0.005, 0.03), n)


def constant_growth_quantiles(y: np.ndarray, horizons, *, seed: int) -> np.ndarray:
    """The replaced model: monthly log growth = the mean of the last 24 months plus noise, with
    the uncertainty of both (the P10 and P90 of its simulated paths)."""
    growth = np.diff(y)[-24:]
    rng = np.random.default_rng(seed)
    n, paths = len(growth), 4000
    drift = growth.mean() + growth.std(ddof=1) / np.sqrt(n) * rng.standard_normal(paths)
    sd = growth.std(ddof=1) * np.sqrt((n - 1) / rng.chisquare(n - 1, paths))
    steps = drift + sd * rng.standard_normal((max(horizons), paths))
    levels = y[-1] + np.cumsum(steps, axis=0)
    return np.quantile(levels[np.array(horizons) - 1], [0.1, 0.9], axis=1).T


def simulation(companies: int = 150, origin: int = 42, horizons=(6, 12)) -> pd.DataFrame:
    rows = []
    for kind in ("geometric decay", "linear decay", "random drift", "steady"):
        hits = {label: np.zeros(len(horizons)) for label in ("chosen", "without", "replaced")}
        for seed in range(companies):
            y = simulated_growth(kind, np.random.default_rng(seed))
            actual = y[[origin + h - 1 for h in horizons]]
            chosen = fit_trend(y[:origin], seed=seed).quantiles(horizons)
            without = fit_trend(y[:origin], n_draws=0).quantiles(horizons)
            replaced = constant_growth_quantiles(y[:origin], horizons, seed=seed)
            hits["chosen"] += (chosen[:, 0] <= actual) & (actual <= chosen[:, 2])
            hits["without"] += (without[:, 0] <= actual) & (actual <= without[:, 2])
            hits["replaced"] += (replaced[:, 0] <= actual) & (actual <= replaced[:, 1])
        for i, h in enumerate(horizons):
            rows.append((kind, h, *(hits[k][i] / companies for k in ("chosen", "without", "replaced"))))
    return pd.DataFrame(
        rows, columns=["growth", "months_ahead", "chosen", "without_parameter_uncertainty", "replaced"]
    )


def simulation_table(table: pd.DataFrame) -> str:
    """The simulated companies' P10-P90 coverage as a Markdown table."""
    lines = [
        "| growth | months ahead | chosen model | without parameter uncertainty | "
        "replaced model (24-month average growth) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.growth} | {r.months_ahead} | {r.chosen:.0%} | {r.without_parameter_uncertainty:.0%} "
            f"| {r.replaced:.0%} |"
        )
    return "\n".join(lines) + "\n"


def public_figures() -> str:
    """The public backtest with the numerical spread of its figures (Markdown)."""
    public = public_backtest()
    refits = public_refits()
    n = refits[["scale", "refit"]].drop_duplicates().shape[0]
    return public_table(public, numerical_spread(public, refits), n)


def main(argv: list[str]) -> None:
    print(public_figures())
    if "--public-only" not in argv:
        print(simulation_table(simulation()))


if __name__ == "__main__":
    main(sys.argv[1:])
