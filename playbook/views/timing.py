"""Words and tables for the timing section, built from a TimingResult."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.timing import TimingResult, TimingSettings
from playbook.views.formatting import money, months, percent
from playbook.views.html import notes_card, verdict_card
from playbook.views.notes import note_text, note_texts

# What each flywheel indicator is compared with (`Indicator.mark`), where it has a mark or a meaning.
MARK_WORDS = {
    "nrr": "rule of thumb (the article): top companies often exceed 150%",
    "self_serve_share": "the bottom-up motion is the pipeline for top-down sales",
    "magic_number": "industry rule of thumb (not from the article): above 0.75 is efficient",
}


def timing_headline(result: TimingResult, *, currency: str = "USD") -> str:
    """One paragraph stating the verdict and the figures behind it."""
    low, high = result.band
    band = f"{money(low, currency, digits=0)}–{money(high, currency, digits=0)}"
    arr = money(result.current_arr, currency)
    if result.band == (TimingSettings.band_low, TimingSettings.band_high):
        precedent = "GitHub, Twilio and SendGrid all started top-down sales in this band."
    else:
        precedent = "(The article's band is $20M–$30M, where GitHub, Twilio and SendGrid started.)"
    if result.verdict == "in_window":
        return (
            f"In the window. ARR is {arr}, inside the {band} band. {precedent} The time to layer "
            "top-down sales is now, provided account penetration and enterprise demand confirm it."
        )
    if result.verdict == "late":
        since = result.history["month"].iloc[-result.months_past_band]
        return (
            f"Late. ARR is {arr} and has been above the {band} band for "
            f"{months(result.months_past_band)} (since {since:%B %Y}). {precedent} The cost of "
            "waiting: competitors sign multi-year enterprise deals that close off segments the "
            "bottom-up base has already opened, and the article's sales leaders call layering "
            "top-down sales too late the costliest mistake. Build the top-down team now."
        )
    to_band = result.months_to_band
    if to_band is None:
        return (
            f"Early. ARR is {arr}, below the {band} band. {precedent} There are too few months "
            "of ARR to forecast when it gets there."
        )
    when = f"{_forecast_sentence(result, currency)} {_model_sentence(result)}"
    if result.verdict == "unclear":
        trust = result.backtest.trust
        return (
            f"Unclear. ARR is {arr}, below the {band} band. {precedent} {when} But on this company's own "
            f"history the forecast's P10–P90 interval covered only {trust.covered} of {trust.cases} "
            f"backtest forecasts, where an honest 80% interval covers about {round(0.8 * trust.cases)}: "
            f"it cannot be trusted on this history, so the timing is unknown, not {result.forecast_says}. "
            "If one-off changes (an acquisition, a price change) explain the misses, declare them in "
            "arr_events; otherwise revisit when more months have been reported."
        )
    if result.verdict == "approaching":
        return (
            f"Approaching. ARR is {arr}, below the {band} band. {precedent} {when} "
            "Start the search for a sales "
            "leader now: hiring takes months, and going top-down late costs more than going early."
        )
    return (
        f"Early. ARR is {arr}, below the {band} band. {precedent} {when} "
        "Keep building the bottom-up flywheel; "
        f"revisit when the median entry is within {months(result.approach_months)}."
    )


def _forecast_sentence(result: TimingResult, currency: str) -> str:
    to_band = result.months_to_band
    spread = (
        f"P10 {months(to_band.p10)}, P90 {months(to_band.p90)}"
        if to_band.ranged
        else "no range: the history has no noise to learn it from"
    )
    return (
        f"The median forecast reaches {money(result.band[0], currency, digits=0)} in "
        f"{months(to_band.p50)} ({spread})."
    )


def _model_sentence(result: TimingResult) -> str:
    """What the forecast rests on: its months, today's growth rate, and what it took out."""
    to_band, structure = result.months_to_band, result.structure
    parts = [
        f"{to_band.n_paths:,} simulated paths of a model whose growth rate can slow, "
        f"fitted on {to_band.n_months} months"
    ]
    if result.growth.today is not None:
        parts.append(f"today's growth rate {percent(result.growth.today)} a year")
    if structure is not None and structure.seasonal:
        parts.append("a yearly pattern modelled")
    if structure is not None and structure.shifts:
        steps = ", ".join(f"{percent(s.size)} in {s.month:%B %Y}" for s in structure.shifts)
        parts.append(f"one-off steps modelled, not read as growth: {steps}")
    return "(" + "; ".join(parts) + ".)"


