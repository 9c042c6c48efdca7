"""The one-page answer: is the company ready for top-down sales, by the article's two prerequisites?

1. The product-driven flywheel works: ARR near or in the $20-30M band, and accounts already
   penetrated past the company's own tipping point (enough of them to build a pipeline).
2. Customers demand enterprise features: requests grow with account size, and customers, not
   the sales team, are asking.
Going top-down too late costs more than going early, so `late` timing is `overdue` whatever else
holds. Every prerequisite is read from the verdict its own section decided: the overview never
judges the evidence a second time, so it cannot disagree with a section.
"""

from __future__ import annotations

from dataclasses import dataclass

from playbook.analyses.demand import DemandResult
from playbook.analyses.outcome import Skipped
from playbook.analyses.penetration import PenetrationResult
from playbook.analyses.timing import TimingResult

VERDICTS = ("ready", "not_yet", "overdue")
PREREQUISITES = ("timing", "tipping_point", "ready_accounts", "size_effect", "customer_driven")
DEFAULT_MIN_READY_ACCOUNTS = 10


@dataclass(frozen=True)
class Reason:
    """One prerequisite: whether it is met, and the section whose verdict decides it."""

    prerequisite: str  # one of PREREQUISITES
    met: bool
    section: str  # summary section the evidence comes from, e.g. "timing"

    def to_dict(self) -> dict:
        return {"prerequisite": self.prerequisite, "met": self.met, "section": self.section}


@dataclass(frozen=True)
class Overview:
    """The readiness verdict and the prerequisites behind it. `to_dict()` is summary.json's `overview`."""

    verdict: str
    reasons: tuple[Reason, ...]
    min_ready_accounts: int

    @property
    def missing(self) -> list[Reason]:
        return [r for r in self.reasons if not r.met]

    def reason(self, prerequisite: str) -> Reason:
        return next(r for r in self.reasons if r.prerequisite == prerequisite)

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "reasons": [r.to_dict() for r in self.reasons],
            "min_ready_accounts": self.min_ready_accounts,
        }


def assess_readiness(
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
    *,
    min_ready_accounts: int = DEFAULT_MIN_READY_ACCOUNTS,
) -> Overview:
    """`overdue` when timing is late; `ready` when every prerequisite holds; `not_yet` otherwise.

    Parameters
    ----------
    timing, penetration, demand
        The sections' results (penetration and demand may have been skipped).
    min_ready_accounts
        Ready accounts (past the threshold, no top-down deal yet) needed for the flywheel to
        show in accounts: a pipeline large enough for a first sales team.
    """
    if min_ready_accounts < 0:
        raise ValueError(f"min_ready_accounts must be at least 0, got {min_ready_accounts}")
    pen_ran = not isinstance(penetration, Skipped)
    demand_ran = not isinstance(demand, Skipped)
    reasons = (
        Reason("timing", timing.verdict in ("approaching", "in_window", "late"), "timing"),
        Reason("tipping_point", pen_ran and penetration.verdict == "own_threshold", "penetration"),
        Reason("ready_accounts", pen_ran and len(penetration.ready) >= min_ready_accounts, "penetration"),
        Reason("size_effect", demand_ran and demand.grows_with_size, "enterprise_demand"),
        Reason("customer_driven", demand_ran and demand.verdict == "customer-driven", "enterprise_demand"),
    )
    if timing.verdict == "late":
        verdict = "overdue"
    elif all(r.met for r in reasons):
        verdict = "ready"
    else:
        verdict = "not_yet"
    return Overview(verdict, reasons, min_ready_accounts)
