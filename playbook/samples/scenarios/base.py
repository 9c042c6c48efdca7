"""What a scenario is: a data-generating process with a planted truth, and how it is judged.

A `Scenario` draws companies (`Company`: contract tables and the truth planted in them) from a
seed, names the verdict that is correct for its truth, and measures one company's outcomes from
the results the playbook computed for it (`measure`: a flat mapping of booleans and numbers).
`Target`s say what the calibration study (`make calibrate`, `playbook/runner/calibrate.py`) must
find over many companies; `smoke` says what the seeded companies the tests draw must show.

This module draws data only: it never imports the analyses. `measure` reads the results it is
given by attribute (the runner's `Results`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

STATISTICS = ("rate", "pooled_ratio", "median", "mean")
COMPARISONS = ("at_least", "at_most", "between")


@dataclass(frozen=True, kw_only=True)
class Company:
    """One draw of a scenario: contract tables (as a folder would hold them) and what was planted.

    `truth` holds the planted values a measurement compares with (a threshold, a gradient, the
    wins that happened after the analysis date, ...).
    """

    tables: dict[str, pd.DataFrame]
    truth: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Target:
    """What the study must find for one outcome over a scenario's companies.

    statistic: `rate` (share of companies where the boolean outcome holds, with its Wilson 95%
    interval), `pooled_ratio` (sum of `outcome` over sum of `denominator`, companies pooled), `median`
    or `mean` of a numeric outcome. comparison: `at_least`, `at_most` (value) or `between` (value,
    high). A rate target holds when its Wilson interval reaches the value and the point estimate is
    within `slack` of it; any other target when its statistic satisfies the comparison.
    """

    label: str
    outcome: str
    statistic: str = "rate"
    comparison: str = "at_least"
    value: float = 0.0
    high: float | None = None
    denominator: str | None = None
    slack: float = 0.05

    def __post_init__(self) -> None:
        if self.statistic not in STATISTICS or self.comparison not in COMPARISONS:
            raise ValueError(
                f"target {self.label!r}: statistic {self.statistic!r}, comparison {self.comparison!r}"
            )
        if (self.statistic == "pooled_ratio") != (self.denominator is not None):
            raise ValueError(f"target {self.label!r}: a pooled ratio, and only it, has a denominator")
        if (self.comparison == "between") != (self.high is not None):
            raise ValueError(f"target {self.label!r}: `between`, and only it, has a high value")


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A data-generating process with a planted truth, the verdict correct for it, and its targets.

    section: the summary section it calibrates (what the study computes, with what it needs).
    truth, correct: what is planted and which verdict is right for it, in words (docs/methods.md).
    generate(seed) -> Company; measure(company, results) -> outcomes (booleans and numbers).
    params: parameter overrides for its runs (e.g. a cheaper bootstrap).
    report: outcomes shown in the table besides those with a target (rates or means).
    smoke: outcomes the seeded companies of `smoke_seeds` must show (tests/test_scenarios.py).
    """

    name: str
    section: str
    truth: str
    correct: str
    generate: Callable[[int], Company]
    measure: Callable[[Company, object], Mapping[str, object]]
    targets: tuple[Target, ...] = ()
    report: tuple[str, ...] = ()
    params: Mapping[str, object] = field(default_factory=dict)
    companies: int = 100
    smoke: Mapping[str, object] = field(default_factory=dict)
    smoke_seeds: tuple[int, ...] = (0,)