def forecast_table(result: TimingResult) -> pd.DataFrame:
    """Months to the band's lower edge: this forecast beside the baseline (last year's average
    growth, carried forward), P10, P50 and P90."""
    rows = []
    for label, to_band in (
        ("this forecast", result.months_to_band),
        ("baseline: the last 12 months' average growth, carried forward", result.baseline_to_band),
    ):
        if to_band is not None:
            rows.append((label, months(to_band.p10), months(to_band.p50), months(to_band.p90)))
    if not rows:
        return pd.DataFrame({"note": ["No forecast: ARR is in or past the band, or has too few months."]})
    return pd.DataFrame(rows, columns=["forecast", "P10", "P50 (median)", "P90"])


def backtest_table(result: TimingResult) -> pd.DataFrame:
    """How often the forecast's P10-P90 covered what happened next, on the company's own history,
    by months ahead and pooled (the check the verdict rests on)."""
    if result.backtest is None:
        reason = (
            "No forecast: ARR is already in or past the band."
            if result.verdict in ("in_window", "late")
            else "Too few months of ARR for a backtest."
        )
        return pd.DataFrame({"note": [reason]})
    table, trust = result.backtest.table, result.backtest.trust
    rows = [
        (str(int(h)), int(n), f"{c} of {n} ({percent(c / n)})", percent(e))
        for h, n, c, e in zip(
            table["horizon"], table["cases"], table["covered"], table["median_abs_error"], strict=True
        )
    ]
    if trust.p_value is None:
        pooled = f"{trust.covered} of {trust.cases}: too few forecasts to judge"
    else:
        chance = percent(trust.p_value) if trust.p_value >= 0.01 else "under 1%"
        pooled = (
            f"{trust.covered} of {trust.cases} ({percent(trust.covered / trust.cases)}); chance of this few "
            f"or fewer from an honest 80% interval: {chance} — "
            + ("trusted" if trust.trusted else "not trusted")
        )
    rows.append(("all, pooled", trust.cases, pooled, ""))
    return pd.DataFrame(
        rows,
        columns=["months ahead", "forecasts checked", "P10–P90 covered what happened", "median error of P50"],
    )


def forecast_limits(result: TimingResult) -> list[str]:
    """What this company's forecast can and cannot tell, in plain sentences."""
    if result.months_to_band is None:
        return ["No forecast was needed or possible: ARR is in or past the band, or has too few months."]
    lines = []
    structure = result.structure
    if structure is not None and structure.seasonal_tested and not structure.seasonal:
        lines.append(
            "A yearly pattern was tried and not kept: the backtest did not clearly prefer it, so the "
            "forecast treats month-to-month swings as noise."
        )
    elif structure is not None and not structure.seasonal_tested:
        lines.append(
            "Under 36 months of history: a yearly pattern cannot be told from noise and is not tried."
        )
    lines.append(
        "A one-off change in the last month cannot be told from a blip: declare it in arr_events, or "
        "the forecast reads it as noise until a second month confirms it."
    )
    lines.append(
        "The fan holds what this history shows: growth that keeps slowing widens it month by month, "
        "but a change of course the history has never shown (a new product, a downturn) is not in it."
    )
    return lines


def timing_evidence(result: TimingResult) -> pd.DataFrame:
    """The flywheel evidence as a table: indicator, value, rule of thumb, months behind it."""
    labels = {
        "arr_growth_annual": "ARR growth, last 12 months",
        "nrr": "Net revenue retention, trailing 12 months",
        "self_serve_share": "Self-serve share of ARR",
        "magic_number": "Sales & marketing efficiency (magic number)",
        "signup_growth": "Signup growth, last 12 months vs the 12 before",
    }
    rows = []
    for ind in result.indicators:
        if ind.value is None:
            shown = "not computed (column missing or too few months)"
        elif ind.unit == "share":
            shown = percent(ind.value)
        else:
            shown = f"{ind.value:.2f}"
        if ind.method is not None and ind.value is not None:
            shown += f" ({note_text(ind.method)})"
        mark = MARK_WORDS.get(ind.name, "—")
        verdict = {True: "meets the mark", False: "below the mark", None: ""}[ind.meets_mark]
        rows.append((labels[ind.name], shown, mark, verdict, ind.n_months))
    return pd.DataFrame(
        rows, columns=["indicator", "value", "compared with", "against the mark", "months used"]
    )


def timing_card(result: TimingResult, *, currency: str = "USD"):
    """The verdict block at the top of the notebook."""
    return verdict_card("Timing", result.verdict, [timing_headline(result, currency=currency)])


def timing_notes(result: TimingResult):
    """The caveats the analysis raised."""
    return notes_card(note_texts(result.notes))
