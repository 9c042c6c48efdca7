"""Stripe exports into a revenue ledger, and the ledger into `arr_monthly`, `account_arr`, `accounts.arr`.

Two exports, read as Stripe documents them:

- `stripe-subscriptions`: Dashboard → Billing → Subscriptions → Export (one row per subscription;
  https://docs.stripe.com/billing/subscriptions/overview and the Dashboard export's columns:
  id, Customer ID, Customer Name, Quantity, Currency, Interval, Amount, Status, Created (UTC),
  Start (UTC), Current Period Start (UTC), Trial End (UTC), Canceled At (UTC), Ended At (UTC),
  Coupon...). Amounts in currency units. A subscription is a line from its start (after any
  trial) until it ended; its price and quantity as exported hold for its whole life, so upgrades
  inside a subscription are not seen — use invoices for history. Subscriptions that never became
  active (incomplete, incomplete_expired) are set aside; a coupon's discount is not in the export
  and is not applied (the count is reported).
- `stripe-invoices`: invoice line items, one row per line, with Stripe's API field names as the
  Sigma table `invoice_line_items` (joined to `invoices` for the customer) or the API's
  `invoice.lines` give them (https://docs.stripe.com/api/invoice-line-item/object): id,
  customer_id, amount (in the currency's minor unit, e.g. cents), currency, period_start,
  period_end, proration, discount_amount, status. A line is its service period; its ARR is its
  amount net of discounts times the periods a year its period length gives (a 1-month line x12,
  a 12-month line x1). Proration lines are set aside (the next full period line carries the new
  price), as are lines of draft, void and uncollectible invoices.

**Nothing after the export.** An export carries no time of its own, so the export date is
`--exported-on`, by default the latest timestamp of something that happened in the file (a
creation, a start, a cancellation; never a scheduled date such as a trial's or a period's end).
ARR is written through the month of the export date and never later (`--through` later is an
error); a line that starts after it (a trial still running, a period not begun) is not ARR yet and
is set aside; a date of something that happened after a declared export date is an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from playbook.data.errors import DataError, Problem
from playbook.imports.ids import Crosswalk
from playbook.imports.ledger import convert_currency, ledger_arr
from playbook.imports.numbers import numbers
from playbook.imports.read import Imported, Preset, booleans, dates, fail, text, where

SUBSCRIPTIONS = Preset(
    "stripe-subscriptions",
    "https://docs.stripe.com/billing/subscriptions/overview",
    {
        "subscription_id": ("id", "Subscription ID"),
        "customer_id": ("Customer ID", "Customer", "customer"),
        "customer_name": ("Customer Name", "Customer Description", "Customer Email"),
        "amount": ("Amount", "Plan Amount", "amount"),
        "quantity": ("Quantity", "quantity"),
        "currency": ("Currency", "currency"),
        "interval": ("Interval", "Plan Interval", "interval"),
        "interval_count": ("Interval Count", "Plan Interval Count", "interval_count"),
        "status": ("Status", "status"),
        "created": ("Created (UTC)", "created"),
        "start": ("Start (UTC)", "Start Date (UTC)", "Created (UTC)", "start_date"),
        "current_period_start": ("Current Period Start (UTC)", "current_period_start"),
        "trial_end": ("Trial End (UTC)", "trial_end"),
        "canceled_at": ("Canceled At (UTC)", "canceled_at"),
        "ended_at": ("Ended At (UTC)", "ended_at"),
        "coupon": ("Coupon", "coupon"),
    },
    required=("customer_id", "amount", "currency", "interval", "status", "start"),
)

INVOICE_LINES = Preset(
    "stripe-invoices",
    "https://docs.stripe.com/api/invoice-line-item/object",
    {
        "line_id": ("id", "line_item_id"),
        "customer_id": ("customer_id", "customer", "Customer ID"),
        "customer_name": ("customer_name", "customer_email", "Customer Name"),
        "amount": ("amount", "Amount"),
        "currency": ("currency", "Currency"),
        "period_start": ("period_start", "Period Start (UTC)"),
        "period_end": ("period_end", "Period End (UTC)"),
        "invoice_created": ("invoice_created", "created", "Created (UTC)"),
        "proration": ("proration", "Proration"),
        "discount": ("discount_amount", "discount_amounts", "Discount Amount"),
        "status": ("status", "invoice_status", "Status"),
    },
    required=("customer_id", "amount", "currency", "period_start", "period_end"),
)

# Timestamps of things that happened by the time of the export (never a scheduled date).
HAPPENED = {
    "stripe-subscriptions": ("created", "start", "current_period_start", "canceled_at", "ended_at"),
    "stripe-invoices": ("period_start", "invoice_created"),
}
PERIODS_A_YEAR = {"day": 365, "week": 52, "month": 12, "year": 1}
NEVER_ACTIVE = {"incomplete", "incomplete_expired"}
NOT_BILLED = {"draft", "void", "uncollectible", "deleted"}
DAYS_A_MONTH = 365.25 / 12


def _happened(frame: pd.DataFrame, vendor: str, date_format: str | None) -> dict[str, pd.Series]:
    return {f: dates(frame, f, date_format=date_format) for f in HAPPENED[vendor] if f in frame}


def export_date(
    frames: list[pd.DataFrame], vendor: str, imported: Imported, *, exported_on: str | None, date_format
) -> pd.Timestamp:
    """The export date: `exported_on` as declared (checked against the file), else the latest
    timestamp of something that happened in it (said in the report)."""
    stamps = [(f, name, s) for f in frames for name, s in _happened(f, vendor, date_format).items()]
    if exported_on is None:
        latest = max((s.max() for _, _, s in stamps if s.notna().any()), default=pd.NaT)
        if pd.isna(latest):
            raise DataError([Problem(frames[0].attrs["file"], None, "has no dates: give --exported-on")])
        imported.notes.append(
            f"exported on {latest:%Y-%m-%d} (assumed: the latest timestamp in the export, which carries "
            "no export time of its own; say otherwise with --exported-on)."
        )
        return latest
    try:
        declared = pd.Timestamp(exported_on)
    except (ValueError, TypeError):
        raise DataError(
            [Problem("--exported-on", None, f"must be a date (YYYY-MM-DD), got {exported_on!r}")]
        ) from None
    end_of_day = declared.normalize() + pd.Timedelta(days=1)
    for frame, name, values in stamps:
        after = values >= end_of_day
        if after.any():
            fail(
                frame,
                name,
                after,
                f"has dates after the export date {declared:%Y-%m-%d} (--exported-on): an export cannot "
                "know them; check the export date",
            )
    return end_of_day - pd.Timedelta(microseconds=1)


def subscription_lines(frame: pd.DataFrame, imported: Imported, *, date_format, decimal) -> pd.DataFrame:
    """Ledger lines (customer_id, start, end, arr, currency, name, file, where) from subscriptions."""
    status = text(frame, "status").str.lower()
    never = status.isin(NEVER_ACTIVE)
    imported.aside(int(never.sum()), "subscriptions that never became active (incomplete)")
    frame = frame[~never]
    status = status[~never]
    interval = text(frame, "interval").str.lower().str.rstrip("s")
    unknown = interval.notna() & ~interval.isin(list(PERIODS_A_YEAR))
    if unknown.any():
        fail(frame, "interval", unknown, f"must be one of {', '.join(PERIODS_A_YEAR)}")
    count = numbers(frame, "interval_count", whole=True, decimal=decimal).fillna(1.0).clip(lower=1)
    quantity = numbers(frame, "quantity", decimal=decimal).fillna(1.0)
    per_period = numbers(frame, "amount", required=True, decimal=decimal)
    start = dates(frame, "start", date_format=date_format, required=True)
    trial_end = dates(frame, "trial_end", date_format=date_format)
    no_trial_end = (status == "trialing") & trial_end.isna()
    imported.aside(int(no_trial_end.sum()), "subscriptions in trial with no trial end (not ARR yet)")
    coupons = int(text(frame, "coupon").notna().sum())
    if coupons:
        imported.notes.append(
            f"{coupons:,} subscriptions have a coupon; its discount is not in the export, so they count at "
            "list price (use invoice lines for net amounts)."
        )
    paid_from = start.where(trial_end.isna() | (trial_end < start), trial_end).dt.normalize()
    return _lines(
        frame,
        start=paid_from.mask(no_trial_end),
        end=dates(frame, "ended_at", date_format=date_format).dt.normalize(),
        arr=per_period * quantity * interval.map(PERIODS_A_YEAR) / count,
    )


def invoice_lines(
    frame: pd.DataFrame, imported: Imported, *, date_format, decimal, amounts_in: str
) -> pd.DataFrame:
    """Ledger lines from invoice line items (amounts in `amounts_in`: 'cents' or 'units')."""
    status = text(frame, "status").str.lower()
    unbilled = status.isin(NOT_BILLED)
    imported.aside(int(unbilled.sum()), "lines of draft, void or uncollectible invoices")
    proration = booleans(frame, "proration").fillna(False).astype(bool)
    imported.aside(
        int((proration & ~unbilled).sum()), "proration lines (the next full period carries the price)"
    )
    frame = frame[~unbilled & ~proration]
    scale = 100.0 if amounts_in == "cents" else 1.0
    discount = numbers(frame, "discount", decimal=decimal).fillna(0.0)
    amount = (numbers(frame, "amount", required=True, decimal=decimal) - discount) / scale
    start = dates(frame, "period_start", date_format=date_format, required=True).dt.normalize()
    end = dates(frame, "period_end", date_format=date_format, required=True).dt.normalize()
    days = (end - start).dt.days.clip(lower=1)
    months = np.round(days / DAYS_A_MONTH)
    periods = np.where(months >= 1, 12 / months.clip(lower=1), np.round(365 / days))
    return _lines(frame, start=start, end=end, arr=amount * periods)


def _lines(frame: pd.DataFrame, *, start, end, arr) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": text(frame, "customer_id"),
            "name": text(frame, "customer_name"),
            "start": start,
            "end": end,
            "arr": arr,
            "currency": text(frame, "currency").str.upper(),
            "file": frame.attrs["file"],
            "where": where(frame, pd.Series(True, index=frame.index)),
        },
        index=frame.index,
    )


def _through(through: pd.Timestamp | None, exported: pd.Timestamp) -> pd.Timestamp:
    export_month = exported.to_period("M").to_timestamp()
    if through is None:
        return export_month
    if through > export_month:
        raise DataError(
            [
                Problem(
                    "--through",
                    None,
                    f"{through:%Y-%m} is after the month of the export date ({exported:%Y-%m-%d}): ARR "
                    "for a month the export could not know is never written",
                )
            ]
        )
    return through


def billing_tables(
    lines: pd.DataFrame,
    imported: Imported,
    crosswalk: Crosswalk,
    *,
    vendor: str,
    exported: pd.Timestamp,
    currency: str,
    fx_rates: pd.DataFrame | None,
    first_month: pd.Timestamp | None,
    last_month: pd.Timestamp | None,
) -> None:
    """arr_monthly (ARR with its movements), and per account: account_arr and accounts.arr."""
    last_month = _through(last_month, exported)
    missing = lines["customer_id"].isna()
    imported.aside(int(missing.sum()), "lines without a customer id")
    lines = lines[~missing & lines["start"].notna()]
    later = lines["start"] > exported
    imported.aside(
        int(later.sum()),
        "subscriptions still in trial on the export date (their first paid day is after it): not ARR yet"
        if vendor == "stripe-subscriptions"
        else "lines whose service starts after the export date",
    )
    lines = convert_currency(lines[~later], currency=currency, fx_rates=fx_rates)
    ledger = ledger_arr(lines, first_month=first_month, last_month=last_month)
    imported.tables["arr_monthly"] = ledger.company.assign(month=ledger.company["month"].dt.strftime("%Y-%m"))

    customers = pd.Series(ledger.customers["customer_id"].unique())
    account_of = pd.Series(
        crosswalk.account_ids(
            customers, "stripe", imported, what="Stripe customers with ARR", set_aside=False
        ).to_numpy(),
        index=customers,
    )
    per_customer = ledger.customers.assign(account_id=ledger.customers["customer_id"].map(account_of))
    unmatched = per_customer["account_id"].isna()
    if unmatched.any():
        share = per_customer.loc[unmatched, "arr_cents"].sum() / max(per_customer["arr_cents"].sum(), 1)
        imported.notes.append(
            f"account_arr not written: customers without an account carry {share:.1%} of the ledger's ARR, "
            "and customer-level retention needs every customer (arr_monthly still counts them all)."
        )
    else:
        monthly = per_customer.groupby(["account_id", "month"], as_index=False)["arr_cents"].sum()
        imported.tables["account_arr"] = pd.DataFrame(
            {
                "account_id": monthly["account_id"],
                "month": monthly["month"].dt.strftime("%Y-%m"),
                "arr": monthly["arr_cents"] / 100,
            }
        )
    matched = per_customer[~unmatched]
    now = matched[matched["month"] == last_month].groupby("account_id")["arr_cents"].sum()
    accounts = pd.DataFrame({"account_id": matched["account_id"].drop_duplicates().sort_values().to_numpy()})
    accounts["arr"] = accounts["account_id"].map(now).fillna(0).to_numpy() / 100  # churned: 0
    names = (
        lines.dropna(subset=["name"])
        .drop_duplicates("customer_id", keep="last")
        .set_index("customer_id")["name"]
    )
    if crosswalk.column_for("stripe") is None:  # customers are the accounts: name them too
        accounts["account_name"] = accounts["account_id"].map(names)
    imported.tables["accounts"] = accounts
