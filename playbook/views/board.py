"""The board pack: the decision, the four answers, what changed, and how we know — in plain words.

A board reads this, not the notebooks. First the decision (the verdict in words, one action
sentence, each prerequisite with its figure, bar and margin, the nearest change that would turn
the verdict, the next steps); then the four answers — where to sell, what to build, whom to
hire, how to pay — each with one chart; then the figures against the last run; then "how we
know", where the tests, their p-values and the methods' names go (`glossary`, `footnotes`).
Every sentence goes through the message catalogue (`views.i18n`); every money figure says its
currency and its horizon; every percentage has one format; the win rate is the win curve's, the
one that values the accounts.

`board_pack(...)` builds the page's content from the run's results; `deck(pack)` the slides,
which `slides.html` and `slides.pptx` both draw.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from playbook.analyses.decision import Decision, Standing
from playbook.analyses.outcome import Skipped
from playbook.views.answers import ATTRIBUTES, Answer, how_to_pay, what_to_build, where_to_sell, whom_to_hire
from playbook.views.deck import MAX_LINES, Deck, Slide, fitted_line
from playbook.views.i18n import (
    N_,
    _,
    format_count,
    format_date,
    format_items,
    format_money,
    format_number,
    format_percent,
)
from playbook.views.leaders import names_of

# --- words the page uses for codes (codes stay in summary.json; words go on the page)

VERDICTS = {
    "ready": N_("Ready: add top-down sales now"),
    "not_yet": N_("Not yet: keep building the bottom-up flywheel"),
    "overdue": N_("Overdue: top-down sales should already have started"),
}
GROUPS = (
    (N_("The product-led flywheel works"), ("timing", "tipping_point", "ready_accounts")),
    (N_("Customers demand enterprise features"), ("size_effect", "customer_driven")),
)
PREREQUISITES = {
    "timing": N_("ARR is near, in or past the $20–30M band"),
    "tipping_point": N_("Our own deals show that more usage wins more"),
    "ready_accounts": N_("Enough accounts are already past that point"),
    "size_effect": N_("Enterprise requests grow faster with account size than others"),
    "customer_driven": N_("Customers, not our sales team, ask for them"),
}
SETTINGS = {
    "min_ready_accounts": N_("the bar for ready accounts"),
    "min_customer_share": N_("the share of enterprise requests that must come from customers"),
    "approach_months": N_("how soon the forecast must reach the band"),
    "band_high": N_("the top of the band"),
}
# The terms of the statistics behind the page: defined in "How we know", used nowhere else on it.
GLOSSARY = (
    (
        N_("p-value"),
        N_(
            "How often data like ours would show so strong a pattern by chance alone; we call a pattern evidence below 5%."
        ),
    ),
    (
        N_("permutation test"),
        N_(
            "Reshuffling which accounts won, thousands of times, to see how strong a pattern chance alone produces."
        ),
    ),
    (
        N_("Holm adjustment"),
        N_(
            "Testing three usage signals gives three chances to find one by luck; the adjustment removes that advantage."
        ),
    ),
    (
        N_("out of fold"),
        N_(
            "Each part of our deals predicted by a model fitted on the other parts only, so no model grades its own homework."
        ),
    ),
    (
        N_("isotonic win curve"),
        N_(
            "The win probability at each level of usage, never falling as usage rises, checked against deals it did not see."
        ),
    ),
    (
        N_("bootstrap"),
        N_(
            "Recomputing a figure on many resamples of our accounts to see how much it could move; the likely range runs from the 10th to the 90th resample."
        ),
    ),
    (
        N_("competing risks"),
        N_(
            "An open deal ends either won or lost; the chance it closes won in time counts both ways of ending, by the deal's age."
        ),
    ),
    (
        N_("count model"),
        N_(
            "Requests per account and year modelled against account size, enterprise against other requests (negative binomial, errors by account)."
        ),
    ),
    (
        N_("paired test"),
        N_(
            "Each interviewer's score of the first candidate against the same interviewer's score of the second, so harsh and lenient interviewers cancel out."
        ),
    ),
    (
        N_("interviewer agreement"),
        N_(
            "How consistently interviewers separate the candidates on an attribute (the intraclass correlation); an attribute they disagree on is set aside in a second ranking."
        ),
    ),
    (
        N_("simulation"),
        N_(
            "The sales team simulated quarter by quarter under each pay plan, with the assumptions that decide the answer varied together."
        ),
    ),
    (
        N_("forecast backtest"),
        N_(
            "The forecast refitted on past months and checked against what ARR did next; a forecast that fails its own backtest is not used for a verdict."
        ),
    ),
)


@dataclass(frozen=True, kw_only=True)
class Row:
    """One prerequisite as the decision page shows it."""

    label: str
    short: str  # the label as a slide lists it
    met: bool
    figure: str
    short_figure: str  # the figure as a slide lists it
    bar: str
    margin: str
    section: str  # the notebook page with the evidence


@dataclass(frozen=True, kw_only=True)
class Figure:
    """A headline figure, and how it moved since the last run of the same data."""

    label: str
    value: str
    note: str
    change: str | None = None


@dataclass(frozen=True, kw_only=True)
class BoardPack:
    """Everything the board pack's pages show, worded in the active language."""

    company: str
    as_of: str
    as_of_date: dt.date
    currency: str
    language: str
    confidentiality: str | None
    verdict: str | None  # the code, for the page's colour only (None: a partial run)
    verdict_words: str
    action: str
    groups: tuple[tuple[str, tuple[Row, ...]], ...]
    change: str
    next_steps: tuple[str, ...]
    short_steps: tuple[str, ...]  # the next steps as a slide lists them
    answers: tuple[Answer, ...]
    figures: tuple[Figure, ...]
    since: str | None  # the earlier run compared with (None: the first run)
    footnotes: tuple[str, ...]
    glossary: tuple[tuple[str, str], ...]

    @property
    def source_line(self) -> str:
        return _(
            "Source: the company's own data to {date}; frameworks from a16z, “The $20M–$500M question” (2020)."
        ).format(date=self.as_of)


