"""Test helper: a sample company written out as each vendor would export it.

Used by the round-trip tests (tests/test_imports.py): the `ready` sample exported into Stripe,
Salesforce, HubSpot, Segment, Amplitude and Mixpanel formats, imported back with
`playbook import`, must give the same analyses as the sample itself.

Billing: the sample has company-level ARR with its movements, not a customer ledger, so
`stripe_ledger` builds one that adds up to it exactly: a pool of customers (new ones each month,
churned oldest first) and two large customers whose subscriptions carry expansion (a subscription
added) and contraction (one ended) — one expands while the other contracts, month about, since a
customer's movements in a month net out. Where a churn or contraction needs part of a customer or
subscription, that one is split from its start into two (which changes no earlier month).
"""

from __future__ import annotations

import gzip
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

MONEY = ["arr", "new_arr", "expansion_arr", "contraction_arr", "churned_arr"]


@dataclass
class Subscription:
    customer: str
    cents: int
    start: pd.Timestamp
    end: pd.Timestamp | None = None


def stripe_ledger(arr_monthly: pd.DataFrame, *, pool_size: int = 200) -> list[Subscription]:
    """Annual subscriptions whose month-end ARR and movements equal `arr_monthly`'s to the cent."""
    months = pd.to_datetime(arr_monthly["month"].astype(str)).dt.to_period("M").dt.to_timestamp()
    cents = {c: np.round(arr_monthly[c].to_numpy(float) * 100).astype(np.int64) for c in MONEY}
    opening = cents["arr"][0] - cents["new_arr"][0] - cents["expansion_arr"][0] + cents["contraction_arr"][0]
    opening += cents["churned_arr"][0]
    before = months.iloc[0] - pd.DateOffset(months=1)
    subs: list[Subscription] = []
    big = opening // 3
    layers = {name: [Subscription(name, int(big), before)] for name in ("cus_big_a", "cus_big_b")}
    big_layers = layers["cus_big_a"] + layers["cus_big_b"]
    rest, base = opening - 2 * big, []
    for i in range(pool_size):
        share = rest // pool_size + (1 if i < rest % pool_size else 0)
        base.append(Subscription(f"cus_{i:05d}", int(share), before))
    pool = list(base)
    subs += big_layers + base
    serial = pool_size

    def take(live: list[Subscription], amount: int, when: pd.Timestamp, name) -> None:
        """End subscriptions (oldest first) worth exactly `amount`, splitting the last if needed."""
        while amount > 0:
            first = live.pop(0)
            if first.cents > amount:
                rest = Subscription(name(first), first.cents - amount, first.start)
                first.cents = amount
                subs.append(rest)
                live.insert(0, rest)
            first.end = when
            amount -= first.cents

    for t, month in enumerate(months):
        mid = month + pd.Timedelta(days=14)
        if cents["new_arr"][t] > 0:
            serial += 1
            sub = Subscription(f"cus_{serial:05d}", int(cents["new_arr"][t]), month)
            subs.append(sub)
        grows, shrinks = ("cus_big_a", "cus_big_b") if t % 2 == 0 else ("cus_big_b", "cus_big_a")
        if cents["expansion_arr"][t] > 0:
            layer = Subscription(grows, int(cents["expansion_arr"][t]), month)
            subs.append(layer)
        take(layers[shrinks], int(cents["contraction_arr"][t]), mid, lambda s: s.customer)

        def new_customer(_s):
            nonlocal serial
            serial += 1
            return f"cus_{serial:05d}"

        take(pool, int(cents["churned_arr"][t]), mid, new_customer)
        if cents["new_arr"][t] > 0:
            pool.append(sub)
        if cents["expansion_arr"][t] > 0:
            layers[grows].append(layer)
    return subs


def write_stripe_subscriptions(subs: list[Subscription], path: Path) -> None:
    """The Dashboard's subscriptions export (default columns)."""
    rows = []
    for n, s in enumerate(subs, start=1):
        ended = "" if s.end is None else f"{s.end:%Y-%m-%d %H:%M}"
        rows.append(
            {
                "id": f"sub_{n:08d}",
                "Customer ID": s.customer,
                "Customer Description": "",
                "Customer Email": "",
                "Customer Name": f"Customer {s.customer[4:]}",
                "Plan": "price_annual",
                "Product": "Team",
                "Quantity": 1,
                "Currency": "usd",
                "Interval": "year",
                "Amount": f"{s.cents / 100:.2f}",
                "Status": "active" if s.end is None else "canceled",
                "Created (UTC)": f"{s.start:%Y-%m-%d %H:%M}",
                "Start (UTC)": f"{s.start:%Y-%m-%d %H:%M}",
                "Current Period Start (UTC)": "",
                "Current Period End (UTC)": "",
                "Trial Start (UTC)": "",
                "Trial End (UTC)": "",
                "Application Fee Percent": "",
                "Coupon": "",
                "Tax Percent": "",
                "Canceled At (UTC)": ended,
                "Cancel At Period End": "false",
                "Ended At (UTC)": ended,
            }
        )
    pd.DataFrame(rows).to_csv(path, index=False)


