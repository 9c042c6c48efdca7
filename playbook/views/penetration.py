"""Words and tables for the penetration section, built from a PenetrationResult.

The notebook, summary.json and the board pack all read these; nothing here computes a statistic.
"""

from __future__ import annotations

import pandas as pd

from playbook.analyses.outcome import Skipped
from playbook.analyses.penetration import RULES_OF_THUMB, PenetrationResult, Threshold
from playbook.views.formatting import money, percent
from playbook.views.html import notes_card, verdict_card
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


def signal_value(signal: str, value: float | None) -> str:
    """A signal's value as people read it: 4.9% of employees, 6 departments, 17 seats."""
    if value is None or pd.isna(value):
        return "n/a"
    if signal == "employee_penetration":
        return percent(value, digits=1)
    return f"{value:,.0f}"


def _interval(t: Threshold) -> str:
    if t.ci is None:
        return "—"
    return f"{signal_value(t.signal, t.ci[0])} – {signal_value(t.signal, t.ci[1])}"


def penetration_card(result: PenetrationResult | Skipped, *, currency: str = "USD"):
    """The verdict block at the top of the notebook."""
    return verdict_card("Penetration", result.verdict, [penetration_headline(result, currency=currency)])


def penetration_notes(result: PenetrationResult, *, currency: str = "USD"):
    """The caveats the analysis raised, and what the expected values rest on."""
    basis = [f"Win probabilities of ready accounts: {result.win_probability_source}."]
    if result.deal_size_per_employee is not None:
        basis.append(
            f"Deal size: {money(result.deal_size_per_employee, currency, digits=2)} per employee, the median "
            f"of {result.deal_size_n} won deals with an amount."
        )
    return notes_card(list(result.notes) + basis)


def penetration_headline(result: PenetrationResult | Skipped, *, currency: str = "USD") -> str:
    """One paragraph: our threshold (or the article's), what it does to win rates, and the pipeline."""
    if isinstance(result, Skipped):
        return result.reason
    t = result.thresholds[result.pipeline_signal]
    label = SIGNAL_LABELS[t.signal]
    if t.source == "company_data":
        first = (
            f"Our tipping point: {signal_value(t.signal, t.threshold)} {label} when a deal opens "
            f"(95% interval {_interval(t)}; {t.n} closed deals, {t.n_wins} won). Deals that opened "
            f"at or above it won {percent(t.win_rate_above)}, those below {percent(t.win_rate_below)}."
        )
    else:
        first = (
            f"Too few closed top-down deals ({t.n}, {t.n_wins} won) to find our own tipping point; "
            f"the rule of thumb stands in: {signal_value(t.signal, t.threshold)} {label} "
            f"({RULES_OF_THUMB[t.signal].source})."
        )
    ready = len(result.ready)
    second = f"{ready:,} accounts are at or above it today with no won or open top-down deal" + (
        f": {money(result.pipeline_value, currency)} of expected pipeline." if result.pipeline_value else "."
    )
    premature = len(result.premature)
    third = f"{premature:,} large accounts are still below it: a top-down push there would be early."
    return " ".join([first, second, third])


def threshold_table(result: PenetrationResult) -> pd.DataFrame:
    """Each signal's threshold, interval, win rates below and above, lift, n and source."""
    rows = []
    for t in result.thresholds.values():
        rows.append(
            {
                "signal (on the day the deal opened)": SIGNAL_LABELS[t.signal],
                "threshold": signal_value(t.signal, t.threshold),
                "95% interval": _interval(t),
                "win rate below": percent(t.win_rate_below),
                "win rate at or above": percent(t.win_rate_above),
                "lift": "n/a" if t.lift is None else f"{t.lift:.1f}×",
                "closed deals (won)": f"{t.n} ({t.n_wins})",
                "source": "our data" if t.source == "company_data" else "rule of thumb",
                "the article's mark": RULES_OF_THUMB[t.signal].source,
            }
        )
    return pd.DataFrame(rows)


def pipeline_table(result: PenetrationResult, *, top: int = 15, currency: str = "USD") -> pd.DataFrame:
    """The ready accounts with the highest expected value."""
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


def power_user_table(result: PenetrationResult, *, accounts: int = 3, show_pii: bool = False) -> pd.DataFrame:
    """The power users of the top ready accounts, best account first (emails masked unless show_pii)."""
    top = list(result.ready["account_id"].head(accounts))
    users = result.power_users[result.power_users["account_id"].isin(top)]
    users = users.sort_values("account_id", key=lambda ids: ids.map(top.index), kind="stable")
    if "email" in users and not show_pii:
        users = users.assign(email=users["email"].map(mask_email))
    names = result.ready.set_index("account_id")["account_name"]
    return users.assign(account_id=users["account_id"].map(names)).rename(columns={"account_id": "account"})


def premature_table(result: PenetrationResult, *, top: int = 10) -> pd.DataFrame:
    """The largest accounts still below the threshold, and what they would need to reach it."""
    rows = result.premature.head(top)
    signal = result.pipeline_signal
    return pd.DataFrame(
        {
            "account": rows["account_name"],
            "employees": rows["employee_count"].map(lambda v: f"{v:,.0f}"),
            "today": rows[signal].map(lambda v: signal_value(signal, v)),
            "threshold": signal_value(signal, result.thresholds[signal].threshold),
            "to reach it": rows["needed"].map(lambda v: f"{v:,.0f} {NEEDED_UNITS[signal]}"),
        }
    )


def country_table(result: PenetrationResult) -> pd.DataFrame:
    """Accounts above the threshold by country, a year ago and now, with the home market marked."""
    if result.countries is None:
        return pd.DataFrame({"note": ["No country column in accounts: the country view is skipped."]})
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
