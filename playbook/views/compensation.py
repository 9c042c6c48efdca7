"""Words and tables for the pay plans: what the simulation recommends, how robust it is, and why."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.compensation import CompensationResult
from playbook.analyses.leaders import LeaderResult
from playbook.analyses.outcome import Skipped
from playbook.analyses.pay_sensitivity import RANGES
from playbook.views.formatting import money, percent
from playbook.views.html import bullets, verdict_card
from playbook.views.leaders import leaders_headline, leaders_verdict

# The assumptions the sensitivity analysis varies (`pay_sensitivity.RANGES`), in words.
PARAMETER_WORDS = {
    "n_reps": "team size",
    "market_fixed_share": "the market's base share",
    "luck": "luck",
    "pay_sensitivity": "pay sensitivity",
    "risk_aversion": "risk aversion",
    "effort_response": "effort response",
}
# The objective plans are compared on (`compensation.OBJECTIVE`), short and in full.
OBJECTIVE_WORDS = (
    "net bookings per seat and year",
    "net bookings per seat and year: bookings less the cost of sales (pay and recruiting), an empty seat "
    "selling nothing",
)


def assumption_value(name: str, value: float) -> str:
    """One assumption's value as people read it: '6 reps', '70%', '0.35'."""
    if name == "n_reps":
        return f"{value:.0f} reps"
    if name == "market_fixed_share":
        return percent(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")


def assumption_range(name: str, low: float, high: float) -> str:
    """An assumption's range: 'team size 4–40 reps', "the market's base share 30%–80%"."""
    if name == "n_reps":
        return f"{PARAMETER_WORDS[name]} {low:.0f}–{high:.0f} reps"
    return f"{PARAMETER_WORDS[name]} {assumption_value(name, low)}–{assumption_value(name, high)}"


def ranges_tried() -> str:
    """The ranges the sensitivity analysis varies, in words."""
    return ", ".join(assumption_range(name, low, high) for name, (low, high) in RANGES.items())


def others_than(comp: CompensationResult, plan: str) -> str:
    """The plans compared with `plan`, in words."""
    return " and ".join(p for p in comp.plans_compared if p != plan) or "no other plan"


def region_sentence(comp: CompensationResult, plan: str) -> str:
    """Where a plan that is not recommended wins in the sample, or where it comes closest."""
    region = comp.sensitivity.region(plan)
    if region["sample_points"]:
        where = "; ".join(
            assumption_range(name, *region["ranges"][name])
            if region["ranges"][name][0] != region["ranges"][name][1]
            else f"{PARAMETER_WORDS[name]} {assumption_value(name, region['ranges'][name][0])}"
            for name in RANGES
        )
        return f"{plan} wins at {region['sample_points']} of them, all within: {where}."
    if "closest" not in region:
        return f"{plan} wins at none of them."
    closest = ", ".join(
        f"{PARAMETER_WORDS[name]} {assumption_value(name, value)}"
        for name, value in region["closest"].items()
    )
    return (
        f"{plan} wins at none of them; it comes closest, {percent(-region['behind'], digits=1)} behind, at "
        f"{closest}."
    )


def switch_sentences(comp: CompensationResult) -> list[str]:
    """Where the winning plan changes along each assumption moved alone (the others as set)."""
    return [
        f"Moving {PARAMETER_WORDS[s['parameter']]} alone, the winner switches from {s['from']} to {s['to']} "
        f"between {assumption_value(s['parameter'], s['between'][0])} and "
        f"{assumption_value(s['parameter'], s['between'][1])}."
        for s in comp.switches
    ]


def pay_headline(comp: CompensationResult, *, currency: str = "USD") -> str:
    """The recommended plan against the plans it was compared with, by how much, and where each
    plan wins when the assumptions move."""
    best = comp.outcome(comp.recommended)
    n = comp.team.n_quarters
    text = (
        f"{comp.recommended} gives the most {OBJECTIVE_WORDS[0]}: {money(best.objective, currency)} a seat "
        f"and year, averaged over {n} simulated quarters"
    )
    if comp.runner_up is None:
        return text + " (the only plan simulated)."
    wins, sample = comp.sensitivity.wins(comp.recommended), comp.sensitivity.sample
    text += (
        f", {percent(comp.margin, digits=1)} more than {comp.runner_up} (ahead in "
        f"{percent(comp.wins_share_of_runs)} of {comp.team.n_runs} paired runs). Against "
        f"{others_than(comp, comp.recommended)}, it also wins at {wins} of {len(sample)} sets of "
        f"assumptions drawn across {ranges_tried()}, all varied at once."
    )
    regions = [region_sentence(comp, plan) for plan in comp.plans_compared if plan != comp.recommended]
    switches = switch_sentences(comp) or [
        "No assumption moved alone over its range, the others as set, changes the winner."
    ]
    return " ".join([text, *regions, *switches])


def leaders_card(
    result: LeaderResult | Skipped, comp: CompensationResult, names: dict[str, str], *, currency: str = "USD"
):
    """The verdict block at the top of the leaders notebook: the leader, then the pay plan."""
    return verdict_card(
        "Sales leader",
        leaders_verdict(result),
        [leaders_headline(result, names), f"Pay: {pay_headline(comp, currency=currency)}"],
    )


def plan_table(comp: CompensationResult, *, currency: str = "USD") -> pd.DataFrame:
    rows = []
    for o in comp.outcomes:
        p = o.plan
        rows.append(
            {
                "plan": p.name + (" (recommended)" if p.name == comp.recommended else ""),
                "base / variable": f"{p.base_share:.0%} / {1 - p.base_share:.0%}",
                "variable on team quota": percent(p.team_share),
                "accelerator above 100%": f"{p.accelerator:g}×",
                "net bookings per seat-year": money(o.objective, currency),
                "cost of sales": percent(o.cost_of_sales, digits=1),
                "effort": f"{o.effort:.2f}×",
                "seats empty": percent(o.empty_seat_share, digits=1),
                "leaving per quarter": percent(o.attrition, digits=1),
                "pay, top vs bottom quartile": f"{o.pay_ratio_top_bottom:.2f}×",
                f"roster quality after {comp.team.n_quarters} quarters (P10–P90)": (
                    f"{o.roster_quality_end:.2f}× "
                    f"({o.roster_quality_interval[0]:.2f}–{o.roster_quality_interval[1]:.2f})"
                ),
            }
        )
    return pd.DataFrame(rows)


def sweep_table(comp: CompensationResult) -> pd.DataFrame:
    """Each assumption moved alone over its range (the others as set): which plan wins along it and
    by how much."""
    points = comp.sensitivity.points
    rows = []
    for name, (low, high) in RANGES.items():
        sweep = points[(points["source"] == "sweep") & (points["parameter"] == name)]
        winners = sweep["winner"].tolist()
        changes = [s for s in comp.switches if s["parameter"] == name]
        if not changes:
            outcome = f"{winners[0]} at all {len(winners)} values"
        else:
            outcome = f"{winners[0]}, then " + ", then ".join(
                f"{s['to']} from {assumption_value(name, s['between'][1])}" for s in changes
            )
        rows.append(
            {
                "assumption": PARAMETER_WORDS[name],
                "as set": assumption_value(name, getattr(comp.team, name)),
                "range tried": f"{assumption_value(name, low)} – {assumption_value(name, high)}",
                "winner along it": outcome,
                "winner's margin": f"{percent(sweep['margin'].min(), digits=1)} – "
                f"{percent(sweep['margin'].max(), digits=1)}",
            }
        )
    return pd.DataFrame(rows)


def sample_table(comp: CompensationResult) -> pd.DataFrame:
    """Every assumption moved at once (the space-filling sample): how often each plan wins, and the
    range of each assumption where it does."""
    s = comp.sensitivity
    rows = []
    for plan in s.plans:
        region = s.region(plan) if plan != comp.recommended else None
        won = s.sample[s.sample["winner"] == plan]
        row = {"plan": plan, "wins at": f"{len(won)} of {len(s.sample)} points"}
        for name in RANGES:
            if len(won) == 0:
                row[PARAMETER_WORDS[name]] = "—"
            else:
                low, high = won[name].min(), won[name].max()
                row[PARAMETER_WORDS[name]] = (
                    assumption_value(name, low)
                    if low == high
                    else f"{assumption_value(name, low)} – {assumption_value(name, high)}"
                )
        if region is not None and "closest" in region:
            row["wins at"] += f" (closest: {percent(-region['behind'], digits=1)} behind)"
        rows.append(row)
    return pd.DataFrame(rows)


def assumptions_list(comp: CompensationResult):
    """The assumptions that drive the answer, with their values in this run."""
    t = comp.team
    return bullets(
        [
            f"Objective: {OBJECTIVE_WORDS[1]}.",
            f"Risk aversion {t.risk_aversion:g}: a rep values pay at its expected value less "
            f"{t.risk_aversion:g} × half "
            "its variance (in units of on-target earnings); luck and what a rep does not know of their own "
            "skill both "
            f"count (spreads {t.luck:g} and {t.self_knowledge:g} in log terms).",
            f"Effort response {t.effort_response:g}: a 50/50 individual plan lifts effort by "
            f"{percent(t.effort_response)}; "
            "more pay at risk lifts it by ever less, and a team quota passes on only 1/"
            f"{t.n_reps} of a rep's own effort (free-riding).",
            f"The going plan elsewhere pays {percent(t.market_fixed_share)} base: a rep leaves more often "
            "the further "
            f"their plan's value falls below it (sensitivity {t.pay_sensitivity:g}); an opening is filled "
            "by the first of "
            f"{t.offers_per_hire} candidates a quarter who values the plan within "
            f"{percent(t.hiring_slack)} of the going "
            "one, else it stays empty and sells nothing; a hire sells at half pace in their first quarter "
            "and costs "
            f"{percent(t.hiring_cost)} of a year's on-target earnings to recruit.",
        ]
    )
