"""Exports as vendors let people download them (issue 22): each case that once gave wrong numbers
with exit 0, or failed on a file exactly as downloaded. The fixtures are in tests/fixtures/vendors
(their README says what each holds and what is messy on purpose)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from playbook import PROJECT_ROOT
from playbook.data import DataError
from playbook.imports.vendors import ImportOptions, report, run_import

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "vendors"


def imported(vendor: str, files, to: Path, **options):
    got, written = run_import(vendor, [Path(f) for f in files], to, ImportOptions(**options))
    return got, report(got, written)


def csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def account_map(folder: Path, rows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "account_map.csv"
    path.write_text(rows)
    return path


# ---------------------------------------------------------------------------------------------
# Mixpanel and Amplitude: group keys are lists


def test_mixpanel_group_keys_that_are_lists_are_unwrapped_not_read_as_json(tmp_path):
    """Mixpanel's SDK stores a group key as a list ('company_id': ['ws_4c127664'])."""
    _, text = imported("mixpanel", [FIXTURES / "mixpanel_group_lists.jsonl"], tmp_path)
    events = pd.read_parquet(tmp_path / "events" / "mixpanel.parquet")
    assert sorted(events["account_id"].unique()) == ["ws_4c127664", "ws_9a01b2c3"]
    assert len(events) == 4  # three one-element lists and one plain string
    assert "set aside 1: events whose group key lists several accounts" in text
    assert "set aside 1: events without an account (group) id" in text  # the empty list


def test_mixpanel_list_valued_group_keys_match_the_account_map(tmp_path):
    account_map(tmp_path, "account_id,analytics_id\nA1,ws_4c127664\nA2,ws_9a01b2c3\n")
    _, text = imported("mixpanel", [FIXTURES / "mixpanel_group_lists.jsonl"], tmp_path)
    events = pd.read_parquet(tmp_path / "events" / "mixpanel.parquet")
    assert sorted(events["account_id"]) == ["A1", "A1", "A1", "A2"]
    assert "not in account_map.csv" not in text


def test_amplitude_group_lists_of_several_accounts_are_set_aside_and_counted(tmp_path):
    _, text = imported("amplitude", [FIXTURES / "amplitude_group_lists.jsonl"], tmp_path)
    events = pd.read_parquet(tmp_path / "events" / "amplitude.parquet").sort_values("user_id")
    assert events["account_id"].tolist() == ["acct-17", "acct-23"]
    assert "set aside 1: events whose group key lists several accounts" in text


# ---------------------------------------------------------------------------------------------
# Stripe: nothing after the export, numbers read as written


def test_a_subscription_in_trial_at_export_is_not_arr_and_no_month_after_the_export_is_written(tmp_path):
    """The latest timestamp is 2024-09-29 16:40; Contoso's trial ends on 2024-10-02."""
    _, text = imported(
        "stripe-subscriptions", [FIXTURES / "stripe_subscriptions_trial_at_export.csv"], tmp_path
    )
    arr = csv(tmp_path / "arr_monthly.csv").set_index("month")
    assert arr.index[-1] == "2024-09"
    # Northwind 3 x 49 a month, Fabrikam 1,188 a year, Litware 49 a month; Contoso still in trial.
    assert arr.loc["2024-09", "arr"] == "3540.00"
    assert "exported on 2024-09-29" in text and "latest timestamp" in text
    assert "set aside 1: subscriptions still in trial on the export date" in text
    accounts = csv(tmp_path / "accounts.csv").set_index("account_id")
    assert "cus_NwD" not in accounts.index or accounts.loc["cus_NwD", "arr"] == "0.00"


def test_decimal_commas_in_a_comma_delimited_export_are_read_as_decimals(tmp_path):
    """A subscriptions export re-saved by a spreadsheet in a German locale: '49,00', '1.188,00'."""
    imported(
        "stripe-subscriptions", [FIXTURES / "stripe_subscriptions_eu_locale.csv"], tmp_path, currency="EUR"
    )
    arr = csv(tmp_path / "arr_monthly.csv").set_index("month")
    # 3 x 49.00 x 12 + 1,188.00 + 10 x 9.90 x 12 (Ibérica from July)
    assert arr.loc["2024-07", "arr"] == "4140.00"
    assert arr.loc["2024-01", "arr"] == "1764.00"


def test_a_number_that_reads_two_ways_is_an_error_asking_for_the_decimal_mark(tmp_path):
    """'1,188' is 1,188 with a thousands separator or 1.188 with a decimal comma."""
    with pytest.raises(DataError, match=r"column 'Amount'.*decimal.*line 3 \('1,188'\)"):
        imported("stripe-subscriptions", [FIXTURES / "stripe_subscriptions_ambiguous_amounts.csv"], tmp_path)
    assert not any(tmp_path.iterdir())


def test_a_currency_error_names_the_file_lines(tmp_path):
    """The EUR line of stripe_invoice_lines.csv is on line 6 (the void one on line 7 is set aside)."""
    with pytest.raises(
        DataError, match=r"stripe_invoice_lines\.csv, column 'currency'.*— line 6 \('EUR 2024-02'\)"
    ):
        imported("stripe-invoices", [FIXTURES / "stripe_invoice_lines.csv"], tmp_path, through="2024-03")


