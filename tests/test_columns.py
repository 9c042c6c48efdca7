"""columns.yaml grown up: value maps, date formats, .xlsx sheets, CSV dialects, did-you-mean —
and the short form still works."""

from __future__ import annotations

import pandas as pd
import pytest

from playbook.data import DataError, load_dataset
from tests.conftest import tiny_tables, write_tables

SALESFORCE_STYLE = """
opportunities:
  columns:
    opportunity_id: Id
    account_id: AccountId
    outcome: StageName
    opened_at: CreatedDate
    closed_at: CloseDate
  values:
    outcome: {Closed Won: won, Closed Lost: lost, Prospecting: open}
  dates: {opened_at: "%m/%d/%Y", closed_at: "%m/%d/%Y"}
"""


def salesforce_opportunities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Id": ["O1", "O2", "O3"],
            "AccountId": ["A1", "A3", "A3"],
            "CreatedDate": ["03/01/2024", "06/01/2024", "08/01/2026"],
            "StageName": ["Closed Won", "Closed Lost", "Prospecting"],
            "CloseDate": ["06/01/2024", "09/01/2024", None],
            "amount": [50000, 200000, 150000],
        }
    )


def folder_with(tmp_path, yaml_text: str, **tables) -> object:
    base = tiny_tables()
    base.update(tables)
    folder = write_tables(tmp_path / "company", base)
    (folder / "columns.yaml").write_text(yaml_text)
    return folder


def test_value_maps_and_date_formats(tmp_path):
    data = load_dataset(folder_with(tmp_path, SALESFORCE_STYLE, opportunities=salesforce_opportunities()))
    opps = data.opportunities
    assert opps["outcome"].tolist() == ["won", "lost", "open"]
    assert opps["opened_at"].tolist() == [pd.Timestamp(d) for d in ("2024-03-01", "2024-06-01", "2026-08-01")]


def test_a_value_the_map_does_not_name_is_an_error_listing_every_one(tmp_path):
    opps = salesforce_opportunities()
    opps["StageName"] = ["Closed Won", "Negotiation", "Security Review"]
    with pytest.raises(DataError) as error:
        load_dataset(folder_with(tmp_path, SALESFORCE_STYLE, opportunities=opps))
    message = str(error.value)
    assert "opportunities.csv, column 'outcome'" in message
    assert "does not name: 'Negotiation', 'Security Review'" in message
    assert "line 3 ('Negotiation'), line 4 ('Security Review')" in message


def test_a_date_in_another_format_than_declared_names_the_rows(tmp_path):
    opps = salesforce_opportunities()
    opps.loc[1, "CreatedDate"] = "2024-06-01"
    with pytest.raises(
        DataError, match="column 'opened_at': must be a date in the declared format '%m/%d/%Y' — line 3"
    ):
        load_dataset(folder_with(tmp_path, SALESFORCE_STYLE, opportunities=opps))


def test_undeclared_us_dates_get_a_hint(tmp_path):
    tables = tiny_tables()
    tables["accounts"]["created_at"] = ["01/10/2022", "05/13/2023", "03/15/2021"]
    with pytest.raises(DataError, match="they look like '%m/%d/%Y': declare it under `dates:`"):
        load_dataset(write_tables(tmp_path / "c", tables))


@pytest.mark.parametrize(
    "writer",
    [{"sep": ";", "decimal": ","}, {"sep": "\t"}, {"encoding": "utf-8-sig"}, {"encoding": "cp1252"}],
    ids=["semicolon and decimal comma", "tab", "byte-order mark", "Windows-1252"],
)
def test_csv_dialects_are_detected(tmp_path, writer):
    tables = tiny_tables()
    tables["accounts"]["account_name"] = ["Acmé", "Blue Labs", "Cedar Bank"]
    folder = write_tables(tmp_path / "c", tables)
    tables["arr_monthly"].to_csv(folder / "arr_monthly.csv", index=False, **writer)
    tables["accounts"].to_csv(folder / "accounts.csv", index=False, **writer)
    data = load_dataset(folder)
    assert data.arr_monthly["arr"].round(2).tolist() == tables["arr_monthly"]["arr"].tolist()
    assert data.accounts["account_name"].iloc[0] == "Acmé"


def test_a_decimal_comma_with_thousands_points(tmp_path):
    folder = folder_with(tmp_path, "arr_monthly:\n  csv: {delimiter: ';', decimal: ','}\n")
    arr = tiny_tables()["arr_monthly"]
    text = arr.assign(
        arr=[f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") for v in arr["arr"]]
    )
    text.to_csv(folder / "arr_monthly.csv", sep=";", index=False)
    assert "10.000.000,00" in (folder / "arr_monthly.csv").read_text()
    assert load_dataset(folder).arr_monthly["arr"].iloc[0] == 10_000_000.0


def test_an_xlsx_sheet(tmp_path):
    folder = folder_with(tmp_path, "opportunities:\n  sheet: Deals\n")
    (folder / "opportunities.csv").unlink()
    with pd.ExcelWriter(folder / "opportunities.xlsx") as book:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(book, sheet_name="Read me", index=False)
        tiny_tables()["opportunities"].to_excel(book, sheet_name="Deals", index=False)
    assert load_dataset(folder).opportunities["outcome"].tolist() == ["won", "lost", "open"]
    (folder / "columns.yaml").write_text("opportunities:\n  sheet: Deal\n")
    with pytest.raises(
        DataError, match="opportunities.xlsx: has no sheet 'Deal' \\(did you mean 'Deals'\\?\\)"
    ):
        load_dataset(folder)


def test_mapping_errors_name_the_file_the_column_and_a_near_miss(tmp_path):
    tables = tiny_tables()
    tables["accounts"] = tables["accounts"].rename(columns={"employee_count": "Employees"})
    folder = folder_with(tmp_path, "accounts:\n  employee_count: Employes\n", accounts=tables["accounts"])
    with pytest.raises(
        DataError,
        match="accounts.csv, column 'employee_count': is mapped in columns.yaml to 'Employes', which is not"
        " a column of the file \\(did you mean 'Employees'\\?\\)",
    ):
        load_dataset(folder)
    (folder / "columns.yaml").write_text("acounts:\n  employee_count: Employees\n")
    with pytest.raises(DataError, match="unknown table 'acounts' \\(did you mean 'accounts'\\?\\)"):
        load_dataset(folder)
    (folder / "columns.yaml").write_text("accounts:\n  employe_count: Employees\n")
    with pytest.raises(
        DataError,
        match="accounts.employe_count': is not a column of accounts \\(did you mean 'employee_count'\\?\\)",
    ):
        load_dataset(folder)
    (folder / "columns.yaml").unlink()
    with pytest.raises(DataError, match="employee_count': required column is missing"):
        load_dataset(folder)
