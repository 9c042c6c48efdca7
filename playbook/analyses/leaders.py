"""Sales-leader candidates: an evidence-based scorecard on the article's four attributes.

A product-led company does not need a stereotypical enterprise sales executive (a16z, Dec 2020):
the leader must be a collaborative decision maker, analytical and technical, a long-term
relationship builder, and bring enterprise sales experience — without mistaking field sales for
enterprise sales, since top-down selling is increasingly done by inside sales.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.data.contract import LEADER_ATTRIBUTES

ATTRIBUTE_LABELS = {
    "collaborative": "collaborative decision maker",
    "analytical_technical": "analytical and technical",
    "long_term_relationships": "long-term relationship builder",
    "enterprise_experience": "enterprise sales experience",
}


def checked_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """Attribute weights summing to 1; equal by default. Unknown attributes or negative weights
    are an error."""
    if weights is None:
        return {a: 1 / len(LEADER_ATTRIBUTES) for a in LEADER_ATTRIBUTES}
    unknown = set(weights) - set(LEADER_ATTRIBUTES)
    if unknown:
        raise ValueError(
            f"unknown attribute(s) in weights: {sorted(unknown)}; "
            f"attributes are {', '.join(LEADER_ATTRIBUTES)}"
        )
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError("weights must be non-negative and not all zero")
    total = sum(weights.values())
    return {a: weights.get(a, 0) / total for a in LEADER_ATTRIBUTES}


# ---------------------------------------------------------------------------------------------
# Do the interviewers agree?


def icc_agreement(matrix: np.ndarray) -> float:
    """ICC(2,1): two-way random effects, absolute agreement, one rater (Shrout & Fleiss 1979).

    `matrix` is candidates x interviewers, complete. 1 is perfect agreement; 0 or below, none
    beyond chance. Scores are ordinal, so an ICC is used rather than a nominal kappa.
    """
    n, k = matrix.shape
    grand = matrix.mean()
    ms_rows = k * ((matrix.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    ms_cols = n * ((matrix.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    residual = matrix - matrix.mean(axis=1, keepdims=True) - matrix.mean(axis=0, keepdims=True) + grand
    ms_error = (residual**2).sum() / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    return float((ms_rows - ms_error) / denominator) if denominator > 0 else float("nan")


def agreement_by_attribute(scores: pd.DataFrame) -> dict[str, float | None]:
    """Inter-rater agreement (ICC) per attribute, on the candidates every interviewer scored.

    None where fewer than 2 candidates or 2 interviewers overlap: agreement cannot be measured.
    """
    out: dict[str, float | None] = {}
    for attribute in LEADER_ATTRIBUTES:
        grid = scores[scores["attribute"] == attribute].pivot_table(
            index="candidate_id", columns="interviewer", values="score", aggfunc="mean"
        )
        grid = grid.dropna(axis=1, how="any")  # interviewers who scored every candidate
        grid = grid.dropna(axis=0, how="any")
        out[attribute] = (
            icc_agreement(grid.to_numpy(float)) if grid.shape[0] >= 2 and grid.shape[1] >= 2 else None
        )
    return out


# ---------------------------------------------------------------------------------------------
# Scores and ranking


def score_cube(scores: pd.DataFrame) -> tuple[np.ndarray, list[str], list[str]]:
    """Scores as an array: candidates x interviewers x attributes (NaN where not scored)."""
    candidates = sorted(scores["candidate_id"].unique())
    interviewers = sorted(scores["interviewer"].unique())
    cube = np.full((len(candidates), len(interviewers), len(LEADER_ATTRIBUTES)), np.nan)
    c = scores["candidate_id"].map({k: i for i, k in enumerate(candidates)}).to_numpy()
    r = scores["interviewer"].map({k: i for i, k in enumerate(interviewers)}).to_numpy()
    a = scores["attribute"].map({k: i for i, k in enumerate(LEADER_ATTRIBUTES)}).to_numpy()
    cube[c, r, a] = scores["score"].to_numpy(float)
    return cube, candidates, interviewers


def _weighted(attribute_means: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the last axis, skipping attributes nobody scored."""
    present = ~np.isnan(attribute_means)
    used = np.where(present, weights, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(attribute_means * used, axis=-1) / used.sum(axis=-1)


def weighted_scores(scores: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Each candidate's weighted score: the mean over interviewers of each attribute, weighted (1-5)."""
    cube, candidates, _ = score_cube(scores)
    w = np.array([weights[a] for a in LEADER_ATTRIBUTES])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an attribute nobody scored: NaN, skipped
        means = np.nanmean(cube, axis=1)
    return pd.Series(_weighted(means, w), index=candidates)


def bootstrap_scores(
    scores: pd.DataFrame, weights: dict[str, float], *, n_boot: int, seed: int
) -> pd.DataFrame:
    """Weighted scores under resampling of the interview panel (rows: draws, columns: candidates).

    The same resampled panel scores every candidate in a draw, so differences between
    candidates are compared on a common footing.
    """
    cube, candidates, interviewers = score_cube(scores)
    w = np.array([weights[a] for a in LEADER_ATTRIBUTES])
    rng = np.random.default_rng(seed)
    panels = rng.integers(0, len(interviewers), size=(n_boot, len(interviewers)))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(cube[:, panels, :], axis=2)  # candidates x draws x attributes
    return pd.DataFrame(_weighted(means, w).T, columns=candidates)


@dataclass(frozen=True)
class Ranking:
    """Candidates by weighted score, each with its interval and whether it is clearly above the next."""

    table: pd.DataFrame  # candidate_id, score, ci_low, ci_high, interviewers, above_next (share of draws)

    def order(self) -> list[str]:
        return self.table["candidate_id"].tolist()


def rank_candidates(
    scores: pd.DataFrame, weights: dict[str, float], *, n_boot: int, seed: int, evidence: float = 0.9
) -> Ranking:
    """Rank candidates by weighted score with 95% bootstrap intervals over interviewers.

    `above_next` is the share of bootstrap draws in which a candidate scores above the next one;
    below `evidence` (default 0.9) the order of the two is not evidence.
    """
    point = weighted_scores(scores, weights)
    draws = bootstrap_scores(scores, weights, n_boot=n_boot, seed=seed)
    panel_size = scores.groupby("candidate_id")["interviewer"].nunique()
    table = pd.DataFrame(
        {
            "candidate_id": point.index,
            "score": point.to_numpy(),
            "ci_low": draws[point.index].quantile(0.025).to_numpy(),
            "ci_high": draws[point.index].quantile(0.975).to_numpy(),
            "interviewers": panel_size.reindex(point.index).to_numpy(),
        }
    ).sort_values(["score", "candidate_id"], ascending=[False, True], ignore_index=True)
    order = table["candidate_id"].tolist()
    above = [float((draws[a] > draws[b]).mean()) for a, b in zip(order, order[1:], strict=False)] + [None]
    table["above_next"] = above
    table["order_is_evidence"] = [None if p is None else p >= evidence for p in above]
    single = table["interviewers"] < 2
    table.loc[single, ["ci_low", "ci_high"]] = np.nan  # one interviewer: no interval, said so in `flags`
    return Ranking(table)


# ---------------------------------------------------------------------------------------------
# Red flags


@dataclass(frozen=True)
class FlagRules:
    """Score levels (1-5) behind the article's red flags."""

    low: float = 2.5
    high: float = 4.0
    expansion_led: bool = True  # growth comes mostly from existing accounts (NRR well above 100%)


def red_flags(
    means: pd.DataFrame, candidates: pd.DataFrame, rules: FlagRules, low_agreement: list[str]
) -> dict[str, list[str]]:
    """The article's red flags, each with its reason; a flag resting on a low-agreement attribute says so."""
    background = candidates.set_index("candidate_id").get("sales_background", pd.Series(dtype=object))

    def shaky(attribute: str) -> str:
        return (
            " (interviewers disagree on this attribute: weak evidence)" if attribute in low_agreement else ""
        )

    flags: dict[str, list[str]] = {}
    for candidate, row in means.iterrows():
        found = []
        if row.get("enterprise_experience", 0) >= rules.high and row.get("collaborative", 5) <= rules.low:
            found.append(
                "playbook executor: strong enterprise experience but a low collaborative score — likely to "
                "fight the product team rather than bring it along" + shaky("collaborative")
            )
        if background.get(candidate) == "field":
            found.append(
                "field-only sales background: top-down selling is increasingly done by inside sales, and "
                "field experience is not enterprise experience"
            )
        if row.get("analytical_technical", 5) <= rules.low:
            found.append(
                "low analytical score: this leader must mine usage data for thresholds, pipeline and timing"
                + shaky("analytical_technical")
            )
        if rules.expansion_led and row.get("long_term_relationships", 5) <= rules.low:
            found.append(
                "no long-term orientation in a company whose growth comes from expanding accounts (farming "
                "more than hunting)" + shaky("long_term_relationships")
            )
        flags[candidate] = found
    return flags


@dataclass(frozen=True)
class LeaderResult:
    """The scorecard: ranking with and without low-agreement attributes, agreement, flags.

    `candidates` and `scores` are the inputs the evidence table shows (people's names are
    masked by the views, never here).
    """

    ranking: Ranking
    ranking_agreed: Ranking | None  # without the low-agreement attributes (None when none is low)
    agreement: dict[str, float | None]
    low_agreement: list[str]
    flags: dict[str, list[str]]
    weights: dict[str, float] = field(default_factory=dict)
    agreement_threshold: float = 0.2
    candidates: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: tuple[str, ...] = ()

    @property
    def decisive(self) -> Ranking:
        """The ranking the verdict rests on: without the low-agreement attributes when there are any."""
        return self.ranking_agreed or self.ranking

    @property
    def leader(self) -> str:
        """The candidate ranked first."""
        return self.decisive.table.iloc[0]["candidate_id"]

    @property
    def verdict(self) -> str:
        """`clear_leader` when the first candidate is ahead of the second by evidence, else
        `no_clear_leader`."""
        table = self.decisive.table
        clear = len(table) == 1 or bool(table.iloc[0]["order_is_evidence"])
        return "clear_leader" if clear else "no_clear_leader"

    def to_dict(self) -> dict:
        rows = self.ranking.table
        return {
            "verdict": self.verdict,
            "leader": self.leader,
            "ranking": [
                {
                    "candidate_id": r.candidate_id,
                    "score": rounded(r.score),
                    "ci": None if pd.isna(r.ci_low) else [rounded(r.ci_low), rounded(r.ci_high)],
                }
                for r in rows.itertuples()
            ],
            "ranking_without_low_agreement": None
            if self.ranking_agreed is None
            else self.ranking_agreed.order(),
            "agreement": {a: rounded(v) for a, v in self.agreement.items()},
            "agreement_measure": "ICC(2,1)",
            "low_agreement_attributes": self.low_agreement,
            "flags": self.flags,
            "notes": list(self.notes),
        }


def assess_leaders(
    candidates: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    weights: dict[str, float] | None = None,
    agreement_threshold: float = 0.2,
    n_boot: int = 1000,
    seed: int = 0,
    rules: FlagRules = FlagRules(),
) -> LeaderResult:
    """Score, rank and flag the candidates; check whether the interviewers agree.

    Parameters
    ----------
    candidates
        candidate_id, name; sales_background (inside/field/both) when known.
    scores
        One interviewer's 1-5 score of one attribute of one candidate per row.
    weights
        Attribute weights (default equal); normalised to sum to 1.
    agreement_threshold
        Attributes whose ICC falls below it are flagged as low agreement, and the ranking is
        shown without them too.
    n_boot, seed
        Bootstrap draws over interviewers, and the seed.
    rules
        Score levels behind the red flags.
    """
    weights = checked_weights(weights)
    notes = []
    unscored = sorted(set(candidates["candidate_id"]) - set(scores["candidate_id"]))
    if unscored:
        notes.append(f"Not scored by anyone, so not ranked: {', '.join(unscored)}.")
    panel = scores.groupby("candidate_id")["interviewer"].nunique()
    single = sorted(panel[panel < 2].index)
    if single:
        notes.append(f"Scored by a single interviewer, so shown without an interval: {', '.join(single)}.")
    agreement = agreement_by_attribute(scores)
    low = [a for a, v in agreement.items() if v is not None and v < agreement_threshold]
    unmeasured = [a for a, v in agreement.items() if v is None]
    if unmeasured:
        notes.append(
            "Agreement cannot be measured (too few shared candidates or interviewers): "
            f"{', '.join(unmeasured)}."
        )
    ranking = rank_candidates(scores, weights, n_boot=n_boot, seed=seed)
    agreed = None
    if low and any(weights[a] > 0 for a in LEADER_ATTRIBUTES if a not in low):
        kept = {a: (0.0 if a in low else w) for a, w in weights.items()}
        agreed = rank_candidates(scores, checked_weights(kept), n_boot=n_boot, seed=seed)
    means = scores.pivot_table(index="candidate_id", columns="attribute", values="score", aggfunc="mean")
    flags = red_flags(means, candidates, rules, low)
    for candidate in single:
        flags.setdefault(candidate, []).append(
            "scored by a single interviewer: no interval, no agreement check"
        )
    return LeaderResult(
        ranking,
        agreed,
        agreement,
        low,
        flags,
        weights,
        agreement_threshold,
        candidates.reset_index(drop=True),
        scores.reset_index(drop=True),
        tuple(notes),
    )
