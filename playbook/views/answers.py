"""The board pack's four answers — where to sell, what to build, whom to hire, how to pay — each a
message title, a few plain lines, a small table and one chart (`views.board_charts`), with the
method behind it as a footnote for "how we know".

Money says its currency and horizon; the win rate is the win curve's, the one that values the
accounts; when the win rate rises gradually rather than at a tipping point, the answer says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from playbook.analyses.outcome import Skipped
from playbook.views import board_charts
from playbook.views.charts import Chart
from playbook.views.crm import tiers
from playbook.views.i18n import (
    N_,
    _,
    format_count,
    format_items,
    format_money,
    format_number,
    format_percent,
)

SIGNALS = {
    "employee_penetration": N_("of employees using the product"),
    "departments": N_("departments using the product"),
    "seats": N_("seats in use"),
}
ATTRIBUTES = {
    "collaborative": N_("collaborative decision making"),
    "analytical_technical": N_("analytical and technical depth"),
    "long_term_relationships": N_("long-term relationship building"),
    "enterprise_experience": N_("enterprise sales experience"),
}


@dataclass(frozen=True, kw_only=True)
class Answer:
    """One of the four answers: a message title, a few lines, a small table, one chart."""

    key: str  # where, what, whom, how
    question: str
    title: str
    lines: tuple[str, ...]
    slide_lines: tuple[str, ...]  # the same, short enough for a slide beside its chart
    table: pd.DataFrame | None
    chart: Chart | None
    section: str
    footnote: str


def _empty(key: str, question: str, title: str, reason: str, section: str) -> Answer:
    """An answer the data cannot give, and why."""
    return Answer(
        key=key,
        question=question,
        title=title,
        lines=(reason,),
        slide_lines=(reason,),
        table=None,
        chart=None,
        section=section,
        footnote="",
    )


def where_to_sell(pen, *, currency: str, top: int = 8) -> Answer:
    """Where to sell: the ready accounts by tier, their likely count and worth."""
    question = _("Where to sell first")
    if isinstance(pen, Skipped) or not pen.claimed or pen.ready.empty:
        reason = (
            _("Without users and accounts, usage cannot point to accounts.")
            if isinstance(pen, Skipped)
            else _("Our deals do not show that more usage wins more, so no account is called ready.")
        )
        return _empty("where", question, _("No account is ready yet"), reason, "02_penetration")
    ready = pen.ready
    tier = tiers(ready["expected_value"])
    shown = pd.DataFrame(
        {
            "account": ready.get("account_name", ready["account_id"]).astype(str),
            "tier": tier,
            "expected_value": ready["expected_value"],
            "win_probability": ready["win_probability"],
            "signal": ready[pen.pipeline_signal],
        }
    )
    a_tier = int((tier == "A").sum())
    spread = pen.ready_range
    gradual = pen.verdict == "gradual_rise"
    lines = []
    count = format_count(len(ready))
    values = {"n": count}
    if spread is not None:
        values |= {"low": format_count(spread.accounts[0]), "high": format_count(spread.accounts[1])}
    if spread is not None and spread.accounts[0] <= len(ready) <= spread.accounts[1]:
        text = (
            _("{n} accounts are past where our deals split best, likely between {low} and {high}.")
            if gradual
            else _("{n} accounts are past our threshold today, likely between {low} and {high}.")
        )
    elif spread is not None:
        text = (
            _(
                "{n} accounts are past where our deals split best; resampling our deals puts the count between {low} and {high}: that point could well sit elsewhere."
            )
            if gradual
            else _(
                "{n} accounts are past our threshold today; resampling our deals puts the count between {low} and {high}: the threshold could well sit elsewhere."
            )
        )
    else:
        text = (
            _("{n} accounts are past where our deals split best.")
            if gradual
            else _("{n} accounts are past our threshold today.")
        )
    lines.append(text.format(**values))
    value = pen.pipeline_value
    if value is not None:
        if spread is not None and spread.pipeline is not None:
            text = _(
                "A first deal in each is worth {value} in expected bookings, whenever it closes (likely {low}–{high})."
            ).format(
                value=format_money(value, currency),
                low=format_money(spread.pipeline[0], currency),
                high=format_money(spread.pipeline[1], currency),
            )
        else:
            text = _(
                "A first deal in each is worth {value} in expected bookings, whenever it closes."
            ).format(value=format_money(value, currency))
        lines.append(text)
    rate = float(ready["win_probability"].median())
    signal = pen.pipeline_signal
    where = _signal_text(signal, pen.threshold.threshold)
    if gradual:
        lines.append(
            _(
                "The win probability rises gradually with usage, without one tipping point; the list starts at {where}, where our deals split best, at about {rate}."
            ).format(where=where, rate=format_percent(rate))
        )
    else:
        lines.append(
            _("Our tipping point is {where}; accounts past it win about {rate} of top-down deals.").format(
                where=where, rate=format_percent(rate)
            )
        )
    table = pd.DataFrame(
        {
            _("account"): shown["account"],
            _("tier"): shown["tier"],
            _("usage now"): [_signal_text(signal, v) for v in shown["signal"]],
            _("win probability"): shown["win_probability"].map(format_percent),
            _("expected value of a first deal"): shown["expected_value"].map(
                lambda v: format_money(v, currency)
            ),
        }
    ).head(top)
    if gradual:  # no tipping point: the curve, not a threshold
        curve = pen.curve
        chart = board_charts.win_curve_chart(
            curve.knots,
            curve.fitted,
            start=pen.threshold.threshold,
            axis_label=_(SIGNALS[signal]),
            start_label=_("the list starts at {where}").format(where=where),
        )
    else:
        chart = board_charts.accounts_chart(shown.head(top), currency=currency)
    footnote = _(
        "The threshold and the link between usage and winning come from a permutation test of our closed deals with a Holm adjustment across three usage signals; the signal was chosen out of fold; the likely ranges are bootstrap P10–P90; win probabilities come from the isotonic win curve."
    )
    short = [_("{n} ready accounts").format(n=count)]
    if spread is not None:
        short[0] = _("{n} ready accounts (likely {low}–{high})").format(
            n=count, low=format_count(spread.accounts[0]), high=format_count(spread.accounts[1])
        )
    if value is not None:
        short.append(_("First deals worth {value}").format(value=format_money(value, currency)))
    short.append(_("Win probability about {rate}").format(rate=format_percent(rate)))
    return Answer(
        key="where",
        question=question,
        title=_("Sell first to the {n} ready accounts, {a} of them in tier A").format(
            n=count, a=format_count(a_tier)
        ),
        lines=tuple(lines),
        slide_lines=tuple(short),
        table=table,
        chart=chart,
        section="02_penetration",
        footnote=footnote,
    )


def _signal_text(signal: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if signal == "employee_penetration":
        return _("{share} of employees").format(share=format_percent(value, digits=1))
    if signal == "departments":
        return _("{n} departments").format(n=format_count(int(round(value))))
    return _("{n} seats").format(n=format_count(int(round(value))))


def what_to_build(demand, *, currency: str, top: int = 6) -> Answer:
    """What to build: the features the open pipeline waits on, and the deals lost over them."""
    question = _("What to build first")
    if isinstance(demand, Skipped):
        reason = _("Without feature requests, demand cannot be read.")
        return _empty("what", question, _("No feature requests to read"), reason, "03_enterprise_demand")
    months = demand.pipeline.horizon_months if demand.pipeline is not None else None
    rows = demand.rankings.sort_values(
        ["arr_at_stake", "lost_arr", "feature"], ascending=[False, False, True]
    )
    rows = rows[(rows["arr_at_stake"] > 0) | (rows["lost_arr"] > 0)].head(top)
    lines = [_DEMAND_WORDS.get(demand.reason, _DEMAND_WORDS["size_not_estimated"])()]
    if rows.empty or months is None:
        return _empty(
            "what", question, _("No open deal waits on a feature"), lines[0], "03_enterprise_demand"
        )
    first = rows.iloc[0]
    lost = rows[rows["lost_arr"] > 0].sort_values("lost_arr", ascending=False)
    if len(lost):
        lines.append(
            _("Deals already lost over them: {items}.").format(
                items=format_items(
                    _("{feature} ({amount})").format(feature=f, amount=format_money(v, currency))
                    for f, v in zip(lost["feature"], lost["lost_arr"], strict=True)
                )
            )
        )
    payback = first.get("payback") if "payback" in rows else None
    if payback is not None and not pd.isna(payback) and payback >= 1:
        lines.append(
            _(
                "{feature} would pay back {x}× its build cost from the next {months} months' pipeline alone."
            ).format(feature=first["feature"], x=format_number(payback, digits=1), months=months)
        )
    elif payback is not None and not pd.isna(payback):
        lines.append(
            _("The next {months} months' pipeline alone covers {share} of {feature}'s build cost.").format(
                feature=first["feature"], share=format_percent(payback), months=months
            )
        )
    table = pd.DataFrame(
        {
            _("feature"): rows["feature"],
            _("open deals"): rows["open_deals"].map(format_count),
            _("pipeline waiting, next {months} months").format(months=months): rows["arr_at_stake"].map(
                lambda v: format_money(v, currency)
            ),
            _("deals lost over it"): rows["lost_arr"].map(
                lambda v: format_money(v, currency) if v > 0 else "—"
            ),
        }
    )
    chart = board_charts.features_chart(
        rows[["feature", "arr_at_stake", "lost_arr"]], currency=currency, months=months
    )
    footnote = _(
        "Who asks comes from a count model of requests against account size, by source; the pipeline waiting is each open deal's amount times its chance of closing won within the horizon, by competing risks, shared among the features its account asked for."
    )
    short = [
        _("{stake} waits on {feature}").format(
            stake=format_money(first["arr_at_stake"], currency), feature=first["feature"]
        )
    ]
    if len(lost):
        short.append(
            _("Lost already: {value} over {feature}").format(
                value=format_money(lost["lost_arr"].iloc[0], currency), feature=lost["feature"].iloc[0]
            )
        )
    short.append(_SHORT_DEMAND.get(demand.reason, _SHORT_DEMAND["size_not_estimated"])())
    return Answer(
        key="what",
        question=question,
        slide_lines=tuple(short),
        title=_("Build {feature} first: {stake} of pipeline waits on it over {months} months").format(
            feature=first["feature"], stake=format_money(first["arr_at_stake"], currency), months=months
        ),
        lines=tuple(lines),
        table=table,
        chart=chart,
        section="03_enterprise_demand",
        footnote=footnote,
    )


_SHORT_DEMAND = {
    "customers_ask": lambda: _("Customers themselves ask for it"),
    "sales_logs": lambda: _("Too few requests come from customers"),
    "gradient_from_sales": lambda: _("The demand comes from our sales team"),
    "customer_gradient_not_estimated": lambda: _("Too few customer requests to tell"),
    "source_missing": lambda: _("Who asks is unknown"),
    "no_faster_growth": lambda: _("No faster growth with size"),
    "size_not_estimated": lambda: _("Too few requests to read"),
}
_DEMAND_WORDS = {
    "customers_ask": lambda: _(
        "Customers themselves ask for enterprise features more as their accounts grow."
    ),
    "sales_logs": lambda: _(
        "Enterprise requests grow with account size, but too few come from customers themselves."
    ),
    "gradient_from_sales": lambda: _(
        "The growth in enterprise requests with size comes from our sales team, not from customers."
    ),
    "customer_gradient_not_estimated": lambda: _(
        "Too few customers' own requests to tell who drives the demand."
    ),
    "source_missing": lambda: _("Requests carry no source, so who asks is unknown."),
    "no_faster_growth": lambda: _(
        "Enterprise requests do not grow with account size faster than other requests."
    ),
    "size_not_estimated": lambda: _("Too few requests to read demand by account size."),
}


def whom_to_hire(leaders, names: dict[str, str]) -> Answer:
    """Whom to hire: the clear leader, or the two to see again and on what."""
    question = _("Whom to hire to lead sales")
    if isinstance(leaders, Skipped) or leaders.leader is None:
        reason = _("Without interview scores, no candidate can be ranked.")
        return _empty("whom", question, _("No candidate scored yet"), reason, "04_leaders")
    first = names.get(leaders.leader, leaders.leader)
    everyone = leaders.ranking.order()
    certain = leaders.ranking_certain.order() if leaders.ranking_certain is not None else everyone
    disputed = format_items(_(ATTRIBUTES[a]) for a in leaders.uncertain)
    lines = []
    if leaders.verdict == "clear_leader":
        title = _("{candidate} is the clear choice to lead sales").format(candidate=first)
        lines.append(
            _("{candidate} leads with every attribute counted and without the disputed one.").format(
                candidate=first
            )
        )
    else:
        second = names.get(leaders.runner_up, leaders.runner_up)
        title = _("No clear leader yet: see {first} and {second} again").format(first=first, second=second)
        if everyone[:1] != certain[:1]:
            lines.append(
                _(
                    "{a} leads on all four attributes; {b} leads without {disputed}, which interviewers disagree on."
                ).format(
                    a=names.get(everyone[0], everyone[0]),
                    b=names.get(certain[0], certain[0]),
                    disputed=disputed,
                )
            )
        elif leaders.uncertain:
            lines.append(
                _(
                    "{a} is first either way, but not far enough ahead of {b} to call it; interviewers disagree on {disputed}."
                ).format(a=first, b=second, disputed=disputed)
            )
        else:
            lines.append(
                _("{a} is first, but not far enough ahead of {b} to call it.").format(a=first, b=second)
            )
    flagged = [c for c in certain[:2] if leaders.flags.get(c)]
    if flagged:
        lines.append(
            _("Red flags to probe: {who}.").format(who=format_items(names.get(c, c) for c in flagged))
        )
    table, chart_rows = _candidate_rows(leaders, names)
    if leaders.verdict == "clear_leader":
        short = [_("Offer the job to {candidate}").format(candidate=first)]
    else:
        short = [
            _("Second round: {first} and {second}").format(
                first=first, second=names.get(leaders.runner_up, leaders.runner_up)
            )
        ]
        if leaders.uncertain:
            short.append(_("On {attributes}").format(attributes=disputed))
    return Answer(
        key="whom",
        question=question,
        slide_lines=tuple(short),
        title=title,
        lines=tuple(lines),
        table=table,
        chart=board_charts.candidates_chart(chart_rows),
        section="04_leaders",
        footnote=_(
            "A lead counts only when a paired test of the first against the second candidate holds both with and without the attributes interviewer agreement does not support; likely ranges are 95% intervals over interviewers, within the 1–5 scale."
        ),
    )


def _candidate_rows(leaders, names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    every = leaders.ranking.table.set_index("candidate_id")
    certain = (
        leaders.ranking_certain.table.set_index("candidate_id")
        if leaders.ranking_certain is not None
        else None
    )
    order = leaders.decisive.order()
    rows = pd.DataFrame(
        {
            "candidate": [names.get(c, c) for c in order],
            "score": every.loc[order, "score"].to_numpy(),
            "low": every.loc[order, "ci_low"].to_numpy(),
            "high": every.loc[order, "ci_high"].to_numpy(),
            "certain_score": None if certain is None else certain.loc[order, "score"].to_numpy(),
            "certain_low": None if certain is None else certain.loc[order, "ci_low"].to_numpy(),
            "certain_high": None if certain is None else certain.loc[order, "ci_high"].to_numpy(),
        }
    )
    table = pd.DataFrame(
        {
            _("rank"): range(1, len(order) + 1),
            _("candidate"): rows["candidate"],
            _("score, all attributes"): rows["score"].map(lambda v: format_number(v)),
            _("score, without the disputed one"): (
                rows["certain_score"].map(lambda v: "—" if pd.isna(v) else format_number(v))
                if certain is not None
                else "—"
            ),
            _("red flags"): [format_count(len(leaders.flags.get(c, []))) for c in order],
        }
    )
    return table, rows


def how_to_pay(comp, *, currency: str) -> Answer:
    """How to pay: the plans compared, by how much the recommended one wins, where the others do."""
    question = _("How to pay the sales team")
    best = comp.outcome(comp.recommended)
    others = [p for p in comp.plans_compared if p != comp.recommended]
    s = comp.sensitivity
    of = len(s.sample)
    if comp.runner_up is not None:
        title = _("Pay {plan}: {margin} more net bookings a seat than {other}").format(
            plan=comp.recommended, margin=format_percent(comp.margin, digits=0), other=comp.runner_up
        )
    else:
        title = _("Pay {plan}").format(plan=comp.recommended)
    lines = [
        _(
            "Compared: {plans}. {plan} brings {value} net bookings a seat and year, averaged over {quarters} simulated quarters."
        ).format(
            plans=format_items(comp.plans_compared),
            plan=comp.recommended,
            value=format_money(best.objective, currency),
            quarters=comp.team.n_quarters,
        ),
        _("It comes out ahead at {wins} of {of} sampled sets of assumptions.").format(
            wins=s.wins(comp.recommended), of=of
        ),
    ]
    for plan in others:
        wins = s.wins(plan)
        if wins:
            region = s.region(plan)["ranges"]
            lines.append(
                _("{plan} wins at {wins} of {of}, all with teams of {low}–{high} reps.").format(
                    plan=plan, wins=wins, of=of, low=int(region["n_reps"][0]), high=int(region["n_reps"][1])
                )
            )
        else:
            lines.append(_("{plan} wins at none of them.").format(plan=plan))
    rows = pd.DataFrame(
        {
            "plan": [o.plan.name for o in comp.outcomes],
            "net_bookings": [o.objective for o in comp.outcomes],
            "wins": [s.wins(o.plan.name) for o in comp.outcomes],
            "of": of,
        }
    )
    rows = rows.sort_values("net_bookings", ascending=False, ignore_index=True)
    table = pd.DataFrame(
        {
            _("plan"): rows["plan"],
            _("net bookings a seat and year"): rows["net_bookings"].map(lambda v: format_money(v, currency)),
            _("ahead at (of {of} sampled assumptions)").format(of=of): rows["wins"].map(format_count),
        }
    )
    short = [
        _("Compared: {plans}").format(plans=format_items(comp.plans_compared)),
        _("Ahead at {wins} of {of} assumption sets").format(wins=s.wins(comp.recommended), of=of),
    ]
    return Answer(
        key="how",
        question=question,
        slide_lines=tuple(short),
        title=title,
        lines=tuple(lines[:4]),
        table=table,
        chart=board_charts.plans_chart(rows, currency=currency),
        section="04_leaders",
        footnote=_(
            "A simulation of the team: reps value pay by what it is worth to them after risk, effort follows variable pay, a team quota dilutes it, outside offers follow performance; the assumptions that decide the answer are varied one at a time and together in a space-filling sample."
        ),
    )
