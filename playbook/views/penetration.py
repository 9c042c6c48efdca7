"""Words and tables for the penetration section, built from a PenetrationResult.

The notebook, summary.json and the board pack all read these; nothing here computes a statistic.
"""

from __future__ import annotations

import pandas as pd

from playbook.analyses.outcome import Skipped
from playbook.analyses.penetration import RULES_OF_THUMB, PenetrationResult
from playbook.analyses.tipping_point import Threshold
from playbook.views.formatting import money, percent
from playbook.views.html import notes_card, paragraph, verdict_card
from playbook.views.notes import note_texts, outside_reason_text, skipped_text
from playbook.views.people import mask_email

SIGNAL_LABELS = {
    "employee_penetration": "employee penetration (active users / employees)",
    "departments": "active departments",
    "seats": "seats in use (active users)",
}
# What an account below the threshold lacks, in the signal's own units.
NEEDED_UNITS = {
    "employee_penetration": "more active users",
    "departments": "more active departments",
    "seats": "more seats in use",
}
# The article's marks (`analyses.penetration.RULES_OF_THUMB`): what each company found, in full and short.
MARK_WORDS = {
    "employee_penetration": ("Dropbox: 3-10% of employees was typically the tipping point", "Dropbox 3–10%"),
    "departments": ("Twilio: usage across 2-3 departments best predicted a top-down win", "Twilio 2–3"),
    "seats": ("Zendesk: more than 15 seats moved a prospect to enterprise sales", "Zendesk >15"),
}
VERDICT_WORDS = {
    "own_threshold": "our own threshold",
    "no_effect": "no effect in our deals",
    "reversed": "a reversed effect",
    "too_few_deals": "too few deals to test",
}


def signal_value(signal: str, value: float | None) -> str:
    """A signal's value as people read it: 4.9% of employees, 6 departments, 17 seats."""
    if value is None or pd.isna(value):
        return "n/a"
    if signal == "employee_penetration":
        return percent(value, digits=1)
    return f"{value:,.0f}"


def p_text(p: float | None) -> str:
    """'p = 0.004' (or 'not tested')."""
    if p is None:
        return "not tested"
    return f"p = {p:.3f}"


def _interval(t: Threshold) -> str:
    if t.ci is None:
        return "—"
    return f"{signal_value(t.signal, t.ci[0])} – {signal_value(t.signal, t.ci[1])}"


def evidence_sentence(t: Threshold) -> str:
    """What our deals say about a threshold on one signal, in one or two sentences."""
    label, mark, mark_words = SIGNAL_LABELS[t.signal], RULES_OF_THUMB[t.signal], MARK_WORDS[t.signal][0]
    deals = f"{t.n} closed deals in {t.n_accounts} accounts, {t.n_wins} won"
    if t.verdict == "own_threshold":
        return (
            f"Our tipping point: {signal_value(t.signal, t.threshold)} {label} when a deal opens "
            f"(95% interval {_interval(t)}; {deals}). Deals that opened at or above it won "
            f"{percent(t.win_rate_above)}, those below {percent(t.win_rate_below)}; a constant win rate "
            f"is rejected ({p_text(t.p_value)}, permutation test at α = {t.alpha:g})."
        )
    reference = (
        f"The article's mark ({mark_words}) is shown for reference only: deals at or above "
        f"{signal_value(t.signal, mark.value)} won {percent(t.win_rate_above)}, those below "
        f"{percent(t.win_rate_below)}."
    )
    if t.verdict == "too_few_deals":
        needed = t.needed
        return (
            f"Too few closed top-down deals to test for a tipping point of our own ({deals}). "
            "To detect a doubling of the win rate at the article's mark "
            f"(from {percent(needed.win_rate_below)} to {percent(needed.win_rate_above)}) "
            f"with a test at α = {t.alpha:g} and 80% power takes about "
            f"{needed.closed_deals:,} closed deals ({needed.wins:,} wins), at least. {reference}"
        )
    if t.verdict == "reversed":
        return (
            f"Our deals show a reversed effect: deals with more {label} when they opened won less often "
            f"({p_text(t.p_reversed)}; {deals}). No threshold is claimed. {reference}"
        )
    return (
        f"Our deals show no penetration effect: winning did not rise with {label} when a deal opened "
        f"({p_text(t.p_value)}, permutation test at α = {t.alpha:g}; {deals}). No threshold is claimed. "
        f"{reference}"
    )


def penetration_card(result: PenetrationResult | Skipped, *, currency: str = "USD"):
    """The verdict block at the top of the notebook."""
    return verdict_card("Penetration", result.verdict, [penetration_headline(result, currency=currency)])