def test_an_error_names_the_physical_line_where_the_record_starts(tmp_path):
    """Deal 9101's description spans three lines, so deal 9103 starts on line 6, not 4."""
    with pytest.raises(DataError, match=r"column 'Amount': must be a number — line 6 \('12k'\)"):
        imported("hubspot-deals", [FIXTURES / "hubspot_deals_multiline.csv"], tmp_path)


# ---------------------------------------------------------------------------------------------
# Salesforce: reports as downloaded, ids in either length, deleted rows


def test_a_salesforce_report_with_its_footer_and_converted_amounts_imports(tmp_path):
    _, text = imported(
        "salesforce-opportunities", [FIXTURES / "salesforce_report_multicurrency.csv"], tmp_path
    )
    opps = csv(tmp_path / "opportunities.csv").set_index("opportunity_id")
    assert len(opps) == 4
    # The report's converted amounts (USD), never the EUR or GBP figures.
    assert opps["amount"].tolist() == ["120250.00", "19440.00", "11430.00", "4500.00"]
    assert opps["outcome"].tolist() == ["won", "lost", "open", "won"]
    assert "set aside 3: report footer lines (salesforce_report_multicurrency.csv lines 8, 10, 11" in text


def test_without_a_converted_column_amounts_are_converted_with_declared_rates(tmp_path):
    report_file = FIXTURES / "salesforce_report_multicurrency_rates.csv"
    with pytest.raises(DataError, match=r"column 'Amount'.*EUR, GBP.*fx-rates.*line 3"):
        imported("salesforce-opportunities", [report_file], tmp_path / "no")
    rates = tmp_path / "fx.csv"
    rates.write_text("month,currency,rate\n2024-06,EUR,1.08\n2024-09,GBP,1.27\n")
    imported("salesforce-opportunities", [report_file], tmp_path / "out", fx_rates=rates)
    opps = csv(tmp_path / "out" / "opportunities.csv")
    assert opps["amount"].tolist() == ["120250.00", "19440.00", "11430.00"]  # at each close month's rate


def test_fifteen_character_report_ids_match_an_account_map_of_eighteen(tmp_path):
    """Reports show 15-character ids; Data Export and Data Loader write 18 (the map is built from them)."""
    account_map(tmp_path, "account_id,salesforce_id\nA1,0015g00000XyZ01AAF\nA2,0015g00000XyZ02AAF\n")
    stages = tmp_path / "stages.yaml"
    stages.write_text("Security Review: open\n")
    report_file = FIXTURES / "salesforce_report_opportunities.csv"
    _, text = imported("salesforce-opportunities", [report_file], tmp_path, stages=stages)
    opps = csv(tmp_path / "opportunities.csv")
    assert opps["account_id"].tolist() == ["A1", "A2", "A1"]
    assert opps["opportunity_id"].tolist()[0] == "0065g00000AbCdEAAV"  # the 18-character form
    assert "not in account_map.csv" not in text


def test_soft_deleted_salesforce_rows_are_set_aside(tmp_path):
    """A Data Loader 'Export All' holds deleted records (IsDeleted = true)."""
    _, text = imported(
        "salesforce-opportunities", [FIXTURES / "salesforce_Opportunity_export_all.csv"], tmp_path
    )
    opps = csv(tmp_path / "opportunities.csv")
    assert (opps["outcome"] == "won").sum() == 2
    assert "0065g00000AbCdHAAV" not in set(opps["opportunity_id"])
    assert "set aside 2: deleted records (IsDeleted = true)" in text


def test_the_footer_of_an_accounts_report_is_set_aside_out_loud(tmp_path):
    _, text = imported("salesforce-accounts", [FIXTURES / "salesforce_report_accounts.csv"], tmp_path)
    assert "set aside 3: report footer lines" in text
    accounts = csv(tmp_path / "accounts.csv").set_index("account_id")
    assert len(accounts) == 3 and accounts.loc["0015g00000XyZ01AAF", "employee_count"] == "1200"
    assert accounts["domain"].tolist() == ["acme.example", "globex.example", "initech.example"]


# ---------------------------------------------------------------------------------------------
# Column names in any case; Segment's event name


def test_uppercase_column_names_from_a_snowflake_unload_are_read(tmp_path):
    _, text = imported("segment", [FIXTURES / "segment_tracks_snowflake.csv"], tmp_path)
    events = pd.read_parquet(tmp_path / "events" / "segment.parquet").sort_values("user_id")
    assert events["occurred_at"].tolist() == [
        pd.Timestamp("2024-06-01 10:00"),
        pd.Timestamp("2024-06-01 12:30"),
    ]


def test_segment_events_are_named_by_event_text_not_the_table_slug(tmp_path):
    """The tracks table's `event` is a slug ('report_viewed'); `event_text` is the event's name."""
    imported("segment", [FIXTURES / "segment_tracks.csv"], tmp_path)
    events = pd.read_parquet(tmp_path / "events" / "segment.parquet").sort_values("user_id")
    assert events["event"].tolist() == ["Report Viewed", "Export Clicked"]
    imported("segment", [FIXTURES / "segment_tracks_snowflake.csv"], tmp_path / "unload")
    events = pd.read_parquet(tmp_path / "unload" / "events" / "segment.parquet").sort_values("user_id")
    assert events["event"].tolist() == ["Report Viewed", "Dashboard Shared"]
