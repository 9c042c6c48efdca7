"""`playbook import`: vendor exports into contract tables; the revenue ledger; ids across systems;
writing without overwriting; a round trip of the `ready` sample through every vendor format."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playbook import PROJECT_ROOT, SAMPLES_DIR
from playbook.data import DataError, load_dataset
from playbook.imports.ledger import ledger_arr
from playbook.imports.vendors import ImportOptions, report, run_import
from playbook.runner.cli import main

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "vendors"


def imported(source: str, files, to: Path, **options):
    got, written = run_import(source, [Path(f) for f in files], to, ImportOptions(**options))
    return got, written, report(got, written)


def csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------------------------
# The revenue ledger


def reconciles(company: pd.DataFrame) -> bool:
    """ARR_t - ARR_t-1 = new + reactivation + expansion - contraction - churned, to the cent."""
    cents = (
        company[["arr", "new_arr", "reactivation_arr", "expansion_arr", "contraction_arr", "churned_arr"]]
        * 100
    ).round()
    moved = cents["new_arr"] + cents["reactivation_arr"] + cents["expansion_arr"] - cents["contraction_arr"]
    moved -= cents["churned_arr"]
    return bool((cents["arr"].diff().iloc[1:] == moved.iloc[1:]).all())


def lines(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "start", "end", "arr"])
    return frame.assign(
        start=pd.to_datetime(frame["start"]), end=pd.to_datetime(frame["end"]), currency="USD"
    )


def test_an_annual_plan_counts_in_each_of_its_twelve_months():
    got = ledger_arr(
        lines([("c1", "2024-01-15", "2025-01-15", 1200.0)]), last_month=pd.Timestamp("2025-03-01")
    )
    arr = got.company.set_index(got.company["month"].dt.strftime("%Y-%m"))["arr"]
    assert (arr["2024-01":"2024-12"] == 1200.0).all() and arr["2025-01"] == 0.0
    assert got.company["new_arr"].sum() == 1200.0 and got.company["churned_arr"].sum() == 1200.0


def test_a_customer_who_cancels_and_returns_is_a_reactivation_not_new():
    got = ledger_arr(
        lines([("c1", "2024-01-01", "2024-03-10", 600.0), ("c1", "2024-06-01", None, 900.0)]),
        last_month=pd.Timestamp("2024-08-01"),
    ).company.set_index("month")
    assert got.loc["2024-01-01", "new_arr"] == 600.0
    assert got.loc["2024-03-01", "churned_arr"] == 600.0
    assert got.loc["2024-06-01", "reactivation_arr"] == 900.0 and got.loc["2024-06-01", "new_arr"] == 0.0
    assert reconciles(got.reset_index())


def test_movements_of_one_customer_net_out_within_a_month():
    got = ledger_arr(
        lines([("c1", "2024-01-01", "2024-02-15", 1000.0), ("c1", "2024-02-01", None, 400.0)]),
        last_month=pd.Timestamp("2024-03-01"),
    ).company.set_index("month")
    assert got.loc["2024-02-01", "contraction_arr"] == 600.0 and got.loc["2024-02-01", "expansion_arr"] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),  # customer
            st.integers(0, 30),  # start month
            st.integers(1, 30),  # months in service (0: never ends)
            st.integers(1, 10**7),  # ARR in cents
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_movements_reconcile_on_any_ledger(spans):
    rows = []
    for customer, start, length, cents, ongoing in spans:
        begin = pd.Timestamp("2023-01-01") + pd.DateOffset(months=start, days=customer)
        end = None if ongoing else begin + pd.DateOffset(months=length)
        rows.append((f"c{customer}", begin, end, cents / 100))
    got = ledger_arr(lines(rows), last_month=pd.Timestamp("2025-12-01"))
    assert reconciles(got.company)
    per_customer = got.customers.groupby("month")["arr_cents"].sum()
    assert (
        per_customer.reindex(got.company["month"]).fillna(0).to_numpy()
        == (got.company["arr"] * 100).round().to_numpy()
    ).all()


def test_movements_reconcile_on_ten_thousand_customers_over_four_years():
    """The issue's scale: monthly and annual plans, upgrades, downgrades, churn and returns."""
    rng = np.random.default_rng(7)
    rows = []
    for c in range(10_000):
        start = pd.Timestamp("2021-01-01") + pd.Timedelta(days=int(rng.integers(0, 1400)))
        for _ in range(int(rng.integers(1, 4))):
            months = int(rng.choice([1, 12]))
            price = float(rng.integers(500, 500_000)) / 100
            length = pd.DateOffset(months=int(rng.integers(1, 30)))
            ongoing = rng.random() < 0.4
            rows.append((f"c{c}", start, None if ongoing else start + length, price * 12 / months))
            start = start + length + pd.Timedelta(days=int(rng.integers(0, 200)))
    got = ledger_arr(
        lines(rows), first_month=pd.Timestamp("2021-01-01"), last_month=pd.Timestamp("2024-12-01")
    )
    assert len(got.company) == 48
    assert reconciles(got.company)
    assert got.company["reactivation_arr"].sum() > 0 and got.company["contraction_arr"].sum() > 0


