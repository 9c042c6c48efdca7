"""How the ARR forecast holds up on public companies: months to a target, and levels.

Run with `.venv/bin/python benchmarks/backtest_forecast.py` (about three minutes; `--public-only`
under one); it prints the Markdown tables docs/methods.md quotes (`public_figures()`,
`simulation_table()`), and tests/test_public_backtest.py recomputes the public ones and asserts
their coverage and sharpness bounds.

Data: `data/public/public_revenue.json` (sourced figures of product-led companies, copied from
the project's shared folder): each reported quarter's revenue x 4 is an ARR run-rate placed at its
quarter-end month, the months between left missing — the model is fitted on what was reported,
never on interpolated months. From every reported quarter with at least MIN_OBSERVED reported
before it (itself included), the forecast is fitted exactly as a run fits it (`structure_of`:
level shifts, then the model) on what was known then, and checked two ways:

1. **Months to a target** — what the board reads. The target is the ARR the company in fact
   reported 6, 9 or 12 months later; the true months to it are when the reported series,
   log-linear between quarter ends (for the truth only), first reaches it. The forecast's
   P10-P90 months (from 2,000 simulated paths, 60 months) is scored by coverage, sharpness (P90
   past the horizon; P90 over P50) and the interval score ("never" counted as 61 months), against
   the baseline: the mean log growth of the last 12 months with the last 24 months' growths
   block-bootstrapped (blocks of 3 months: one quarter; where 24 months of figures exist).
2. **Levels**: the P10-P90 of log ARR at every quarter reported in the next 12 months.

A company's forecasts from neighbouring origins overlap, so cases are not independent: every
interval is a percentile bootstrap over forecast origins (all the cases of an origin drawn
together), and the number of origins is stated beside the number of cases.

3. Simulated companies (the patterns the model was first chosen on), 60 months each, forecast
   from month 42: growth that decays geometrically, linearly, drifts at random, or stays steady,
   with noise that reverts of 0.5-3% a month. The chosen model is set beside the variant without
   its parameter draws and the model it replaced (constant growth estimated on the last 24
   months). The calibration proper is the scenario library's (docs/methods.md, `make calibrate`).
"""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pandas as pd

from playbook import PROJECT_ROOT
from playbook.analyses.backtest import baseline_paths, interval_score
from playbook.analyses.forecast import first_passage, fit_trend
from playbook.analyses.forecast_structure import structure_of

PUBLIC = PROJECT_ROOT / "data" / "public" / "public_revenue.json"
MIN_OBSERVED, MAX_AHEAD = 4, 12
TARGET_MONTHS = (6, 9, 12)  # a target is the ARR reported this many months after the origin
HORIZON, PATHS = 60, 2000
NEVER = HORIZON + 1
BOOTSTRAP, SEED = 2000, 0


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


def crossing(log_arr: np.ndarray, start: int, level: float) -> float | None:
    """Months after `start` until `log_arr` (log-linear between its figures) first reaches `level`."""
    known = np.flatnonzero(np.isfinite(log_arr))
    filled = np.interp(np.arange(len(log_arr)), known, log_arr[known])
    after = filled[start:]
    return float(first_passage(after[1:, None], level, start=after[0])[0]) if after[0] < level else 0.0