# ---------------------------------------------------------------------------------------------
# The decision


def _figure_text(s: Standing, currency: str) -> tuple[str, str, str]:
    """A standing's figure, bar and margin in words."""
    if s.figure is None and s.unit != "evidence":
        return "—", _bar_text(s, currency), "—"
    if s.unit == "currency":
        margin = s.figure - s.bar
        if s.ceiling is not None and s.figure >= s.ceiling:
            side = _("{amount} past the band's top").format(
                amount=format_money(s.figure - s.ceiling, currency)
            )
        elif margin >= 0:
            side = _("{amount} above the band's floor").format(amount=format_money(margin, currency))
        else:
            side = _("{amount} below the band's floor").format(amount=format_money(-margin, currency))
        return _("ARR {arr}").format(arr=format_money(s.figure, currency)), _bar_text(s, currency), side
    if s.unit == "months":
        gap = int(s.bar - s.figure)
        side = _("{n} months to spare") if gap >= 0 else _("{n} months too far")
        return (
            _("about {n} months to the band (median forecast)").format(n=int(s.figure)),
            _bar_text(s, currency),
            side.format(n=abs(gap)),
        )
    if s.unit == "accounts":
        gap = int(s.figure - s.bar)
        side = _("{n} to spare") if gap >= 0 else _("{n} short")
        return (
            _("at least {n} accounts").format(n=format_count(int(s.figure))),
            _bar_text(s, currency),
            side.format(n=format_count(abs(gap))),
        )
    if s.unit == "ratio":
        return (
            _("at least {x}× as fast").format(x=format_number(s.figure)),
            _bar_text(s, currency),
            _("clear") if s.met else _("not shown"),
        )
    if s.unit == "share":
        gap = s.figure - s.bar
        side = _("{points} points to spare") if gap >= 0 else _("{points} points short")
        return (
            _("at least {share} from customers").format(share=format_percent(s.figure, digits=1)),
            _bar_text(s, currency),
            side.format(points=format_number(abs(gap) * 100, digits=0)),
        )
    return (
        _(FINDINGS.get(s.finding, FINDINGS[None])),
        _bar_text(s, currency),
        _("met") if s.met else _("not met"),
    )


FINDINGS = {  # what our deals show about usage and winning (penetration.VERDICTS)
    "own_threshold": N_("a tipping point: past it, deals are won more often"),
    "gradual_rise": N_("a gradual rise: more usage, more deals won, with no single tipping point"),
    "no_effect": N_("no link between usage and winning"),
    "reversed": N_("more usage went with fewer wins"),
    "too_few_deals": N_("too few top-down deals to tell"),
    None: N_("not assessed"),
}


