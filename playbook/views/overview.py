"""Words for the overview: each prerequisite, its evidence, and the one sentence a board reads first.

The readiness verdict is decided in `analyses/readiness.py`; this module only says it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from IPython.display import HTML

from playbook.analyses.enterprise_demand import DemandResult
from playbook.analyses.outcome import Skipped
from playbook.analyses.overview import Overview, Reason
from playbook.analyses.penetration import PenetrationResult
from playbook.analyses.timing import TimingResult
from playbook.views.formatting import money, months, percent
from playbook.views.html import verdict_card
from playbook.views.notes import skipped_text
from playbook.views.penetration import adjusted_p_text, signal_value


@dataclass(frozen=True)
class ReasonText:
    """A prerequisite as a person reads it: what it asks, the evidence, and what would change it."""

    met: bool
    prerequisite: str
    evidence: str
    to_change: str
    section: str  # the notebook the evidence comes from, e.g. "01_timing"

    def to_dict(self) -> dict:
        return {
            "prerequisite": self.prerequisite,
            "met": self.met,
            "evidence": self.evidence,
            "section": self.section,
        }


def _timing_text(reason: Reason, timing: TimingResult, currency: str) -> ReasonText:
    low, high = timing.band
    evidence = (
        f"ARR {money(timing.current_arr, currency)} against the {money(low, currency, digits=0)}–"
        f"{money(high, currency, digits=0)} band: {timing.verdict}"
    )
    if timing.verdict == "unclear":
        evidence += f" (the forecast says {timing.forecast_says}, but failed its own backtest)"
    elif timing.months_to_band is not None and timing.months_to_band.p50 is not None:
        evidence += f" (median {months(timing.months_to_band.p50)} to the band)"
    if reason.met:
        change = ""
    elif timing.verdict == "unclear":
        change = "a forecast its own backtest trusts, with ARR within reach of the band"
    else:
        change = "ARR within reach of the band: a median forecast entry within the approach window"
    return ReasonText(reason.met, "ARR near, in or past the top-down band", evidence, change, "01_timing")


def _penetration_text(reason: Reason, pen: PenetrationResult | Skipped, min_ready: int) -> ReasonText:
    notebook = "02_penetration"
    if reason.prerequisite == "tipping_point":
        label = "our own deals win more where usage is higher (a tipping point or a gradual rise)"
        if isinstance(pen, Skipped):
            return ReasonText(
                False, label, skipped_text(pen.missing), "provide users, accounts and opportunities", notebook
            )
        t = pen.threshold
        deals = f"{t.n} closed deals, {t.n_wins} won"
        test = adjusted_p_text(t.p_adjusted, t.adjusted_for)
        if reason.met:
            at = (
                f"{signal_value(t.signal, t.threshold)} (95% interval {signal_value(t.signal, t.ci[0])}–"
                f"{signal_value(t.signal, t.ci[1])}; {test}; {deals})"
            )
            evidence = (
                f"a tipping point at {at}"
                if t.verdict == "own_threshold"
                else f"a gradual rise, no tipping point; our deals split best at {at}"
            )
            return ReasonText(True, label, evidence, "", notebook)
        if t.verdict == "too_few_deals":
            evidence = f"too few closed deals ({deals}) to test for our own threshold"
            change = (
                f"about {t.needed.closed_deals:,} closed top-down deals ({t.needed.wins:,} wins) to detect a "
                "doubling of the win rate at the article's mark"
            )
        elif t.verdict == "reversed":
            reversed_test = adjusted_p_text(t.p_reversed_adjusted, t.adjusted_for)
            evidence = f"our deals show a reversed effect: more usage, fewer wins ({reversed_test}; {deals})"
            change = "deals that win more often where usage is higher, before betting a sales team on usage"
        else:
            evidence = f"our deals show no penetration effect ({test}; {deals})"
            change = "evidence that deals with more usage win more often (a permutation test below α)"
        return ReasonText(False, label, evidence, change, notebook)
    label = f"at least {min_ready} accounts past it with no top-down deal, at the count's P10"
    if isinstance(pen, Skipped):
        return ReasonText(
            False, label, skipped_text(pen.missing), "provide users, accounts and opportunities", notebook
        )
    if not pen.claimed:
        return ReasonText(
            False,
            label,
            "no threshold of our own, so no account is ready",
            "a threshold of our own",
            notebook,
        )
    change = (
        "" if reason.met else "more accounts past the threshold: grow penetration in the largest accounts"
    )
    low, high = pen.ready_range.accounts
    evidence = (
        f"P10 {low:,} ready accounts inside our deal experience ({len(pen.ready):,} at our threshold, "
        f"P10–P90 {low:,}–{high:,}; {len(pen.outside):,} outside it)"
    )
    return ReasonText(reason.met, label, evidence, change, notebook)


def _demand_text(reason: Reason, demand: DemandResult | Skipped) -> ReasonText:
    notebook = "03_enterprise_demand"
    if reason.prerequisite == "size_effect":
        label = "enterprise requests grow with account size faster than core requests"
        if isinstance(demand, Skipped):
            return ReasonText(
                False, label, skipped_text(demand.missing), "provide feature requests", notebook
            )
        e = demand.size
        evidence = (
            "not estimated"
            if e is None
            else f"{e.enterprise_irr:.2f}× per doubling of seats against {e.core_irr:.2f}× for core "
            f"requests: a ratio of {e.ratio:.2f} (95% interval {e.ratio_ci[0]:.2f}–{e.ratio_ci[1]:.2f}, "
            f"{e.n_accounts:,} accounts)"
        )
        change = (
            ""
            if reason.met
            else (
                "enterprise requests that rise with seats clearly faster than core ones (the Zendesk pattern)"
            )
        )
        return ReasonText(reason.met, label, evidence, change, notebook)
    label = "customers, not sales, drive enterprise demand"
    if isinstance(demand, Skipped):
        return ReasonText(False, label, skipped_text(demand.missing), "provide feature requests", notebook)
    c, g = demand.customers, demand.by_source
    if c is None:
        evidence = "unknown (no request source)"
    else:
        gradient = (
            "their own size gradient not estimated"
            if g is None
            else f"customers' own enterprise/core ratio {g.customer.ratio:.2f} per doubling of seats "
            f"(95% interval {g.customer.ratio_ci[0]:.2f}–{g.customer.ratio_ci[1]:.2f})"
        )
        evidence = (
            f"{gradient}; {percent(c.share)} of enterprise requests from customers directly "
            f"(95% interval {percent(c.ci[0])}–{percent(c.ci[1])}, at least "
            f"{percent(demand.min_customer_share)} needed)"
        )
    change = (
        ""
        if reason.met
        else (
            "customers' own enterprise requests rising with seats faster than their core ones, and at least "
            f"{percent(demand.min_customer_share)} of enterprise requests coming from customers"
        )
    )
    return ReasonText(reason.met, label, evidence, change, notebook)


def reason_texts(
    overview: Overview,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
    *,
    currency: str = "USD",
) -> list[ReasonText]:
    """Every prerequisite of the overview in words, in the overview's order."""
    texts = []
    for reason in overview.reasons:
        if reason.section == "timing":
            texts.append(_timing_text(reason, timing, currency))
        elif reason.section == "penetration":
            texts.append(_penetration_text(reason, penetration, overview.min_ready_accounts))
        else:
            texts.append(_demand_text(reason, demand))
    return texts


