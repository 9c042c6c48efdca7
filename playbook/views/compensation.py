"""Words and tables for the pay plans: what the simulation recommends, how robust it is, and why."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.compensation import CompensationResult
from playbook.analyses.leaders import LeaderResult
from playbook.analyses.outcome import Skipped
from playbook.views.formatting import money, percent
from playbook.views.html import bullets, verdict_card
from playbook.views.leaders import leaders_headline, leaders_verdict

PARAMETER_WORDS = {"risk_aversion": "risk aversion", "effort_response": "effort response"}
# The objective plans are compared on (`compensation.OBJECTIVE`), short and in full.
OBJECTIVE_WORDS = (
    "net bookings per seat and year",
    "net bookings per seat and year: bookings less the cost of sales (pay and recruiting), an empty seat "
    "selling nothing",
)


def switch_sentences(comp: CompensationResult) -> list[str]:
    """Where the winning plan changes along each uncertain assumption (the others held)."""
    return [
        f"Between {PARAMETER_WORDS[s['parameter']]} {s['between'][0]:g} and {s['between'][1]:g} the winner "
        f"switches from {s['from']} to {s['to']}."
        for s in comp.switches
    ]


def pay_headline(comp: CompensationResult, *, currency: str = "USD") -> str:
    """The recommended plan, by how much, and how far the recommendation holds."""
    best = comp.outcome(comp.recommended)
    text = (
        f"{comp.recommended} gives the most {OBJECTIVE_WORDS[0]}: {money(best.objective, currency)} "
        f"over the {comp.team.n_quarters} simulated quarters"
    )
    if comp.runner_up is not None:
        text += (
            f", {percent(comp.margin, digits=1)} more than {comp.runner_up} (ahead in "
            f"{percent(comp.wins_share_of_runs)} of {comp.team.n_runs} paired runs)"
        )
    text += (
        f". It also wins in {percent(comp.holds_on_grid)} of a grid of the two least certain assumptions "
        f"(risk aversion {', '.join(f'{v:g}' for v in sorted(comp.grid['risk_aversion'].unique()))}; "
        f"effort response {', '.join(f'{v:g}' for v in sorted(comp.grid['effort_response'].unique()))})."
    )
    switches = switch_sentences(comp) or [
        "No value of risk aversion (0 to 4) or effort response (0 to 0.6), the others as set, changes the "
        "winner."
    ]
    return " ".join([text, *switches])


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


def sensitivity_table(comp: CompensationResult) -> pd.DataFrame:
    """Which plan wins, and by how much, for each pair of the uncertain assumptions."""
    grid = comp.grid.assign(
        cell=lambda d: d["winner"] + d["margin"].map(lambda m: "" if pd.isna(m) else f" (+{m:.1%})")
    )
    table = grid.pivot(index="risk_aversion", columns="effort_response", values="cell")
    table.columns = [f"effort response {c:g}" for c in table.columns]
    return table.reset_index().rename(columns={"risk_aversion": "risk aversion"})


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