SHORT_FINDINGS = {
    "own_threshold": N_("a tipping point"),
    "gradual_rise": N_("a gradual rise, no tipping point"),
    "no_effect": N_("no link"),
    "reversed": N_("the reverse"),
    "too_few_deals": N_("too few deals to tell"),
}


def _bar_text(s: Standing, currency: str) -> str:
    if s.unit == "currency":
        return _("the band starts at {low}").format(low=format_money(s.bar, currency, digits=0))
    if s.unit == "months":
        return _("within {n} months").format(n=int(s.bar))
    if s.unit == "accounts":
        return _("at least {n}").format(n=format_count(int(s.bar)))
    if s.unit == "ratio":
        return _("faster than other requests")
    if s.unit == "share":
        return _("at least {share}").format(share=format_percent(s.bar))
    return _("evidence from our own deals")


SECTION_PAGES = {
    "timing": "01_timing",
    "tipping_point": "02_penetration",
    "ready_accounts": "02_penetration",
    "size_effect": "03_enterprise_demand",
    "customer_driven": "03_enterprise_demand",
}


def decision_rows(decision: Decision, currency: str) -> tuple[tuple[str, tuple[Row, ...]], ...]:
    """The prerequisites grouped under the article's two, each with its figure, bar and margin."""
    grouped = []
    for title, keys in GROUPS:
        rows = []
        for key in keys:
            s = decision.standing(key)
            figure, bar, margin = _figure_text(s, currency)
            rows.append(
                Row(
                    label=_(PREREQUISITES[key]),
                    short=_(SHORT_PREREQUISITES[key]),
                    met=s.met,
                    figure=figure,
                    short_figure=_(SHORT_FINDINGS.get(s.finding, FINDINGS[None]))
                    if s.unit == "evidence"
                    else figure,
                    bar=bar,
                    margin=margin,
                    section=SECTION_PAGES[key],
                )
            )
        grouped.append((_(title), tuple(rows)))
    return tuple(grouped)


def _setting_value(setting: str, value: float, currency: str) -> str:
    if setting == "min_customer_share":
        return format_percent(value, digits=1)
    if setting == "band_high":
        return format_money(value, currency)
    if setting == "approach_months":
        return _("{n} months").format(n=int(value))
    return format_count(int(value))


def change_sentence(decision: Decision, currency: str) -> str:
    """The nearest change that would turn the verdict, or why no setting can."""
    flip = decision.flip
    if flip is not None:
        text = _("It would read “{to}” if {setting} were {value} instead of {current}.").format(
            to=verdict_word(flip.to),
            setting=_(SETTINGS[flip.setting]),
            value=_setting_value(flip.setting, flip.value, currency),
            current=_setting_value(flip.setting, flip.current, currency),
        )
    else:
        text = _("No single bar would change it.")
    if decision.evidence_missing:
        text += " " + _("Missing evidence, which no bar can replace: {items}.").format(
            items=format_items(_(PREREQUISITES[k]).lower() for k in decision.evidence_missing)
        )
    late = decision.months_to_overdue
    if late is not None and late.p50 is not None:
        text += " " + _(
            "Overdue in about {n} months: at the forecast's median, ARR passes the band's top then (P10–P90 {low}–{high})."
        ).format(n=format_count(round(late.p50)), low=_months(late.p10), high=_months(late.p90))
    return text


def _months(value: float | None) -> str:
    return "—" if value is None else format_number(value, digits=1)


def verdict_word(verdict: str) -> str:
    """The verdict's short name ("Ready"): its words up to the colon, in either script."""
    return re.split("[:：]", _(VERDICTS.get(verdict, verdict)))[0]


def action_sentence(decision: Decision, ready: int | None) -> str:
    """One sentence: what to do."""
    if decision.verdict == "ready":
        return _("Hire a sales leader; sell top-down to the {n} ready accounts, tier A first.").format(
            n=format_count(ready or 0)
        )
    if decision.verdict == "overdue":
        return _("Start now: hire a sales leader this quarter; sell where usage already runs deep.")
    return _("Do not build a top-down team yet; close the gaps below first.")


def _names(results, show_pii: bool) -> dict[str, str]:
    return names_of(results.leaders, show_pii=show_pii)


