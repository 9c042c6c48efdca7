"""Regenerate the figures the docs quote from a study: `make figures`.

Each figure lives in docs/ between `<!-- figures:NAME -->` and `<!-- /figures -->` (tests/stated.py
reads them); this script rewrites the body of every block it is asked for (all by default) from
the code that measures it, so no figure in the docs is typed by hand:

    tipping-point        the tipping point's negative controls and interval coverage: the
                         studies of tests/test_tipping_point.py (about a minute)
    public-backtest      the forecast on public companies, each figure beside its range over
                         refits from perturbed starting values (benchmarks/backtest_forecast.py,
                         about two minutes)
    forecast-precision   how far those figures move between machines (OpenBLAS kernels), and how
                         often the test's tolerance fails a machine (benchmarks/
                         forecast_precision.py, about five minutes)
    forecast-simulation  the forecast's coverage on simulated companies (about four minutes)

The tests compare the docs with a recomputation: the tipping-point counts exactly (seeded
permutation tests, no optimiser upstream: the same integers on any machine), the public backtest
within the spread stated beside each figure (tests/test_forecast.py). The precision and simulation
tables take minutes and are not recomputed by `make test`. The sales-leader tests moved to `make
calibrate` (playbook/runner/studies.py), which writes their tables between its own markers.

Run with `.venv/bin/python benchmarks/figures.py [NAME ...]`; commit the docs it changes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from playbook import PROJECT_ROOT

if str(PROJECT_ROOT) not in sys.path:  # the tipping-point studies live in the tests package
    sys.path.insert(0, str(PROJECT_ROOT))

from tests import stated  # noqa: E402  (needs the project root on the path)

BENCHMARKS = Path(__file__).resolve().parent


def benchmark(name: str):
    """A sibling benchmark script, imported as a module."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tipping_point() -> str:
    """Synthetic companies (1-4 deals per account): how often a threshold is claimed or found."""
    from tests.test_tipping_point import claimed, interval_coverage

    none = claimed("none", range(200))
    reversed_ = claimed("reversed", range(60))
    step = claimed("step", range(60))
    covered, percentile_covered = interval_coverage(200)
    rows = [
        (
            "no effect",
            "winning unrelated to penetration: a threshold claimed",
            none.count("own_threshold"),
            200,
        ),
        (
            "reversed effect",
            "more usage, fewer wins: a threshold claimed",
            reversed_.count("own_threshold"),
            60,
        ),
        ("reversed effect, named", "the same companies called `reversed`", reversed_.count("reversed"), 60),
        ("planted step", "a step from 12% to 55% at 5% penetration: found", step.count("own_threshold"), 60),
        (
            "interval coverage",
            "the threshold's 95% interval (likelihood-ratio inversion, account bootstrap) covers the step",
            covered,
            200,
        ),
        (
            "replaced interval",
            "the same for the percentile bootstrap of the best cut over deals, the method it replaced",
            percentile_covered,
            200,
        ),
    ]
    lines = ["| study | companies where | count | of | share |", "|---|---|---:|---:|---:|"]
    lines += [f"| {study} | {what} | {count} | {of} | {count / of:.1%} |" for study, what, count, of in rows]
    return "\n".join(lines) + "\n"


def public_backtest() -> str:
    """The public backtest with the numerical spread of each figure."""
    return benchmark("backtest_forecast").public_figures()


def forecast_precision() -> str:
    """How far the public figures move between machines, and how often the tolerance fails one."""
    return benchmark("forecast_precision").precision_table()


def forecast_simulation() -> str:
    """P10-P90 coverage of the forecast on simulated companies."""
    backtest = benchmark("backtest_forecast")
    return backtest.simulation_table(backtest.simulation())


FIGURES = {
    "tipping-point": tipping_point,
    "public-backtest": public_backtest,
    "forecast-precision": forecast_precision,
    "forecast-simulation": forecast_simulation,
}


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(FIGURES))
    if unknown:
        raise SystemExit(f"unknown figures {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    where = stated.blocks()
    for name in names or FIGURES:
        path, _ = where[name]
        body = FIGURES[name]()
        path.write_text(stated.with_body(path.read_text(encoding="utf-8"), name, body), encoding="utf-8")
        print(f"{path.relative_to(PROJECT_ROOT)}: figures:{name}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