def penetration_headline(result: PenetrationResult | Skipped, *, currency: str = "USD") -> str:
    """One paragraph: what our deals say, and the pipeline it gives (or why there is none)."""
    if isinstance(result, Skipped):
        return skipped_text(result.missing)
    parts = [evidence_sentence(result.threshold)]
    if result.verdict == "own_threshold":
        value = result.pipeline_value
        worth = f": {money(value, currency)} of expected pipeline" if value is not None else ""
        parts.append(
            f"{len(result.ready):,} accounts are past it today with no won or open top-down deal, inside "
            f"our deal experience{worth}; {len(result.outside):,} more are past it but outside what our "
            "deals cover (listed, not valued)."
        )
        parts.append(
            f"{len(result.premature):,} large accounts are still below it: "
            "a top-down push there would be early."
        )
    else:
        parts.append(
            "Without a threshold of our own no account is called ready or valued; the most used accounts "
            "are listed by raw usage."
        )
    return " ".join(parts)


def threshold_table(result: PenetrationResult) -> pd.DataFrame:
    """Each signal: what our deals say, the threshold with its interval, the test, win rates, n."""
    rows = []
    for t in result.thresholds.values():
        rows.append(
            {
                "signal (on the day the deal opened)": SIGNAL_LABELS[t.signal],
                "our deals show": VERDICT_WORDS[t.verdict],
                "threshold": signal_value(t.signal, t.threshold),
                "95% interval": _interval(t),
                "p (more usage wins more)": "—" if t.p_value is None else f"{t.p_value:.3f}",
                "win rates at": (
                    "our threshold" if t.verdict == "own_threshold" else "the article's mark (reference)"
                ),
                "win rate below": percent(t.win_rate_below),
                "win rate at or above": percent(t.win_rate_above),
                "closed deals (won; accounts)": f"{t.n} ({t.n_wins}; {t.n_accounts})",
                "the article's mark": MARK_WORDS[t.signal][0],
            }
        )
    return pd.DataFrame(rows)


def calibration_table(result: PenetrationResult) -> pd.DataFrame:
    """The win curve's out-of-fold predictions against what happened, by bin, with Brier scores."""
    curve = result.curve
    if curve is None:
        return pd.DataFrame({"note": ["No win curve is used: there is no threshold of our own."]})
    table = curve.calibration
    return pd.DataFrame(
        {
            "predicted win probability (bin)": [
                f"{percent(lo)}–{percent(hi)}" for lo, hi in zip(table["low"], table["high"], strict=True)
            ],
            "mean predicted": table["predicted"].map(percent),
            "observed win rate": table["observed"].map(percent),
            "closed deals": table["n"],
        }
    )


def curve_sentence(result: PenetrationResult) -> str:
    """How well the win curve predicts, against a constant win rate (out of fold)."""
    curve = result.curve
    if curve is None:
        return "No win curve is used: there is no threshold of our own, so no account is valued."
    better = "better than" if curve.brier < curve.brier_constant else "no better than"
    return (
        f"Out of fold (folds of whole accounts), the win curve's Brier score is {curve.brier:.3f} against "
        f"{curve.brier_constant:.3f} for a constant win rate: {better} knowing nothing about usage. "
        f"{curve.n} closed deals; it is used only between {signal_value(curve.signal, curve.support[0])} and "
        f"{signal_value(curve.signal, curve.support[1])}."
    )


def curve_card(result: PenetrationResult):
    """The win curve's out-of-fold check, as a sentence."""
    return paragraph(curve_sentence(result))


def pipeline_table(result: PenetrationResult, *, top: int = 15, currency: str = "USD") -> pd.DataFrame:
    """The ready accounts with the highest expected value; without a threshold, the most used ones."""
    if result.verdict != "own_threshold":
        rows = result.by_usage.head(top)
        return pd.DataFrame(
            {
                "account": rows["account_name"],
                "employees": rows["employee_count"].map(lambda v: f"{v:,.0f}"),
                "active users": rows["active_users"].map(lambda v: f"{v:,}"),
                "employee penetration": rows["employee_penetration"].map(lambda v: percent(v, digits=1)),
                "departments": rows["departments"],
                "expected value": "not valued (no threshold of our own)",
            }
        )
    ready = result.ready.head(top)
    return pd.DataFrame(
        {
            "account": ready["account_name"],
            "country": ready.get("country"),
            "employees": ready["employee_count"].map(lambda v: f"{v:,.0f}"),
            "active users": ready["active_users"].map(lambda v: f"{v:,}"),
            "employee penetration": ready["employee_penetration"].map(lambda v: percent(v, digits=1)),
            "departments": ready["departments"],
            "win probability": ready["win_probability"].map(percent),
            "deal size": ready["deal_size"].map(lambda v: money(v, currency)),
            "expected value": ready["expected_value"].map(lambda v: money(v, currency)),
        }
    )