# The next steps (codes of `decision.NEXT_STEPS`) in words: each code's words, long for the pack
# and short for a slide. They name people and accounts as the pack shows them, so they are worded
# here rather than in views/notes.py.


@dataclass(frozen=True, kw_only=True)
class _Step:
    """A next step's values, and how the pack shows people and money."""

    values: dict
    names: dict[str, str]
    currency: str


def _sell_first(step: _Step) -> tuple[str, str]:
    return (
        _(
            "Sell first to {accounts}: the top of {n} ready accounts (ready_accounts.csv lists them, with tiers)."
        ).format(accounts=format_items(step.values["accounts"]), n=format_count(step.values["ready"])),
        _("Sell first to {accounts}").format(accounts=format_items(step.values["accounts"][:2])),
    )


def _collect_deals(step: _Step) -> tuple[str, str]:
    if step.values["needed"] is None:
        text = _("Keep logging top-down deals: {closed} closed so far.")
    else:
        text = _(
            "Keep logging top-down deals: {closed} closed so far; about {needed} would show a doubled win rate past the article's mark."
        )
    long = text.format(
        closed=format_count(step.values["closed"]), needed=format_count(step.values["needed"] or 0)
    )
    return long, _("Log more top-down deals")


def _build_first(step: _Step) -> tuple[str, str]:
    text = _(
        "Build {feature} first: {stake} of open pipeline over the next {months} months waits on it."
    ).format(
        feature=step.values["feature"],
        stake=format_money(step.values["stake"], step.currency),
        months=step.values["months"],
    )
    if step.values["payback"] is not None and step.values["payback"] >= 1:
        text += " " + _("That is {x}× its build cost.").format(
            x=format_number(step.values["payback"], digits=1)
        )
    elif step.values["payback"] is not None:
        text += " " + _("That covers {share} of its build cost.").format(
            share=format_percent(step.values["payback"])
        )
    return text, _("Build {feature} first").format(feature=step.values["feature"])


def _hire(step: _Step) -> tuple[str, str]:
    candidate = step.names.get(step.values["candidate"], step.values["candidate"])
    return (
        _("Make an offer to {candidate}: ahead of every other candidate.").format(candidate=candidate),
        _("Offer the job to {candidate}").format(candidate=candidate),
    )


def _second_round(step: _Step) -> tuple[str, str]:
    who = format_items(step.names.get(c, c) for c in step.values["candidates"])
    if step.values["attributes"]:
        long = _(
            "Hold a second interview round for {who}, on {attributes}: the panel does not separate them yet."
        ).format(who=who, attributes=format_items(_(ATTRIBUTES[a]) for a in step.values["attributes"]))
    else:
        long = _("Hold a second interview round for {who}: the panel does not separate them yet.").format(
            who=who
        )
    return long, _("Second interview round: {who}").format(who=who)


def _pay(step: _Step) -> tuple[str, str]:
    return (
        _("Offer the sales team the {plan} plan.").format(plan=step.values["plan"]),
        _("Pay the team {plan}").format(plan=step.values["plan"]),
    )


def _check_forecast(_step: _Step) -> tuple[str, str]:
    return (
        _("Check ARR's history before deciding when: the forecast missed its own backtest."),
        _("Check ARR's history before deciding when"),
    )


def _revisit_timing(step: _Step) -> tuple[str, str]:
    if step.values["months"] is None:
        long = _("Revisit timing next quarter: at today's growth ARR does not reach the band.")
    else:
        long = _("Revisit in about {n} months, when the forecast has ARR near the band.").format(
            n=max(int(step.values["months"]) - int(step.values["approach"]), 1)
        )
    return long, _("Revisit timing later")


STEP_WORDS = {
    "sell_first": _sell_first,
    "build_first": _build_first,
    "hire": _hire,
    "second_round": _second_round,
    "pay": _pay,
    "collect_deals": _collect_deals,
    "revisit_timing": _revisit_timing,
    "check_forecast": _check_forecast,
}


def step_words(decision: Decision, names: dict[str, str], currency: str) -> tuple[tuple[str, str], ...]:
    """Each next step in words: (for the pack, for a slide)."""
    return tuple(
        STEP_WORDS[note.code](_Step(values=dict(note.values), names=names, currency=currency))
        for note in decision.next_steps
    )


