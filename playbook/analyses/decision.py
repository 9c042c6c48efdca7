"""What a board decides from the readiness verdict: each prerequisite's figure against its bar, the
nearest change that would turn the verdict, and the next steps.

The verdict itself is the overview's (`overview.assess_overview`). This module states, for each
prerequisite, the figure it rests on (its conservative end where the figure is uncertain), the bar
it is held to and the margin between them; it finds the nearest change of a setting that turns
the verdict — by computing the verdict again with that setting moved, never by guessing — and
lists the next steps the sections' results call for. The views word all of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from playbook.analyses.compensation import CompensationResult
from playbook.analyses.enterprise_demand import DemandResult
from playbook.analyses.leaders import LeaderResult
from playbook.analyses.months_to_band import MonthsToBand
from playbook.analyses.outcome import Skipped
from playbook.analyses.overview import Overview, assess_overview
from playbook.analyses.penetration import PenetrationResult
from playbook.analyses.timing import TimingResult
from playbook.data.notes import Note

NEXT_STEPS = (
    "sell_first",
    "build_first",
    "hire",
    "second_round",
    "pay",
    "collect_deals",
    "revisit_timing",
    "check_forecast",
)


@dataclass(frozen=True, kw_only=True)
class Standing:
    """One prerequisite: met or not, the figure it rests on, the bar, and which way the bar reads.

    `figure` is the conservative end where the figure is uncertain (the P10 of ready accounts, the
    lower bound of the customers' share and of the size ratio). `at_most` bars (months to the band)
    hold when the figure is at or below them. `setting` names the parameter that holds the bar.
    """

    prerequisite: str
    met: bool
    figure: float | None
    bar: float | None
    unit: str
    at_most: bool = False
    setting: str | None = None
    ceiling: float | None = None  # ARR: the band's top, past which the timing is late
    finding: str | None = None  # evidence: the analysis's verdict code (penetration.VERDICTS)

    @property
    def margin(self) -> float | None:
        """How far the figure is on the right side of the bar (negative: on the wrong side)."""
        if self.figure is None or self.bar is None:
            return None
        return self.bar - self.figure if self.at_most else self.figure - self.bar

    def to_dict(self) -> dict:
        return {
            "prerequisite": self.prerequisite,
            "met": self.met,
            "figure": _plain(self.figure),
            "bar": _plain(self.bar),
            "margin": _plain(self.margin),
            "unit": self.unit,
            "setting": self.setting,
            "ceiling": _plain(self.ceiling),
            "finding": self.finding,
        }


@dataclass(frozen=True, kw_only=True)
class Flip:
    """The nearest change that turns the readiness verdict: a setting moved to `value` (from
    `current`), checked by computing the verdict again, which then reads `to`."""

    prerequisite: str
    setting: str
    current: float
    value: float
    to: str

    def to_dict(self) -> dict:
        return {
            "prerequisite": self.prerequisite,
            "setting": self.setting,
            "current": _plain(self.current),
            "value": _plain(self.value),
            "to": self.to,
        }


@dataclass(frozen=True, kw_only=True)
class Decision:
    """The readiness verdict with its standings, the nearest change that would turn it, what no
    setting can change (missing evidence), and the next steps (notes: a code and its values)."""

    verdict: str
    standings: tuple[Standing, ...]
    flip: Flip | None
    evidence_missing: tuple[str, ...]
    months_to_overdue: MonthsToBand | None  # in the band: when ARR passes its top (trusted forecast)
    next_steps: tuple[Note, ...]

    def standing(self, prerequisite: str) -> Standing:
        return next(s for s in self.standings if s.prerequisite == prerequisite)

    def to_dict(self) -> dict:
        return {
            "prerequisites": [s.to_dict() for s in self.standings],
            "nearest_change": None if self.flip is None else self.flip.to_dict(),
            "evidence_missing": list(self.evidence_missing),
            "months_to_overdue": None if self.months_to_overdue is None else self.months_to_overdue.to_dict(),
            "next_steps": [n.to_dict() for n in self.next_steps],
        }


def _plain(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 4) + 0.0


# ---------------------------------------------------------------------------------------------
# The standings


def _timing_standing(met: bool, timing: TimingResult) -> Standing:
    low, high = timing.band
    if timing.verdict in ("in_window", "late"):
        return Standing(
            prerequisite="timing",
            met=met,
            figure=timing.current_arr,
            bar=low,
            unit="currency",
            setting="band_low",
            ceiling=high,
        )
    p50 = None if timing.months_to_band is None else timing.months_to_band.p50
    return Standing(
        prerequisite="timing",
        met=met,
        figure=None if p50 is None else float(p50),
        bar=float(timing.approach_months),
        unit="months",
        at_most=True,
        setting="approach_months" if timing.verdict in ("early", "approaching") and p50 is not None else None,
    )


def standings(
    overview: Overview,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
) -> tuple[Standing, ...]:
    """Each prerequisite of the overview with its figure, bar and setting, in the overview's order."""
    pen = None if isinstance(penetration, Skipped) else penetration
    dem = None if isinstance(demand, Skipped) else demand
    found = []
    for reason in overview.reasons:
        key, met = reason.prerequisite, reason.met
        if key == "timing":
            found.append(_timing_standing(met, timing))
        elif key == "tipping_point":
            finding = None if pen is None else pen.verdict
            found.append(
                Standing(prerequisite=key, met=met, figure=None, bar=None, unit="evidence", finding=finding)
            )
        elif key == "ready_accounts":
            figure = None if pen is None or not pen.claimed else float(pen.ready_accounts_p10)
            found.append(
                Standing(
                    prerequisite=key,
                    met=met,
                    figure=figure,
                    bar=float(overview.min_ready_accounts),
                    unit="accounts",
                    setting="min_ready_accounts" if figure is not None else None,
                )
            )
        elif key == "size_effect":
            figure = None if dem is None or dem.size is None else dem.size.ratio_ci[0]
            found.append(Standing(prerequisite=key, met=met, figure=figure, bar=1.0, unit="ratio"))
        else:  # customer_driven
            figure = None if dem is None or dem.customers is None else dem.customers.ci[0]
            found.append(
                Standing(
                    prerequisite=key,
                    met=met,
                    figure=figure,
                    bar=None if dem is None else dem.min_customer_share,
                    unit="share",
                    setting="min_customer_share" if figure is not None else None,
                )
            )
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# The nearest change


def timing_verdict_with(
    timing: TimingResult, *, approach_months: int | None = None, band_high: float | None = None
) -> str:
    """The timing verdict had `approach_months` or the band's top been set otherwise: the rule of
    `timing.assess_timing`, read from the result (the forecast does not depend on either)."""
    low, high = timing.band
    high = high if band_high is None else band_high
    if timing.current_arr >= high:
        return "late"
    if timing.current_arr >= low:
        return "in_window"
    if timing.verdict not in ("early", "approaching"):  # no forecast, or one its backtest refutes
        return timing.verdict
    months = approach_months if approach_months is not None else timing.approach_months
    p50 = None if timing.months_to_band is None else timing.months_to_band.p50
    return "approaching" if p50 is not None and p50 <= months else "early"


def _candidates(standing: Standing, timing: TimingResult) -> list[tuple[str, float]]:
    """The values of a standing's setting at which the prerequisite changes side."""
    if standing.setting is None or standing.figure is None:
        return []
    figure = standing.figure
    if standing.setting == "min_ready_accounts":
        return [("min_ready_accounts", figure + 1 if standing.met else figure)]
    if standing.setting == "min_customer_share":
        # The share a bar must pass to fail (or reach to hold), on the percent grid the page shows.
        value = math.floor(figure * 100 + 1) / 100 if standing.met else math.floor(figure * 100) / 100
        return [("min_customer_share", min(max(value, 0.0), 1.0))]
    if standing.setting == "approach_months":
        value = figure - 1 if standing.met else figure
        return [("approach_months", value)] if value >= 1 else []
    if standing.setting == "band_low" and timing.verdict == "late":  # overdue: the band's top is the bar
        return [("band_high", math.floor(timing.current_arr) + 1.0)]
    return []


def readiness_with(
    setting: str,
    value: float,
    *,
    overview: Overview,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
) -> str:
    """The readiness verdict computed again with one setting moved."""
    if setting == "min_customer_share" and not isinstance(demand, Skipped):
        demand = replace(demand, min_customer_share=value)
    if setting in ("approach_months", "band_high"):
        verdict = timing_verdict_with(
            timing, **{setting: int(value) if setting == "approach_months" else value}
        )
        timing = replace(timing, verdict=verdict)
    minimum = int(value) if setting == "min_ready_accounts" else overview.min_ready_accounts
    return assess_overview(timing, penetration, demand, min_ready_accounts=minimum).verdict


def nearest_flip(
    found: tuple[Standing, ...],
    *,
    overview: Overview,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
) -> Flip | None:
    """The smallest relative move of one setting that turns the readiness verdict (None when no
    single setting can: the missing prerequisites need evidence, not a lower bar)."""
    current = {
        "min_ready_accounts": float(overview.min_ready_accounts),
        "min_customer_share": None if isinstance(demand, Skipped) else demand.min_customer_share,
        "approach_months": float(timing.approach_months),
        "band_high": timing.band[1],
    }
    flips = []
    for standing in found:
        for setting, value in _candidates(standing, timing):
            was = current[setting]
            if was is None or value == was:
                continue
            to = readiness_with(
                setting, value, overview=overview, timing=timing, penetration=penetration, demand=demand
            )
            if to != overview.verdict:
                move = abs(value - was) / max(abs(was), 1e-9)
                flips.append(
                    (
                        move,
                        setting,
                        Flip(
                            prerequisite=standing.prerequisite,
                            setting=setting,
                            current=was,
                            value=value,
                            to=to,
                        ),
                    )
                )
    return min(flips, key=lambda f: (f[0], f[1]))[2] if flips else None


# ---------------------------------------------------------------------------------------------
# Next steps


def next_steps(
    overview: Overview,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
    leaders: LeaderResult | Skipped,
    compensation: CompensationResult | None,
) -> tuple[Note, ...]:
    """What to do next, from what the sections found (codes of NEXT_STEPS, with their values)."""
    steps = []
    if not isinstance(penetration, Skipped) and penetration.claimed and len(penetration.ready):
        top = penetration.ready.head(3)
        steps.append(
            Note(
                "sell_first",
                accounts=list(top.get("account_name", top["account_id"])),
                ready=len(penetration.ready),
            )
        )
    elif not isinstance(penetration, Skipped) and penetration.verdict == "too_few_deals":
        needed = penetration.threshold.needed
        steps.append(
            Note(
                "collect_deals",
                closed=penetration.threshold.n,
                needed=None if needed is None else needed.closed_deals,
            )
        )
    if not isinstance(demand, Skipped):
        top = demand.top("arr_at_stake", 1)
        if len(top) and top["arr_at_stake"].iloc[0] > 0 and demand.pipeline is not None:
            row = top.iloc[0]
            payback = row.get("payback") if "payback" in top else None
            steps.append(
                Note(
                    "build_first",
                    feature=row["feature"],
                    stake=float(row["arr_at_stake"]),
                    months=demand.pipeline.horizon_months,
                    payback=None if payback is None or payback != payback else float(payback),
                )
            )
    if not isinstance(leaders, Skipped) and leaders.leader is not None:
        if leaders.verdict == "clear_leader":
            steps.append(Note("hire", candidate=leaders.leader))
        elif leaders.runner_up is not None:
            steps.append(
                Note(
                    "second_round",
                    candidates=[leaders.leader, leaders.runner_up],
                    attributes=list(leaders.uncertain),
                )
            )
    if compensation is not None:
        steps.append(Note("pay", plan=compensation.recommended))
    if timing.verdict == "unclear":
        steps.append(Note("check_forecast"))
    elif timing.verdict in ("early", "approaching") and overview.verdict == "not_yet":
        p50 = None if timing.months_to_band is None else timing.months_to_band.p50
        steps.append(Note("revisit_timing", months=p50, approach=timing.approach_months))
    return tuple(steps)


def assess_decision(
    overview: Overview,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
    leaders: LeaderResult | Skipped,
    compensation: CompensationResult | None,
) -> Decision:
    """The standings, the nearest change that would turn the verdict, and the next steps."""
    found = standings(overview, timing, penetration, demand)
    flip = nearest_flip(found, overview=overview, timing=timing, penetration=penetration, demand=demand)
    missing = tuple(s.prerequisite for s in found if not s.met and s.setting is None)
    return Decision(
        verdict=overview.verdict,
        standings=found,
        flip=flip,
        evidence_missing=missing,
        months_to_overdue=None if isinstance(timing, Skipped) else timing.months_to_late,
        next_steps=next_steps(overview, timing, penetration, demand, leaders, compensation),
    )