# ---------------------------------------------------------------------------------------------
# Each source, from a fixture with the vendor's real header


def test_stripe_subscriptions(tmp_path):
    got, _, text = imported("stripe-subscriptions", [FIXTURES / "stripe_subscriptions.csv"], tmp_path)
    arr = csv(tmp_path / "arr_monthly.csv").set_index("month")
    # Exported after Initech's current period began (2024-06-15, the latest timestamp): through June.
    assert arr.index[-1] == "2024-06" and "exported on 2024-06-15" in text
    # Acme 5 x 20/month from January; Globex yearly 1200 from February, ended in April, back
    # monthly (3 x 20) from June: a reactivation; Initech 2 x 20 after its trial ends mid-March.
    assert arr.loc["2024-01", "arr"] == "1200.00"
    assert arr.loc["2024-02", "arr"] == "2400.00" and arr.loc["2024-02", "new_arr"] == "1200.00"
    assert arr.loc["2024-03", "arr"] == "2880.00"
    assert arr.loc["2024-04", "churned_arr"] == "1200.00"
    assert arr.loc["2024-06", "reactivation_arr"] == "720.00" and arr.loc["2024-06", "new_arr"] == "0.00"
    assert "1 : subscriptions that never became active" not in text
    assert "set aside 1: subscriptions that never became active (incomplete)" in text
    assert "1 subscriptions have a coupon" in text
    accounts = csv(tmp_path / "accounts.csv").set_index("account_id")
    assert accounts.loc["cus_B", "arr"] == "720.00" and accounts.loc["cus_B", "account_name"] == "Globex"
    assert (tmp_path / "account_arr.csv").is_file()  # no map: every customer is an account


def test_stripe_invoice_lines_convert_currencies_and_skip_prorations(tmp_path):
    rates = tmp_path / "fx.csv"
    rates.write_text("month,currency,rate\n2024-02,EUR,1.10\n")
    got, _, text = imported(
        "stripe-invoices",
        [FIXTURES / "stripe_invoice_lines.csv"],
        tmp_path / "out",
        fx_rates=rates,
        through="2024-03",
    )
    arr = csv(tmp_path / "out" / "arr_monthly.csv").set_index("month")
    assert arr.loc["2024-01", "arr"] == "2400.00"  # 100 a month (x12) and an annual 1200
    assert arr.loc["2024-02", "arr"] == "3060.00"  # + EUR 50 a month at 1.10
    assert arr.loc["2024-03", "churned_arr"] == "1860.00"  # no March lines; the void EUR line is not service
    assert "set aside 1: lines of draft, void or uncollectible invoices" in text
    assert "set aside 1: proration lines" in text


def test_a_currency_without_a_rate_is_an_error_naming_the_rows(tmp_path):
    with pytest.raises(DataError, match="has amounts in EUR, not USD: give their rates with --fx-rates"):
        imported("stripe-invoices", [FIXTURES / "stripe_invoice_lines.csv"], tmp_path, through="2024-03")
    assert not any(tmp_path.iterdir())


def test_salesforce_data_export(tmp_path):
    imported("salesforce-accounts", [FIXTURES / "salesforce_Account.csv"], tmp_path)
    got, _, text = imported("salesforce-opportunities", [FIXTURES / "salesforce_Opportunity.csv"], tmp_path)
    opps = csv(tmp_path / "opportunities.csv").set_index("opportunity_id")
    assert opps["outcome"].tolist() == ["won", "lost", "open"]
    assert opps.loc["0065g00000AbCdEAAV", "opened_at"] == "2024-03-01"
    assert opps.loc["0065g00000AbCdGAAV", "expected_close_at"] == "2024-09-30"
    assert opps.loc["0065g00000AbCdGAAV", "closed_at"] == ""
    accounts = csv(tmp_path / "accounts.csv").set_index("account_id")
    assert "industry" not in accounts  # the optional column was not exported
    assert accounts.loc["0015g00000XyZ02AAF", "employee_count"] == ""
    text = report(
        *run_import("salesforce-accounts", [FIXTURES / "salesforce_Account.csv"], tmp_path / "again")
    )
    assert "1 accounts have no employee count" in text


