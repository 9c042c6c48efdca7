"""The board pack's headline figures, in words, from the sections' results."""

from __future__ import annotations

from playbook.analyses.compensation import CompensationResult
from playbook.analyses.enterprise_demand import DemandResult
from playbook.analyses.leaders import LeaderResult
from playbook.analyses.outcome import Skipped
from playbook.analyses.penetration import PenetrationResult
from playbook.analyses.timing import TimingResult
from playbook.views.compensation import pay_card_note
from playbook.views.formatting import money, percent
from playbook.views.leaders import leaders_verdict
from playbook.views.penetration import VERDICT_WORDS, adjusted_p_text, signal_value


def headline_figures(
    timing: TimingResult | Skipped,
    penetration: PenetrationResult | Skipped,
    demand: DemandResult | Skipped,
    leaders: LeaderResult | Skipped,
    compensation: CompensationResult | Skipped,
    *,
    currency: str = "USD",
) -> list[dict]:
    """The figures a board reads first: label, value, and what each rests on (skipped sections left out)."""
    figures = []
    if not isinstance(timing, Skipped):
        low, high = timing.band
        figures.append(
            {
                "label": "ARR",
                "value": money(timing.current_arr, currency),
                "note": f"{timing.verdict} against the {money(low, currency, digits=0)}–"
                f"{money(high, currency, digits=0)} band",
            }
        )
    if not isinstance(penetration, Skipped):
        t = penetration.threshold
        if t.claimed:
            note = (
                f"95% interval {signal_value(t.signal, t.ci[0])}–{signal_value(t.signal, t.ci[1])}, "
                f"{adjusted_p_text(t.p_adjusted, t.adjusted_for)}, {t.n} closed deals"
            )
            value = signal_value(t.signal, t.threshold)
            if t.verdict == "gradual_rise":
                value, note = f"{value} (a gradual rise)", f"no tipping point: {note}"
        else:
            note, value = f"{t.n} closed deals, {t.n_wins} won", f"none: {VERDICT_WORDS[t.verdict]}"
        label = "Our tipping point" if t.verdict != "gradual_rise" else "Where our deals split best"
        figures.append({"label": label, "value": value, "note": note})
        worth, spread = penetration.pipeline_value, penetration.ready_range
        value = f"{len(penetration.ready):,}"
        if spread is not None:
            value += f" (P10–P90 {spread.accounts[0]:,}–{spread.accounts[1]:,})"
        note = "not valued" if worth is None else f"{money(worth, currency)} expected pipeline"
        if worth is not None and spread is not None and spread.pipeline is not None:
            note += f" (P10–P90 {money(spread.pipeline[0], currency)}–{money(spread.pipeline[1], currency)})"
        figures.append({"label": "Ready accounts", "value": value, "note": note})
    if not isinstance(demand, Skipped):
        e = demand.size
        if e is not None:
            share = (
                "" if demand.customer_share is None else f"; {percent(demand.customer_share)} from customers"
            )
            if demand.by_source is not None:
                share += f"; customers' own ratio {demand.by_source.customer.ratio:.2f}×"
            figures.append(
                {
                    "label": "Enterprise requests per doubling of seats, over core",
                    "value": f"{e.ratio:.2f}×",
                    "note": f"95% interval {e.ratio_ci[0]:.2f}–{e.ratio_ci[1]:.2f}{share}",
                }
            )
        top = demand.top("arr_at_stake", 1)
        if len(top) and top["arr_at_stake"].iloc[0] > 0:
            figures.append(
                {
                    "label": "Feature with most pipeline waiting on it",
                    "value": top["feature"].iloc[0],
                    "note": f"{money(top['arr_at_stake'].iloc[0], currency)} in expected value over the next "
                    f"{demand.pipeline.horizon_months} months",
                }
            )
    if not isinstance(leaders, Skipped):
        figures.append(
            {
                "label": "Sales leader",
                "value": leaders_verdict(leaders),
                "note": "without attributes interviewers disagree on",
            }
        )
    if not isinstance(compensation, Skipped):
        figures.append(
            {
                "label": "Pay plan",
                "value": compensation.recommended,
                "note": pay_card_note(compensation),
            }
        )
    return figures
