"""Words, tables and sentences for the enterprise-demand section, built from a DemandResult."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.enterprise_demand import DemandResult
from playbook.analyses.outcome import Skipped
from playbook.views.formatting import money, percent
from playbook.views.html import bullets, notes_card, paragraph, verdict_card
from playbook.views.notes import MODELS, note_text, note_texts, skipped_text


def _ranks(result: DemandResult) -> dict[str, str]:
    horizon = result.pipeline.horizon_months if result.pipeline else 6
    return {
        "requests": "by requests",
        "accounts": "by accounts asking",
        "requesting_arr": "by ARR of the accounts asking",
        "arr_at_stake": f"by ARR at stake ({horizon} months)",
    }


def size_sentence(result: DemandResult) -> str:
    """Do enterprise requests grow with account size faster than core ones, in one sentence."""
    e = result.size
    if e is None:
        return "Demand by account size is not estimated (see the caveats)."
    grows = "grow" if result.grows_with_size else "do not grow"
    return (
        f"Enterprise-feature requests {grows} with account size faster than core requests: "
        f"{e.enterprise_irr:.2f}× per doubling of seats against {e.core_irr:.2f}× for core features, a "
        f"ratio of {e.ratio:.2f} (95% interval {e.ratio_ci[0]:.2f}–{e.ratio_ci[1]:.2f}; {e.n_accounts:,} "
        f"accounts over {e.n_periods:,} account-years, {e.n_enterprise + e.n_core:,} requests)."
    )


def demand_headline(result: DemandResult | Skipped, *, currency: str = "USD") -> str:
    """One paragraph: does enterprise demand grow with size, who asks, and what is at stake."""
    if isinstance(result, Skipped):
        return skipped_text(result.missing)
    parts = [size_sentence(result)]
    c = result.customers
    if c is not None:
        bar = f"at least {percent(result.min_customer_share)} needed for customer-driven demand"
        if result.customer_driven:
            who = f"customers, not our sales team, are asking ({bar})."
        else:
            who = (
                f"below the {percent(result.min_customer_share)} needed for customer-driven demand. "
                "Demand driven by sales is a warning, not a prerequisite met."
            )
        parts.append(
            f"{percent(c.share)} of enterprise requests came from customers directly (95% interval "
            f"{percent(c.ci[0])}–{percent(c.ci[1])}; {c.n_requests:,} requests from {c.n_accounts:,} "
            "accounts): "
            f"{who}"
        )
    top = result.top("arr_at_stake", 1)
    if len(top) and top["arr_at_stake"].iloc[0] > 0:
        row = top.iloc[0]
        parts.append(
            f"The feature with most pipeline waiting on it is {row['feature']}: open deals worth "
            f"{money(row['arr_at_stake'], currency)} in expected value over the next "
            f"{result.pipeline.horizon_months} months wait on it."
        )
    return " ".join(parts)


def demand_card(result: DemandResult | Skipped, *, currency: str = "USD"):
    return verdict_card("Enterprise demand", result.verdict, [demand_headline(result, currency=currency)])


def demand_notes(result: DemandResult, *, currency: str = "USD"):
    basis = []
    if result.win_probability_source is not None:
        basis.append(f"Win probabilities of open deals: {note_text(result.win_probability_source)}.")
    if result.pipeline is not None:
        basis.append(
            "Open deals count only as far as they are expected to close within "
            f"{result.pipeline.horizon_months} "
            f"months, from {note_text(result.pipeline.close_source)}."
        )
    return notes_card(note_texts(result.notes, currency=currency) + basis)


def elasticity_table(result: DemandResult) -> pd.DataFrame:
    """Requests per doubling of seats: enterprise, core, and their ratio, with intervals."""
    e = result.size
    if e is None:
        return pd.DataFrame({"note": ["Demand by account size is not estimated (see the caveats)."]})
    return pd.DataFrame(
        {
            "requests": ["enterprise", "core", "enterprise ÷ core"],
            "per doubling of seats": [f"{v:.2f}×" for v in (e.enterprise_irr, e.core_irr, e.ratio)],
            "95% interval": [f"{lo:.2f}–{hi:.2f}" for lo, hi in (e.enterprise_ci, e.core_ci, e.ratio_ci)],
            "requests counted": [f"{e.n_enterprise:,}", f"{e.n_core:,}", ""],
            "accounts (account-years)": [f"{e.n_accounts:,} ({e.n_periods:,})", "", ""],
            "model": [MODELS[e.model], "", ""],
        }
    )


def source_table(result: DemandResult) -> pd.DataFrame:
    """Who asked for enterprise features: the share from customers directly against sales."""
    c = result.customers
    if c is None:
        return pd.DataFrame({"note": ["No source column in feature_requests."]})
    low, high = c.ci
    return pd.DataFrame(
        {
            "asked by": ["customers directly (support, community, self-serve)", "our sales team"],
            "share of enterprise requests": [percent(c.share), percent(1 - c.share)],
            "95% interval (accounts resampled)": [
                f"{percent(low)}–{percent(high)}",
                f"{percent(1 - high)}–{percent(1 - low)}",
            ],
            "requests (accounts)": [f"{c.n_requests:,} ({c.n_accounts:,})", ""],
        }
    )


def ranking_table(result: DemandResult, *, top: int = 12, currency: str = "USD") -> pd.DataFrame:
    """Every feature's rank four ways (1 = first), with the figures behind them."""
    table = result.rankings.copy()
    ranks = {
        label: table[col].rank(ascending=False, method="min").astype(int)
        for col, label in _ranks(result).items()
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
    shown["open deals waiting"] = table["open_deals"]
    shown["ARR at stake"] = table["arr_at_stake"].map(lambda v: money(v, currency))
    shown["lost to it"] = table["lost_arr"].map(lambda v: money(v, currency) if v > 0 else "")
    order = table.sort_values(["arr_at_stake", "requests", "feature"], ascending=[False, False, True]).index
    return shown.loc[order].head(top).reset_index(drop=True)


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
        f"{by_count['accounts']:,} accounts), but {by_stake['feature']} has the most pipeline waiting on it "
        f"({money(by_stake['arr_at_stake'], currency)} in expected value across {by_stake['open_deals']} "
        "open "
        f"deals, against {money(by_count['arr_at_stake'], currency)})."
    )
    if "median_seats" in by_count:
        sentence += (
            f" Why: the accounts asking for {by_count['feature']} have a median of "
            f"{by_count['median_seats']:g} seats, those asking for {by_stake['feature']} "
            f"{by_stake['median_seats']:g}; top-down deals sit in the larger accounts, and only enterprise "
            "features carry their stake."
        )
    return sentence