# ---------------------------------------------------------------------------------------------
# Headline figures and what changed


def headline_figures(results, previous: dict | None, *, currency: str) -> tuple[Figure, ...]:
    """ARR, ready accounts, pipeline and the verdict, each with its move since the last run."""
    before = previous or {}
    figures = []
    timing = results.timing
    if timing is not None:
        low, high = timing.band
        figures.append(
            Figure(
                label=_("ARR"),
                value=format_money(timing.current_arr, currency),
                note=_("the top-down band is {low}–{high}").format(
                    low=format_money(low, currency, digits=0), high=format_money(high, currency, digits=0)
                ),
                change=_moved(_get(before, "timing", "current_arr"), timing.current_arr, money=currency),
            )
        )
    pen = results.penetration
    if pen is not None and not isinstance(pen, Skipped) and pen.claimed:
        spread = pen.ready_range
        figures.append(
            Figure(
                label=_("Ready accounts"),
                value=format_count(len(pen.ready)),
                note=(
                    _("likely {low}–{high}").format(
                        low=format_count(spread.accounts[0]), high=format_count(spread.accounts[1])
                    )
                    if spread is not None
                    else ""
                ),
                change=_moved(_get(before, "penetration", "ready_accounts"), len(pen.ready)),
            )
        )
        if pen.pipeline_value is not None:
            figures.append(
                Figure(
                    label=_("Their expected first deals"),
                    value=format_money(pen.pipeline_value, currency),
                    note=_("whenever they close"),
                    change=_moved(
                        _get(before, "penetration", "pipeline_value"), pen.pipeline_value, money=currency
                    ),
                )
            )
    demand = results.enterprise_demand
    if demand is not None and not isinstance(demand, Skipped) and demand.pipeline is not None:
        figures.append(
            Figure(
                label=_("Open pipeline expected to close won"),
                value=format_money(demand.pipeline.expected, currency),
                note=_("over the next {months} months").format(months=demand.pipeline.horizon_months),
                change=_moved(
                    _get(before, "enterprise_demand", "open_pipeline_expected"),
                    demand.pipeline.expected,
                    money=currency,
                ),
            )
        )
    verdict_before = _get(before, "overview", "verdict")
    overview = results.overview
    if overview is not None:
        figures.append(
            Figure(
                label=_("Readiness"),
                value=verdict_word(overview.verdict),
                note=_("of the five conditions, {n} hold").format(n=sum(r.met for r in overview.reasons)),
                change=None
                if verdict_before in (None, overview.verdict)
                else _("was “{before}”").format(before=verdict_word(verdict_before)),
            )
        )
    return tuple(figures)


def _get(summary: dict, *path):
    value = summary
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return value


def _moved(before, now, *, money: str | None = None) -> str | None:
    """'+$1.2M since the last run' (None without a last run; 'unchanged' when equal)."""
    if before is None or now is None:
        return None
    delta = float(now) - float(before)
    if abs(delta) < 1e-9:
        return _("unchanged since the last run")
    amount = format_money(abs(delta), money) if money else format_count(int(round(abs(delta))))
    sign = "+" if delta > 0 else "−"
    return _("{sign}{amount} since the last run").format(sign=sign, amount=amount)


# ---------------------------------------------------------------------------------------------
# The pack and its deck


def board_pack(
    results,
    *,
    previous: dict | None,
    previous_name: str | None,
    company: str,
    language: str,
    confidentiality: str | None,
    show_pii: bool,
) -> BoardPack:
    """The board pack's content for a whole run (every section computed), in the active language."""
    currency = results.params.currency
    decision = results.decision
    names = _names(results, show_pii)
    steps = step_words(decision, names, currency)
    pen = results.penetration
    ready = None if isinstance(pen, Skipped) or not pen.claimed else len(pen.ready)
    answers = (
        where_to_sell(pen, currency=currency),
        what_to_build(results.enterprise_demand, currency=currency),
        whom_to_hire(results.leaders, names),
        how_to_pay(results.compensation, currency=currency),
    )
    return BoardPack(
        company=company,
        as_of=format_date(results.as_of.date()),
        as_of_date=results.as_of.date(),
        currency=currency,
        language=language,
        confidentiality=confidentiality,
        verdict=decision.verdict,
        verdict_words=_(VERDICTS[decision.verdict]),
        action=action_sentence(decision, ready),
        groups=decision_rows(decision, currency),
        change=change_sentence(decision, currency),
        next_steps=tuple(long for long, _short in steps),
        short_steps=tuple(short for _long, short in steps),
        answers=answers,
        figures=headline_figures(results, previous, currency=currency),
        since=previous_name,
        footnotes=tuple(a.footnote for a in answers if a.footnote),
        glossary=tuple((_(term), _(meaning)) for term, meaning in GLOSSARY),
    )


