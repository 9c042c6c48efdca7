"""Words and tables for the leaders and compensation section (people's names masked by default)."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.compensation import CompensationResult
from playbook.analyses.leaders import ATTRIBUTE_LABELS, LeaderResult
from playbook.analyses.outcome import Skipped
from playbook.views.formatting import percent
from playbook.views.html import bullets, verdict_card
from playbook.views.people import candidate_names, interviewer_names


def names_of(result: LeaderResult | Skipped, *, show_pii: bool = False) -> dict[str, str]:
    """How each candidate is shown: masked ('Candidate C1') unless show_pii is set."""
    if isinstance(result, Skipped):
        return {}
    return candidate_names(result.candidates, show_pii=show_pii)


def leaders_verdict(result: LeaderResult | Skipped) -> str:
    """The verdict as the board pack's badge says it: 'C1 leads' or 'no clear leader'."""
    if isinstance(result, Skipped):
        return result.verdict
    return f"{result.leader} leads" if result.verdict == "clear_leader" else "no clear leader"


def leaders_headline(result: LeaderResult | Skipped, names: dict[str, str]) -> str:
    """One paragraph: who leads and how sure we are, where interviewers disagree, and red flags."""
    if isinstance(result, Skipped):
        return result.reason
    ranking = result.decisive.table
    top = ranking.iloc[0]
    parts = []
    if result.low_agreement:
        low = ", ".join(
            f"{ATTRIBUTE_LABELS[a]} (ICC {result.agreement[a]:.2f})" for a in result.low_agreement
        )
        parts.append(
            f"Interviewers do not agree on {low}, below {result.agreement_threshold:g}; the ranking "
            "below leaves it out, since an order driven by it would be noise."
        )
    interval = "" if pd.isna(top["ci_low"]) else f", 95% interval {top['ci_low']:.2f}–{top['ci_high']:.2f}"
    name = names.get(top["candidate_id"], top["candidate_id"])
    lead = f"{name} leads with {top['score']:.2f} of 5{interval} ({int(top['interviewers'])} interviewers)"
    if len(ranking) > 1:
        second = names.get(ranking.iloc[1]["candidate_id"], ranking.iloc[1]["candidate_id"])
        share = top["above_next"]
        verdict = (
            "a clear lead"
            if top["order_is_evidence"]
            else "not a clear lead: the order of the two is not evidence"
        )
        lead += f", ahead of {second} in {percent(share)} of resampled panels — {verdict}."
    parts.insert(0, lead)
    flagged = {c: f for c, f in result.flags.items() if f}
    if flagged:
        parts.append(
            "Red flags: "
            + "; ".join(f"{names.get(c, c)} ({len(f)})" for c, f in sorted(flagged.items()))
            + "."
        )
    return " ".join(parts)


def leaders_card(result: LeaderResult | Skipped, comp: CompensationResult, names: dict[str, str]):
    """The verdict block at the top of the notebook: the leader, then the pay plan."""
    return verdict_card(
        "Sales leader", leaders_verdict(result), [leaders_headline(result, names), f"Pay: {comp.reason}"]
    )


def ranking_table(result: LeaderResult, names: dict[str, str], *, agreed: bool = True) -> pd.DataFrame:
    ranking = (
        result.ranking_agreed if agreed and result.ranking_agreed is not None else result.ranking
    ).table
    return pd.DataFrame(
        {
            "rank": range(1, len(ranking) + 1),
            "candidate": ranking["candidate_id"].map(lambda c: names.get(c, c)),
            "weighted score (1–5)": ranking["score"].map("{:.2f}".format),
            "95% interval": [
                ("single interviewer" if pd.isna(lo) else f"{lo:.2f}–{hi:.2f}")
                for lo, hi in zip(ranking["ci_low"], ranking["ci_high"], strict=True)
            ],
            "interviewers": ranking["interviewers"],
            "above the next in": ranking["above_next"].map(lambda p: "" if pd.isna(p) else percent(p)),
            "order is evidence": ranking["order_is_evidence"].map({True: "yes", False: "no"}).fillna(""),
        }
    )


def both_rankings(result: LeaderResult, names: dict[str, str]) -> pd.DataFrame:
    """The order with every attribute, and without the ones interviewers do not agree on."""
    every = result.ranking.order()
    table = pd.DataFrame(
        {"rank": range(1, len(every) + 1), "all attributes": [names.get(c, c) for c in every]}
    )
    if result.ranking_agreed is not None:
        table["without low-agreement attributes"] = [names.get(c, c) for c in result.ranking_agreed.order()]
    return table


def agreement_table(result: LeaderResult) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "attribute": [ATTRIBUTE_LABELS[a] for a in result.agreement],
            "agreement (ICC)": ["n/a" if v is None else f"{v:.2f}" for v in result.agreement.values()],
            "weight": [f"{result.weights[a]:.2f}" for a in result.agreement],
            f"below {result.agreement_threshold:g}": [
                "yes" if a in result.low_agreement else "" for a in result.agreement
            ],
        }
    )


def flag_list(result: LeaderResult, names: dict[str, str]):
    items = [f"{names.get(c, c)}: {flag}" for c, flags in sorted(result.flags.items()) for flag in flags]
    return bullets(items or ["No red flag on any candidate."])


def evidence_table(
    result: LeaderResult, names: dict[str, str], *, top: int = 2, show_pii: bool = False
) -> pd.DataFrame:
    """What the interviewers wrote about the leading candidates (interviewers masked unless show_pii)."""
    scores = result.scores
    if "evidence" not in scores:
        return pd.DataFrame({"note": ["No evidence column in interview_scores."]})
    leaders = result.decisive.order()[:top]
    who = interviewer_names(scores["interviewer"], show_pii=show_pii)
    rows = scores[scores["candidate_id"].isin(leaders)].assign(
        _order=lambda d: d["candidate_id"].map(leaders.index)
    )
    rows = rows.sort_values(["_order", "attribute", "interviewer"], kind="stable")
    return pd.DataFrame(
        {
            "candidate": rows["candidate_id"].map(lambda c: names.get(c, c)),
            "attribute": rows["attribute"].map(ATTRIBUTE_LABELS),
            "interviewer": rows["interviewer"].map(who),
            "score": rows["score"].map("{:g}".format),
            "evidence": rows["evidence"].fillna(""),
        }
    )


def plan_table(comp: CompensationResult) -> pd.DataFrame:
    rows = []
    for o in comp.outcomes:
        p = o.plan
        rows.append(
            {
                "plan": p.name + (" (recommended)" if p.name == comp.recommended else ""),
                "base / variable": f"{p.base_share:.0%} / {1 - p.base_share:.0%}",
                "variable on team quota": percent(p.team_share),
                "accelerator above 100%": f"{p.accelerator:g}×",
                "expansion credit": percent(p.expansion_credit),
                "cost of sales": percent(o.cost_of_sales, digits=1),
                "pay, top vs bottom quartile": f"{o.pay_ratio_top_bottom:.2f}×",
                "pay–performance correlation": f"{round(o.pay_performance_corr, 2) + 0.0:.2f}",
                f"roster quality after {comp.team.n_quarters} quarters (P10–P90)": (
                    f"{o.roster_quality_end:.2f}× "
                    f"({o.roster_quality_interval[0]:.2f}–{o.roster_quality_interval[1]:.2f})"
                ),
            }
        )
    return pd.DataFrame(rows)