def readiness_headline(overview: Overview, texts: list[ReasonText]) -> str:
    """The one sentence a board reads first."""
    missing = [t for t in texts if not t.met]
    if overview.verdict == "overdue":
        gaps = "; ".join(t.prerequisite for t in missing if t.section != "01_timing")
        return (
            "Overdue: ARR is past the band where top-down sales should have started. "
            "Build the top-down team now"
            + (f" and close the gaps fast: {gaps}." if gaps else "; both prerequisites hold.")
        )
    if overview.verdict == "ready":
        return (
            "Ready: both prerequisites hold — the flywheel shows in our accounts and customers are forcing "
            "enterprise features. Layer top-down sales now."
        )
    gaps = "; ".join(
        f"{t.prerequisite} (needs {t.to_change})" if t.to_change else t.prerequisite for t in missing
    )
    return f"Not yet. Missing: {gaps}."


def reasons_html(texts: list[ReasonText]) -> HTML:
    """The reasons as a table, each linked to the section it comes from (escaped text)."""
    rows = "".join(
        f"<tr><td>{'✔ met' if t.met else '✘ not met'}</td><td>{html.escape(t.prerequisite)}</td>"
        f'<td>{html.escape(t.evidence)}</td><td><a href="{t.section}.html">{t.section}</a></td></tr>'
        for t in texts
    )
    head = "<tr><th>status</th><th>prerequisite</th><th>evidence</th><th>section</th></tr>"
    return HTML(f'<table class="playbook-table tex2jax_ignore mathjax_ignore">{head}{rows}</table>')


def readiness_card(overview: Overview, texts: list[ReasonText]) -> HTML:
    """The verdict block at the top of the overview."""
    return verdict_card(
        "Readiness for top-down sales", overview.verdict, [readiness_headline(overview, texts)]
    )