SHORT_PREREQUISITES = {
    "timing": N_("ARR and the band"),
    "tipping_point": N_("Usage wins deals"),
    "ready_accounts": N_("Ready accounts"),
    "size_effect": N_("Enterprise asks grow with size"),
    "customer_driven": N_("Customers ask"),
}


def _fit(lines) -> tuple[str, ...]:
    """Lines for a slide, each cut to what a slide's line holds (names from the data can be long)."""
    return tuple(fitted_line(line) for line in lines)


def deck(pack: BoardPack, *, changes: tuple[str, ...] = ()) -> Deck:
    """The slides: the decision, the two prerequisites, what to do, the four answers, what moved
    since the last run; action titles (the message, not the question), one message each."""
    slides = [Slide(number=1, title=pack.verdict_words, lines=_fit((pack.action,)), notes=pack.change)]
    for title, rows in pack.groups:
        held = all(r.met for r in rows)
        lines = tuple(
            _("{mark} {label}: {figure}").format(
                mark="✓" if r.met else "✗", label=r.short, figure=r.short_figure
            )
            for r in rows
        )
        heading = _("{group}: yes") if held else _("{group}: not yet")
        slides.append(Slide(number=len(slides) + 1, title=heading.format(group=title), lines=_fit(lines)))
    if pack.short_steps:
        slides.append(
            Slide(number=len(slides) + 1, title=_("What to do next"), lines=_fit(pack.short_steps[:4]))
        )
    for answer in pack.answers:
        slides.append(
            Slide(
                number=len(slides) + 1,
                title=answer.title,
                lines=_fit(answer.slide_lines[:3]),
                chart=answer.chart,
                notes=" ".join((*answer.lines, answer.footnote)),
            )
        )
    if changes:
        slides.append(
            Slide(number=len(slides) + 1, title=_("What moved since the last run"), lines=_fit(changes[:4]))
        )
    return Deck(
        company=pack.company,
        as_of=pack.as_of_date,
        source=pack.source_line,
        confidentiality=pack.confidentiality,
        language=pack.language,
        slides=tuple(slides),
    )


def company_of(data_name: str, *, sample: bool) -> str:
    """The name the cover shows when the `company_name` parameter is not set: a bundled sample's
    own name, or the data folder's."""
    return _("Sample company “{name}”").format(name=data_name) if sample else data_name


def partial_pack(
    results, *, previous_name: str | None, company: str, language: str, confidentiality: str | None
) -> BoardPack:
    """The pack of a run that showed only some notebooks: no decision and no answers (both need
    every section), only the notebooks' pages and the data notes."""
    return BoardPack(
        company=company,
        as_of=format_date(results.as_of.date()),
        as_of_date=results.as_of.date(),
        currency=results.params.currency,
        language=language,
        confidentiality=confidentiality,
        verdict=None,
        verdict_words="",
        action="",
        groups=(),
        change="",
        next_steps=(),
        short_steps=(),
        answers=(),
        figures=(),
        since=previous_name,
        footnotes=(),
        glossary=(),
    )


def partial_deck(pack: BoardPack, headlines: list[tuple[str, str]]) -> Deck:
    """One slide for a partial run: the notebooks it ran (their headlines as speaker notes)."""
    titles = tuple(title for title, _headline in headlines)
    lines = _fit(titles if len(titles) <= MAX_LINES else (*titles[: MAX_LINES - 1], "…"))
    slide = Slide(
        number=1,
        title=_("A partial run: the decision needs every notebook"),
        lines=lines,
        notes=" ".join(headline for _title, headline in headlines),
    )
    return Deck(
        company=pack.company,
        as_of=pack.as_of_date,
        source=pack.source_line,
        confidentiality=pack.confidentiality,
        language=pack.language,
        slides=(slide,),
    )