def outside_table(result: PenetrationResult, *, top: int = 10) -> pd.DataFrame:
    """Accounts past the threshold that our closed deals say nothing about, and why."""
    rows = result.outside.head(top)
    if rows.empty:
        return pd.DataFrame({"note": ["Every account past the threshold lies inside our deal experience."]})
    signal = result.pipeline_signal
    return pd.DataFrame(
        {
            "account": rows["account_name"],
            "employees": rows["employee_count"].map(lambda v: f"{v:,.0f}"),
            "today": rows[signal].map(lambda v: signal_value(signal, v)),
            "why it is not valued": rows["reason"].map(
                lambda code: outside_reason_text(code, min_employees=result.min_employees_scored)
            ),
        }
    )


def power_user_table(result: PenetrationResult, *, accounts: int = 3, show_pii: bool = False) -> pd.DataFrame:
    """The power users of the top listed accounts, best account first (emails masked unless show_pii)."""
    listed = result.ready if result.verdict == "own_threshold" else result.by_usage
    top = list(listed["account_id"].head(accounts))
    users = result.power_users[result.power_users["account_id"].isin(top)]
    users = users.sort_values("account_id", key=lambda ids: ids.map(top.index), kind="stable")
    if "email" in users and not show_pii:
        users = users.assign(email=users["email"].map(mask_email))
    names = listed.set_index("account_id")["account_name"]
    return users.assign(account_id=users["account_id"].map(names)).rename(columns={"account_id": "account"})


def premature_table(result: PenetrationResult, *, top: int = 10) -> pd.DataFrame:
    """The largest accounts still below the threshold, and what they would need to reach it."""
    if result.verdict != "own_threshold":
        return pd.DataFrame({"note": ["No threshold of our own: no account can be called premature."]})
    rows = result.premature.head(top)
    signal = result.pipeline_signal
    return pd.DataFrame(
        {
            "account": rows["account_name"],
            "employees": rows["employee_count"].map(lambda v: f"{v:,.0f}"),
            "today": rows[signal].map(lambda v: signal_value(signal, v)),
            "threshold": signal_value(signal, result.threshold.threshold),
            "to reach it": rows["needed"].map(lambda v: f"{v:,.0f} {NEEDED_UNITS[signal]}"),
        }
    )


def country_table(result: PenetrationResult) -> pd.DataFrame:
    """Accounts above the threshold by country, a year ago and now, with the home market marked."""
    if result.countries is None:
        reason = (
            "No threshold of our own: the country comparison of accounts past it is not computed."
            if result.verdict != "own_threshold"
            else "No country column in accounts: the country view is skipped."
        )
        return pd.DataFrame({"note": [reason]})
    table = result.countries
    return pd.DataFrame(
        {
            "country": table["country"]
            + (table["country"] == result.home_country).map({True: " (home)", False: ""}),
            "above threshold a year ago": table["above_threshold_year_ago"],
            "above threshold now": table["above_threshold"],
            "growth, 12 months": table["growth_12m"].map(lambda v: "new" if pd.isna(v) else percent(v)),
            "ready accounts (no top-down deal)": table["ready_accounts"],
        }
    )


def penetration_notes(result: PenetrationResult, *, currency: str = "USD"):
    """The caveats the analysis raised, and what the expected values rest on."""
    basis = [
        f"Active users: users with activity in the {result.window_days} days ending on the date, the same "
        "definition for deals when they opened and for accounts today.",
        curve_sentence(result),
    ]
    size = result.deal_size
    if size is not None:
        basis.append(
            f"Deal size: won amounts grow with employees to the power {size.slope:.2f} (95% interval "
            f"{size.ci[0]:.2f}–{size.ci[1]:.2f}; 1 would be proportional), fitted on {size.n} won deals with "
            f"an amount; used for accounts of {size.employees[0]:,.0f} to {size.employees[1]:,.0f} employees."
        )
    basis.append(
        f"Accounts smaller than {result.min_employees_scored:,} employees, or outside the size and "
        "usage range of our closed deals, are never valued."
    )
    return notes_card(note_texts(result.notes, currency=currency) + basis)
