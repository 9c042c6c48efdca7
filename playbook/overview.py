"""The one-page answer: is the company ready for top-down sales, by the article's two prerequisites?

1. The product-driven flywheel works: ARR near or in the $20-30M band, and accounts already
   penetrated past the company's own tipping point (enough of them to build a pipeline).
2. Customers demand enterprise features: requests grow with account size, and customers, not
   the sales team, are asking.
Going top-down too late costs more than going early, so `late` timing is `overdue` whatever else holds.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

from IPython.display import HTML

from playbook.demand import DemandResult
from playbook.formatting import money, percent
from playbook.penetration import PenetrationResult
from playbook.penetration_views import signal_value
from playbook.report import Skipped, verdict_card
from playbook.timing import TimingResult


@dataclass(frozen=True)
class Reason:
    """One prerequisite: whether it is met, the evidence, and the section it comes from."""

    prerequisite: str
    met: bool
    evidence: str
    section: str  # notebook the evidence comes from, e.g. "01_timing"
    to_change: str = ""  # what would change it, when not met

    def to_dict(self) -> dict:
        return {"prerequisite": self.prerequisite, "met": self.met, "evidence": self.evidence, "section": self.section}


@dataclass(frozen=True)
class Overview:
    readiness: str
    reasons: tuple[Reason, ...]

    @property
    def missing(self) -> list[Reason]:
        return [r for r in self.reasons if not r.met]

    def to_dict(self) -> dict:
        return {"readiness": self.readiness, "reasons": [r.to_dict() for r in self.reasons]}


def _timing_reason(timing: TimingResult, currency: str) -> Reason:
    low, high = timing.band
    ok = timing.verdict in ("approaching", "in_window")
    evidence = f"ARR {money(timing.current_arr, currency)} against the {money(low, currency, digits=0)}–{money(high, currency, digits=0)} band: {timing.verdict}"
    if timing.months_to_band is not None and timing.months_to_band.p50 is not None:
        evidence += f" (median {timing.months_to_band.p50} months to the band)"
    change = "" if ok else ("ARR within reach of the band: a median forecast entry within the approach window"
                             if timing.verdict == "early" else "")
    return Reason("ARR near, in or past the top-down band", ok or timing.verdict == "late", evidence, "01_timing", change)


def _penetration_reasons(pen: PenetrationResult | Skipped, min_ready: int) -> list[Reason]:
    if isinstance(pen, Skipped):
        return [Reason("a tipping point from our own deals", False, pen.reason, "02_penetration",
                       "provide users, accounts and opportunities")]
    t = pen.thresholds[pen.pipeline_signal]
    own = t.source == "company_data"
    evidence = (f"{signal_value(t.signal, t.threshold)} (95% interval {signal_value(t.signal, t.ci[0])}–"
                f"{signal_value(t.signal, t.ci[1])}; {t.n} closed deals, {t.n_wins} won)" if own else
                f"too few closed deals ({t.n}, {t.n_wins} won) for our own threshold; the article's rule stands in")
    ready = len(pen.ready)
    return [
        Reason("a tipping point from our own deals", own, evidence, "02_penetration",
               "" if own else "at least 30 closed top-down deals with 10 wins, to find our own threshold"),
        Reason(f"at least {min_ready} accounts past it with no top-down deal", ready >= min_ready,
               f"{ready:,} ready accounts", "02_penetration",
               "" if ready >= min_ready else "more accounts past the threshold: grow penetration in the largest accounts"),
    ]


def _demand_reasons(demand: DemandResult | Skipped, min_customer_share: float) -> list[Reason]:
    if isinstance(demand, Skipped):
        return [Reason("enterprise requests grow with account size", False, demand.reason, "03_enterprise_demand",
                       "provide feature requests")]
    e = demand.elasticity["enterprise"]
    grows = e is not None and e.ci[0] > 1
    size = ("not estimated" if e is None else
            f"{e.irr_per_doubling:.2f}× per doubling of seats (95% interval {e.ci[0]:.2f}–{e.ci[1]:.2f}, {e.n_accounts:,} accounts)")
    share = demand.customer_share
    driven = share is not None and share > min_customer_share
    who = "unknown (no request source)" if share is None else f"{percent(share)} of enterprise requests from customers directly"
    return [
        Reason("enterprise requests grow with account size", grows, size, "03_enterprise_demand",
               "" if grows else "enterprise requests that rise clearly with seats (the Zendesk pattern)"),
        Reason("customers, not sales, drive enterprise demand", driven, who, "03_enterprise_demand",
               "" if driven else f"more than {percent(min_customer_share)} of enterprise requests coming from customers"),
    ]


def assess_readiness(
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
    *,
    min_ready_accounts: int = 10,
    min_customer_share: float = 0.5,
    currency: str = "USD",
) -> Overview:
    """`overdue` when timing is late; `ready` when every prerequisite holds; `not_yet` otherwise."""
    reasons = (_timing_reason(timing, currency), *_penetration_reasons(penetration, min_ready_accounts),
               *_demand_reasons(demand, min_customer_share))
    if timing.verdict == "late":
        readiness = "overdue"
    elif all(r.met for r in reasons):
        readiness = "ready"
    else:
        readiness = "not_yet"
    return Overview(readiness, reasons)


def readiness_headline(overview: Overview) -> str:
    """The one sentence a board reads first."""
    if overview.readiness == "overdue":
        gaps = "; ".join(r.prerequisite for r in overview.missing)
        return ("Overdue: ARR is past the band where top-down sales should have started. Build the top-down team now"
                + (f" and close the gaps fast: {gaps}." if gaps else "; both prerequisites hold."))
    if overview.readiness == "ready":
        return "Ready: both prerequisites hold — the flywheel shows in our accounts and customers are forcing enterprise features. Layer top-down sales now."
    missing = "; ".join(f"{r.prerequisite} (needs {r.to_change})" if r.to_change else r.prerequisite
                        for r in overview.missing)
    return f"Not yet. Missing: {missing}."


def reasons_html(overview: Overview):
    """The reasons as a table, each linked to the section it comes from (escaped text)."""
    rows = "".join(
        f"<tr><td>{'✔ met' if r.met else '✘ not met'}</td><td>{html.escape(r.prerequisite)}</td>"
        f"<td>{html.escape(r.evidence)}</td><td><a href=\"{r.section}.html\">{r.section}</a></td></tr>"
        for r in overview.reasons
    )
    head = "<tr><th>status</th><th>prerequisite</th><th>evidence</th><th>section</th></tr>"
    return HTML(f'<table class="playbook-table tex2jax_ignore mathjax_ignore">{head}{rows}</table>')


def readiness_card(overview: Overview):
    return verdict_card("Readiness for top-down sales", overview.readiness, [readiness_headline(overview)])
