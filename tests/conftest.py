"""Shared fixtures: a seeded rng, the sample companies, and a tiny hand-built company; and how a
test that needs a missing tool behaves (skips locally, fails under CI)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from playbook import SAMPLES_DIR

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, reason: str) -> None:
    """Skip with the reason locally; fail under CI=true, where `.ci/run` installs every tool."""
    if available:
        return
    if CI:
        pytest.fail(f"{reason}; under CI=true this test never skips (.ci/run installs what it needs)")
    pytest.skip(reason)


@pytest.fixture
def rng():
    return np.random.default_rng(20201204)


@pytest.fixture(params=["early", "ready", "late"])
def sample_name(request):
    return request.param


def tiny_tables() -> dict[str, pd.DataFrame]:
    """A small, valid company: 24 months of ARR, 3 accounts, 5 users, every table present."""
    months = pd.date_range("2024-10-01", periods=24, freq="MS")
    arr = 10e6 * 1.03 ** np.arange(24)
    return {
        "arr_monthly": pd.DataFrame(
            {
                "month": months.strftime("%Y-%m"),
                "arr": arr.round(2),
                "new_arr": (arr * 0.03).round(2),
                "expansion_arr": (arr * 0.01).round(2),
                "contraction_arr": (arr * 0.002).round(2),
                "churned_arr": (arr * 0.008).round(2),
            }
        ),
        "accounts": pd.DataFrame(
            {
                "account_id": ["A1", "A2", "A3"],
                "account_name": ["Acme", "Blue Labs", "Cedar Bank"],
                "employee_count": [120, 40, 5000],
                "country": ["US", "NA", "JP"],
                "created_at": ["2022-01-10", "2023-05-01", "2021-03-15"],
            }
        ),
        "users": pd.DataFrame(
            {
                "user_id": ["U1", "U2", "U3", "U4", "U5"],
                "account_id": ["A1", "A1", "A2", "A3", "A3"],
                "first_active": ["2022-02-01", "2023-01-01", "2023-06-01", "2021-04-01", "2024-01-01"],
                "last_active": ["2026-09-30", "2025-01-01", "2026-09-30", "2026-09-30", "2026-09-30"],
                "department": ["engineering", "design", "engineering", "data", "finance"],
                "email": [
                    "ada@acme.example",
                    "ben@acme.example",
                    "c@blue.example",
                    "d@cedar.example",
                    "e@cedar.example",
                ],
            }
        ),
        "opportunities": pd.DataFrame(
            {
                "opportunity_id": ["O1", "O2", "O3"],
                "account_id": ["A1", "A3", "A3"],
                "opened_at": ["2024-03-01", "2024-06-01", "2026-08-01"],
                "outcome": ["won", "lost", "open"],
                "closed_at": ["2024-06-01", "2024-09-01", None],
                "amount": [50000, 200000, 150000],
            }
        ),
        "feature_requests": pd.DataFrame(
            {
                "request_id": ["R1", "R2"],
                "account_id": ["A1", "A3"],
                "feature": ["SAML SSO", "Dark mode"],
                "created_at": ["2024-01-01", "2024-02-01"],
                "source": ["support", "sales"],
            }
        ),
        "features": pd.DataFrame(
            {
                "feature": ["SAML SSO", "Dark mode"],
                "category": ["security", "ui"],
                "enterprise": ["true", "false"],
            }
        ),
        "leader_candidates": pd.DataFrame(
            {"candidate_id": ["C1", "C2"], "name": ["Morgan Hale", "Riley Chen"]}
        ),
        "interview_scores": pd.DataFrame(
            {
                "candidate_id": ["C1", "C1", "C2", "C2"],
                "interviewer": ["CEO", "CTO", "CEO", "CTO"],
                "attribute": [
                    "collaborative",
                    "collaborative",
                    "analytical_technical",
                    "analytical_technical",
                ],
                "score": [4, 5, 3, 2],
            }
        ),
    }


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], parquet: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if name in parquet:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def contract_error(folder: Path, table: str, change, parquet: tuple[str, ...] = ()) -> str:
    """Write the tiny company with one table changed by `change`; return the DataError message it raises."""
    from playbook.data import DataError, load_dataset

    tables = tiny_tables()
    tables[table] = change(tables[table].copy())
    with pytest.raises(DataError) as caught:
        load_dataset(write_tables(folder, tables, parquet=parquet))
    return str(caught.value)


@pytest.fixture
def tiny_company(tmp_path) -> Path:
    return write_tables(tmp_path / "tiny", tiny_tables())


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES_DIR