def disagreement_card(result: DemandResult, *, currency: str = "USD"):
    return paragraph(disagreement(result, currency=currency))


def cost_benefit_sentences(result: DemandResult, *, top: int = 5, currency: str = "USD") -> list[str]:
    """Stripe-style sentences a sales leader can take to the product team, best payback first.

    The figure is what open deals are worth in expected value, shared among the features their
    accounts asked for: deals waiting on a feature, not revenue the feature 'gives'.
    """
    if not result.has_effort:
        return ["Payback is not computed: the features catalogue has no effort_weeks."]
    rows = result.rankings.dropna(subset=["payback"])
    rows = rows[rows["arr_at_stake"] > 0].sort_values(["payback", "feature"], ascending=[False, True])
    if rows.empty:
        return [
            "No open deal waits on a feature still to build: no cost-benefit case can be made from the "
            "pipeline."
        ]
    horizon = result.pipeline.horizon_months
    sentences = []
    for row in rows.head(top).itertuples():
        weeks = f"about {row.effort_weeks:g} engineering week{'' if row.effort_weeks == 1 else 's'}"
        sentences.append(
            f"{row.feature}: requested by {row.accounts:,} accounts; {row.open_deals} open deals worth "
            f"{money(row.arr_at_stake, currency)} in expected value over the next {horizon} months wait on "
            "it. "
            f"It takes {weeks} ({money(row.effort_weeks * result.cost_per_engineering_week, currency)}; "
            f"payback {row.payback:.1f}×)."
        )
    return sentences


def cost_benefit_card(result: DemandResult, *, currency: str = "USD"):
    """The sentences as a list a person can copy."""
    return bullets(cost_benefit_sentences(result, currency=currency))
