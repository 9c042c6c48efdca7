"""Test helper: a sample company written out as each vendor would export it.

Used by the round-trip tests (tests/test_imports.py): the `ready` sample exported into Stripe,
Salesforce (Data Export and a report), HubSpot, Segment, Amplitude, Mixpanel and Greenhouse
formats, imported back with `playbook import`, must give the same analyses as the sample itself.
The exports are messy the way real ones are: a report's footer, 15-character ids and amounts in
the deal's currency beside the converted one; Mixpanel group keys stored as lists (and a few
events listing two accounts); scorecards with the company's own focus attributes, a scorecard
submitted twice and an attribute the map leaves out.

Billing: the sample has company-level ARR with its movements, not a customer ledger, so
`stripe_ledger` builds one that adds up to it exactly: a pool of customers (new ones each month,
churned oldest first) and two large customers whose subscriptions carry expansion (a subscription
added) and contraction (one ended) — one expands while the other contracts, month about, since a
customer's movements in a month net out. Where a churn or contraction needs part of a customer or
subscription, that one is split from its start into two (which changes no earlier month).
"""

from __future__ import annotations

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


BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _with_checksum(id15: str) -> str:
    """The 18-character form of a Salesforce id, computed here independently of the importer:
    for each block of five characters, the capitals' positions read as a binary number
    (last character first) index 'A'..'Z', '0'..'5'."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    blocks = [id15[k : k + 5] for k in (0, 5, 10)]
    return id15 + "".join(
        alphabet[int("".join("1" if c.isupper() else "0" for c in b[::-1]), 2)] for b in blocks
    )


def salesforce_account_id15(i: int) -> str:
    """A plausible 15-character Account id: key prefix 001, pod 5g, a base-62 serial (mixed case)."""
    n, serial = i * 7919 + 104729, ""
    while n:
        n, digit = divmod(n, 62)
        serial = BASE62[digit] + serial
    return "0015g00" + serial.rjust(8, "0")


def crm_ids(accounts: pd.DataFrame) -> pd.DataFrame:
    """account_map: each sample account's id in Salesforce (18 characters, as Data Export writes
    them), HubSpot and the analytics tool."""
    n = np.arange(1, len(accounts) + 1)
    return pd.DataFrame(
        {
            "account_id": accounts["account_id"],
            "stripe_id": [f"cus_acct{i:06d}" for i in n],
            "salesforce_id": [_with_checksum(salesforce_account_id15(int(i))) for i in n],
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


def write_mixpanel(sample: Path, ids: pd.DataFrame, path: Path, *, two_accounts: int = 0) -> None:
    """The raw event export: JSON lines {"event", "properties"} with Unix-second times, gzipped.
    The group key is a list, as Mixpanel's SDKs store it; `two_accounts` more events list two."""
    con = duckdb.connect()
    _events_with_groups(sample, ids, con)
    con.execute(
        f"CREATE TEMP TABLE two AS SELECT user_id, occurred_at, analytics_id FROM ev "
        f"ORDER BY user_id, occurred_at LIMIT {two_accounts}"
    )
    con.execute(
        "COPY (SELECT event, json_object('time', epoch(occurred_at)::BIGINT, 'distinct_id', user_id, "
        "'$user_id', user_id, '$insert_id', md5(user_id || occurred_at::VARCHAR), 'company_id', "
        "json_array(analytics_id)) AS properties FROM ev UNION ALL "
        "SELECT 'Workspace Switched', json_object('time', epoch(occurred_at)::BIGINT, "
        "'distinct_id', user_id, '$user_id', user_id, 'company_id', json_array(analytics_id, 'grp-other')) "
        "FROM two) "
        f"TO '{path}' (FORMAT json, COMPRESSION gzip)"
    )


