"""Words and tables for the leaders section (people's names masked by default)."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.leaders import LeaderResult, Ranking
from playbook.analyses.outcome import Skipped
from playbook.views.html import bullets
from playbook.views.notes import note_text, skipped_text
from playbook.views.people import candidate_names, interviewer_names

ATTRIBUTE_LABELS = {
    "collaborative": "collaborative decision maker",
    "analytical_technical": "analytical and technical",
    "long_term_relationships": "long-term relationship builder",
    "enterprise_experience": "enterprise sales experience",
}


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


def _interval(row) -> str:
    if pd.isna(row["ci_low"]):
        return f"no interval ({int(row['interviewers'])} interviewers; 3 needed)"
    return f"95% interval {row['ci_low']:.2f}–{row['ci_high']:.2f}"


def lead_sentence(result: LeaderResult, names: dict[str, str]) -> str:
    """Who is first, and whether the lead over the second is evidence (in both rankings)."""
    table = result.decisive.table
    top = table.iloc[0]
    first = names.get(top["candidate_id"], top["candidate_id"])
    text = f"{first} is first with {top['score']:.2f} of 5 ({_interval(top)})"
    if len(table) == 1:
        return text + ", the only candidate ranked."
    second = names.get(result.runner_up, result.runner_up)
    p = result.decisive.lead_p()
    test = "not testable (fewer than 3 interviewers saw both)" if p is None else f"p = {p:.3f}"
    if result.verdict == "clear_leader":
        return (
            f"{text}: a clear lead over {second} — the interviewers' score differences between the two "
            f"are too consistent to be chance (two-sided paired test, {test}), with every attribute and "
            "without the uncertain ones."
        )
    if len(result.rankings) > 1 and result.ranking.order()[:1] != result.ranking_certain.order()[:1]:
        why = "the first place changes when the uncertain attributes are left out"
    else:
        why = f"the interviewers' score differences do not show it ({test}, α = {result.alpha:g})"
    return f"{text}, but no clear leader between {first} and {second}: {why}."


def leaders_headline(result: LeaderResult | Skipped, names: dict[str, str]) -> str:
    """One paragraph: who leads and how sure we are, what agreement says, single-interviewer
    candidates, and red flags."""
    if isinstance(result, Skipped):
        return skipped_text(result.missing)
    parts = [lead_sentence(result, names)]
    if result.uncertain:
        shaky = ", ".join(ATTRIBUTE_LABELS[a] for a in result.uncertain)
        parts.append(
            f"Interviewers do not separate the candidates consistently on {shaky} (the agreement interval "
            "reaches 0), so the ranking is read with and without it."
        )
    if len(result.single):
        alone = ", ".join(names.get(c, c) for c in result.single["candidate_id"].unique())
        parts.append(f"Seen by one interviewer only, so not ranked: {alone}.")
    flagged = {c: f for c, f in result.flags.items() if f}
    if flagged:
        parts.append(
            "Red flags: "
            + "; ".join(f"{names.get(c, c)} ({len(f)})" for c, f in sorted(flagged.items()))
            + "."
        )
    return " ".join(parts)


def ranking_table(result: LeaderResult, names: dict[str, str], *, certain: bool = True) -> pd.DataFrame:
    """The ranking (without the uncertain attributes by default): score, interval, lead over the next."""
    ranking: Ranking = (
        result.ranking_certain if certain and result.ranking_certain is not None else result.ranking
    )
    table = ranking.table
    return pd.DataFrame(
        {
            "rank": range(1, len(table) + 1),
            "candidate": table["candidate_id"].map(lambda c: names.get(c, c)),
            "weighted score (1–5)": table["score"].map("{:.2f}".format),
            "95% interval": [
                "fewer than 3 interviewers" if pd.isna(lo) else f"{lo:.2f}–{hi:.2f}"
                for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
            ],
            "interviewers": table["interviewers"],
            "differs from the next (paired test)": table["p_ahead_of_next"].map(
                lambda p: "" if pd.isna(p) else f"p = {p:.3f}" + (" — evidence" if p < result.alpha else "")
            ),
        }
    )


def both_rankings(result: LeaderResult, names: dict[str, str]) -> pd.DataFrame:
    """The order with every attribute, and without the uncertain ones."""
    every = result.ranking.order()
    table = pd.DataFrame(
        {"rank": range(1, len(every) + 1), "all attributes": [names.get(c, c) for c in every]}
    )
    if result.ranking_certain is not None:
        table["without the uncertain attributes"] = [names.get(c, c) for c in result.ranking_certain.order()]
    return table


def agreement_table(result: LeaderResult) -> pd.DataFrame:
    """ICC(2,1) per attribute with its interval, what it means, and its weight."""
    rows = []
    for attribute, g in result.agreement.items():
        if g.status == "no variation":
            icc, interval, reading = "no variation", "—", "every score the same: nothing to separate"
        elif g.status == "too few":
            icc, interval, reading = (
                "not measurable",
                "—",
                "fewer than 2 candidates or interviewers in a complete block",
            )
        else:
            icc, interval = f"{g.icc:.2f}", f"{g.ci[0]:.2f} – {g.ci[1]:.2f}"
            reading = (
                "not shown to separate candidates consistently (interval reaches 0)"
                if g.uncertain
                else "interviewers separate candidates consistently"
            )
        rows.append(
            {
                "attribute": ATTRIBUTE_LABELS[attribute],
                "agreement (ICC(2,1))": icc,
                "95% interval": interval,
                "reading": reading,
                "complete block": f"{g.n_candidates} candidates × {g.n_interviewers} interviewers",
                "weight": f"{result.weights[attribute]:.2f}",
            }
        )
    return pd.DataFrame(rows)


def single_table(result: LeaderResult, names: dict[str, str], *, show_pii: bool = False) -> pd.DataFrame:
    """Candidates one interviewer scored: their score, apart from the ranking."""
    if result.single.empty:
        return pd.DataFrame({"note": ["Every ranked candidate was seen by at least two interviewers."]})
    who = interviewer_names(result.scores["interviewer"], show_pii=show_pii)
    return pd.DataFrame(
        {
            "candidate": result.single["candidate_id"].map(lambda c: names.get(c, c)),
            "weighted score (1–5)": result.single["score"].map("{:.2f}".format),
            "scored by": result.single["interviewer"].map(who),
            "ranked": "no: a single interviewer",
        }
    )


def flag_list(result: LeaderResult, names: dict[str, str]):
    items = [
        f"{names.get(c, c)}: {note_text(flag)}" for c, flags in sorted(result.flags.items()) for flag in flags
    ]
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
