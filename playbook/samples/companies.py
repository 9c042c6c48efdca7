"""Deterministic sample companies for workshops and tests: `early`, `ready` and `late`.

Each company is written to `data/samples/<name>/` with every table of the data contract, and a
`planted_truths.json` beside the data that records what the generator planted (the penetration
tipping point, the size elasticity of enterprise requests, the candidate ranking, ...), so tests
can check that the analyses recover it.

Run `python -m playbook.samples` (or `make samples`) to regenerate; the bytes are reproducible.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from playbook import SAMPLES_DIR
from playbook.samples.tables import (
    AS_OF,
    FIRST_NAMES,
    LAST_NAMES,
    LOSS_REASONS,
    WINDOW_DAYS,
    accounts_table,
    activity_28d,
    arr_history,
    events_table,
    feature_requests_table,
    features_table,
    leaders_tables,
    opportunities_table,
    users_table,
)


@dataclass(frozen=True)
class SampleSpec:
    """What a sample company looks like, and the truths planted in it."""

    name: str
    seed: int
    description: str
    arr_end: float  # USD, last month
    arr_growth: float  # annual growth of ARR, share
    nrr: float  # trailing-12-month net revenue retention, share
    self_serve_share: float  # of ARR in the last month
    n_accounts: int
    penetration_median: float  # active users / employees today, median account
    penetration_threshold: float  # planted tipping point on penetration when a deal opened
    win_rate_below: float
    win_rate_above: float
    n_opportunities: int
    enterprise_irr_per_doubling: float  # enterprise requests per account-year, per doubling of seats
    core_irr_per_doubling: float
    requests_per_account_year: float
    sales_sourced_share: float  # share of enterprise requests logged by sales
    noise_attribute: str  # interview attribute scored at random (no agreement)
    # How winning depends on penetration when a deal opens: "step" (the planted threshold),
    # "none" (winning is unrelated to usage) or "reversed" (more usage, fewer wins).
    win_effect: str = "step"
    # Active users' last events fall this many days or fewer before the analysis date (real
    # exports rarely put everybody's last event on the day of the export).
    last_event_spread_days: int = 20


SAMPLES: dict[str, SampleSpec] = {
    s.name: s
    for s in (
        SampleSpec(
            "early",
            11,
            "ARR well below $20M, thin penetration, few enterprise requests",
            arr_end=8.2e6,
            arr_growth=0.62,
            nrr=1.06,
            self_serve_share=0.93,
            n_accounts=1800,
            penetration_median=0.012,
            penetration_threshold=0.03,
            win_rate_below=0.12,
            win_rate_above=0.45,
            n_opportunities=36,
            enterprise_irr_per_doubling=1.15,
            core_irr_per_doubling=1.05,
            requests_per_account_year=0.6,
            sales_sourced_share=0.6,
            noise_attribute="long_term_relationships",
        ),
        SampleSpec(
            "ready",
            22,
            "ARR in the $20-30M band, a clear penetration tipping point, "
            "enterprise demand rising with account size",
            arr_end=24.5e6,
            arr_growth=0.78,
            nrr=1.24,
            self_serve_share=0.86,
            n_accounts=3000,
            penetration_median=0.04,
            penetration_threshold=0.05,
            win_rate_below=0.12,
            win_rate_above=0.55,
            n_opportunities=420,
            enterprise_irr_per_doubling=1.6,
            core_irr_per_doubling=1.05,
            requests_per_account_year=0.8,
            sales_sourced_share=0.2,
            noise_attribute="long_term_relationships",
        ),
        SampleSpec(
            "late",
            33,
            "ARR past $30M, large well-penetrated accounts with no enterprise contract",
            arr_end=46e6,
            arr_growth=0.52,
            nrr=1.31,
            self_serve_share=0.9,
            n_accounts=3000,
            penetration_median=0.06,
            penetration_threshold=0.04,
            win_rate_below=0.15,
            win_rate_above=0.6,
            n_opportunities=160,
            enterprise_irr_per_doubling=1.5,
            core_irr_per_doubling=1.05,
            requests_per_account_year=0.7,
            sales_sourced_share=0.25,
            noise_attribute="enterprise_experience",
        ),
        SampleSpec(
            "mirage",
            46,
            "ARR in the band and plenty of top-down deals, but winning is unrelated to penetration",
            arr_end=23.0e6,
            arr_growth=0.7,
            nrr=1.22,
            self_serve_share=0.85,
            n_accounts=1600,
            penetration_median=0.045,
            penetration_threshold=0.05,
            win_rate_below=0.3,
            win_rate_above=0.3,
            n_opportunities=380,
            enterprise_irr_per_doubling=1.55,
            core_irr_per_doubling=1.05,
            requests_per_account_year=0.8,
            sales_sourced_share=0.2,
            noise_attribute="collaborative",
            win_effect="none",
        ),
    )
}


# ---------------------------------------------------------------------------------------------


def build_company(s: SampleSpec) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every table of one sample company, and the truths planted in it."""
    rng = np.random.default_rng(s.seed)
    arr = arr_history(s, rng)
    accounts = accounts_table(s, rng)
    users = users_table(s, accounts, rng)
    opps, rollout = opportunities_table(s, accounts, users, rng)
    users = pd.concat([users, rollout], ignore_index=True)
    users = users.sort_values(["account_id", "first_active"], kind="stable", ignore_index=True)
    users.insert(0, "user_id", [f"U{i:07d}" for i in range(1, len(users) + 1)])
    first = rng.choice(FIRST_NAMES, size=len(users))
    last = rng.choice(LAST_NAMES, size=len(users))
    domain = users["account_id"].str.lower() + ".example.com"
    users["email"] = [
        f"{a.lower()}.{b.lower()}{i}@{d}" for i, (a, b, d) in enumerate(zip(first, last, domain, strict=True))
    ]
    users["country"] = users["account_id"].map(accounts.set_index("account_id")["country"])

    events = events_table(users, np.random.default_rng([s.seed, 1]))
    users = users.join(activity_28d(events), on="user_id").fillna({"active_days_28d": 0, "events_28d": 0})
    users = users.astype({"active_days_28d": int, "events_28d": int})

    recent = users["last_active"] >= AS_OF - pd.Timedelta(days=WINDOW_DAYS - 1)
    active_now = users[recent].groupby("account_id").size()
    n_active = accounts["account_id"].map(active_now).fillna(0).to_numpy()
    seats = np.round(n_active * rng.uniform(0.7, 1.0, len(accounts))).astype(int)
    plan = np.select([seats == 0, seats < 10, seats < 50], ["free", "team", "business"], "enterprise")
    raw_arr = seats * 12 * 15.0
    accounts = accounts.assign(
        plan=plan,
        seats=seats,
        arr=(raw_arr * arr["arr"].iloc[-1] / raw_arr.sum()).round(2),
    )
    lost = opps["outcome"] == "lost"
    # Some lost deals name a missing enterprise feature (GitHub lost its first bank over access control).
    reasons = np.array(
        LOSS_REASONS + ("missing feature: SAML SSO", "missing feature: Role-based access control")
    )
    opps["loss_reason"] = pd.Series(rng.choice(reasons, size=len(opps)), index=opps.index).where(lost)
    requests = feature_requests_table(s, accounts, users, rng)
    candidates, scores, ranking = leaders_tables(s, rng)

    tables = {
        "arr_monthly": arr,
        "accounts": accounts,
        "users": users,
        "events": events,
        "opportunities": opps,
        "feature_requests": requests,
        "features": features_table(),
        "leader_candidates": candidates,
        "interview_scores": scores,
        # Each account's record id in the CRM (Salesforce ids are 18 characters, 001 for accounts).
        "account_map": pd.DataFrame(
            {
                "account_id": accounts["account_id"],
                "salesforce_id": [f"001{n:012d}AAA" for n in range(1, len(accounts) + 1)],
            }
        ),
    }
    closed = opps[opps["outcome"] != "open"]
    truths = {
        "scenario": asdict(s),
        "as_of": AS_OF.strftime("%Y-%m-%d"),
        "timing_verdict": "early" if s.arr_end < 20e6 else "in_window" if s.arr_end < 30e6 else "late",
        "penetration_threshold": s.penetration_threshold if s.win_effect == "step" else None,
        "win_effect": s.win_effect,
        "closed_opportunities": int(len(closed)),
        "won_opportunities": int((closed["outcome"] == "won").sum()),
        "enterprise_irr_per_doubling": s.enterprise_irr_per_doubling,
        "core_irr_per_doubling": s.core_irr_per_doubling,
        "top_feature_by_count": requests["feature"].value_counts().sort_index().idxmax(),
        "candidate_ranking": ranking,
        "noise_attribute": s.noise_attribute,
        "fastest_growing_country": "JP",
    }
    return tables, truths


# Small tables are CSV, readable in a spreadsheet; the large ones Parquet.
PARQUET_TABLES = ("users", "events")


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
        return
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, lineterminator="\n", float_format="%.2f")


def write_company(name: str, root: Path = SAMPLES_DIR) -> Path:
    """Generate one sample company into `root/<name>/` and return the folder."""
    return write_sample(SAMPLES[name], root)


def write_sample(spec: SampleSpec, root: Path) -> Path:
    """Generate a company from any spec (a sample's, or a test's variant of one) into
    `root/<spec name>/` and return the folder."""
    tables, truths = build_company(spec)
    folder = root / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        suffix = ".parquet" if table in PARQUET_TABLES else ".csv"
        _write_table(frame, folder / f"{table}{suffix}")
    (folder / "planted_truths.json").write_text(json.dumps(truths, indent=2, sort_keys=True) + "\n")
    return folder


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(SAMPLES)
    for name in names:
        if name not in SAMPLES:
            print(f"unknown sample {name!r}; samples are {', '.join(SAMPLES)}", file=sys.stderr)
            return 2
        print(f"wrote {write_company(name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
