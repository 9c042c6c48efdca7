"""Sales-leader candidates: an evidence-based scorecard on the article's four attributes.

A product-led company does not need a stereotypical enterprise sales executive (a16z, Dec 2020):
the leader must be a collaborative decision maker, analytical and technical, a long-term
relationship builder, and bring enterprise sales experience — without mistaking field sales for
enterprise sales, since top-down selling is increasingly done by inside sales.

An interview loop is small (a handful of candidates, three to five interviewers), so every claim
here is tested at that size: how consistently the interviewers separate candidates on an
attribute (ICC(2,1) with its F-based interval, on the largest complete block of scores), and
whether the first candidate is ahead of the second (a two-sided paired t-test on each
interviewer's score difference, its spread never below the scores' rounding). A lead is clear
only when it holds with every attribute and without the attributes whose agreement interval
reaches 0. The statistics themselves are in `scorecard.py`; how often this calls a false lead,
and how often it finds a real one, is measured by `make calibrate` (docs/methods.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.scorecard import (
    MIN_INTERVIEWERS_FOR_INTERVAL,
    difference_floor,
    icc_agreement,
    lead_p,
    rounding_sd,
    score_interval,
)
from playbook.analyses.settings import CommonSettings
from playbook.data.contract import LEADER_ATTRIBUTES
from playbook.data.notes import Note
from playbook.data.settings import Settings, SettingsError, setting

VERDICTS = ("clear_leader", "no_clear_leader")


@dataclass(frozen=True, kw_only=True)
class LeaderSettings(Settings):
    """Leaders: how the four attributes are weighed, and whether growth comes from accounts we have."""

    GROUP: ClassVar[str] = "leaders: the sales-leader scorecard"

    weights: dict | None = setting(
        None,
        kind="mapping",
        help="attribute weights, e.g. {collaborative: 2, analytical_technical: 1} (None: equal)",
    )
    expansion_led: bool = setting(
        True,
        kind="bool",
        help="growth comes mostly from existing accounts (flags candidates without a long-term view)",
    )

    def check_together(self) -> None:
        try:
            checked_weights(self.weights)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None


def checked_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """Attribute weights summing to 1; equal by default. Unknown attributes or negative weights
    are an error."""
    if weights is None:
        return {a: 1 / len(LEADER_ATTRIBUTES) for a in LEADER_ATTRIBUTES}
    unknown = set(weights) - set(LEADER_ATTRIBUTES)
    if unknown:
        raise ValueError(
            f"unknown attribute(s) in weights: {sorted(unknown)}; attributes are "
            f"{', '.join(LEADER_ATTRIBUTES)}"
        )
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    total = sum(weights.values())
    return {a: weights.get(a, 0) / total for a in LEADER_ATTRIBUTES}


# ---------------------------------------------------------------------------------------------
# How consistently do the interviewers separate the candidates?


@dataclass(frozen=True, kw_only=True)
class Agreement:
    """ICC(2,1) of one attribute — two-way random effects, absolute agreement, one interviewer —
    with its 95% interval (McGraw & Wong 1996, the F-based interval), on `n_candidates` x
    `n_interviewers` complete scores.

    ICC measures how consistently interviewers separate the candidates: 1 when they give every
    candidate the same score, 0 or below when a candidate's score says more about who gave it
    than about the candidate. `status`: `measured`, `no variation` (every score equal: nothing to
    separate) or `too few` (under 2 candidates or 2 interviewers in a complete block).
    """

    attribute: str
    icc: float | None
    ci: tuple[float, float] | None
    n_candidates: int
    n_interviewers: int
    status: str

    @property
    def uncertain(self) -> bool:
        """The interval reaches 0 (or agreement cannot be measured): a ranking may not rest on it."""
        return self.status != "measured" or not self.ci[0] > 0

    def to_dict(self) -> dict:
        return {
            "icc": rounded(self.icc),
            "ci": None if self.ci is None else [rounded(self.ci[0]), rounded(self.ci[1])],
            "n_candidates": self.n_candidates,
            "n_interviewers": self.n_interviewers,
            "status": self.status,
        }


def complete_block(grid: pd.DataFrame) -> pd.DataFrame:
    """The largest complete block of a candidates x interviewers grid: incomplete candidates are
    dropped first (a candidate one interviewer saw must not take an interviewer out), then, only
    if fewer than three candidates would remain, incomplete interviewers instead."""
    rows = grid.dropna(axis=0, how="any")
    if len(rows) >= 3 or grid.shape[0] < 3:
        return rows
    return grid.dropna(axis=1, how="any").dropna(axis=0, how="any")


def agreement_by_attribute(scores: pd.DataFrame) -> dict[str, Agreement]:
    """Interviewer agreement (ICC(2,1) with its interval) per attribute, on its complete block."""
    out = {}
    by_attribute = scores.groupby(["attribute", "candidate_id", "interviewer"])["score"].mean()
    for attribute in LEADER_ATTRIBUTES:
        scored = attribute in by_attribute.index.get_level_values("attribute")
        grid = by_attribute.xs(attribute).unstack("interviewer") if scored else pd.DataFrame()
        block = complete_block(grid)
        n, k = block.shape
        found = None if n < 2 or k < 2 else icc_agreement(block.to_numpy(float))
        out[attribute] = Agreement(
            attribute=attribute,
            icc=None if found is None else found[0],
            ci=None if found is None else found[1],
            n_candidates=n,
            n_interviewers=k,
            status="too few" if n < 2 or k < 2 else "no variation" if found is None else "measured",
        )
    return out


# ---------------------------------------------------------------------------------------------
# Scores, intervals and leads


def interviewer_scores(scores: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Each interviewer's weighted score of each candidate (candidates x interviewers; NaN where an
    interviewer did not score every weighted attribute)."""
    used = [a for a, w in weights.items() if w > 0]
    grid = scores[scores["attribute"].isin(used)].groupby(["candidate_id", "interviewer", "attribute"])
    grid = grid["score"].mean().unstack("attribute").reindex(columns=used)
    w = np.array([weights[a] for a in used])
    weighted = pd.Series((grid.to_numpy(float) * w).sum(axis=1), index=grid.index)
    weighted[grid.isna().any(axis=1).to_numpy()] = np.nan
    return weighted.unstack("interviewer")


