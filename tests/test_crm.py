"""The ready list a CRM imports as it is (playbook/views/crm.py): ready_accounts.csv and
ready_contacts.csv."""

from __future__ import annotations

import csv
import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.analyses.outcome import Skipped
from playbook.data import load_dataset
from playbook.runner.params import Params
from playbook.runner.results import assess_all
from playbook.views.crm import (
    ACCOUNT_COLUMNS,
    CONTACT_COLUMNS,
    crm_csv,
    ready_accounts_table,
    ready_contacts_table,
    tiers,
)


@pytest.fixture(scope="module")
def ready():
    dataset = load_dataset(SAMPLES_DIR / "ready")
    result = assess_all(dataset, Params(n_boot=500), ("penetration",)).penetration
    return dataset, result


def ids(dataset) -> dict:
    accounts = dataset.accounts.assign(domain="a" + dataset.accounts["account_id"].str[1:] + ".example.com")
    account_map = dataset.account_map.assign(
        hubspot_id=[str(5_000_000_000 + i) for i in range(len(dataset.account_map))]
    )
    return {"accounts": accounts, "account_map": account_map}


def read_back(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.removeprefix("\ufeff")), dtype=str, keep_default_na=False)


def test_tiers_split_the_expected_value_at_half_and_eighty_percent():
    value = pd.Series([50.0, 20.0, 10.0, 10.0, 5.0, 5.0, np.nan])
    assert tiers(value).tolist() == ["A", "B", "B", "C", "C", "C", ""]
    assert tiers(pd.Series([np.nan, np.nan])).tolist() == ["", ""]
    # Whatever the values, tiers never go back up down a ranked list and A holds at most half.
    rng = np.random.default_rng(4)
    for _ in range(50):
        ranked = pd.Series(np.sort(rng.lognormal(9, 1.5, size=rng.integers(1, 60)))[::-1])
        got = tiers(ranked)
        assert list(got) == sorted(got) and got.iloc[0] == "A"
        before = ranked.cumsum() - ranked
        assert (before[got == "A"] < 0.5 * ranked.sum()).all()


def test_ready_accounts_csv_is_what_a_crm_imports(ready):
    dataset, result = ready
    table = ready_accounts_table(result, currency="EUR", **ids(dataset))
    text = crm_csv(table)
    assert text.startswith("\ufeff") and "\r\n" in text and "\n" not in text.replace("\r\n", "")
    back = read_back(text)
    assert list(back.columns) == list(ACCOUNT_COLUMNS)
    assert len(back) == len(result.ready)
    assert back["Rank"].astype(int).tolist() == list(range(1, len(back) + 1))
    assert back["Expected Value"].astype(float).is_monotonic_decreasing
    assert list(back["Tier"]) == sorted(back["Tier"])
    probability = back["Win Probability (%)"].astype(float)
    assert probability.between(0, 100).all() and probability.max() > 1  # 0-100, not 0-1
    np.testing.assert_allclose(probability, 100 * result.ready["win_probability"], atol=0.05)
    penetration = back["Signal Value"].astype(float)
    np.testing.assert_allclose(penetration, 100 * result.ready["employee_penetration"], atol=0.005)
    assert (penetration >= back["Threshold"].astype(float)).all()
    assert back["Salesforce Account ID"].str.fullmatch(r"001\d{12}AAA").all()
    assert back["HubSpot Record ID"].str.fullmatch(r"5\d{9}").all()
    assert (back["Domain"] == "a" + back["Account ID"].str[1:] + ".example.com").all()
    assert (back["Currency"] == "EUR").all() and (back["Analysis Date"] == f"{result.as_of:%Y-%m-%d}").all()
    assert back["Employees"].str.fullmatch(r"\d+").all()


def test_ready_contacts_csv_has_one_row_per_power_user_masked_unless_asked(ready):
    dataset, result = ready
    masked = read_back(crm_csv(ready_contacts_table(result, **ids(dataset))))
    assert list(masked.columns) == list(CONTACT_COLUMNS)
    power = result.power_users[result.power_users["account_id"].isin(result.ready["account_id"])]
    assert len(masked) == len(power) and not masked.duplicated(["Account ID", "User ID"]).any()
    assert masked["Email"].str.fullmatch(r"\w•••@a\d+\.example\.com").all()
    first = masked["Account ID"].drop_duplicates().tolist()
    assert first == [a for a in result.ready["account_id"] if a in set(power["account_id"])]  # list order
    assert (
        masked.groupby("Account ID")["Rank in Account"].apply(lambda r: r.astype(int).tolist()[0]) == 1
    ).all()
    shown = read_back(crm_csv(ready_contacts_table(result, show_pii=True, **ids(dataset))))
    assert set(shown["Email"]) == set(power["email"])


HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab",
    "\rCR",
]


def test_cells_a_spreadsheet_would_run_are_neutralised(ready):
    """OWASP CSV injection: a text cell starting with = + - @ tab or CR gets a leading apostrophe."""
    dataset, result = ready
    hostile = dataclasses.replace(
        result,
        ready=result.ready.head(len(HOSTILE)).assign(account_name=HOSTILE),
        power_users=result.power_users.assign(email="@" + result.power_users["email"].astype(str)),
    )
    accounts = read_back(
        crm_csv(ready_accounts_table(hostile, accounts=None, account_map=None, currency="USD"))
    )
    assert accounts["Account Name"].tolist() == ["'" + name for name in HOSTILE]
    assert (accounts["Salesforce Account ID"] == "").all()  # no account map: no CRM ids
    assert pd.to_numeric(accounts["Win Probability (%)"]).notna().all()  # numbers stay numbers
    contacts = read_back(
        crm_csv(ready_contacts_table(hostile, accounts=None, account_map=None, show_pii=True))
    )
    assert contacts["Email"].str.startswith("'@").all()
    rows = list(
        csv.reader(
            io.StringIO(
                crm_csv(ready_accounts_table(hostile, accounts=None, account_map=None, currency="USD"))[1:]
            )
        )
    )
    assert len(rows) == len(HOSTILE) + 1  # a carriage return inside a cell stays in its cell


@pytest.mark.parametrize("case", ["skipped", "no ready account"])
def test_without_ready_accounts_both_files_are_only_their_header(ready, case):
    _, result = ready
    result = (
        Skipped(section="penetration", missing=("users",))
        if case == "skipped"
        else dataclasses.replace(result, ready=result.ready.head(0))
    )
    assert list(
        read_back(
            crm_csv(ready_accounts_table(result, accounts=None, account_map=None, currency="USD"))
        ).columns
    ) == list(ACCOUNT_COLUMNS)
    assert ready_accounts_table(result, accounts=None, account_map=None, currency="USD").empty
    assert ready_contacts_table(result, accounts=None, account_map=None).empty
