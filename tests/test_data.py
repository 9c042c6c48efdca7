"""The data contract: valid data loads with the right types; every broken rule names file, column, rows."""

from __future__ import annotations

import pandas as pd
import pytest

from playbook.data import TABLES, DataError, load_dataset
from playbook.data.notes import Note
from playbook.views.notes import note_texts
from tests.conftest import contract_error, tiny_tables, write_tables


def broken(tmp_path, table: str, change, parquet: tuple[str, ...] = ()) -> str:
    return contract_error(tmp_path / "broken", table, change, parquet)


# --- valid data -------------------------------------------------------------------------------


def test_tiny_company_loads_with_types_and_as_of_from_the_data(tiny_company):
    data = load_dataset(tiny_company)
    assert data.as_of == pd.Timestamp("2026-09-30")  # end of the last month, not the wall clock
    assert pd.api.types.is_datetime64_any_dtype(data.arr_monthly["month"])
    assert data.accounts["employee_count"].dtype == "Int64"
    assert data.accounts.loc[1, "country"] == "NA"  # Namibia, not a missing value
    assert data.features["enterprise"].tolist() == [True, False]
    assert Note("missing_table", table="events") in data.notes
    assert Note("missing_table", table="account_arr") in data.notes


def test_as_of_parameter_overrides_the_data_and_is_checked(tiny_company):
    assert load_dataset(tiny_company, as_of="2025-06-30").as_of == pd.Timestamp("2025-06-30")
    with pytest.raises(DataError, match="as_of.*ISO-8601"):
        load_dataset(tiny_company, as_of="last tuesday")
    with pytest.raises(DataError, match="as_of.*before the end of the first month"):
        load_dataset(tiny_company, as_of="2020-01-01")


def test_every_sample_company_is_valid(samples_dir, sample_name):
    data = load_dataset(samples_dir / sample_name)
    assert data.as_of == pd.Timestamp("2026-09-30")
    # every table but customer-level ARR, which revenue ledgers give (playbook import), and one-off
    # ARR events, which none of them had
    assert data.missing(*TABLES) == ["account_arr", "arr_events"]


def test_labels_are_read_case_and_space_insensitively(tmp_path):
    tables = tiny_tables()
    tables["opportunities"]["outcome"] = [" Won", "LOST ", "open"]
    data = load_dataset(write_tables(tmp_path / "c", tables))
    assert data.opportunities["outcome"].tolist() == ["won", "lost", "open"]


def test_columns_yaml_maps_the_company_names(tmp_path):
    tables = tiny_tables()
    tables["accounts"] = tables["accounts"].rename(
        columns={"account_id": "Org ID", "employee_count": "Employees"}
    )
    folder = write_tables(tmp_path / "mapped", tables)
    (folder / "columns.yaml").write_text("accounts:\n  account_id: Org ID\n  employee_count: Employees\n")
    data = load_dataset(folder)
    assert data.accounts["employee_count"].tolist() == [120, 40, 5000]


def test_a_missing_optional_table_is_a_note_not_an_error(tmp_path):
    tables = tiny_tables()
    del tables["features"], tables["feature_requests"]
    data = load_dataset(write_tables(tmp_path / "c", tables))
    assert not data.has("features")
    assert Note("missing_table", table="features") in data.notes
    words = note_texts(data.notes)
    assert "No features table was given: the analyses that need it are skipped." in words


# --- each rule, each message ------------------------------------------------------------------


def test_missing_required_column_names_file_and_column(tmp_path):
    message = broken(tmp_path, "accounts", lambda f: f.drop(columns="employee_count"))
    assert "accounts.csv, column 'employee_count'" in message
    assert "required column is missing" in message and "columns.yaml" in message


def test_duplicate_id_names_the_lines(tmp_path):
    message = broken(tmp_path, "accounts", lambda f: f.assign(account_id=["A1", "A2", "A2"]))
    assert "accounts.csv, column 'account_id': must be unique" in message
    assert "line 3 ('A2'), line 4 ('A2')" in message


def test_gap_in_months_names_the_missing_month(tmp_path):
    message = broken(tmp_path, "arr_monthly", lambda f: f.drop(index=5))
    assert "arr_monthly.csv, column 'month'" in message
    assert "contiguous" in message and "2025-03" in message


