"""Words, tables and sentences for the enterprise-demand section, built from a DemandResult."""

from __future__ import annotations

import pandas as pd

from playbook.analyses.enterprise_demand import DemandResult
from playbook.analyses.outcome import Skipped
from playbook.views.formatting import money, percent
from playbook.views.html import bullets, notes_card, paragraph, verdict_card
from playbook.views.notes import DEMAND_REASONS, MODELS, note_text, note_texts, skipped_text


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
    grows = "grow" if e.grows_faster else "do not grow"
    return (
        f"All told, enterprise-feature requests {grows} with account size faster than core requests: "
        f"{e.enterprise_irr:.2f}× per doubling of seats against {e.core_irr:.2f}× for core features, a "
        f"ratio of {e.ratio:.2f} (95% interval {e.ratio_ci[0]:.2f}–{e.ratio_ci[1]:.2f}; {e.n_accounts:,} "
        f"accounts over {e.n_periods:,} account-years, {e.n_enterprise + e.n_core:,} requests)."
    )


def source_sentence(result: DemandResult) -> str | None:
    """Where the gradient comes from: the customers' own and the sales team's, in one sentence."""
    g = result.by_source
    if g is None:
        return None
    c = g.customer
    grows = "grow" if c.grows_faster else "do not grow"
    sentence = (
        f"Customers' own enterprise requests {grows} faster than their core requests: "
        f"{c.enterprise_irr:.2f}× per doubling of seats against {c.core_irr:.2f}×, a ratio of {c.ratio:.2f} "
        f"(95% interval {c.ratio_ci[0]:.2f}–{c.ratio_ci[1]:.2f})"
    )
    if g.sales is not None:
        sentence += (
            f"; the enterprise requests sales logged rise {g.sales.enterprise_irr:.2f}× per doubling "
            f"(a ratio of {g.sales.ratio:.2f} against the same core requests)"
        )
    return sentence + "."


def demand_headline(result: DemandResult | Skipped, *, currency: str = "USD") -> str:
    """One paragraph: does enterprise demand grow with size, from whom, and what is at stake."""
    if isinstance(result, Skipped):
        return skipped_text(result.missing)
    parts = [size_sentence(result)]
    by_source = source_sentence(result)
    if by_source:
        parts.append(by_source)
    c = result.customers
    if c is not None:
        bar = percent(result.min_customer_share)
        filed = (
            f"{percent(c.share)} of enterprise requests came from customers directly (95% interval "
            f"{percent(c.ci[0])}–{percent(c.ci[1])}; {c.n_requests:,} requests from {c.n_accounts:,} "
            f"accounts; at least {bar} needed)."
        )
        parts.append(filed)
        parts.append(f"Verdict: {DEMAND_REASONS[result.reason]}.")
        if result.verdict == "sales-driven":
            parts.append("Demand driven by sales is a warning, not a prerequisite met.")
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


def pipeline_sentence(result: DemandResult, *, currency: str = "USD") -> str | None:
    """What the open deals are expected to bring within the horizon, and how that was estimated."""
    p = result.pipeline
    if p is None:
        return None
    sentence = (
        f"{len(p.deals):,} open deals are expected to bring {p.expected_wins:.1f} wins worth "
        f"{money(p.expected, currency)} within {p.horizon_months} months, from {note_text(p.source)}."
    )
    if p.past_every_cycle:
        sentence += (
            f" {p.past_every_cycle:,} of them are older than any closed deal took to close: "
            "they count as not won."
        )
    return sentence


def pipeline_card(result: DemandResult, *, currency: str = "USD"):
    """The open pipeline expected within the horizon, in one paragraph."""
    sentence = pipeline_sentence(result, currency=currency)
    return paragraph(sentence or "No opportunities table: no open deal is valued.")


def demand_notes(result: DemandResult, *, currency: str = "USD"):
    return notes_card(note_texts(result.notes, currency=currency))


def elasticity_table(result: DemandResult) -> pd.DataFrame:
    """Requests per doubling of seats: enterprise and core, all requests and by who filed them,
    with the enterprise/core ratios and their intervals."""
    rows = []

    def add(requests: str, asked_by: str, e, kind: str) -> None:
        own = kind == "enterprise"
        irr, ci = (e.enterprise_irr, e.enterprise_ci) if own else (e.core_irr, e.core_ci)
        rows.append(
            {
                "requests": requests,
                "filed by": asked_by,
                "per doubling of seats": f"{irr:.2f}×",
                "95% interval": f"{ci[0]:.2f}–{ci[1]:.2f}",
                "over core (ratio)": f"{e.ratio:.2f}× ({e.ratio_ci[0]:.2f}–{e.ratio_ci[1]:.2f})"
                if own
                else "",
                "requests counted": f"{e.n_enterprise if own else e.n_core:,}",
                "model": MODELS[e.model] if own else "",
            }
        )

    if result.size is not None:
        add("enterprise", "anyone", result.size, "enterprise")
        add("core", "anyone", result.size, "core")
    g = result.by_source
    if g is not None:
        add("enterprise", "customers", g.customer, "enterprise")
        if g.sales is not None:
            add("enterprise", "sales", g.sales, "enterprise")
        add("core", "customers", g.customer, "core")
    if not rows:
        return pd.DataFrame({"note": ["Demand by account size is not estimated (see the caveats)."]})
    return pd.DataFrame(rows)


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
            "needed for customer-driven": [
                f"interval's low end at least {percent(result.min_customer_share)}",
                "",
            ],
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