def test_an_unknown_stage_label_is_an_error_listing_it_then_a_stage_map_reads_it(tmp_path):
    report_export = FIXTURES / "salesforce_report_opportunities.csv"
    with pytest.raises(
        DataError, match="stage labels whose outcome is unknown: 'Security Review' \\(1 deals\\)"
    ):
        imported("salesforce-opportunities", [report_export], tmp_path)
    stages = tmp_path / "stages.yaml"
    stages.write_text("Security Review: open\n")
    imported("salesforce-opportunities", [report_export], tmp_path / "out", stages=stages)
    opps = csv(tmp_path / "out" / "opportunities.csv")
    assert opps["opened_at"].tolist() == ["2024-03-01", "2024-02-11", "2024-06-20"]  # US dates read as such
    assert opps["amount"].tolist() == ["24000.00", "18000.00", "9000.00"]
    assert opps["outcome"].tolist() == ["won", "lost", "open"]


def test_hubspot_deals_and_companies(tmp_path):
    imported("hubspot-companies", [FIXTURES / "hubspot_companies.csv"], tmp_path)
    got, _, text = imported("hubspot-deals", [FIXTURES / "hubspot_deals.csv"], tmp_path)
    opps = csv(tmp_path / "opportunities.csv").set_index("opportunity_id")
    assert opps.loc["9001", "account_id"] == "5001"  # the first of two associated companies
    assert opps.loc["9002", "loss_reason"] == "Price" and opps.loc["9001", "closed_at"] == "2024-05-30"
    assert "9004" not in opps.index and "set aside 1: deals without an account" in text
    assert csv(tmp_path / "accounts.csv")["created_at"].tolist() == ["2023-01-05", "2023-04-18"]


def test_segment_tracks(tmp_path):
    (tmp_path / "account_map.csv").write_text("account_id,analytics_id\nA1,grp-acme\nA2,grp-globex\n")
    (tmp_path / "accounts.csv").write_text(
        "account_id,account_name,employee_count\nA1,Acme,1200\nA2,Globex,300\n"
    )
    got, _, text = imported("segment", [FIXTURES / "segment_tracks.csv"], tmp_path)
    events = pd.read_parquet(tmp_path / "events" / "segment.parquet")
    assert events[["user_id", "account_id"]].values.tolist() == [["u1", "A1"]]
    assert "set aside 1: events without a user id" in text
    assert "set aside 1: events without an account" in text
    assert "1 group ids not in account_map.csv's analytics_id (events per id: grp-unknown (1))" in text


def test_amplitude_export_archive(tmp_path):
    member = tmp_path / "123456_2024-06-01_10#0.json.gz"
    member.write_bytes(gzip.compress((FIXTURES / "amplitude_events.jsonl").read_bytes()))
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(member, f"123456/{member.name}")
    got, _, text = imported("amplitude", [archive], tmp_path / "data")
    events = pd.read_parquet(tmp_path / "data" / "events" / "amplitude.parquet").sort_values("user_id")
    assert events[["user_id", "account_id"]].values.tolist() == [["u1", "grp-acme"], ["u2", "grp-globex"]]
    assert events["occurred_at"].iloc[0] == pd.Timestamp("2024-06-01 10:00:00.123")
    assert (
        "set aside 1: events without a user id" in text and "set aside 1: events without an account" in text
    )


def test_mixpanel_raw_export(tmp_path):
    got, _, text = imported("mixpanel", [FIXTURES / "mixpanel_export.jsonl"], tmp_path)
    events = pd.read_parquet(tmp_path / "events" / "mixpanel.parquet").sort_values("user_id")
    assert events["user_id"].tolist() == ["u1", "u2"]
    assert events["occurred_at"].tolist() == [
        pd.Timestamp("2024-06-01 10:00"),
        pd.Timestamp("2024-06-02 09:30"),
    ]
    assert "set aside 1: events without a user id (anonymous)" in text


