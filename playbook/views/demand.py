"""Words, tables and sentences for the enterprise-demand section, built from a DemandResult."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.demand import DemandResult
from playbook.analyses.outcome import Skipped
from playbook.views.formatting import money, percent
from playbook.views.html import bullets, notes_card, paragraph, verdict_card

RANKS = {
    "requests": "by requests",
    "accounts": "by accounts asking",
    "requesting_arr": "by ARR of the accounts asking",
    "arr_at_stake": "by ARR at stake (6 months)",
}


def demand_headline(result: DemandResult | Skipped, *, currency: str = "USD") -> str:
    """One paragraph: does enterprise demand grow with size, who asks, and what is at stake."""
    if isinstance(result, Skipped):
        return result.reason
    parts = []
    e, c = result.elasticity["enterprise"], result.elasticity["core"]
    if e is not None:
        grows = "grow" if result.grows_with_size else "do not clearly grow"
        parts.append(
            f"Enterprise-feature requests {grows} with account size: {e.irr_per_doubling:.2f}× per "
            f"doubling of seats (95% interval {e.ci[0]:.2f}–{e.ci[1]:.2f}; {e.n_accounts:,} accounts, "
            f"{e.n_requests:,} requests)"
            + (f", against {c.irr_per_doubling:.2f}× for core features." if c is not None else ".")
        )
    if result.customer_share is not None:
        low, high = result.customer_share_ci
        bar = f"at least {percent(result.min_customer_share)} needed for customer-driven demand"
        if result.customer_driven:
            who = f"customers, not our sales team, are asking ({bar})."
        else:
            who = (
                f"below the {percent(result.min_customer_share)} needed for customer-driven demand. "
                "Demand driven by sales is a warning, not a prerequisite met."
            )
        parts.append(
            f"{percent(result.customer_share)} of enterprise requests came from customers directly "
            f"(95% interval {percent(low)}–{percent(high)}, n = {result.n_with_source:,}): {who}"
        )
    top = result.top("arr_at_stake", 1)
    if len(top) and top["arr_at_stake"].iloc[0] > 0:
        row = top.iloc[0]
        parts.append(
            f"The feature with most pipeline riding on it is {row['feature']} "
            f"({money(row['arr_at_stake'], currency)} at stake over the next six months)."
        )
    return " ".join(parts)


def demand_card(result: DemandResult | Skipped, *, currency: str = "USD"):
    return verdict_card("Enterprise demand", result.verdict, [demand_headline(result, currency=currency)])


def demand_notes(result: DemandResult):
    return notes_card(
        list(result.notes) + [f"Win probabilities of open deals: {result.win_probability_source}."]
    )


def elasticity_table(result: DemandResult) -> pd.DataFrame:
    rows = []
    for kind, e in result.elasticity.items():
        if e is None:
            rows.append({"requests": kind, "per doubling of seats": "not estimated"})
            continue
        rows.append(
            {
                "requests": kind,
                "per doubling of seats": f"{e.irr_per_doubling:.2f}×",
                "95% interval": f"{e.ci[0]:.2f}–{e.ci[1]:.2f}",
                "accounts": f"{e.n_accounts:,}",
                "requests counted": f"{e.n_requests:,}",
                "model": e.model,
            }
        )
    return pd.DataFrame(rows)


def source_table(result: DemandResult) -> pd.DataFrame:
    """Who asked for enterprise features: the share from customers directly against sales."""
    if result.customer_share is None:
        return pd.DataFrame({"note": ["No source column in feature_requests."]})
    low, high = result.customer_share_ci
    return pd.DataFrame(
        {
            "asked by": ["customers directly (support, community, self-serve)", "our sales team"],
            "share of enterprise requests": [
                percent(result.customer_share),
                percent(1 - result.customer_share),
            ],
            "95% interval": [f"{percent(low)}–{percent(high)}", f"{percent(1 - high)}–{percent(1 - low)}"],
            "n": [f"{result.n_with_source:,}", ""],
        }
    )


def ranking_table(result: DemandResult, *, top: int = 12, currency: str = "USD") -> pd.DataFrame:
    """Every feature's rank four ways (1 = first), with the figures behind them."""
    table = result.rankings.copy()
    ranks = {
        label: table[col].rank(ascending=False, method="min").astype(int)
        for col, label in RANKS.items()
        if col in table
    }
    shown = pd.DataFrame(
        {"feature": table["feature"], "enterprise": table["enterprise"].map({True: "yes", False: ""})}
    )
    for label, rank in ranks.items():
        shown[f"rank {label}"] = rank
    shown["requests"] = table["requests"]
    shown["accounts asking"] = table["accounts"]
    if "requesting_arr" in table:
        shown["their ARR"] = table["requesting_arr"].map(lambda v: money(v, currency))
    shown["open deals"] = table["open_deals"]
    shown["ARR at stake"] = table["arr_at_stake"].map(lambda v: money(v, currency))
    shown["lost to it"] = table["lost_arr"].map(lambda v: money(v, currency) if v > 0 else "")
    order = table["arr_at_stake"].rank(ascending=False, method="first")
    return shown.assign(_o=order).sort_values("_o").drop(columns="_o").head(top)


def disagreement(result: DemandResult, *, currency: str = "USD") -> str:
    """Where the rankings disagree, and why, in one sentence from the data."""
    by_count, by_stake = result.top("requests", 1).iloc[0], result.top("arr_at_stake", 1).iloc[0]
    if by_count["feature"] == by_stake["feature"]:
        return (
            f"{by_count['feature']} leads both by requests and by ARR at stake: "
            "the rankings agree at the top."
        )
    sentence = (
        f"{by_count['feature']} is asked for most ({by_count['requests']:,} requests from "
        f"{by_count['accounts']:,} accounts), but {by_stake['feature']} has the most pipeline riding on it "
        f"({money(by_stake['arr_at_stake'], currency)} at stake across {by_stake['open_deals']} open deals, "
        f"against {money(by_count['arr_at_stake'], currency)})."
    )
    if "median_seats" in by_count:
        sentence += (
            f" Why: the accounts asking for {by_count['feature']} have a median of "
            f"{by_count['median_seats']:g} seats, those asking for {by_stake['feature']} "
            f"{by_stake['median_seats']:g}; top-down deals sit in the larger accounts."
        )
    return sentence


def disagreement_card(result: DemandResult, *, currency: str = "USD"):
    return paragraph(disagreement(result, currency=currency))


def cost_benefit_sentences(result: DemandResult, *, top: int = 5, currency: str = "USD") -> list[str]:
    """Stripe-style sentences a sales leader can take to the product team, best payback first."""
    if not result.has_effort:
        return ["Payback is not computed: the features catalogue has no effort_weeks."]
    rows = result.rankings.dropna(subset=["payback"]).sort_values(
        ["payback", "feature"], ascending=[False, True]
    )
    sentences = []
    for row in rows.head(top).itertuples():
        sentences.append(
            f"{row.feature}: requested by {row.accounts:,} accounts, "
            f"{money(row.arr_at_stake, currency)} of pipeline "
            f"in play over the next six months, about {row.effort_weeks:g} engineering "
            f"week{'' if row.effort_weeks == 1 else 's'} "
            f"({money(row.effort_weeks * result.cost_per_engineering_week, currency)}; "
            f"payback {row.payback:.1f}×)."
        )
    return sentences


def cost_benefit_card(result: DemandResult, *, currency: str = "USD"):
    """The sentences as a list a person can copy."""
    return bullets(cost_benefit_sentences(result, currency=currency))
