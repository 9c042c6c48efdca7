"""Words for the codes the analyses and the data layer return: notes, reasons, flags, rules.

Analyses never write sentences (`data.notes.Note`: a code and its values). Every code is worded
here, once, from a template whose fields name the note's values with a format: `{recent:percent}`,
`{expected_value:money}`, `{deals:count}`, `{features:list}`, `{named:signal}` (a penetration
signal's name in words). A test checks that every code an analysis can return has its words here.

The templates are English msgids, marked with `N_()` and translated when a note is worded
(`views.i18n`): a template is always a whole sentence (a choice between two sentences is two
templates, never pieces glued together), so a translator can reorder it.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Iterator, Mapping

from playbook.data.cut import SetAside
from playbook.data.notes import Note
from playbook.views.i18n import N_, _, format_count, format_items, format_money, format_number, format_percent


class Words(Mapping[str, str]):
    """A table of words by code, declared in English (the msgids) and read in the active language."""

    def __init__(self, table: Mapping[str, str]):
        self._table = dict(table)

    def __getitem__(self, code: str) -> str:
        return _(self._table[code])

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


# code -> template, or a function of the note's values that picks the template
TEXTS: dict[str, str | Callable[[dict], str]] = {
    # --- the data layer
    "missing_table": lambda v: {
        "account_arr": N_(
            "No account_arr table (customer-level monthly ARR) was given: net revenue retention "
            "is compounded from arr_monthly's movements, an approximation."
        ),
        "account_map": N_(
            "No account_map table (our account ids in the CRM and other systems) was given: "
            "ready_accounts.csv carries our account ids only, no CRM record ids."
        ),
        "events": N_(
            "No events table was given: user activity comes from the users table's first and last "
            "active dates."
        ),
        "arr_events": N_(
            "No arr_events table was given: one-off changes in ARR (an acquisition, a price change) are "
            "found from the ARR history alone, and one in the last month cannot be: declare it."
        ),
    }.get(v["table"], N_("No {table} table was given: the analyses that need it are skipped.")),
    "movements_do_not_add_up": N_(
        "arr_monthly's movements do not add up to the change in ARR in {months} "
        "month(s) (largest gap {largest_gap:number} in {month}): net revenue retention compounded from them "
        "is off."
    ),
    "backtest_snapshots": N_(
        "Backtest at {as_of}: later rows were set aside, but these columns hold today's "
        "values whatever the date: {columns:list}."
    ),
    "decoded_as": lambda v: (
        N_(
            "{file} was read as {encoding} (as declared in columns.yaml); if its accents look wrong, "
            "declare its encoding in columns.yaml (csv: {{encoding: ...}})"
        )
        if v["declared"]
        else N_(
            "{file} was read as {encoding} (detected: it is not UTF-8); if its accents look wrong, "
            "declare its encoding in columns.yaml (csv: {{encoding: ...}})"
        )
    ),
    # --- the run's files
    "pdf_needs_chromium": N_(
        "{file} was not printed: no Chromium at {executable}. Install it ({install}) and run again; "
        "the HTML board pack is complete without it."
    ),
    "pdf_failed": N_(
        "{file} was not printed: Chromium failed ({error}). The HTML board pack is complete without it."
    ),
    "font_missing": N_(
        "The {family} font is not installed: Chinese pages and charts cannot show their characters. "
        "Install it ({install}) and run again."
    ),
    # --- skipped sections
    "skipped": N_("Skipped: this analysis needs the {missing:list} table(s), which were not provided."),
    # --- timing
    "growth_slowing": N_(
        "Growth is slowing: {recent:percent} a year over the last {recent_months} months "
        "against {longer:percent} over the last {longer_months}. The forecast follows today's rate."
    ),
    "too_few_months_to_forecast": N_(
        "Only {months} months of positive ARR: too few to forecast when ARR "
        "reaches the band (at least {needed} needed). The verdict rests on the band alone: below it is early."
    ),
    "forecast_not_converged": N_("The ARR growth model did not fully converge; read its months as rough."),
    "forecast_without_noise": N_(
        "ARR grew without any month-to-month noise, so the model cannot learn how "
        "uncertain its forecast is: only the median is shown, no range (a range would be false precision)."
    ),
    "level_shift": lambda v: {
        "acquisition": N_(
            "ARR moved by {size:percent} in {month}, declared in arr_events as an acquisition: the "
            "forecast models it as a one-off step, not as growth."
        ),
        "divestiture": N_(
            "ARR moved by {size:percent} in {month}, declared in arr_events as a divestiture: the "
            "forecast models it as a one-off step, not as growth."
        ),
        "price_change": N_(
            "ARR moved by {size:percent} in {month}, declared in arr_events as a price change: the "
            "forecast models it as a one-off step, not as growth."
        ),
        "other": N_(
            "ARR moved by {size:percent} in {month}, declared in arr_events: the forecast models it as a "
            "one-off step, not as growth."
        ),
    }.get(
        v["kind"],
        N_(
            "ARR moved by {size:percent} in {month} in one step, beyond its growth (found in the ARR "
            "history): the forecast models it as a one-off step, not as growth. If it was an acquisition "
            "or a price change, declare it in arr_events."
        ),
    ),
    "yearly_pattern": N_(
        "ARR follows a yearly pattern: the forecast models it, because its backtest scored clearly "
        "better with it ({cases:count} forecasts: interval score {score_with:number} against "
        "{score_without:number} without). Growth figures are read with the pattern taken out."
    ),
    "forecast_untrusted": lambda v: (
        N_(
            "The forecast says approaching, but on this company's own history its P10–P90 interval "
            "covered only {covered} of {cases} backtest forecasts; an interval meant to cover four in "
            "five covers this few by chance only once in {odds:count} histories. The verdict is unclear: "
            "the forecast cannot be trusted on this history."
        )
        if v["says"] == "approaching"
        else N_(
            "The forecast says early, but on this company's own history its P10–P90 interval covered "
            "only {covered} of {cases} backtest forecasts; an interval meant to cover four in five "
            "covers this few by chance only once in {odds:count} histories. The verdict is unclear: the "
            "forecast cannot be trusted on this history."
        )
    ),
    "arr_event_not_modelled": N_(
        "The ARR event declared for {month} is not modelled: it falls on or before the first month with "
        "positive ARR, where a step cannot be told from the starting level."
    ),
    "arr_not_growing": N_(
        "ARR is flat or shrinking at today's rate: at this pace it does not reach the band."
    ),
    "nrr_cohort": N_(
        "cohort: the {customers:count} customers paying twelve months ago, from customer-level ARR"
    ),
    "nrr_compounded": N_(
        "compounded from monthly movements (an approximation: counts new customers' expansion)"
    ),
    # --- penetration
    "deal_size_unknown": N_(
        "Fewer than {needed} won deals with an amount: deal sizes, and so expected values, are unknown."
    ),
    "no_threshold_listed_by_usage": N_(
        "No threshold of our own: no account is called ready, none is valued, "
        "and the most used accounts are listed by raw usage instead."
    ),
    "named_signal_predicts_less": N_(
        "The pipeline signal was named in the parameters ({named:signal}); {better:signal} predicts our "
        "deals better out of fold (set pipeline_signal: auto to use it)."
    ),
    # --- enterprise demand
    "no_feature_catalogue": N_(
        "No features catalogue: enterprise features are recognised by category "
        "({categories:list}), and payback cannot be computed (no effort estimates)."
    ),
    "no_effort_weeks": N_("The features catalogue has no effort_weeks: payback cannot be computed."),
    "shipped_left_out": N_(
        "Shipped features are left out of every ranking and of the stake: {features:list}."
    ),
    "size_unknown": N_("Neither seats nor users are known: demand by account size is not estimated."),
    "too_few_requests": N_("Fewer than {needed} requests of a kind: the size effect is not estimated."),
    "no_request_source": N_(
        "No request source: whether customers or sales drive enterprise demand is unknown."
    ),
    "too_few_customer_requests": N_(
        "Fewer than {needed} requests of a kind came from customers directly: their own size gradient "
        "is not estimated, so demand cannot be shown to be customer-driven."
    ),
    "too_few_sales_requests": N_(
        "Sales logged fewer than {needed} enterprise requests: their size gradient is not estimated."
    ),
    "no_amounts": N_("Opportunities have no amount: nothing can be at stake."),
    "no_opportunities": N_(
        "No opportunities table: no ARR is at stake, and no loss is attributed to a feature."
    ),
    "exposure_from_first_user": N_(
        "Exposure: where accounts.created_at is missing, exposure starts at the account's first active user."
    ),
    "exposure_from_data_start": N_(
        "Exposure: where nothing else is known, exposure starts at the start of the data (rates read low)."
    ),
    "too_few_won_cycles": N_(
        "Fewer than {needed} won deals with a close date: when open deals will close is unknown, so "
        "every open deal without an expected close date counts at the historical win rate as if it "
        "closed within the horizon (an upper bound, not an estimate)."
    ),
    "too_few_won_cycles_by_band": N_(
        "Fewer than {needed} won deals with a close date on one side of our penetration threshold: "
        "open deals are valued by one fit of all deals, whatever their usage."
    ),
    "stale_open_deals": N_(
        "{deals:count} open deals are older than any closed deal took to close: no deal that old was "
        "ever won, so they count as not won within the horizon."
    ),
    "pipeline_for_no_feature": N_(
        "Open deals worth {expected_value:money} in expected value come from accounts that asked for "
        "no enterprise feature still to build: they are in the pipeline, and at stake for no feature."
    ),
    "historical_win_rate_untimed": lambda v: (
        N_(
            "the historical top-down win rate ({closed:count} closed deals), every open deal counted as "
            "closing by its expected close date, else within the horizon (too few won deals to time them)"
        )
        if v["dated"]
        else N_(
            "the historical top-down win rate ({closed:count} closed deals), every open deal counted as "
            "closing within the horizon (too few won deals to time them)"
        )
    ),
    "competing_risks": lambda v: (
        N_(
            "won and lost as competing outcomes by deal age ({won:count} won and {lost:count} lost deals, "
            "open deals counted as still open at their age): the CRM's expected close dates say whether "
            "a deal closes in time"
        )
        if v["dated"]
        else N_(
            "won and lost as competing outcomes by deal age ({won:count} won and {lost:count} lost deals, "
            "open deals counted as still open at their age)"
        )
    ),
    "competing_risks_by_usage_band": lambda v: (
        N_(
            "won and lost as competing outcomes by deal age, fitted apart below and at or above our "
            "penetration threshold when the deal opened ({won:count} won and {lost:count} lost deals): "
            "the CRM's expected close dates say whether a deal closes in time"
        )
        if v["dated"]
        else N_(
            "won and lost as competing outcomes by deal age, fitted apart below and at or above our "
            "penetration threshold when the deal opened ({won:count} won and {lost:count} lost deals)"
        )
    ),
    # --- leaders
    "candidates_unscored": N_("Not scored by anyone, so not ranked: {candidates:list}."),
    "candidates_single_interviewer": N_(
        "Scored by a single interviewer, so shown apart and never ranked: {candidates:list}."
    ),
    "agreement_not_measured": N_(
        "Agreement cannot be measured (too few candidates or interviewers): {attributes:list}."
    ),
    "playbook_executor": N_(
        "playbook executor: strong enterprise experience but a low collaborative score — "
        "likely to fight the product team rather than bring it along"
    ),
    "field_only": N_(
        "field-only sales background: top-down selling is increasingly done by inside sales, and "
        "field experience is not enterprise experience"
    ),
    "low_analytical": N_(
        "low analytical score: this leader must mine usage data for thresholds, pipeline and timing"
    ),
    "short_term": N_(
        "no long-term orientation in a company whose growth comes from expanding accounts "
        "(farming more than hunting)"
    ),
    "single_interviewer": N_("scored by a single interviewer: not ranked, no interval"),
}
WEAK_EVIDENCE = N_(" (interviewers do not separate candidates consistently on this attribute: weak evidence)")

# Why enterprise demand has its verdict (`DemandResult.reason`).
DEMAND_REASONS = Words(
    {
        "size_not_estimated": N_("too few requests of each kind to estimate a size effect"),
        "no_faster_growth": N_("enterprise requests do not grow with seats faster than core requests"),
        "source_missing": N_("requests carry no source: who asks is unknown"),
        "customers_ask": N_(
            "customers' own enterprise requests grow faster with size than their core requests, and "
            "customers file most enterprise requests"
        ),
        "sales_logs": N_(
            "customers' own enterprise requests grow faster with size, but customers are not shown to "
            "file enough of them: sales logs too many"
        ),
        "gradient_from_sales": N_(
            "the size gradient comes from the requests sales logs: customers' own enterprise requests "
            "grow no faster with size than their core requests"
        ),
        "customer_gradient_not_estimated": N_(
            "too few requests came from customers directly to show that they drive the size gradient"
        ),
    }
)
# Why an account past the threshold is not valued (`accounts.OUTSIDE_REASONS`).
OUTSIDE_REASONS = Words(
    {
        "below_min_employees": N_("fewer than {min_employees:count} employees"),
        "smaller_than_deals": N_("smaller than any account with a closed deal"),
        "larger_than_deals": N_("larger than any account with a closed deal"),
        "more_usage_than_deals": N_("more usage than any closed deal had"),
        "unpriced": N_("no won deal of a similar size to price it"),
    }
)
# The as_of cut's rules (`data.cut.RULES`), as the run reports them.
SET_ASIDE_RULES = Words(
    {
        "months_after": N_("months ending after as_of set aside"),
        "arr_events_after": N_("ARR events in months ending after as_of set aside"),
        "customer_months_after": N_("customer-months ending after as_of set aside"),
        "accounts_created_after": N_("accounts created after as_of set aside"),
        "map_ids_after": N_("ids of accounts created after as_of set aside"),
        "users_first_active_after": N_("users first active after as_of set aside"),
        "last_activity_clipped": N_("users' last activity clipped to as_of"),
        "opportunities_opened_after": N_("opportunities opened after as_of set aside"),
        "closed_after_counted_open": N_("opportunities closed after as_of counted as open"),
        "requests_after": N_("feature requests created after as_of set aside"),
        "events_after": N_("events after as_of left out"),
    }
)
# The penetration signals (`analyses.penetration.SIGNALS`) in a sentence.
SIGNAL_WORDS = Words(
    {
        "employee_penetration": N_("employee penetration"),
        "departments": N_("active departments"),
        "seats": N_("seats in use"),
    }
)
# The count model behind the size effect (`SizeEffect.model`).
MODELS = Words(
    {
        "negative_binomial": N_("negative binomial, errors clustered by account"),
        "poisson": N_("Poisson, errors clustered by account"),
    }
)


# What `playbook diff` and the board pack compare between runs (`runner.diff.WATCHED`).
CHANGE_LABELS = Words(
    {
        "readiness": N_("readiness"),
        "timing_verdict": N_("timing verdict"),
        "arr": N_("ARR"),
        "as_of": N_("analysis date"),
        "threshold_employee_penetration": N_("penetration threshold (employee penetration)"),
        "threshold_departments": N_("penetration threshold (departments)"),
        "threshold_seats": N_("penetration threshold (seats)"),
        "threshold_source": N_("threshold source"),
        "pipeline_signal": N_("pipeline signal"),
        "ready_accounts": N_("ready accounts"),
        "ready_accounts_p10": N_("ready accounts, P10"),
        "pipeline_value": N_("pipeline value"),
        "penetration_verdict": N_("penetration verdict"),
        "enterprise_demand": N_("enterprise demand"),
        "size_ratio": N_("enterprise requests per doubling of seats, over core"),
        "customer_size_ratio": N_(
            "customers' own enterprise requests per doubling of seats, over their core"
        ),
        "customer_share": N_("customer-driven share"),
        "top_feature_by_requests": N_("top feature by requests"),
        "top_feature_by_stake": N_("top feature by ARR at stake"),
        "open_pipeline_expected": N_("open pipeline expected within the stake horizon"),
        "leader_verdict": N_("leader verdict"),
        "leader": N_("leader"),
        "uncertain_attributes": N_("uncertain interview attributes"),
        "pay_plan": N_("recommended pay plan"),
    }
)


class _Formatter(string.Formatter):
    """str.format with the playbook's number formats in the active language: percent, money, count,
    number, list; and signal (a penetration signal's name in words)."""

    def __init__(self, currency: str):
        self.currency = currency

    def format_field(self, value, format_spec: str) -> str:
        if format_spec == "percent":
            return format_percent(value)
        if format_spec == "money":
            return format_money(value, self.currency)
        if format_spec == "count":
            return format_count(value)
        if format_spec == "number":
            return format_number(value, digits=2)
        if format_spec == "list":
            return format_items(value)
        if format_spec == "signal":
            return SIGNAL_WORDS[value]
        return super().format_field(value, format_spec)


def worded(template: str, values: dict, *, currency: str = "USD") -> str:
    """A template filled with values in the playbook's formats (the template as given: translate it
    first where it is a msgid)."""
    return _Formatter(currency).format(template, **values)


def note_text(note: Note, *, currency: str = "USD") -> str:
    """One note in words, in the active language."""
    values = dict(note.values)
    template = TEXTS[note.code]
    if callable(template):
        template = template(values)
    text = worded(_(template), values, currency=currency)
    return text + _(WEAK_EVIDENCE) if values.get("weak") else text


def note_texts(notes: Iterable[Note], *, currency: str = "USD") -> list[str]:
    """Notes in words, in order."""
    return [note_text(n, currency=currency) for n in notes]


def skipped_text(missing: Iterable[str]) -> str:
    """Why a section did not run: the tables it needs that are missing."""
    return note_text(Note("skipped", missing=list(missing)))


def set_aside_text(set_aside: SetAside) -> str:
    """One rule of the as_of cut as the run reports it: 'opportunities: 3 opportunities opened ...'."""
    values = {"table": set_aside.table, "rows": set_aside.rows, "rule": SET_ASIDE_RULES[set_aside.rule]}
    return worded(_(N_("{table}: {rows:count} {rule}")), values)


def outside_reason_text(code: str, *, min_employees: int) -> str:
    """Why one account past the threshold is not valued."""
    return worded(OUTSIDE_REASONS[code], {"min_employees": min_employees})


def change_text(what: str, before: object, after: object) -> str:
    """One figure that moved between two runs: 'readiness: not_yet → ready'."""
    values = {"what": CHANGE_LABELS[what], "before": _shown(before), "after": _shown(after)}
    return worded(_(N_("{what}: {before} → {after}")), values)


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, list):
        return format_items(map(str, value)) or _("none")
    return str(value)
