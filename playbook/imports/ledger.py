"""A revenue ledger becomes ARR: per customer and month, then the company's ARR and its movements.

The ledger is a list of lines, each a stretch of paid service for one customer: `customer_id`,
`start`, `end` (exclusive; empty while it runs), `arr` (what the line is worth a year, in the
ledger's currency) and `currency`. The billing exports (`billing.py`) turn subscriptions and
invoice lines into such lines; each keeps the `file` and `where` (its line) it came from.

Definitions (ChartMogul's MRR movements, https://help.chartmogul.com/hc/en-us/articles/203299912,
and its annual-plan example, https://help.chartmogul.com/hc/en-us/articles/201244842):

- A customer's ARR in a month is the sum of its lines in service on the **last day** of that
  month (start <= month end < end): a snapshot, so an annual plan counts in each of its twelve
  months at a twelfth of its price a month (ARR = the annual price), and churn is recognised at
  the end of the final paid service period.
- Month by month, per customer, with p its ARR the month before and q this month:
  new = q when p = 0 and the customer never paid before; reactivation = q when p = 0 and it
  paid before (a customer who cancels and returns is not new); churned = p when q = 0;
  expansion = q - p when q > p > 0; contraction = p - q when p > q > 0.
- So ARR_t - ARR_t-1 = new + reactivation + expansion - contraction - churned, exactly:
  every amount is held in integer cents. The one rounding is each line's ARR, rounded half to
  even to the cent when a billing period does not divide a year (a 12-month, 3-month or
  1-month price times its periods a year is exact).
- Lines in another currency are converted at the rate of the month the line starts (a price
  is set when it starts), from a user-supplied table `fx_rates` (month, currency, rate: units
  of the target currency per unit); a missing rate is an error naming the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.imports.fx import missing_rate, rates

MOVEMENTS = ("new_arr", "expansion_arr", "contraction_arr", "churned_arr", "reactivation_arr")


def to_cents(amounts) -> np.ndarray:
    """Money as integer cents, rounded half to even (the stated rounding rule)."""
    return np.round(np.asarray(amounts, dtype=float) * 100).astype(np.int64)


@dataclass(frozen=True)
class LedgerARR:
    """What a ledger adds up to: ARR per customer and month (integer cents) and the company view.

    `customers` has customer_id, month (month start) and arr_cents, one row per customer-month
    with ARR > 0; `company` has month, arr and the five movements (currency units, two decimals).
    """

    customers: pd.DataFrame
    company: pd.DataFrame


def convert_currency(lines: pd.DataFrame, *, currency: str, fx_rates: pd.DataFrame | None) -> pd.DataFrame:
    """Lines in `currency`: others converted at the rate of the month each line starts. Lines
    carry `file` and `where` (the line of the export they come from), which errors name."""
    rate = rates(lines["currency"], lines["start"], target=currency, fx_rates=fx_rates)
    missing = rate.isna()
    for file, rows in lines[missing].groupby("file", sort=False):
        raise missing_rate(
            file,
            "currency",
            list(rows["where"]),
            [f"{c} {m:%Y-%m}" for c, m in zip(rows["currency"].str.upper(), rows["start"], strict=True)],
            target=currency,
            fx_given=fx_rates is not None,
        )
    return lines.assign(arr=lines["arr"] * rate, currency=currency.upper())


def customer_months(lines: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """ARR per customer and month (integer cents), from lines with start, end, arr_cents.

    A line counts in a month when it is in service on the month's last day. Vectorised as a
    difference array over month indices, so a 48-month ledger of 10,000 customers takes well
    under a second.
    """
    month_ends = months + pd.offsets.MonthEnd(0)
    # First month whose last day is on or after the start; first month whose last day is on or after the end.
    first = np.searchsorted(month_ends.values, lines["start"].values, side="left")
    end = lines["end"].fillna(pd.Timestamp.max.normalize()).values
    stop = np.searchsorted(month_ends.values, end, side="left")
    keep = stop > first
    codes, customers = pd.factorize(lines["customer_id"])
    grid = np.zeros((len(customers), len(months) + 1), dtype=np.int64)
    np.add.at(grid, (codes[keep], first[keep]), lines["arr_cents"].to_numpy()[keep])
    np.add.at(grid, (codes[keep], stop[keep]), -lines["arr_cents"].to_numpy()[keep])
    arr = np.cumsum(grid, axis=1)[:, :-1]
    rows, cols = np.nonzero(arr)
    return pd.DataFrame(
        {"customer_id": customers[rows], "month": months[cols], "arr_cents": arr[rows, cols]}
    ).sort_values(["month", "customer_id"], ignore_index=True)


def movements(arr: np.ndarray) -> dict[str, np.ndarray]:
    """The five movements per month (integer cents) from a customers x months ARR grid.

    The first month compares with nothing paid before it: all of its ARR is new.
    """
    before = np.concatenate([np.zeros((arr.shape[0], 1), dtype=np.int64), arr[:, :-1]], axis=1)
    paid_before = np.concatenate(
        [np.zeros((arr.shape[0], 1), dtype=bool), np.maximum.accumulate(arr > 0, axis=1)[:, :-1]], axis=1
    )
    starts = (before == 0) & (arr > 0)
    both = (before > 0) & (arr > 0)
    return {
        "new_arr": np.where(starts & ~paid_before, arr, 0).sum(axis=0),
        "reactivation_arr": np.where(starts & paid_before, arr, 0).sum(axis=0),
        "expansion_arr": np.where(both & (arr > before), arr - before, 0).sum(axis=0),
        "contraction_arr": np.where(both & (arr < before), before - arr, 0).sum(axis=0),
        "churned_arr": np.where((before > 0) & (arr == 0), before, 0).sum(axis=0),
    }


def ledger_arr(
    lines: pd.DataFrame, *, first_month: pd.Timestamp | None = None, last_month: pd.Timestamp
) -> LedgerARR:
    """ARR per customer-month and the company's ARR with movements, from `first_month` (default:
    the first month with ARR) to `last_month`. Movements of the first month written count from
    the ledger's own beginning, so a ledger that starts earlier than `first_month` gives true
    movements in it.
    """
    lines = lines.assign(arr_cents=to_cents(lines["arr"]))
    lines = lines[lines["arr_cents"] != 0]
    begin = lines["start"].min().to_period("M").to_timestamp() if len(lines) else last_month
    months = pd.date_range(min(begin, first_month or begin), last_month, freq="MS")
    per_customer = customer_months(lines, months)
    grid = (
        per_customer.pivot_table(index="customer_id", columns="month", values="arr_cents", aggfunc="sum")
        .reindex(columns=months)
        .fillna(0)
        .astype(np.int64)
        .to_numpy()
    )
    if grid.size == 0:
        grid = np.zeros((0, len(months)), dtype=np.int64)
    grid = np.maximum(grid, 0)  # credits beyond a customer's price do not make its ARR negative
    per_customer = per_customer[per_customer["arr_cents"] > 0]
    moved = movements(grid)
    company = pd.DataFrame({"month": months, "arr": grid.sum(axis=0)} | moved)
    shown = company["month"] >= (first_month or (per_customer["month"].min() if len(per_customer) else begin))
    company = company[shown].reset_index(drop=True)
    company[["arr", *MOVEMENTS]] = company[["arr", *MOVEMENTS]] / 100
    per_customer = per_customer[per_customer["month"].isin(company["month"])].reset_index(drop=True)
    return LedgerARR(per_customer, company)