def paired_lead(first: pd.Series, second: pd.Series, weights: dict[str, float]) -> tuple[float | None, int]:
    """Two-sided paired t-test that `first` and `second` differ, over the interviewers who scored
    both (weighted scores): (p-value, interviewers). None with fewer than 3 interviewers.

    Two-sided because the two were ranked after looking (`scorecard.py` says why); the spread of
    the differences is never taken below the rounding of whole-number scores."""
    both = pd.concat([first, second], axis=1).dropna()
    k = len(both)
    if k < MIN_INTERVIEWERS_FOR_INTERVAL:
        return None, k
    d = (both.iloc[:, 0] - both.iloc[:, 1]).to_numpy()
    return float(lead_p(d, difference_floor(list(weights.values())))), k


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """Candidates by weighted score (1-5), with a t-interval over interviewers (3 or more, clipped
    to the 1-5 scale) and the two-sided paired p-value that each differs from the next one down."""

    table: pd.DataFrame  # candidate_id, score, ci_low, ci_high, interviewers, p_ahead_of_next

    def order(self) -> list[str]:
        return self.table["candidate_id"].tolist()

    def lead_p(self) -> float | None:
        """p-value that the first and second candidates differ (None when not testable)."""
        if len(self.table) < 2:
            return None
        p = self.table["p_ahead_of_next"].iloc[0]
        return None if pd.isna(p) else float(p)


def rank_candidates(scores: pd.DataFrame, weights: dict[str, float]) -> Ranking:
    """Rank the candidates scored by two or more interviewers by their weighted score."""
    by_interviewer = interviewer_scores(scores, weights)
    by_interviewer = by_interviewer[by_interviewer.notna().sum(axis=1) >= 2]
    mean, low, high, counts = score_interval(
        by_interviewer.to_numpy(float), rounding_sd(list(weights.values()))
    )
    table = pd.DataFrame(
        {
            "candidate_id": by_interviewer.index,
            "score": mean,
            "ci_low": low,
            "ci_high": high,
            "interviewers": counts,
        }
    ).sort_values(["score", "candidate_id"], ascending=[False, True], ignore_index=True)
    order = table["candidate_id"].tolist()
    p_next = [
        paired_lead(by_interviewer.loc[a], by_interviewer.loc[b], weights)[0]
        for a, b in zip(order, order[1:], strict=False)
    ]
    table["p_ahead_of_next"] = [*p_next, None]
    return Ranking(table=table)