def write_salesforce_report(sample: Path, ids: pd.DataFrame, path: Path, *, eur_rate: float = 1.08) -> None:
    """An opportunities report exported to CSV, as a multi-currency org downloads it: field
    labels, US dates, 15-character ids, each amount in its deal's currency (every fourth deal
    in EUR) beside 'Amount (converted)' in USD, a line break inside a 'Next Step' cell, and the
    report's footer."""
    opps = pd.read_csv(sample / "opportunities.csv", dtype=str)
    sf = ids.set_index("account_id")["salesforce_id"].str[:15]
    close = pd.to_datetime(opps["closed_at"]).fillna(open_close_dates(opps))
    amount = pd.to_numeric(opps["amount"])
    eur = np.arange(len(opps)) % 4 == 3
    local = np.where(eur, amount / eur_rate, amount)

    def money(code, values):
        return [("" if pd.isna(v) else f"{c} {v:,.2f}") for c, v in zip(code, values, strict=True)]

    report = pd.DataFrame(
        {
            "Opportunity Owner": "Jo Seller",
            "Account Name": "Account " + opps["account_id"],
            "Opportunity Name": "Deal " + opps["opportunity_id"],
            "Stage": opps["outcome"].map(
                {"won": "Closed Won", "lost": "Closed Lost", "open": "Negotiation/Review"}
            ),
            "Amount": money(np.where(eur, "EUR", "USD"), local),
            "Amount (converted)": money(["USD"] * len(opps), amount),
            "Close Date": [f"{d.month}/{d.day}/{d.year}" for d in close],
            "Created Date": [f"{d.month}/{d.day}/{d.year}" for d in pd.to_datetime(opps["opened_at"])],
            "Next Step": np.where(np.arange(len(opps)) % 7 == 0, "Security review\nwith the CISO", ""),
            "Loss Reason": opps["loss_reason"].fillna(""),
            "Opportunity ID": [f"0065g00000{n:05d}" for n in range(1, len(opps) + 1)],
            "Account ID": opps["account_id"].map(sf),
        }
    )
    footer = (
        f'\n"Grand Totals ({len(opps)} records)"\n\n"Confidential Information - Do Not Distribute"\n'
        '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
    )
    path.write_text(report.to_csv(index=False, quoting=1) + footer, encoding="utf-8")


RATINGS = {1: "definitely_not", 2: "no", 3: "mixed", 4: "yes", 5: "strong_yes"}
FOCUS_ATTRIBUTES = {
    "collaborative": "Brings product & engineering along",
    "analytical_technical": "Data fluency",
    "long_term_relationships": "Customer farming mindset",
    "enterprise_experience": "Enterprise deal experience",
}


def greenhouse_candidate_ids(candidates: pd.Series) -> pd.Series:
    """Greenhouse's candidate id (a number) for each sample candidate (C1, C2...)."""
    return 40_100_000 + candidates.str[1:].astype(int)


def write_greenhouse(sample: Path, path: Path, attributes: Path) -> None:
    """Harvest API scorecards (GET /v3/scorecards, pages concatenated) for the sample's interview
    loop: one scorecard per candidate and interviewer, rated on the company's own focus
    attributes (written to `attributes` as the --attributes map), plus an 'Executive presence'
    attribute the map leaves out, a no_decision, and one scorecard submitted twice (the first
    one with other ratings: the latest must win)."""
    scores = pd.read_csv(sample / "interview_scores.csv", dtype={"candidate_id": str})
    interviewers = {name: 11 + n for n, name in enumerate(sorted(scores["interviewer"].unique()))}
    cards = []
    for n, ((candidate, interviewer), rows) in enumerate(
        scores.groupby(["candidate_id", "interviewer"]), start=1
    ):
        attrs = [
            {
                "name": FOCUS_ATTRIBUTES[a],
                "type": "Skills",
                "note": None if pd.isna(e) else e,
                "rating": RATINGS[int(s)],
            }
            for a, s, e in rows[["attribute", "score", "evidence"]].itertuples(index=False)
        ]
        attrs += [
            {"name": "Executive presence", "type": "Personality Traits", "note": None, "rating": "yes"},
            {"name": "Culture add", "type": "Personality Traits", "note": None, "rating": "no_decision"},
        ]
        person = {"id": interviewers[interviewer], "name": interviewer, "employee_id": None}
        card = {
            "id": 9000 + n,
            "candidate_id": int(greenhouse_candidate_ids(pd.Series([candidate])).iloc[0]),
            "application_id": 60_000_000 + n,
            "interview": "Onsite",
            "interview_step": {"id": 900 + interviewers[interviewer], "name": "Onsite"},
            "interviewed_at": f"2026-08-{n % 27 + 1:02d}T15:00:00.000Z",
            "submitted_by": person,
            "interviewer": person,
            "submitted_at": f"2026-08-{n % 27 + 1:02d}T18:00:00.000Z",
            "overall_recommendation": "yes",
            "attributes": attrs,
            "questions": [],
        }
        if n == 1:  # submitted first with every rating at its worst, then corrected
            first = {**card, "id": 8999, "submitted_at": card["submitted_at"].replace("T18", "T16")}
            first["attributes"] = [{**a, "rating": "definitely_not"} for a in attrs]
            cards.append(first)
        cards.append(card)
    path.write_text(json.dumps(cards, indent=1))
    attributes.write_text("".join(f"{theirs}: {ours}\n" for ours, theirs in FOCUS_ATTRIBUTES.items()))