def origin_cases(name: str, series: pd.Series, *, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From every reported figure with MIN_OBSERVED before it: the months-to-target cases and the
    level cases (one row each), with the origin named by company and month."""
    y = np.log(series.to_numpy(dtype=float))
    seen = np.flatnonzero(np.isfinite(y))
    first_month = int(series.index[0].month)
    targets, levels = [], []
    for k in seen[MIN_OBSERVED - 1 :]:
        later = [j for j in seen if k < j <= k + MAX_AHEAD]
        if not later:
            continue
        origin = f"{name} {series.index[k]:%Y-%m}"
        model = structure_of(y[: k + 1], first_month=first_month, seed=seed).model
        q = model.quantiles([j - k for j in later])
        for j, (p10, p50, p90) in zip(later, q, strict=True):
            levels.append(
                (
                    name,
                    origin,
                    j - k,
                    bool(p10 <= y[j] <= p90),
                    float(abs(np.expm1(p50 - y[j]))),
                    float(interval_score(p10, p90, y[j])),
                )
            )
        paths = model.simulate(horizon=HORIZON, n_paths=PATHS, seed=seed)
        history = np.interp(np.arange(k + 1), seen[seen <= k], y[seen[seen <= k]])  # for the baseline only
        simple = baseline_paths(history, horizon=HORIZON, n_paths=PATHS, seed=seed)
        for j in later:
            if j - k not in TARGET_MONTHS:
                continue
            truth = crossing(y, k, y[j])
            p10, p50, p90 = _quantiles(first_passage(paths, y[j], start=y[k]))
            base = None if simple is None else _quantiles(first_passage(simple, y[j], start=y[k]))
            targets.append(
                (
                    name,
                    origin,
                    j - k,
                    truth,
                    p10,
                    p50,
                    p90,
                    None if base is None else float(interval_score(base[0], base[2], truth)),
                )
            )
    target_frame = pd.DataFrame(
        targets, columns=["company", "origin", "months_ahead", "truth", "p10", "p50", "p90", "baseline_score"]
    )
    target_frame = target_frame.assign(
        covered=(target_frame["p10"] <= target_frame["truth"])
        & (target_frame["truth"] <= target_frame["p90"]),
        score=interval_score(target_frame["p10"], target_frame["p90"], target_frame["truth"]),
        beyond=target_frame["p90"] >= NEVER,
        ratio=target_frame["p90"] / target_frame["p50"],
    )
    level_frame = pd.DataFrame(
        levels, columns=["company", "origin", "months_ahead", "covered", "error", "score"]
    )
    return target_frame, level_frame


def _quantiles(months: np.ndarray) -> tuple[float, float, float]:
    """P10, P50, P90 of first-passage months, "never" counted as NEVER."""
    capped = np.where(np.isfinite(months), months, NEVER)
    return tuple(float(v) for v in np.quantile(capped, [0.1, 0.5, 0.9], method="inverted_cdf"))


def public_cases(*, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every company's months-to-target and level cases, pooled."""
    found = [origin_cases(name, series, seed=seed) for name, series in public_series().items()]
    return pd.concat([t for t, _ in found], ignore_index=True), pd.concat(
        [v for _, v in found], ignore_index=True
    )


def by_origin(cases: pd.DataFrame, statistic, *, seed: int = SEED) -> tuple[float, float, float]:
    """`statistic(cases)` and its 95% percentile interval over BOOTSTRAP resamples of the forecast
    origins (each resample draws origins with replacement and keeps all their cases)."""
    origins = cases["origin"].unique()
    groups = {o: cases[cases["origin"] == o] for o in origins}
    rng = np.random.default_rng(seed)
    values = [
        statistic(pd.concat([groups[o] for o in rng.choice(origins, size=len(origins))], ignore_index=True))
        for _ in range(BOOTSTRAP)
    ]
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return float(statistic(cases)), float(low), float(high)


def coverage(cases: pd.DataFrame) -> float:
    return float(cases["covered"].mean())


def score_ratio(cases: pd.DataFrame) -> float:
    """The model's summed interval score over the baseline's, on the cases the baseline can score."""
    both = cases.dropna(subset=["baseline_score"])
    return float(both["score"].sum() / both["baseline_score"].sum()) if len(both) else float("nan")


def months_to_target_rows(targets: pd.DataFrame) -> list[dict]:
    """One row per company and one for all: cases, origins, coverage with its origin-bootstrap
    interval, P90 past the horizon, median P90/P50, interval score against the baseline."""
    rows = []
    for name, frame in [*targets.groupby("company", sort=False), ("all", targets)]:
        covered = by_origin(frame, coverage)
        with_baseline = frame.dropna(subset=["baseline_score"])
        rows.append(
            {
                "company": name,
                "cases": len(frame),
                "origins": frame["origin"].nunique(),
                "covered": int(frame["covered"].sum()),
                "coverage": covered,
                "beyond": float(frame["beyond"].mean()),
                "ratio": float(frame["ratio"].median()),
                "baseline_cases": len(with_baseline),
                "score_ratio": by_origin(with_baseline, score_ratio) if len(with_baseline) else None,
            }
        )
    return rows


def level_rows(levels: pd.DataFrame) -> list[dict]:
    """One row per company and one for all: cases, origins, coverage with its origin-bootstrap
    interval, median absolute error of the P50."""
    return [
        {
            "company": name,
            "cases": len(frame),
            "origins": frame["origin"].nunique(),
            "covered": int(frame["covered"].sum()),
            "coverage": by_origin(frame, coverage),
            "median_error": float(frame["error"].median()),
        }
        for name, frame in [*levels.groupby("company", sort=False), ("all", levels)]
    ]


def _interval(found: tuple[float, float, float], fmt: str = "{:.0%}") -> str:
    value, low, high = found
    return f"{fmt.format(value)} ({fmt.format(low)}–{fmt.format(high)})"


def public_figures() -> str:
    """The public backtest as Markdown: months to a target, then levels."""
    targets, levels = public_cases()
    lines = [
        "| company | cases (origins) | P10–P90 covered | coverage (95% interval over origins) "
        "| P90 past 60 months | median P90 / P50 | interval score / baseline's (cases) |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for r in months_to_target_rows(targets):
        versus = (
            "—"
            if r["score_ratio"] is None
            else f"{_interval(r['score_ratio'], '{:.2f}')} ({r['baseline_cases']})"
        )
        lines.append(
            f"| {r['company']} | {r['cases']} ({r['origins']}) | {r['covered']} | {_interval(r['coverage'])} "
            f"| {r['beyond']:.0%} | {r['ratio']:.2f} | {versus} |"
        )
    lines += [
        "",
        "| company | cases (origins) | P10–P90 covered | coverage (95% interval over origins) "
        "| median error of P50 |",
        "|---|---:|---:|---|---:|",
    ]
    for r in level_rows(levels):
        lines.append(
            f"| {r['company']} | {r['cases']} ({r['origins']}) | {r['covered']} | {_interval(r['coverage'])} "
            f"| {r['median_error']:.1%} |"
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
    """P10-P90 coverage of log ARR 6 and 12 months ahead on simulated companies of 60 months,
    forecast from month 42: the chosen model, the same without its parameter draws, and the model
    it replaced (constant growth estimated on the last 24 months)."""
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


def main(argv: list[str]) -> None:
    print(public_figures())
    if "--public-only" not in argv:
        print(simulation_table(simulation()))


if __name__ == "__main__":
    main(sys.argv[1:])