def test_a_missing_required_column_names_it_with_a_near_miss(tmp_path):
    bad = tmp_path / "Opportunity.csv"
    bad.write_text(
        (FIXTURES / "salesforce_Opportunity.csv").read_text().replace("AccountId", "Account_Id", 1)
    )
    with pytest.raises(
        DataError, match="column 'AccountId or Account ID': is missing .*did you mean 'Account_Id'"
    ):
        imported("salesforce-opportunities", [bad], tmp_path / "out")
    imported("salesforce-opportunities", [bad], tmp_path / "out", overrides=["account_id=Account_Id"])
    assert (tmp_path / "out" / "opportunities.csv").is_file()


# ---------------------------------------------------------------------------------------------
# Writing into a data folder


def test_two_imports_that_write_accounts_merge_by_id(tmp_path):
    (tmp_path / "account_map.csv").write_text(
        "account_id,stripe_id,salesforce_id\nA1,cus_A,0015g00000XyZ01AAF\nA2,cus_B,0015g00000XyZ02AAF\n"
    )
    imported("salesforce-accounts", [FIXTURES / "salesforce_Account.csv"], tmp_path)
    got, written, text = imported("stripe-subscriptions", [FIXTURES / "stripe_subscriptions.csv"], tmp_path)
    accounts = csv(tmp_path / "accounts.csv").set_index("account_id")
    assert accounts.loc["A1", "account_name"] == "Acme Inc" and accounts.loc["A1", "arr"] == "1200.00"
    assert accounts.loc["A2", "arr"] == "720.00"
    assert "accounts.csv: merged by account_id: 0 rows added, 2 updated; columns added: arr" in text
    assert "1 Stripe customers with ARR not in account_map.csv's stripe_id (rows per id: cus_C" in text
    assert not (tmp_path / "account_arr.csv").exists()  # a customer without an account: no partial retention


def test_a_conflicting_value_is_not_overwritten_without_force(tmp_path):
    imported("hubspot-companies", [FIXTURES / "hubspot_companies.csv"], tmp_path)
    changed = tmp_path / "companies.csv"
    changed.write_text((FIXTURES / "hubspot_companies.csv").read_text().replace("Acme Inc", "Acme Corp"))
    before = (tmp_path / "accounts.csv").read_bytes()
    assert main(["import", "hubspot-companies", str(changed), "--to", str(tmp_path)]) == 2
    assert (tmp_path / "accounts.csv").read_bytes() == before
    assert main(["import", "hubspot-companies", str(changed), "--to", str(tmp_path), "--force"]) == 0
    assert "Acme Corp" in (tmp_path / "accounts.csv").read_text()


