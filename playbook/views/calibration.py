"""The calibration table written to docs/methods.md: one row per scenario outcome."""

from __future__ import annotations

import math

from playbook.analyses.calibration import scenario_rows
from playbook.samples.scenarios import Scenario, Target

HEADER = (
    "scenario",
    "truth",
    "correct verdict",
    "outcome",
    "measured (95% interval)",
    "companies",
    "target",
    "holds",
)


def _number(value: float | None, statistic: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.0%}" if statistic == "rate" else f"{value:.2f}"


def _target_text(t: Target) -> str:
    shown = (lambda v: f"{v:.0%}") if t.statistic == "rate" else (lambda v: f"{v:g}")
    if t.comparison == "between":
        return f"{shown(t.value)}–{shown(t.high)}"
    return ("≥ " if t.comparison == "at_least" else "≤ ") + shown(t.value)


def table_markdown(scenarios: list[Scenario], found: dict[str, list[dict]]) -> str:
    """The calibration table: scenario, truth, correct verdict, outcome, measured, target, holds."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---|---|---|---|---:|---|---|"]
    for s in scenarios:
        for i, row in enumerate(scenario_rows(s, found[s.name])):
            value = _number(row.value, row.statistic)
            if row.interval:
                value += f" ({row.interval[0]:.0%}–{row.interval[1]:.0%})"
            target = _target_text(row.target) if row.target else ""
            holds = {True: "yes", False: "**no**", None: ""}[row.holds]
            first = (s.name, s.truth, s.correct) if i == 0 else ("", "", "")
            lines.append(f"| {' | '.join(first)} | {row.label} | {value} | {row.n} | {target} | {holds} |")
    return "\n".join(lines)
