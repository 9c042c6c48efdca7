"""The calibration study: every verdict's error rates and every interval's coverage, measured on the
scenario library (`playbook.samples.scenarios`), written to docs/methods.md.

`make calibrate` (about 100 companies per scenario, both cores) or `python -m
playbook.runner.calibrate --quick` (20 per scenario). The studies that simulate directly instead of
drawing companies (`studies.STUDIES`: interview loops, the pay model's full grid) run after it,
each written between its own markers. Each company is drawn from its scenario's
seed, validated by the data contract (`data.load.load_tables`), computed like a run
(`results.assess_all`, the sections the scenario calibrates and what they need) and measured;
the outcomes are pooled per scenario into rates with Wilson 95% intervals, pooled ratios,
medians and means, each compared with its target.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from playbook import PROJECT_ROOT
from playbook.analyses.calibration import scenario_rows
from playbook.data.load import load_tables
from playbook.runner.params import Params
from playbook.runner.results import assess_all
from playbook.runner.studies import STUDIES
from playbook.samples.scenarios import Scenario, all_scenarios
from playbook.views.calibration import STUDY_HEADINGS, table_markdown

METHODS = PROJECT_ROOT / "docs" / "methods.md"
# Where the scenario table goes in docs/methods.md (markers; each study has its own, named as it),
# and the section it opens when they are missing.
BEGIN_MARKER = "<!-- calibration:begin -->"
END_MARKER = "<!-- calibration:end -->"
SECTION_HEADING = "## Calibration on the scenario library"
QUICK_COMPANIES = 20


def company_outcomes(scenario: Scenario, seed: int) -> dict[str, object]:
    """One company of a scenario, computed like a run and measured."""
    company = scenario.generate(seed)
    dataset = load_tables(company.tables, name=scenario.name)
    params = Params(**{"seed": seed, **scenario.params})
    results = assess_all(dataset, params, (scenario.section,))
    return dict(scenario.measure(company, results))


def _one(task: tuple[str, int]) -> tuple[str, int, dict]:
    name, seed = task
    return name, seed, company_outcomes(all_scenarios()[name], seed)


def study(
    scenarios: list[Scenario], *, companies: int | None = None, jobs: int = 2, stream=sys.stderr
) -> dict[str, list[dict]]:
    """Every scenario's outcomes over its companies (seeds 0, 1, ...), computed on `jobs` processes."""
    tasks = [(s.name, seed) for s in scenarios for seed in range(companies or s.companies)]
    found: dict[str, list[tuple[int, dict]]] = {s.name: [] for s in scenarios}
    started, done = time.monotonic(), 0
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for name, seed, outcomes in pool.map(_one, tasks, chunksize=4):
            found[name].append((seed, outcomes))
            done += 1
            if done % 20 == 0 or done == len(tasks):
                stream.write(f"[{done}/{len(tasks)} companies, {time.monotonic() - started:.0f} s]\n")
                stream.flush()
    return {name: [o for _, o in sorted(rows, key=lambda r: r[0])] for name, rows in found.items()}


def _scenario_groups(table: str) -> tuple[list[str], dict[str, list[str]]]:
    """A calibration table's header lines, and its rows grouped by scenario (a scenario's first
    row names it; the rows after it, with an empty first cell, are its own)."""
    lines = [line for line in table.splitlines() if line.startswith("|")]
    groups: dict[str, list[str]] = {}
    name = None
    for line in lines[2:]:
        name = line[1:].split("|", 1)[0].strip() or name
        groups.setdefault(name, []).append(line)
    return lines[:2], groups


def merged_table(current: str, text: str, order: list[str]) -> str:
    """The new table `text`, with the rows of the scenarios it does not hold kept from `current`
    (a study of some scenarios, `--only`, rewrites their rows and no other), in the order `order`
    (the library's); scenarios no longer in the library are dropped."""
    _, kept = _scenario_groups(current)
    header, fresh = _scenario_groups(text)
    groups = {**kept, **fresh}
    return "\n".join(header + [line for name in order if name in groups for line in groups[name]])


def write_methods(
    text: str,
    path: Path = METHODS,
    *,
    name: str = "calibration",
    heading: str = SECTION_HEADING,
    order: list[str] | None = None,
) -> None:
    """Put a table between its markers in docs/methods.md (`<!-- name:begin -->`, `<!-- name:end
    -->`), appending a section with `heading` when they are missing. With `order` (the library's
    scenarios), the rows of the scenarios this study did not run are kept (`merged_table`)."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    current = path.read_text(encoding="utf-8") if path.is_file() else "# Methods\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        inside, tail = rest.split(end, 1)
        if order is not None:
            text = merged_table(inside, text, order)
        updated = head + f"{begin}\n{text}\n{end}" + tail
    else:
        updated = current.rstrip("\n") + f"\n\n{heading}\n\n{begin}\n{text}\n{end}\n"
    path.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playbook.runner.calibrate", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_COMPANIES} companies per scenario")
    parser.add_argument("--companies", type=int, help="companies per scenario (default: each scenario's)")
    parser.add_argument("--only", action="append", metavar="SCENARIO", help="this scenario only (repeatable)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: cores)")
    parser.add_argument("--no-write", action="store_true", help="print the table, leave docs/methods.md")
    args = parser.parse_args(argv)
    library = all_scenarios()
    unknown = sorted(set(args.only or ()) - set(library) - set(STUDIES))
    if unknown:
        known = ", ".join([*library, *STUDIES])
        print(f"error: unknown scenario(s) or study {unknown}; they are {known}", file=sys.stderr)
        return 2
    chosen = [library[n] for n in (args.only or library) if n in library]
    companies = args.companies or (QUICK_COMPANIES if args.quick else None)
    failed = []
    if chosen:
        started = time.monotonic()
        found = study(chosen, companies=companies, jobs=max(1, args.jobs))
        text = table_markdown(chosen, found)
        print(text)
        print(f"calibration: {len(chosen)} scenarios in {time.monotonic() - started:.0f} s", file=sys.stderr)
        if not args.no_write:
            write_methods(text, order=list(library))
            print(f"wrote {METHODS}", file=sys.stderr)
        failed = [r.label for s in chosen for r in scenario_rows(s, found[s.name]) if r.holds is False]
    for name in [n for n in (args.only or STUDIES) if n in STUDIES]:
        started, cpu = time.monotonic(), time.process_time()
        text, holds = STUDIES[name](quick=args.quick)
        print(text)
        print(
            f"{name}: {time.monotonic() - started:.0f} s, {time.process_time() - cpu:.0f} CPU-seconds",
            file=sys.stderr,
        )
        if not args.no_write:
            write_methods(text, name=name, heading=STUDY_HEADINGS[name])
        failed += [] if holds else [name]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