# ---------------------------------------------------------------------------------------------
# Red flags


@dataclass(frozen=True, kw_only=True)
class FlagRules:
    """Score levels (1-5) behind the article's red flags."""

    low: float = 2.5
    high: float = 4.0
    expansion_led: bool = LeaderSettings.expansion_led  # growth comes mostly from existing accounts


# The article's red flags (codes the views word), and the attribute each rests on.
FLAGS = {
    "playbook_executor": "collaborative",  # strong enterprise experience, low collaboration
    "field_only": None,  # top-down selling is increasingly done by inside sales
    "low_analytical": "analytical_technical",  # must mine usage data for thresholds and pipeline
    "short_term": "long_term_relationships",  # growth from expanding accounts needs farmers
    "single_interviewer": None,  # not ranked, no interval
}


def red_flags(
    means: pd.DataFrame, candidates: pd.DataFrame, rules: FlagRules, uncertain: list[str]
) -> dict[str, list[Note]]:
    """The article's red flags of each candidate, as notes (codes of FLAGS); `weak` is set when a
    flag rests on an attribute interviewers do not separate candidates on consistently."""
    background = candidates.set_index("candidate_id").get("sales_background", pd.Series(dtype=object))

    def flag(code: str) -> Note:
        return Note(code, weak=FLAGS[code] in uncertain)

    flags: dict[str, list[Note]] = {}
    for candidate, row in means.iterrows():
        found = []
        if row.get("enterprise_experience", 0) >= rules.high and row.get("collaborative", 5) <= rules.low:
            found.append(flag("playbook_executor"))
        if background.get(candidate) == "field":
            found.append(flag("field_only"))
        if row.get("analytical_technical", 5) <= rules.low:
            found.append(flag("low_analytical"))
        if rules.expansion_led and row.get("long_term_relationships", 5) <= rules.low:
            found.append(flag("short_term"))
        flags[candidate] = found
    return flags


@dataclass(frozen=True, kw_only=True)
class LeaderResult:
    """The scorecard: rankings with and without uncertain attributes, agreement, leads, flags.

    `candidates` and `scores` are the inputs the evidence table shows (people's names are masked
    by the views, never here). `single` lists candidates one interviewer scored: shown apart,
    never ranked.
    """

    ranking: Ranking
    ranking_certain: Ranking | None  # without the uncertain attributes (None when none is uncertain)
    agreement: dict[str, Agreement]
    uncertain: list[str]
    flags: dict[str, list[Note]]
    single: pd.DataFrame = field(repr=False)  # candidate_id, score, interviewer
    weights: dict[str, float] = field(default_factory=dict)
    alpha: float = CommonSettings.alpha
    candidates: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: tuple[Note, ...] = ()

    @property
    def rankings(self) -> list[Ranking]:
        return [self.ranking] + ([self.ranking_certain] if self.ranking_certain is not None else [])

    @property
    def decisive(self) -> Ranking:
        """The ranking shown first: without the uncertain attributes when there are any."""
        return self.ranking_certain or self.ranking

    @property
    def leader(self) -> str | None:
        """The candidate ranked first (without the uncertain attributes)."""
        return self.decisive.table.iloc[0]["candidate_id"] if len(self.decisive.table) else None

    @property
    def runner_up(self) -> str | None:
        return self.decisive.table.iloc[1]["candidate_id"] if len(self.decisive.table) > 1 else None

    @property
    def verdict(self) -> str:
        """`clear_leader` when the same candidate is first with and without the uncertain attributes
        and the paired test finds the first two differ in both (p < alpha); else `no_clear_leader`.
        `scorecard.clear_leads` decides the same for complete loops, many at once."""
        if len(self.decisive.table) == 1:
            return "clear_leader"
        same = all(r.order()[:1] == [self.leader] for r in self.rankings)
        ahead = all(r.lead_p() is not None and r.lead_p() < self.alpha for r in self.rankings)
        return "clear_leader" if same and ahead else "no_clear_leader"

    def to_dict(self) -> dict:
        def rows(ranking: Ranking) -> list[dict]:
            return [
                {
                    "candidate_id": r.candidate_id,
                    "score": rounded(r.score),
                    "ci": None if pd.isna(r.ci_low) else [rounded(r.ci_low), rounded(r.ci_high)],
                    "p_ahead_of_next": rounded(r.p_ahead_of_next),
                }
                for r in ranking.table.itertuples()
            ]

        return {
            "verdict": self.verdict,
            "leader": self.leader,
            "runner_up": self.runner_up,
            "ranking": rows(self.ranking),
            "ranking_without_uncertain": None if self.ranking_certain is None else rows(self.ranking_certain),
            "agreement": {a: g.to_dict() for a, g in self.agreement.items()},
            "agreement_measure": "icc_2_1",  # ICC(2,1) with its F-based 95% interval
            "uncertain_attributes": self.uncertain,
            "single_interviewer": self.single["candidate_id"].tolist(),
            "flags": {c: [f.to_dict() for f in found] for c, found in self.flags.items()},
            "alpha": self.alpha,
            "notes": [n.to_dict() for n in self.notes],
        }


