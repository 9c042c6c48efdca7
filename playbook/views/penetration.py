"""Words and tables for the penetration section, built from a PenetrationResult.

The notebook, summary.json and the board pack all read these; nothing here computes a statistic.
"""

from __future__ import annotations

import pandas as pd

from playbook.analyses.outcome import Skipped
from playbook.analyses.penetration import RULES_OF_THUMB, PenetrationResult
from playbook.analyses.signal_choice import OutOfFold, SignalChoice
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
    "gradual_rise": "a gradual rise (no tipping point)",
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


def adjusted_p_text(p: float | None, signals: int) -> str:
    """'p = 0.009 after adjusting for the 3 signals tested' (a p-value alone when one was tested)."""
    if p is None or signals < 2:
        return p_text(p)
    return f"{p_text(p)} after adjusting for the {signals} signals tested"


def _interval(t: Threshold) -> str:
    if t.ci is None:
        return "—"
    return f"{signal_value(t.signal, t.ci[0])} – {signal_value(t.signal, t.ci[1])}"


def shape_words(score: OutOfFold | None) -> str:
    """How a step compares with a smooth rise out of fold, in a clause."""
    if score is None:
        return ""
    if score.step_beats_smooth:
        return (
            f"a step predicts our deals better than a smooth rise, out of fold (log loss {score.step:.3f} "
            f"against {score.smooth:.3f})"
        )
    return (
        f"a smooth rise predicts our deals as well as a step, out of fold (log loss {score.smooth:.3f} "
        f"against {score.step:.3f} for the step)"
    )


def evidence_sentence(t: Threshold, choice: SignalChoice | None = None) -> str:
    """What our deals say about a threshold on one signal, in one or two sentences."""
    label, mark, mark_words = SIGNAL_LABELS[t.signal], RULES_OF_THUMB[t.signal], MARK_WORDS[t.signal][0]
    deals = f"{t.n} closed deals in {t.n_accounts} accounts, {t.n_wins} won"
    test = f"{adjusted_p_text(t.p_adjusted, t.adjusted_for)}, permutation test at α = {t.alpha:g}"
    shape = shape_words(None if choice is None else choice.scores.get(t.signal))
    if t.verdict == "own_threshold":
        return (
            f"Our tipping point: {signal_value(t.signal, t.threshold)} {label} when a deal opens "
            f"(95% interval {_interval(t)}; {deals}). Deals that opened at or above it won "
            f"{percent(t.win_rate_above)}, those below {percent(t.win_rate_below)}; a constant win rate "
            f"is rejected ({test})" + (f", and {shape}." if shape else ".")
        )
    if t.verdict == "gradual_rise":
        return (
            f"Our deals win more often with more {label} when they open ({test}; {deals}), but the rise is "
            f"gradual: {shape or 'a smooth rise predicts our deals as well as a step'}, so no tipping point "
            f"is claimed. The ready list starts at {signal_value(t.signal, t.threshold)} (95% interval "
            f"{_interval(t)}), where our deals split best: {percent(t.win_rate_above)} won at or above it, "
            f"{percent(t.win_rate_below)} below; each account is valued on the calibrated win curve."
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
            f"({adjusted_p_text(t.p_reversed_adjusted, t.adjusted_for)}; {deals}). No threshold is claimed. "
            f"{reference}"
        )
    return (
        f"Our deals show no penetration effect: winning did not rise with {label} when a deal opened "
        f"({test}; {deals}). No threshold is claimed. {reference}"
    )


def choice_sentence(result: PenetrationResult) -> str:
    """Which signal defines a ready account, and why ('' when there were too few deals to test)."""
    choice, label = result.choice, SIGNAL_LABELS[result.pipeline_signal]
    if choice.reason == "named":
        return f"The pipeline signal, {label}, was named in the parameters (`pipeline_signal`)."
    if choice.reason == "no_claim":
        if result.verdict == "too_few_deals":
            return ""
        return (
            "No signal shows that more usage wins more once the p-values are adjusted for the signals "
            f"tested; {label} is shown."
        )
    others = [SIGNAL_LABELS[s].split(" (")[0] for s in choice.scores if s != result.pipeline_signal]
    moving = [SIGNAL_LABELS[s].split(" (")[0] for s in choice.echoes]
    sentence = (
        f"The pipeline signal is {label}: of the signals whose test holds after the adjustment, it predicts "
        "our deals best out of fold (as a step or a smooth rise, each fold of whole accounts predicted from "
        "the others)."
    )
    if moving:
        sentence += (
            f" {', '.join(moving).capitalize()} move{'s' if len(moving) == 1 else ''} with it: adding "
            f"{'its' if len(moving) == 1 else 'their'} cut does not measurably improve our predictions, so "
            f"{'it finds' if len(moving) == 1 else 'they find'} the same accounts."
        )
    elif others:
        sentence += f" {', '.join(others).capitalize()} add to it out of fold."
    return sentence


def penetration_card(result: PenetrationResult | Skipped, *, currency: str = "USD"):
    """The verdict block at the top of the notebook."""
    return verdict_card("Penetration", result.verdict, [penetration_headline(result, currency=currency)])


