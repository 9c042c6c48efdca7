"""summary.json, written from a run's Results: every verdict and headline figure, for comparing runs.

Each section is its result's `to_dict()` (verdict and figures decided in `analyses/`) plus its
headline in words (from `views/`). `schema_version` 2 has one `verdict` key in every section;
`playbook diff` still reads runs written before (see `diff.upgraded`).
"""

from __future__ import annotations

from playbook.analyses.outcome import Skipped
from playbook.runner.results import SECTIONS, Results
from playbook.views import overview as overview_words
from playbook.views.compensation import pay_headline
from playbook.views.enterprise_demand import demand_headline
from playbook.views.leaders import leaders_headline, names_of
from playbook.views.notes import DEMAND_REASONS, note_text, skipped_text
from playbook.views.penetration import penetration_headline
from playbook.views.timing import timing_headline

SCHEMA_VERSION = 2


def section_headline(results: Results, section: str) -> str:
    """The one paragraph the board pack shows for a section."""
    currency = results.params.currency
    result = results.section(section)
    if isinstance(result, Skipped):
        return skipped_text(result.missing)
    if section == "timing":
        return timing_headline(result, currency=currency)
    if section == "penetration":
        return penetration_headline(result, currency=currency)
    if section == "enterprise_demand":
        return demand_headline(result, currency=currency)
    if section == "leaders":
        names = names_of(result, show_pii=results.params.show_pii)
        return leaders_headline(result, names)
    if section == "compensation":
        return pay_headline(result, currency=currency)
    return overview_summary(results)["headline"]


def overview_summary(results: Results) -> dict:
    """The overview section: its verdict, the one sentence, and each prerequisite in words."""
    texts = overview_words.reason_texts(
        results.overview,
        results.timing,
        results.penetration,
        results.enterprise_demand,
        currency=results.params.currency,
    )
    reasons = [
        text.to_dict() | {"key": reason.prerequisite}
        for reason, text in zip(results.overview.reasons, texts, strict=True)
    ]
    decided = {} if results.decision is None else {"decision": results.decision.to_dict()}
    return (
        results.overview.to_dict()
        | {"headline": overview_words.readiness_headline(results.overview, texts), "reasons": reasons}
        | decided
    )


def summary_of(results: Results, sections, *, run: dict) -> dict:
    """summary.json for the `sections` a run showed (the others are null), with the run's details."""
    summary: dict = {"schema_version": SCHEMA_VERSION}
    for section in SECTIONS:
        result = results.section(section) if section in sections else None
        if result is None:
            summary[section] = None
        elif section == "overview":
            summary[section] = overview_summary(results)
        else:
            summary[section] = result.to_dict() | {"headline": section_headline(results, section)}
            if isinstance(result, Skipped):
                summary[section]["reason"] = skipped_text(result.missing)
            if section == "enterprise_demand" and not isinstance(result, Skipped):
                summary[section]["reason_text"] = DEMAND_REASONS[result.reason]
            if getattr(result, "notes", None):
                summary[section]["notes"] = worded_notes(result.notes, currency=results.params.currency)
    summary["run"] = run
    return summary


def worded_notes(notes, *, currency: str) -> list[dict]:
    """Notes for summary.json: each note's code and values, and its words."""
    return [n.to_dict() | {"text": note_text(n, currency=currency)} for n in notes]