def assess_leaders(
    candidates: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    weights: dict[str, float] | None = LeaderSettings.weights,
    alpha: float = CommonSettings.alpha,
    expansion_led: bool = LeaderSettings.expansion_led,
) -> LeaderResult:
    """Score, rank and flag the candidates; measure how consistently the interviewers separate them.

    Parameters
    ----------
    candidates
        candidate_id, name; sales_background (inside/field/both) when known.
    scores
        One interviewer's 1-5 score of one attribute of one candidate per row.
    weights
        Attribute weights (default equal); normalised to sum to 1.
    alpha
        A lead is clear only when the paired test's p-value is below it (in both rankings).
    expansion_led
        Growth comes mostly from existing accounts: a candidate without a long-term view is flagged.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    weights = checked_weights(weights)
    notes = []
    unscored = sorted(set(candidates["candidate_id"]) - set(scores["candidate_id"]))
    if unscored:
        notes.append(Note("candidates_unscored", candidates=unscored))
    panel = scores.groupby("candidate_id")["interviewer"].nunique()
    single_ids = sorted(panel[panel < 2].index)
    single = scores[scores["candidate_id"].isin(single_ids)]
    single_table = pd.DataFrame(columns=["candidate_id", "score", "interviewer"])
    if single_ids:
        notes.append(Note("candidates_single_interviewer", candidates=single_ids))
        single_table = (
            single.assign(weighted=single["attribute"].map(weights) * single["score"])
            .groupby(["candidate_id", "interviewer"])["weighted"]
            .sum()
            .rename("score")
            .reset_index()
        )
    ranked = scores[~scores["candidate_id"].isin(single_ids)]
    agreement = agreement_by_attribute(ranked)
    uncertain = [a for a, g in agreement.items() if g.uncertain and weights[a] > 0]
    too_few = [a for a, g in agreement.items() if g.status == "too few"]
    if too_few:
        notes.append(Note("agreement_not_measured", attributes=too_few))
    ranking = rank_candidates(ranked, weights)
    certain = None
    if uncertain and any(weights[a] > 0 for a in LEADER_ATTRIBUTES if a not in uncertain):
        kept = {a: (0.0 if a in uncertain else w) for a, w in weights.items()}
        certain = rank_candidates(ranked, checked_weights(kept))
    means = scores.groupby(["candidate_id", "attribute"])["score"].mean().unstack("attribute")
    flags = red_flags(means, candidates, FlagRules(expansion_led=expansion_led), uncertain)
    for candidate in single_ids:
        flags.setdefault(candidate, []).append(Note("single_interviewer", weak=False))
    return LeaderResult(
        ranking=ranking,
        ranking_certain=certain,
        agreement=agreement,
        uncertain=uncertain,
        flags=flags,
        single=single_table,
        weights=weights,
        alpha=alpha,
        candidates=candidates.reset_index(drop=True),
        scores=scores.reset_index(drop=True),
        notes=tuple(notes),
    )
