"""The calibration table written to docs/methods.md: one row per scenario outcome."""

from __future__ import annotations

import math

from playbook.analyses.calibration import scenario_rows
from playbook.analyses.pay_sensitivity import RANGES
from playbook.samples.scenarios import Scenario, Target
from playbook.samples.scenarios.leaders import FIELD, FINALISTS, LEVEL
from playbook.views.compensation import PARAMETER_WORDS, assumption_value

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


# ---------------------------------------------------------------------------------------------
# The studies that simulate directly (runner/studies.py)


# The section each study's table opens in docs/methods.md (runner.studies.STUDIES).
STUDY_HEADINGS = {
    "leader_loops": "## The clear-leader test on simulated interview loops",
    "pay_grid": "## The pay model over its full grid of assumptions",
}


def _rate(m) -> str:
    if m is None:
        return "—"
    return f"{m.value:.1%} ({m.interval[0]:.1%}–{m.interval[1]:.1%})"


def leader_loops_markdown(rows, scores, icc, *, alpha: float) -> str:
    """The loop study: false clear leaders and power by cell, then the intervals' coverage."""
    first = rows[0].measured
    n_false = next(m.n for k, m in first.items() if m is not None and m.target is not None)
    n_power = next(m.n for k, m in first.items() if m is not None and m.target is None)
    lines = [
        f"Interview loops drawn directly: {n_false:,} a cell where no candidate is better, {n_power:,} "
        "where one is. Each score is the candidate's true level plus normal noise (the interviewers' sd), "
        "rounded and clipped to 1–5, on four equally weighted attributes. Identical candidates sit at "
        f"{LEVEL:g}; two tied finalists at {FINALISTS:g} above a field at {FIELD:g}; with a gap of G points "
        f"the best sits at {LEVEL:g} + G/2 and the others at {LEVEL:g} − G/2. A clear leader is called "
        f"when the two-sided paired test of first against second gives p < {alpha:g} in both rankings "
        "(with every attribute and without those whose agreement interval reaches 0), for the same "
        "candidate; power counts only a clear lead for the best candidate. Target: false clear leaders "
        "≤ 5% in every cell (it holds when the Wilson 95% interval reaches 5%).",
        "",
        "| candidates | interviewers | noise sd | false clear leaders: identical candidates | false clear "
        "leaders: two tied finalists above a weaker field | best found: 1-point gap | best found: "
        "1.5-point gap | ≤ 5% holds |",
        "|---:|---:|---:|---|---|---|---|---|",
    ]
    for row in rows:
        m, c = row.measured, row.cell
        judged = [x.holds for x in m.values() if x is not None and x.target is not None]
        holds = "yes" if all(judged) else "**no**"
        lines.append(
            f"| {c.candidates} | {c.interviewers} | {c.noise:g} | {_rate(m['identical'])} | "
            f"{_rate(m['tied finalists'])} | {_rate(m['gap 1'])} | {_rate(m['gap 1.5'])} | {holds} |"
        )
    lines += [
        "",
        "Coverage of a candidate's 95% score interval (a t-interval over the interviewers, never narrower "
        "than the rounding of whole-number scores, clipped to 1–5) of the score its interviewers "
        f"estimate; three candidates, {scores['n'].iloc[0]:,} candidate-loops a cell:",
        "",
        "| noise sd | interviewers | coverage (nominal 95%) |",
        "|---:|---:|---|",
        *(f"| {r.noise:g} | {r.interviewers} | {r.covered / r.n:.1%} |" for r in scores.itertuples()),
        "",
        "Coverage of the 95% ICC(2,1) interval (McGraw & Wong), continuous scores with a known ICC, "
        f"5 candidates × 4 interviewers, {icc['n'].iloc[0]:,} loops each:",
        "",
        "| true ICC | coverage (nominal 95%) |",
        "|---:|---|",
        *(f"| {r.icc:g} | {r.covered / r.n:.1%} |" for r in icc.itertuples()),
    ]
    return "\n".join(lines)


def pay_grid_markdown(grid, normal, *, quota: str, interval: tuple[float, float], agrees: bool) -> str:
    """The pay model over its full grid: how often each plan wins, where the team quota does, and
    whether the normal run's sample agrees."""
    plans = normal.plans_compared
    sample = normal.sensitivity.sample
    levels = {name: sorted(grid[name].unique()) for name in RANGES}
    quota_wins = grid["winner"] == quota
    lines = [
        f"The built-in plans ({', '.join(plans)}) at every combination of {len(levels['luck'])} levels of "
        f"the six assumptions the sensitivity analysis varies ({len(grid):,} points, "
        f"{normal.sensitivity.runs} runs each, every other assumption as the default team). A normal run "
        f"samples {len(sample)} Sobol points of the same space.",
        "",
        "| plan | wins on the grid | wins in a normal run's sample |",
        "|---|---|---|",
        *(
            f"| {plan} | {int((grid['winner'] == plan).sum()):,} ({(grid['winner'] == plan).mean():.1%}) | "
            f"{normal.sensitivity.wins(plan)} of {len(sample)} |"
            for plan in plans
        ),
        "",
        f"The sample's share for {quota} has the Wilson 95% interval {interval[0]:.1%}–{interval[1]:.1%}; "
        f"the grid's share {'lies inside it' if agrees else 'lies **outside** it'}.",
        "",
        f"Where {quota} wins: its share of the grid at each level of each assumption (the other "
        "assumptions over all their levels).",
        "",
        "| assumption | " + " | ".join(f"level {i + 1}" for i in range(len(levels["luck"]))) + " |",
        "|---|" + "---|" * len(levels["luck"]),
    ]
    for name, values in levels.items():
        cells = [f"{assumption_value(name, v)}: {quota_wins[grid[name] == v].mean():.1%}" for v in values]
        lines.append(f"| {PARAMETER_WORDS[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