def test_events_are_never_replaced_without_force(tmp_path, capsys):
    args = ["import", "mixpanel", str(FIXTURES / "mixpanel_export.jsonl"), "--to", str(tmp_path)]
    assert main(args) == 0
    assert main(args) == 2
    assert "exists: pass --force to replace it" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, capsys):
    assert main(["import", "stripe-subscription", "x.csv", "--to", str(tmp_path)]) == 2
    assert "did you mean 'stripe-subscriptions'" in capsys.readouterr().err
    assert main(["import", "segment", str(tmp_path / "missing.csv"), "--to", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# The round trip: the ready sample through every vendor format gives the same analyses

TWO_ACCOUNTS = 7  # Mixpanel events whose group key lists two accounts (set aside)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    from tests import vendor_exports as vx

    folder = tmp_path_factory.mktemp("exports")
    sample = SAMPLES_DIR / "ready"
    arr = pd.read_csv(sample / "arr_monthly.csv")
    subs = vx.stripe_ledger(arr)
    vx.write_stripe_subscriptions(subs, folder / "subscriptions.csv")
    vx.write_stripe_invoice_lines(subs, folder / "invoice_lines.csv", pd.Timestamp(arr["month"].iloc[-1]))
    ids = vx.crm_ids(pd.read_csv(sample / "accounts.csv"))
    vx.write_salesforce(sample, ids, folder)
    vx.write_salesforce_report(sample, ids, folder / "report.csv")
    vx.write_hubspot(sample, ids, folder)
    vx.write_segment(sample, ids, folder / "tracks.parquet")
    vx.write_amplitude(sample, ids, folder / "amplitude.zip")
    vx.write_mixpanel(sample, ids, folder / "mixpanel.json.gz", two_accounts=TWO_ACCOUNTS)
    vx.write_greenhouse(sample, folder / "scorecards.json", folder / "attributes.yaml")
    # What the sample's own data would be, held in a CRM: open deals carry an expected close date.
    reference = folder / "reference"
    shutil.copytree(sample, reference)
    opps = pd.read_csv(reference / "opportunities.csv", dtype=str)
    opps["expected_close_at"] = vx.open_close_dates(opps).dt.strftime("%Y-%m-%d")
    opps.to_csv(reference / "opportunities.csv", index=False)
    return folder, ids, reference


def the_rest(folder: Path, ids: pd.DataFrame, *, interviews: bool = True) -> None:
    """What no vendor export holds: spreadsheets of spend and signups, the users list, requests,
    the id crosswalk, and the interview loop (or, when it comes from the ATS, the candidates'
    backgrounds under their ATS ids)."""
    from tests.vendor_exports import greenhouse_candidate_ids

    sample = SAMPLES_DIR / "ready"
    folder.mkdir()
    tables = ["users.parquet", "feature_requests.csv", "features.csv"]
    for name in tables + (["leader_candidates.csv", "interview_scores.csv"] if interviews else []):
        shutil.copy(sample / name, folder / name)
    if not interviews:
        candidates = pd.read_csv(sample / "leader_candidates.csv", dtype=str)
        candidates["candidate_id"] = greenhouse_candidate_ids(candidates["candidate_id"])
        candidates.to_csv(folder / "leader_candidates.csv", index=False)
    arr = pd.read_csv(sample / "arr_monthly.csv", dtype=str)
    arr[["month", "self_serve_arr", "sales_marketing_spend", "signups"]].to_csv(
        folder / "arr_monthly.csv", index=False
    )
    ids.to_csv(folder / "account_map.csv", index=False)


def penetration_figures(p: dict) -> dict:
    """The penetration figures the board shows, from a summary's (or a result's) penetration section."""
    return {
        "verdict": p["verdict"],
        "threshold": p["employee_penetration"]["threshold"],
        "ready_accounts": p["ready_accounts"],
        "pipeline": round(p["pipeline_value"] / 1e4),
    }


def leader_figures(section: dict, ids: dict[str, str] | None = None) -> dict:
    """The leaders section's verdict, leader, ranking (scores) and flags, candidates renamed by `ids`."""
    name = (ids or {}).get
    return {
        "verdict": section["verdict"],
        "leader": name(section["leader"], section["leader"]),
        "ranking": [(name(r["candidate_id"], r["candidate_id"]), r["score"]) for r in section["ranking"]],
        "flags": {name(c, c): f for c, f in section["flags"].items()},
    }


def headline(folder: Path) -> dict:
    from playbook.runner.params import Params
    from playbook.runner.results import assess_all

    results = assess_all(load_dataset(folder), Params())
    t, p, d = (results.section(s).to_dict() for s in ("timing", "penetration", "enterprise_demand"))
    return {
        "verdicts": [
            results.section(s).verdict for s in ("timing", "penetration", "enterprise_demand", "overview")
        ],
        "arr": round(t["current_arr"] / 1e5),  # as the board shows it, $24.5M
        "nrr": t["nrr"],
        "penetration": penetration_figures(p),
        "leaders": results.section("leaders").to_dict(),
        "top_features": [f["feature"] for f in d["top_by_arr_at_stake"]],
    }


@pytest.fixture(scope="module")
def reference_headline(exports):
    return headline(exports[2])


def validate_and_run(data: Path, out: Path, *only: str) -> dict:
    """`playbook validate`, then `playbook run --only ...` on the imported folder: its summary."""
    import json

    assert main(["validate", "--data", str(data)]) == 0
    args = ["run", "--data", str(data), "--out", str(out)]
    assert main([*args, *(a for name in only for a in ("--only", name))]) == 0
    (folder,) = out.glob("run-*")
    return json.loads((folder / "summary.json").read_text()) | {"folder": folder}


def test_stripe_subscriptions_salesforce_data_export_and_segment_give_the_same_analyses(
    exports, reference_headline, tmp_path
):
    folder, ids, _ = exports
    data = tmp_path / "data"
    the_rest(data, ids)
    imported("stripe-subscriptions", [folder / "subscriptions.csv"], data, first_month="2022-10")
    imported("salesforce-accounts", [folder / "Account.csv"], data)
    imported("salesforce-opportunities", [folder / "Opportunity.csv"], data)
    _, _, text = imported("segment", [folder / "tracks.parquet"], data)
    assert "set aside" not in text
    assert headline(data) == reference_headline


def test_stripe_subscriptions_a_salesforce_report_and_mixpanel_round_trip(
    exports, reference_headline, tmp_path
):
    """The report shows 15-character ids (the map has 18), amounts in EUR beside the converted USD
    ones and its footer; Mixpanel's group keys are lists, a few naming two accounts."""
    folder, ids, _ = exports
    data = tmp_path / "data"
    the_rest(data, ids)
    _, _, text = imported("stripe-subscriptions", [folder / "subscriptions.csv"], data, first_month="2022-10")
    assert "set aside" not in text
    arr = csv(data / "arr_monthly.csv").set_index("month")
    sample = csv(SAMPLES_DIR / "ready" / "arr_monthly.csv").set_index("month")
    movements = ["new_arr", "expansion_arr", "contraction_arr", "churned_arr"]
    assert (arr.loc[sample.index, movements] == sample[movements]).all().all()  # to the cent
    # The sample's ARR is its movements' sum but for its own rounding (a few cents over four years).
    assert (arr.loc[sample.index, "arr"].astype(float) - sample["arr"].astype(float)).abs().max() < 0.10
    imported("salesforce-accounts", [folder / "Account.csv"], data)
    _, _, text = imported("salesforce-opportunities", [folder / "report.csv"], data)
    assert text.count("set aside") == 1 and "set aside 3: report footer lines" in text
    _, _, text = imported("mixpanel", [folder / "mixpanel.json.gz"], data)
    assert text.count("set aside") == 1
    assert f"set aside {TWO_ACCOUNTS}: events whose group key lists several accounts" in text

    summary = validate_and_run(data, tmp_path / "runs", "penetration")
    assert penetration_figures(summary["penetration"]) == reference_headline["penetration"]
    ready = pd.read_csv(summary["folder"] / "ready_accounts.csv", dtype=str, encoding="utf-8-sig")
    assert len(ready) == summary["penetration"]["ready_accounts"]
    assert (
        ready["Salesforce Account ID"]
        == ready["Account ID"].map(ids.set_index("account_id")["salesforce_id"])
    ).all()
    contacts = pd.read_csv(summary["folder"] / "ready_contacts.csv", dtype=str, encoding="utf-8-sig")
    assert set(contacts["Account ID"]) <= set(ready["Account ID"]) and len(contacts) > len(ready)


def test_stripe_invoices_hubspot_amplitude_and_greenhouse_round_trip(exports, reference_headline, tmp_path):
    """The interview loop comes from Greenhouse scorecards: the company's focus attributes mapped
    to the four, one scorecard submitted twice, an attribute left out and a no_decision."""
    from tests.vendor_exports import greenhouse_candidate_ids

    folder, ids, _ = exports
    data = tmp_path / "data"
    the_rest(data, ids, interviews=False)
    imported("stripe-invoices", [folder / "invoice_lines.csv"], data, first_month="2022-10")
    arr = csv(data / "arr_monthly.csv").set_index("month")["arr"].astype(float)
    sample = csv(SAMPLES_DIR / "ready" / "arr_monthly.csv").set_index("month")["arr"].astype(float)
    # Monthly lines carry a twelfth of each annual price, rounded to the cent: a few dollars at most.
    assert (arr[sample.index] - sample).abs().max() < 0.06 * 1_000
    imported("hubspot-companies", [folder / "hubspot-companies.csv"], data)
    imported("hubspot-deals", [folder / "hubspot-deals.csv"], data)
    _, _, text = imported("amplitude", [folder / "amplitude.zip"], data)
    assert "set aside" not in text
    _, _, text = imported(
        "greenhouse-scorecards", [folder / "scorecards.json"], data, attributes=folder / "attributes.yaml"
    )
    assert "set aside 1: earlier submissions of a scorecard submitted again" in text
    assert "ratings of no decision" in text and "'Executive presence'" in text
    assert "named 'Candidate <id>'" not in text  # the candidates were in leader_candidates.csv

    summary = validate_and_run(data, tmp_path / "runs", "penetration", "leaders")
    assert penetration_figures(summary["penetration"]) == reference_headline["penetration"]
    candidates = pd.read_csv(SAMPLES_DIR / "ready" / "leader_candidates.csv", dtype=str)["candidate_id"]
    renamed = dict(zip(candidates, greenhouse_candidate_ids(candidates).astype(str), strict=True))
    assert leader_figures(summary["leaders"]) == leader_figures(reference_headline["leaders"], renamed)


def test_the_command_line_names_every_vendor_the_import_reads():
    from playbook.imports import VENDOR_NAMES
    from playbook.imports.vendors import VENDORS

    assert list(VENDOR_NAMES) == list(VENDORS)