def test_text_in_a_number_column_names_line_and_value(tmp_path):
    def change(f):
        f["arr"] = f["arr"].astype(object)
        f.loc[3, "arr"] = "12k"
        return f

    message = broken(tmp_path, "arr_monthly", change)
    assert "arr_monthly.csv, column 'arr': must be a number — line 5 ('12k')" in message


def test_unknown_account_id_names_file_column_and_value(tmp_path):
    message = broken(tmp_path, "users", lambda f: f.assign(account_id=["A1", "A1", "A9", "A3", "A3"]))
    assert "users.csv, column 'account_id': must name a known account_id in accounts.csv" in message
    assert "line 4 ('A9')" in message


@pytest.mark.parametrize(
    "table, change, expected",
    [
        (
            "opportunities",
            lambda f: f.assign(outcome=["won", "maybe", "open"]),
            "must be one of won, lost, open — line 3 ('maybe')",
        ),
        (
            "interview_scores",
            lambda f: f.assign(score=[4, 6, 3, 2]),
            "column 'score': must be at most 5 — line 3",
        ),
        (
            "interview_scores",
            lambda f: f.assign(
                attribute=["collaborative", "charisma", "analytical_technical", "analytical_technical"]
            ),
            "column 'attribute': must be one of",
        ),
        (
            "accounts",
            lambda f: f.assign(employee_count=[120, 0, 50]),
            "column 'employee_count': must be at least 1",
        ),
        (
            "accounts",
            lambda f: f.assign(employee_count=[120, 40.5, 50]),
            "must be a whole number — line 3 ('40.5')",
        ),
        (
            "accounts",
            lambda f: f.assign(account_name=["Acme", None, "Cedar"]),
            "column 'account_name': must not be empty — line 3",
        ),
        (
            "users",
            lambda f: f.assign(
                last_active=["2026-09-30", "2022-01-01", "2026-09-30", "2026-09-30", "2026-09-30"]
            ),
            "column 'last_active': must not be before first_active — line 3",
        ),
        (
            "users",
            lambda f: f.assign(
                first_active=["2022-02-01", "31/12/2023", "2023-06-01", "2021-04-01", "2024-01-01"]
            ),
            "must be an ISO-8601 date (YYYY-MM-DD); they look like '%d/%m/%Y': declare it under `dates:` "
            "in columns.yaml — line 3 ('31/12/2023')",
        ),
        (
            "opportunities",
            lambda f: f.assign(opened_at=["2021-01-01", "2024-06-01", "2026-08-01"]),
            "column 'opened_at': must not be before the account's created_at",
        ),
        (
            "interview_scores",
            lambda f: f.assign(interviewer=["CEO", "CEO", "CEO", "CTO"]),
            "column 'candidate_id+interviewer+attribute': must be unique together "
            "(each combination once) — line 2",
        ),
        (
            "feature_requests",
            lambda f: f.assign(source=["support", "twitter"]),
            "column 'source': must be one of sales, support, community, self_serve",
        ),
        (
            "features",
            lambda f: f.assign(enterprise=["true", "sometimes"]),
            "column 'enterprise': must be true or false",
        ),
    ],
)
def test_each_rule_has_a_clear_message(tmp_path, table, change, expected):
    assert expected in broken(tmp_path, table, change)


def test_parquet_rows_are_numbered_from_one(tmp_path):
    message = broken(
        tmp_path, "users", lambda f: f.assign(user_id=["U1", "U1", "U3", "U4", "U5"]), parquet=("users",)
    )
    assert "users.parquet, column 'user_id': must be unique" in message
    assert "row 1 ('U1'), row 2 ('U1')" in message


def test_at_most_five_rows_are_shown(tmp_path):
    message = broken(tmp_path, "arr_monthly", lambda f: f.assign(arr=-1.0))
    assert "line 2 " in message and "line 6 " in message and "line 7 " not in message
    assert "and 19 more" in message


def test_users_without_accounts_table_is_an_error(tmp_path):
    tables = tiny_tables()
    del tables["accounts"], tables["opportunities"], tables["feature_requests"]
    folder = write_tables(tmp_path / "c", tables)
    with pytest.raises(
        DataError, match="users.csv, column 'account_id': refers to accounts, but no accounts"
    ):
        load_dataset(folder)


def test_arr_monthly_is_required(tmp_path):
    tables = tiny_tables()
    del tables["arr_monthly"]
    with pytest.raises(DataError, match="arr_monthly.csv: is required but missing"):
        load_dataset(write_tables(tmp_path / "c", tables))


