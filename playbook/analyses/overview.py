"""The one-page answer: is the company ready for top-down sales, by the article's two prerequisites?

1. The product-driven flywheel works: ARR near or in the $20-30M band, and accounts already
   penetrated past the company's own threshold (enough of them to build a pipeline).
   The penetration prerequisite (`tipping_point`) is met when our deals show that more usage wins
   more: a tipping point (`own_threshold`) or a gradual rise (`gradual_rise`). Either way usage
   predicts wins and accounts are valued on the calibrated win curve; a gradual rise only means no
   single number marks the tipping point, so the ready list starts where our deals split best.
   The pipeline prerequisite (`ready_accounts`) reads the conservative end of the ready count,
   its P10 over account resamples (`penetration.ready_range`), never the point estimate.
2. Customers demand enterprise features: requests grow with account size, and customers, not
   the sales team, are asking.
Going top-down too late costs more than going early, so `late` timing is `overdue` whatever else
holds. Every prerequisite is read from the verdict its own section decided: the overview never
judges the evidence a second time, so it cannot disagree with a section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from playbook.analyses.enterprise_demand import DemandResult
from playbook.analyses.outcome import Skipped
from playbook.analyses.penetration import PenetrationResult
from playbook.analyses.timing import TimingResult
from playbook.data.settings import Settings, setting

VERDICTS = ("ready", "not_yet", "overdue")
PREREQUISITES = ("timing", "tipping_point", "ready_accounts", "size_effect", "customer_driven")


@dataclass(frozen=True, kw_only=True)
class OverviewSettings(Settings):
    """The overview: how large a pipeline of ready accounts the flywheel must show."""

    GROUP: ClassVar[str] = "overview: the readiness verdict"

    min_ready_accounts: int = setting(
        10,
        kind="int",
        minimum=0,
        help="ready accounts needed for the flywheel to show in accounts (read at the count's P10)",
    )


@dataclass(frozen=True, kw_only=True)
class Reason:
    """One prerequisite: whether it is met, and the section whose verdict decides it."""

    prerequisite: str  # one of PREREQUISITES
    met: bool
    section: str  # summary section the evidence comes from, e.g. "timing"

    def to_dict(self) -> dict:
        return {"prerequisite": self.prerequisite, "met": self.met, "section": self.section}


@dataclass(frozen=True, kw_only=True)
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


def assess_overview(
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
    *,
    min_ready_accounts: int = OverviewSettings.min_ready_accounts,
) -> Overview:
    """`overdue` when timing is late; `ready` when every prerequisite holds; `not_yet` otherwise.

    Parameters
    ----------
    timing, penetration, demand
        The sections' results (penetration and demand may have been skipped).
    min_ready_accounts
        Ready accounts (past the threshold, no top-down deal yet) needed for the flywheel to
        show in accounts: a pipeline large enough for a first sales team. Compared with the
        count's P10, so the threshold's uncertainty cannot make the prerequisite hold.
    """
    if min_ready_accounts < 0:
        raise ValueError(f"min_ready_accounts must be at least 0, got {min_ready_accounts}")
    pen_ran = not isinstance(penetration, Skipped)
    demand_ran = not isinstance(demand, Skipped)
    met = {
        "timing": timing.verdict in ("approaching", "in_window", "late"),
        "tipping_point": pen_ran and penetration.claimed,
        "ready_accounts": pen_ran
        and penetration.claimed
        and penetration.ready_accounts_p10 >= min_ready_accounts,
        "size_effect": demand_ran and demand.grows_with_size,
        "customer_driven": demand_ran and demand.verdict == "customer-driven",
    }
    section = {
        "timing": "timing",
        "tipping_point": "penetration",
        "ready_accounts": "penetration",
        "size_effect": "enterprise_demand",
        "customer_driven": "enterprise_demand",
    }
    reasons = tuple(Reason(prerequisite=p, met=met[p], section=section[p]) for p in PREREQUISITES)
    if timing.verdict == "late":
        verdict = "overdue"
    elif all(r.met for r in reasons):
        verdict = "ready"
    else:
        verdict = "not_yet"
    return Overview(verdict=verdict, reasons=reasons, min_ready_accounts=min_ready_accounts)