def write_stripe_invoice_lines(subs: list[Subscription], path: Path, last_month: pd.Timestamp) -> None:
    """Invoice line items as Sigma's invoice_line_items (joined to invoices) gives them: monthly
    lines, amounts in cents (a twelfth of the annual price, rounded to the cent)."""
    rows = []
    for n, s in enumerate(subs, start=1):
        stop = (
            s.end.to_period("M").to_timestamp() if s.end is not None else last_month + pd.DateOffset(months=1)
        )
        for k, start in enumerate(pd.date_range(s.start, stop - pd.DateOffset(days=1), freq="MS")):
            rows.append(
                (
                    f"il_{n:07d}_{k:03d}",
                    f"in_{n:07d}_{k:03d}",
                    s.customer,
                    int(round(s.cents / 12)),
                    "usd",
                    f"{start:%Y-%m-%d %H:%M:%S}",
                    f"{start + pd.DateOffset(months=1):%Y-%m-%d %H:%M:%S}",
                    1,
                    "false",
                    "subscription",
                    f"sub_{n:08d}",
                    "paid",
                )
            )
    columns = [
        "id",
        "invoice_id",
        "customer_id",
        "amount",
        "currency",
        "period_start",
        "period_end",
        "quantity",
        "proration",
        "type",
        "subscription",
        "status",
    ]
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)


def crm_ids(accounts: pd.DataFrame) -> pd.DataFrame:
    """account_map: each sample account's id in Salesforce, HubSpot and the analytics tool."""
    n = np.arange(1, len(accounts) + 1)
    return pd.DataFrame(
        {
            "account_id": accounts["account_id"],
            "stripe_id": [f"cus_acct{i:06d}" for i in n],
            "salesforce_id": [f"001{i:012d}AAA" for i in n],
            "hubspot_id": [str(5_000_000_000 + i) for i in n],
            "analytics_id": [f"grp-{i:06d}" for i in n],
        }
    )


def _date(values: pd.Series, form: str) -> pd.Series:
    return pd.to_datetime(values).dt.strftime(form).fillna("")


def open_close_dates(opportunities: pd.DataFrame) -> pd.Series:
    """The close date a CRM holds for each open deal (90 days after it opened)."""
    opened = pd.to_datetime(opportunities["opened_at"])
    return (opened + pd.Timedelta(days=90)).where(opportunities["outcome"] == "open")


def write_salesforce(sample: Path, ids: pd.DataFrame, folder: Path) -> None:
    """Opportunity.csv and Account.csv as Salesforce's Data Export writes them (API names)."""
    opps = pd.read_csv(sample / "opportunities.csv", dtype=str)
    sf = ids.set_index("account_id")["salesforce_id"]
    close = pd.to_datetime(opps["closed_at"]).fillna(open_close_dates(opps))
    pd.DataFrame(
        {
            "Id": [f"006{i:012d}AAA" for i in range(1, len(opps) + 1)],
            "IsDeleted": "false",
            "AccountId": opps["account_id"].map(sf),
            "Name": "Deal " + opps["opportunity_id"],
            "StageName": opps["outcome"].map(
                {"won": "Closed Won", "lost": "Closed Lost", "open": "Negotiation/Review"}
            ),
            "Amount": opps["amount"].fillna(""),
            "Probability": opps["outcome"].map({"won": "100", "lost": "0", "open": "50"}),
            "CloseDate": close.dt.strftime("%Y-%m-%d"),
            "Type": "New Business",
            "IsClosed": (opps["outcome"] != "open").map({True: "true", False: "false"}),
            "IsWon": (opps["outcome"] == "won").map({True: "true", False: "false"}),
            "ForecastCategory": "Pipeline",
            "CreatedDate": _date(opps["opened_at"], "%Y-%m-%dT%H:%M:%S.000Z"),
            "Loss_Reason__c": opps["loss_reason"].fillna(""),
        }
    ).to_csv(folder / "Opportunity.csv", index=False)
    accounts = pd.read_csv(sample / "accounts.csv", dtype=str, keep_default_na=False)
    pd.DataFrame(
        {
            "Id": accounts["account_id"].map(sf),
            "IsDeleted": "false",
            "Name": accounts["account_name"],
            "Type": "Customer",
            "Industry": accounts["industry"],
            "BillingCountry": accounts["country"],
            "NumberOfEmployees": accounts["employee_count"],
            "CreatedDate": _date(accounts["created_at"], "%Y-%m-%dT%H:%M:%S.000Z"),
            "Plan__c": accounts["plan"],
            "Seats__c": accounts["seats"],
            "ARR__c": accounts["arr"],
        }
    ).to_csv(folder / "Account.csv", index=False)


