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
    today = result.growth.today
    rate = "" if today is None else f"; today's growth rate {percent(today)} a year"
    spread = (
        f"P10 {months(to_band.p10)}, P90 {months(to_band.p90)}"
        if to_band.ranged
        else "no range: the history has no noise to learn it from"
    )
    when = (
        f"The median forecast reaches {money(low, currency, digits=0)} in {months(to_band.p50)} "
        f"({spread}; {to_band.n_paths:,} simulated paths of a model whose growth rate can slow, "
        f"fitted on {to_band.n_months} months{rate})."
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


def backtest_table(result: TimingResult) -> pd.DataFrame:
    """How often the forecast's P10-P90 covered what happened next, on the company's own history."""
    if result.backtest is None:
        reason = (
            "No forecast: ARR is already in or past the band."
            if result.verdict in ("in_window", "late")
            else "Too few months of ARR for a backtest."
        )
        return pd.DataFrame({"note": [reason]})
    table = result.backtest.table
    return pd.DataFrame(
        {
            "months ahead": table["horizon"].astype(int),
            "forecasts checked": table["cases"].astype(int),
            "P10–P90 covered what happened": [
                f"{c} of {n} ({percent(c / n)})"
                for c, n in zip(table["covered"], table["cases"], strict=True)
            ],
            "median error of P50": table["median_abs_error"].map(percent),
        }
    )


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
