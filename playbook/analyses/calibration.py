"""Pooling a calibration study's outcomes: rates with Wilson intervals, pooled ratios, medians and
means, each judged against its target.

Targets and scenarios are declared in `playbook.samples.scenarios` (`Target`, `Scenario`); this
module reads them by attribute — it may not import the samples — and holds only the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, kw_only=True)
class Statistic:
    """What to compute over outcomes when there is no target: a rate or a mean."""

    label: str
    outcome: str
    statistic: str = "rate"
    denominator: str | None = None


def wilson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (statsmodels' `proportion_confint`)."""
    from statsmodels.stats.proportion import proportion_confint  # see the note on imports in timing.py

    low, high = proportion_confint(successes, n, alpha=1 - level, method="wilson")
    return float(low), float(high)


@dataclass(frozen=True, kw_only=True)
class Measured:
    """One statistic over a scenario's companies, and whether it meets its target (a scenario's
    `Target`; None for an outcome only reported)."""

    label: str
    statistic: str
    value: float | None
    interval: tuple[float, float] | None
    n: int
    target: object | None = None

    @property
    def holds(self) -> bool | None:
        """Whether the target is met: a rate's Wilson interval reaches it and the point estimate is
        within the target's slack of it; any other statistic satisfies the comparison."""
        t = self.target
        if t is None:
            return None
        if self.value is None:
            return False
        if t.statistic == "rate":
            low, high = self.interval
            if t.comparison == "at_least":
                return high >= t.value and self.value >= t.value - t.slack
            if t.comparison == "at_most":
                return low <= t.value and self.value <= t.value + t.slack
            return high >= t.value and low <= t.high and t.value - t.slack <= self.value <= t.high + t.slack
        if t.comparison == "at_least":
            return self.value >= t.value
        if t.comparison == "at_most":
            return self.value <= t.value
        return t.value <= self.value <= t.high


def measured(spec, outcomes: list[dict], *, target: object | None = None) -> Measured:
    """`spec`'s statistic (label, outcome, statistic, denominator) over the companies that report
    its outcome, judged against `target`."""
    rows = [o for o in outcomes if o.get(spec.outcome) is not None]
    if spec.statistic == "pooled_ratio":
        rows = [o for o in rows if o.get(spec.denominator) is not None]
    n = len(rows)
    found = {"label": spec.label, "statistic": spec.statistic, "n": n, "target": target}
    if n == 0:
        return Measured(value=None, interval=None, **found)
    values = np.array([float(o[spec.outcome]) for o in rows])
    if spec.statistic == "rate":
        hits = int(values.sum())
        return Measured(value=hits / n, interval=wilson(hits, n), **found)
    if spec.statistic == "pooled_ratio":
        below = sum(float(o[spec.denominator]) for o in rows)
        return Measured(value=float(values.sum() / below) if below else None, interval=None, **found)
    value = float(np.median(values) if spec.statistic == "median" else values.mean())
    return Measured(value=value, interval=None, **found)


def reported(outcome: str, outcomes: list[dict]) -> Measured:
    """An outcome without a target: its rate (booleans) or its mean (numbers)."""
    values = [o[outcome] for o in outcomes if o.get(outcome) is not None]
    rate = bool(values) and all(isinstance(v, (bool, np.bool_)) for v in values)
    return measured(Statistic(label=outcome, outcome=outcome, statistic="rate" if rate else "mean"), outcomes)


def scenario_rows(scenario, outcomes: list[dict]) -> list[Measured]:
    """Each target of a scenario, measured and judged, then the outcomes it reports."""
    rows = [measured(t, outcomes, target=t) for t in scenario.targets]
    return rows + [reported(o, outcomes) for o in scenario.report]