def write_hubspot(sample: Path, ids: pd.DataFrame, folder: Path) -> None:
    """Deals and companies views exported from HubSpot (property labels, US dates, a BOM)."""
    opps = pd.read_csv(sample / "opportunities.csv", dtype=str)
    hs = ids.set_index("account_id")["hubspot_id"]
    close = pd.to_datetime(opps["closed_at"]).fillna(open_close_dates(opps))
    deals = pd.DataFrame(
        {
            "Record ID": [str(9_000_000_000 + i) for i in range(1, len(opps) + 1)],
            "Deal Name": "Deal " + opps["opportunity_id"],
            "Deal Stage": opps["outcome"].map(
                {"won": "Closed Won", "lost": "Closed Lost", "open": "Contract Sent"}
            ),
            "Close Date": close.dt.strftime("%m/%d/%Y %H:%M"),
            "Deal owner": "",
            "Amount": opps["amount"].fillna(""),
            "Create Date": _date(opps["opened_at"], "%m/%d/%Y %H:%M"),
            "Pipeline": "Sales Pipeline",
            "Associated Company IDs (Primary)": opps["account_id"].map(hs),
            "Closed Lost Reason": opps["loss_reason"].fillna(""),
        }
    )
    deals.to_csv(folder / "hubspot-deals.csv", index=False, encoding="utf-8-sig")
    accounts = pd.read_csv(sample / "accounts.csv", dtype=str, keep_default_na=False)
    pd.DataFrame(
        {
            "Record ID": accounts["account_id"].map(hs),
            "Company name": accounts["account_name"],
            "Company Domain Name": "",
            "Number of Employees": accounts["employee_count"],
            "Industry": accounts["industry"],
            "Country/Region": accounts["country"],
            "Create Date": _date(accounts["created_at"], "%m/%d/%Y %H:%M"),
            "Plan": accounts["plan"],
            "Seats": accounts["seats"],
            "Annual Recurring Revenue": accounts["arr"],
        }
    ).to_csv(folder / "hubspot-companies.csv", index=False, encoding="utf-8-sig")


def _events_with_groups(sample: Path, ids: pd.DataFrame, con) -> None:
    con.register("ids", ids[["account_id", "analytics_id"]])
    con.execute(
        "CREATE OR REPLACE VIEW ev AS SELECT e.*, i.analytics_id FROM "
        f"read_parquet('{sample / 'events.parquet'}') e "
        "JOIN ids i USING (account_id)"
    )


def write_segment(sample: Path, ids: pd.DataFrame, path: Path) -> None:
    """The warehouse tracks table dumped to Parquet (Segment's column names)."""
    con = duckdb.connect()
    _events_with_groups(sample, ids, con)
    con.execute(
        "COPY (SELECT 'evt-' || row_number() OVER () AS id, NULL::VARCHAR AS anonymous_id, user_id, event, "
        "event AS event_text, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.000Z') AS timestamp, "
        "analytics_id AS context_group_id, 'analytics.js' AS context_library_name FROM ev) "
        f"TO '{path}' (FORMAT parquet)"
    )


def write_amplitude(sample: Path, ids: pd.DataFrame, path: Path, *, files: int = 4) -> None:
    """The Export API's zip of gzipped JSON-lines files (one event a line)."""
    con = duckdb.connect()
    _events_with_groups(sample, ids, con)
    folder = path.parent / "amplitude-parts"
    folder.mkdir()
    con.execute(
        "COPY (SELECT row_number() OVER () % " + str(files) + " AS part, row_number() OVER () AS event_id, "
        "event AS event_type, strftime(occurred_at, '%Y-%m-%d %H:%M:%S.%f') AS event_time, user_id, "
        "'dev-' || user_id AS device_id, json_object('company', [analytics_id]) AS groups, "
        "json_object() AS event_properties, 123456 AS app FROM ev) "
        f"TO '{folder}' (FORMAT json, PARTITION_BY (part), COMPRESSION gzip)"
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for n, part in enumerate(sorted(folder.rglob("*.json.gz"))):
            archive.write(part, f"123456/123456_2026-09-30_{n}#0.json.gz")


def write_mixpanel(sample: Path, ids: pd.DataFrame, path: Path) -> None:
    """The raw event export: JSON lines {"event", "properties"} with Unix-second times, gzipped."""
    con = duckdb.connect()
    _events_with_groups(sample, ids, con)
    con.execute(
        "COPY (SELECT event, json_object('time', epoch(occurred_at)::BIGINT, 'distinct_id', user_id, "
        "'$user_id', user_id, '$insert_id', md5(user_id || occurred_at::VARCHAR), 'company_id', "
        "analytics_id) "
        f"AS properties FROM ev) TO '{path}' (FORMAT json, COMPRESSION gzip)"
    )


def write_json_lines(records: list[dict], path: Path) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