def test_a_table_given_twice_is_an_error(tmp_path):
    folder = write_tables(tmp_path / "c", tiny_tables(), parquet=())
    tiny_tables()["features"].to_parquet(folder / "features.parquet")
    with pytest.raises(DataError, match="features: is given twice"):
        load_dataset(folder)


def test_columns_yaml_with_unknown_names_is_rejected(tiny_company):
    (tiny_company / "columns.yaml").write_text("accounts:\n  employees: Employees\nbilling: {}\n")
    with pytest.raises(DataError) as caught:
        load_dataset(tiny_company)
    assert "columns.yaml, column 'accounts.employees': is not a column of accounts" in str(caught.value)
    assert "unknown table 'billing'" in str(caught.value)


def test_with_events_users_need_no_activity_columns(tmp_path):
    tables = tiny_tables()
    tables["users"] = tables["users"].drop(columns=["first_active", "last_active"])
    tables["events"] = pd.DataFrame(
        {"user_id": ["U1"], "account_id": ["A1"], "occurred_at": ["2026-09-01T10:00:00Z"]}
    )
    data = load_dataset(write_tables(tmp_path / "c", tables))
    assert data.has("events") and data.events_at.files[0].name == "events.csv"
    # activity derived from the events, description kept from users.csv
    assert data.users[["user_id", "first_active", "last_active", "department"]].values.tolist() == [
        ["U1", pd.Timestamp("2026-09-01"), pd.Timestamp("2026-09-01"), "engineering"]
    ]


def test_not_a_folder(tmp_path):
    with pytest.raises(DataError, match="is not a folder"):
        load_dataset(tmp_path / "nope")


def test_customer_level_arr_gives_exact_nrr(tmp_path):
    from playbook.analyses.timing import assess_timing

    tables = tiny_tables()
    months = tables["arr_monthly"]["month"]
    tables["account_arr"] = pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A2", "A3"],
            "month": [months.iloc[-13], months.iloc[-1]] * 2,
            "arr": [100.0, 130.0, 50.0, 0.0],
        }
    )
    data = load_dataset(write_tables(tmp_path / "c", tables))
    nrr = assess_timing(data.arr_monthly, as_of=data.as_of, account_arr=data.account_arr).indicator("nrr")
    # paying a year ago: A1 (100, now 130) and A2 (50, gone); A3 pays nothing
    assert nrr.value == pytest.approx(130 / 150, abs=1e-4) and nrr.method == Note("nrr_cohort", customers=2)
    tables["account_arr"].loc[0, "account_id"] = "ZZ"
    with pytest.raises(DataError, match="account_arr.csv, column 'account_id': must name a known account_id"):
        load_dataset(write_tables(tmp_path / "d", tables))


def test_arr_events_are_read_cut_at_as_of_and_checked_against_the_months(tmp_path):
    tables = tiny_tables()
    months = tables["arr_monthly"]["month"]
    tables["arr_events"] = pd.DataFrame(
        {"month": [months.iloc[5], months.iloc[-1]], "kind": ["Acquisition", "price_change"]}
    )
    folder = write_tables(tmp_path / "events", tables)
    data = load_dataset(folder)
    assert data.arr_events["kind"].tolist() == ["acquisition", "price_change"]
    assert data.arr_events["month"].iloc[0] == pd.Timestamp(months.iloc[5])
    # a backtest a month earlier does not know the last event
    earlier = load_dataset(folder, as_of=(pd.Timestamp(months.iloc[-2]) + pd.offsets.MonthEnd(0)).date())
    assert len(earlier.arr_events) == 1
    assert ("arr_events", "arr_events_after", 1) in {(s.table, s.rule, s.rows) for s in earlier.set_aside}
    tables["arr_events"].loc[1, "month"] = "2019-01"
    with pytest.raises(
        DataError,
        match=r"arr_events.csv, column 'month': must be a month of arr_monthly.csv.*line 3.*2019-01",
    ):
        load_dataset(write_tables(tmp_path / "outside", tables))
    tables["arr_events"].loc[1, "month"] = months.iloc[3]
    tables["arr_events"].loc[1, "kind"] = "merger"
    with pytest.raises(DataError, match="arr_events.csv, column 'kind'.*merger"):
        load_dataset(write_tables(tmp_path / "kind", tables))
