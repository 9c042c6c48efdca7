"""Stripe exports into a revenue ledger, and the ledger into `arr_monthly`, `account_arr`, `accounts.arr`.

Two exports, read as Stripe documents them:

- `stripe-subscriptions`: Dashboard → Billing → Subscriptions → Export (one row per subscription;
  https://docs.stripe.com/billing/subscriptions/overview and the Dashboard export's columns:
  id, Customer ID, Customer Name, Quantity, Currency, Interval, Amount, Status, Start (UTC),
  Trial End (UTC), Ended At (UTC), Coupon...). Amounts in currency units. A subscription is a
  line from its start (after any trial) until it ended; its price and quantity as exported hold
  for its whole life, so upgrades inside a subscription are not seen — use invoices for history.
  Subscriptions that never became active (incomplete, incomplete_expired) are set aside; a
  coupon's discount is not in the export and is not applied (the count is reported).
- `stripe-invoices`: invoice line items, one row per line, with Stripe's API field names as the
  Sigma table `invoice_line_items` (joined to `invoices` for the customer) or the API's
  `invoice.lines` give them (https://docs.stripe.com/api/invoice-line-item/object): id,
  customer_id, amount (in the currency's minor unit, e.g. cents), currency, period_start,
  period_end, proration, discount_amount, status. A line is its service period; its ARR is its
  amount net of discounts times the periods a year its period length gives (a 1-month line x12,
  a 12-month line x1). Proration lines are set aside (the next full-period line carries the new
  price), as are lines of draft, void and uncollectible invoices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from playbook.imports.ids import Crosswalk
from playbook.imports.ledger import convert_currency, ledger_arr
from playbook.imports.read import Imported, Preset, booleans, dates, fail, numbers, text

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
        "start": ("Start (UTC)", "Start Date (UTC)", "Created (UTC)", "start_date"),
        "trial_end": ("Trial End (UTC)", "trial_end"),
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
        "proration": ("proration", "Proration"),
        "discount": ("discount_amount", "discount_amounts", "Discount Amount"),
        "status": ("status", "invoice_status", "Status"),
    },
    required=("customer_id", "amount", "currency", "period_start", "period_end"),
)

PERIODS_A_YEAR = {"day": 365, "week": 52, "month": 12, "year": 1}
NEVER_ACTIVE = {"incomplete", "incomplete_expired"}
NOT_BILLED = {"draft", "void", "uncollectible", "deleted"}
DAYS_A_MONTH = 365.25 / 12


def subscription_lines(frame: pd.DataFrame, imported: Imported, *, date_format: str | None) -> pd.DataFrame:
    """Ledger lines (customer_id, start, end, arr, currency, name) from a subscriptions export."""
    status = text(frame, "status").str.lower()
    never = status.isin(NEVER_ACTIVE)
    imported.aside(int(never.sum()), "subscriptions that never became active (incomplete)")
    frame = frame[~never]
    interval = text(frame, "interval").str.lower().str.rstrip("s")
    unknown = interval.notna() & ~interval.isin(list(PERIODS_A_YEAR))
    if unknown.any():
        fail(frame, "interval", unknown, f"must be one of {', '.join(PERIODS_A_YEAR)}")
    count = numbers(frame, "interval_count").fillna(1.0).clip(lower=1)
    quantity = numbers(frame, "quantity").fillna(1.0)
    per_period = numbers(frame, "amount", required=True)
    start = dates(frame, "start", date_format=date_format, required=True)
    trial_end = dates(frame, "trial_end", date_format=date_format)
    coupons = int(text(frame, "coupon").notna().sum())
    if coupons:
        imported.notes.append(
            f"{coupons:,} subscriptions have a coupon; its discount is not in the export, so they count at "
            "list price (use invoice lines for net amounts)."
        )
    return pd.DataFrame(
        {
            "customer_id": text(frame, "customer_id"),
            "name": text(frame, "customer_name"),
            "start": start.where(trial_end.isna() | (trial_end < start), trial_end).dt.normalize(),
            "end": dates(frame, "ended_at", date_format=date_format).dt.normalize(),
            "arr": per_period * quantity * interval.map(PERIODS_A_YEAR) / count,
            "currency": text(frame, "currency").str.upper(),
        }
    )


def invoice_lines(
    frame: pd.DataFrame, imported: Imported, *, date_format: str | None, amounts_in: str
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
    amount = (numbers(frame, "amount", required=True) - numbers(frame, "discount").fillna(0.0)) / scale
    start = dates(frame, "period_start", date_format=date_format, required=True).dt.normalize()
    end = dates(frame, "period_end", date_format=date_format, required=True).dt.normalize()
    days = (end - start).dt.days.clip(lower=1)
    months = np.round(days / DAYS_A_MONTH)
    periods = np.where(months >= 1, 12 / months.clip(lower=1), np.round(365 / days))
    return pd.DataFrame(
        {
            "customer_id": text(frame, "customer_id"),
            "name": text(frame, "customer_name"),
            "start": start,
            "end": end,
            "arr": amount * periods,
            "currency": text(frame, "currency").str.upper(),
        }
    )


def billing_tables(
    lines: pd.DataFrame,
    imported: Imported,
    crosswalk: Crosswalk,
    *,
    currency: str,
    fx_rates: pd.DataFrame | None,
    first_month: pd.Timestamp | None,
    last_month: pd.Timestamp | None,
) -> None:
    """arr_monthly (ARR with its movements), and per account: account_arr and accounts.arr."""
    missing = lines["customer_id"].isna()
    imported.aside(int(missing.sum()), "lines without a customer id")
    lines = convert_currency(
        lines[~missing], currency=currency, fx_rates=fx_rates, file=imported.files[0].name
    )
    if last_month is None:
        last_month = lines["start"].max().to_period("M").to_timestamp()
        imported.notes.append(
            f"ARR is computed through {last_month:%Y-%m}, the month of the latest start in the export "
            "(set another with --through)."
        )
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
            "and "
            "customer-level retention needs every customer (arr_monthly still counts them all)."
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
