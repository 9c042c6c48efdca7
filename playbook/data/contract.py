"""The data contract: which tables a company provides, their columns, and the rules they obey.

This module only *describes* the contract (docs/data-contract.md); `playbook.data.load`
reads files and enforces it. Keeping the description in one place means the loader, the error
messages and the table in docs/data-contract.md cannot drift apart (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["id", "text", "label", "date", "timestamp", "month", "number", "integer", "bool"]

# What a one-off change in ARR declared in arr_events was (the forecast models each as a step).
ARR_EVENT_KINDS = ("acquisition", "divestiture", "price_change", "other")

# The article's four attributes of a top-down sales leader (scored in interview_scores).
LEADER_ATTRIBUTES = (
    "collaborative",
    "analytical_technical",
    "long_term_relationships",
    "enterprise_experience",
)


@dataclass(frozen=True)
class Column:
    """One column of a table: its canonical name, type and allowed values."""

    name: str
    kind: Kind
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One table of the contract.

    `key` is the column (or columns) that identify a row; `references` maps a column to the
    table whose key it must match (a foreign key).
    """

    name: str
    row: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    references: tuple[tuple[str, str], ...] = ()
    required: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _money(name: str, required: bool = False) -> Column:
    return Column(name, "number", required=required, minimum=0)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "arr_monthly",
            "calendar month (contiguous)",
            (
                Column("month", "month"),
                _money("arr", required=True),
                _money("new_arr"),
                _money("expansion_arr"),
                _money("contraction_arr"),
                _money("churned_arr"),
                # ARR of customers who had churned and pay again (not new, not retention).
                _money("reactivation_arr"),
                _money("self_serve_arr"),
                _money("sales_marketing_spend"),
                Column("signups", "integer", required=False, minimum=0),
            ),
            key=("month",),
            required=True,
        ),
        Table(
            "accounts",
            "customer organisation",
            (
                Column("account_id", "id"),
                Column("account_name", "text"),
                Column("employee_count", "integer", minimum=1),
                Column("industry", "text", required=False),
                Column("country", "text", required=False),
                # The account's web domain (acme.example): how CRMs match companies (ready_accounts.csv).
                Column("domain", "text", required=False),
                Column("plan", "text", required=False),
                Column("seats", "integer", required=False, minimum=0),
                _money("arr"),
                Column("created_at", "date", required=False),
            ),
            key=("account_id",),
        ),
        Table(
            "users",
            "product user",
            (
                Column("user_id", "id"),
                Column("account_id", "id"),
                # Required unless an events table is given (then derived from it).
                Column("first_active", "date"),
                Column("last_active", "date"),
                Column("department", "text", required=False),
                Column("email", "text", required=False),
                Column("title", "text", required=False),
                Column("country", "text", required=False),
                Column("active_days_28d", "integer", required=False, minimum=0, maximum=28),
                Column("events_28d", "integer", required=False, minimum=0),
            ),
            key=("user_id",),
            references=(("account_id", "accounts"),),
        ),
        Table(
            "events",
            "product event",
            (
                Column("user_id", "id"),
                Column("account_id", "id"),
                Column("occurred_at", "timestamp"),
                Column("event", "text", required=False),
            ),
        ),
        Table(
            "opportunities",
            "top-down sales attempt",
            (
                Column("opportunity_id", "id"),
                Column("account_id", "id"),
                Column("opened_at", "date"),
                Column("outcome", "label", labels=("won", "lost", "open")),
                Column("closed_at", "date", required=False),
                _money("amount"),
                Column("loss_reason", "text", required=False),
                # The CRM's expected close date of an open deal (Salesforce CloseDate, HubSpot closedate).
                Column("expected_close_at", "date", required=False),
            ),
            key=("opportunity_id",),
            references=(("account_id", "accounts"),),
        ),
        Table(
            "account_arr",
            "account and month (customer-level ARR, e.g. from a revenue ledger)",
            (
                Column("account_id", "id"),
                Column("month", "month"),
                _money("arr", required=True),
            ),
            key=("account_id", "month"),
            references=(("account_id", "accounts"),),
        ),
        Table(
            "account_map",
            "account (ids of the same customer in other systems)",
            (
                Column("account_id", "id"),
                Column("stripe_id", "id", required=False),
                Column("salesforce_id", "id", required=False),
                Column("hubspot_id", "id", required=False),
                Column("analytics_id", "id", required=False),
            ),
            key=("account_id",),
            references=(("account_id", "accounts"),),
        ),
        Table(
            "feature_requests",
            "request from a customer",
            (
                Column("request_id", "id"),
                Column("account_id", "id"),
                Column("feature", "text"),
                Column("created_at", "date"),
                Column("category", "text", required=False),
                Column(
                    "source",
                    "label",
                    required=False,
                    labels=("sales", "support", "community", "self_serve"),
                ),
            ),
            key=("request_id",),
            references=(("account_id", "accounts"),),
        ),
        Table(
            "features",
            "feature in the catalogue",
            (
                Column("feature", "text"),
                Column("category", "text"),
                Column("enterprise", "bool", required=False),
                Column("effort_weeks", "number", required=False, minimum=0),
                Column("status", "text", required=False),
            ),
            key=("feature",),
        ),
        Table(
            "leader_candidates",
            "sales-leader candidate",
            (
                Column("candidate_id", "id"),
                Column("name", "text"),
                Column("current_role", "text", required=False),
                Column(
                    "sales_background",
                    "label",
                    required=False,
                    labels=("inside", "field", "both"),
                ),
                Column("years_enterprise", "number", required=False, minimum=0),
            ),
            key=("candidate_id",),
        ),
        Table(
            "interview_scores",
            "one interviewer's score of one attribute",
            (
                Column("candidate_id", "id"),
                Column("interviewer", "text"),
                Column("attribute", "label", labels=LEADER_ATTRIBUTES),
                Column("score", "number", minimum=1, maximum=5),
                Column("evidence", "text", required=False),
            ),
            key=("candidate_id", "interviewer", "attribute"),
            references=(("candidate_id", "leader_candidates"),),
        ),
        # One-off level shifts in ARR (an acquisition, a price change), declared so the forecast
        # models them as steps instead of reading them as growth.
        Table(
            "arr_events",
            "one-off change in ARR, in the first month it shows",
            (
                Column("month", "month"),
                Column("kind", "label", labels=ARR_EVENT_KINDS),
                Column("description", "text", required=False),
            ),
            key=("month", "kind"),
        ),
    )
}

# (table, date column): dates that cannot come before the account existed (accounts.created_at).
NOT_BEFORE_ACCOUNT_CREATED: tuple[tuple[str, str], ...] = (
    ("users", "first_active"),
    ("opportunities", "opened_at"),
    ("feature_requests", "created_at"),
)

# (table, earlier column, later column): ordered pairs of dates within a row.
ORDERED_DATES: tuple[tuple[str, str, str], ...] = (
    ("users", "first_active", "last_active"),
    ("opportunities", "opened_at", "closed_at"),
)

# (table, month column): months that must be months of arr_monthly.
MONTHS_OF_ARR: tuple[tuple[str, str], ...] = (("arr_events", "month"),)