def range_words(result: PenetrationResult, *, currency: str = "USD") -> str:
    """'P10–P90 559–768 accounts, $6.1M–$11.3M': the ready count and pipeline with the threshold's,
    the curve's and the deal size's uncertainty ('' without a range)."""
    spread = result.ready_range
    if spread is None:
        return ""
    low, high = spread.accounts
    words = f"P10–P90 {low:,}–{high:,} accounts"
    if spread.pipeline is not None:
        words += f", {money(spread.pipeline[0], currency)}–{money(spread.pipeline[1], currency)}"
    return words


def penetration_headline(result: PenetrationResult | Skipped, *, currency: str = "USD") -> str:
    """One paragraph: what our deals say, and the pipeline it gives (or why there is none)."""
    if isinstance(result, Skipped):
        return skipped_text(result.missing)
    parts = [evidence_sentence(result.threshold, result.choice), choice_sentence(result)]
    parts = [p for p in parts if p]
    if result.claimed:
        value = result.pipeline_value
        worth = f": {money(value, currency)} of expected pipeline" if value is not None else ""
        spread = range_words(result, currency=currency)
        parts.append(
            f"{len(result.ready):,} accounts are past it today with no won or open top-down deal, inside "
            f"our deal experience{worth} ({spread} when the threshold, the win curve and the deal size are "
            f"re-estimated on resampled accounts); {len(result.outside):,} more are past it but outside what "
            "our deals cover (listed, not valued)."
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
    """Each signal: what our deals say (and whether it moves with the pipeline signal), the
    threshold with its interval, the adjusted test, win rates, n."""
    rows = []
    choice = result.choice
    for t in result.thresholds.values():
        shows = VERDICT_WORDS[t.verdict]
        if t.signal in choice.echoes:
            shows += f"; moves with {SIGNAL_LABELS[choice.echoes[t.signal]].split(' (')[0]}"
        chosen = {"named": "yes (named)", "best_out_of_fold": "yes (best out of fold)", "no_claim": "shown"}
        rows.append(
            {
                "signal (on the day the deal opened)": SIGNAL_LABELS[t.signal],
                "our deals show": shows,
                "pipeline signal": chosen[choice.reason] if t.signal == result.pipeline_signal else "",
                "threshold": signal_value(t.signal, t.threshold),
                "95% interval": _interval(t),
                "p (more usage wins more), adjusted": "—" if t.p_adjusted is None else f"{t.p_adjusted:.3f}",
                "p before adjusting": "—" if t.p_value is None else f"{t.p_value:.3f}",
                "win rates at": "our threshold" if t.claimed else "the article's mark (reference)",
                "win rate below": percent(t.win_rate_below),
                "win rate at or above": percent(t.win_rate_above),
                "closed deals (won; accounts)": f"{t.n} ({t.n_wins}; {t.n_accounts})",
                "the article's mark": MARK_WORDS[t.signal][0],
            }
        )
    return pd.DataFrame(rows)


def out_of_fold_table(result: PenetrationResult) -> pd.DataFrame:
    """For each signal that shows a rise: how well a step, a smooth rise and a constant win rate
    predict our deals out of fold (log loss per deal, lower is better), and with the pipeline
    signal's cut added."""
    scores = result.choice.scores
    if not scores:
        return pd.DataFrame(
            {"note": ["No signal shows a rise in our deals: nothing to compare out of fold."]}
        )
    return pd.DataFrame(
        {
            "signal": [SIGNAL_LABELS[s] for s in scores],
            "step (cut re-chosen in each fold)": [f"{v.step:.3f}" for v in scores.values()],
            "smooth rise (logistic on log usage)": [f"{v.smooth:.3f}" for v in scores.values()],
            "constant win rate": [f"{v.constant:.3f}" for v in scores.values()],
            "reads as": ["tipping point" if v.step_beats_smooth else "gradual rise" for v in scores.values()],
            "with the pipeline signal's cut": [
                "—" if v.with_chosen is None else f"{v.with_chosen:.3f}" for v in scores.values()
            ],
            "closed deals": [v.n for v in scores.values()],
        }
    )


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
    if not result.claimed:
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
    listed = result.ready if result.claimed else result.by_usage
    top = list(listed["account_id"].head(accounts))
    users = result.power_users[result.power_users["account_id"].isin(top)]
    users = users.sort_values("account_id", key=lambda ids: ids.map(top.index), kind="stable")
    if "email" in users and not show_pii:
        users = users.assign(email=users["email"].map(mask_email))
    names = listed.set_index("account_id")["account_name"]
    return users.assign(account_id=users["account_id"].map(names)).rename(columns={"account_id": "account"})


def premature_table(result: PenetrationResult, *, top: int = 10) -> pd.DataFrame:
    """The largest accounts still below the threshold, and what they would need to reach it."""
    if not result.claimed:
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
            if not result.claimed
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
    spread = result.ready_range
    if spread is not None:
        basis.append(
            f"Ready accounts and pipeline, P10–P90: {spread.resamples:,} resamples of "
            f"{spread.resampled_accounts:,} of the {spread.n_accounts:,} accounts with closed deals "
            "(fewer than all: the best cut is a change point, whose bootstrap with all of them is too "
            "narrow); in each, the cut, the win curve and the deal size are re-estimated together, the cut "
            "placed anywhere between the two deals that bound it. The readiness prerequisite reads the P10."
        )
    return notes_card(note_texts(result.notes, currency=currency) + basis)
