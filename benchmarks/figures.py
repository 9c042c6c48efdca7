"""Regenerate the figures the docs quote from a study: `make figures`.

Each figure lives in docs/ between `<!-- figures:NAME -->` and `<!-- /figures -->` (tests/stated.py
reads them); this script rewrites the body of every block it is asked for (all by default) from
the code that measures it, so no figure in the docs is typed by hand:

    public-backtest      the forecast on public companies: months to a target and levels, each
                         coverage with its interval over forecast origins (benchmarks/
                         backtest_forecast.py, under a minute)
    forecast-simulation  the forecast's coverage on simulated companies (about two minutes)

tests/test_public_backtest.py recomputes the public backtest and asserts its coverage and
sharpness bounds (the figures themselves come from an optimiser, and are not compared as text).
The tipping point's error rates and coverage are measured on the scenario library by `make
calibrate` (docs/methods.md). The simulation table takes minutes and is not recomputed by `make
test`. The sales-leader tests moved to `make
calibrate` (playbook/runner/studies.py), which writes their tables between its own markers.

Run with `.venv/bin/python benchmarks/figures.py [NAME ...]`; commit the docs it changes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from playbook import PROJECT_ROOT

if str(PROJECT_ROOT) not in sys.path:  # tests.stated reads the blocks
    sys.path.insert(0, str(PROJECT_ROOT))

from tests import stated  # noqa: E402  (needs the project root on the path)

BENCHMARKS = Path(__file__).resolve().parent


def benchmark(name: str):
    """A sibling benchmark script, imported as a module."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def public_backtest() -> str:
    """The public backtest: months to a target, then levels."""
    return benchmark("backtest_forecast").public_figures()


def forecast_simulation() -> str:
    """P10-P90 coverage of the forecast on simulated companies."""
    backtest = benchmark("backtest_forecast")
    return backtest.simulation_table(backtest.simulation())


FIGURES = {
    "public-backtest": public_backtest,
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
