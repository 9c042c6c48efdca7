"""Who drives enterprise demand: scenarios for the Zendesk test (`enterprise_demand` section).

Each company has accounts of 1 to 512 seats (log-uniform), steady since they were created (one
user per seat, active from the account's creation to the analysis date), and feature requests drawn
as Poisson counts over each account's life: customers' core and enterprise requests at rates that
grow by a planted factor per doubling of seats, an account-level frailty shared by both kinds
(some accounts ask more of everything), and requests that sales reps log on top — in proportion
to the customers' own (the samples' form) or only in accounts of 200 seats or more (sales working
the big accounts). The truth is the customers' own gradient: their enterprise requests per doubling
over their core requests per doubling.

The verdict correct for each: `customer-driven` only when customers' own enterprise requests grow
with size faster than their core ones and customers file most enterprise requests; a gradient that
sales creates is `sales-driven`; none is `no size effect`; thin data claim nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.samples.scenarios.base import Company, Scenario, Target

AS_OF = pd.Timestamp("2026-09-30")
LARGE_ACCOUNT_SEATS = 200  # sales reps log extra enterprise requests at or above this size
ENTERPRISE_FEATURES = (
    ("SAML SSO", "security"),
    ("SCIM provisioning", "access control"),
    ("Audit logs", "audit"),
)
CORE_FEATURES = (
    ("Dark mode", "user interface"),
    ("CSV export", "reporting"),
    ("Slack integration", "integrations"),
)
CUSTOMER_SOURCES = ("support", "community", "self_serve")


def arr_monthly(rng: np.random.Generator, months: int = 36, arr_end: float = 12e6) -> pd.DataFrame:
    """A steadily growing ARR history ending in the analysis date's month (the timing table is
    required by the contract; these scenarios do not calibrate it)."""
    growth = np.cumsum(rng.normal(0.03, 0.01, months))
    arr = arr_end * np.exp(growth - growth[-1])
    month = pd.date_range(end=AS_OF.replace(day=1), periods=months, freq="MS")
    return pd.DataFrame({"month": month.strftime("%Y-%m"), "arr": arr.round(2)})


def accounts_table(rng: np.random.Generator, n: int, *, max_log2_seats: float) -> pd.DataFrame:
    """Accounts created over four years, with seats log-uniform from 1 to 2**max_log2_seats."""
    seats = np.maximum(1, np.round(2 ** rng.uniform(0, max_log2_seats, n))).astype(int)
    created = AS_OF - pd.to_timedelta(rng.integers(60, 4 * 365, n), unit="D")
    return pd.DataFrame(
        {
            "account_id": [f"A{i:04d}" for i in range(n)],
            "account_name": [f"Account {i}" for i in range(n)],
            "employee_count": np.maximum(seats, np.round(seats * rng.uniform(3, 20, n))).astype(int),
            "seats": seats,
            "created_at": created,
        }
    )


def users_table(accounts: pd.DataFrame) -> pd.DataFrame:
    """One user per seat, active from the account's creation to the analysis date."""
    owner = np.repeat(np.arange(len(accounts)), accounts["seats"].to_numpy())
    return pd.DataFrame(
        {
            "user_id": [f"U{i:06d}" for i in range(len(owner))],
            "account_id": accounts["account_id"].to_numpy()[owner],
            "first_active": accounts["created_at"].to_numpy()[owner],
            "last_active": AS_OF,
        }
    )


@dataclass(frozen=True, kw_only=True)
class Demand:
    """What a company's requests are drawn from (rates per account-year at 8 seats, factors per
    doubling of seats)."""

    accounts: int = 400
    max_log2_seats: float = 9.0
    core_rate: float = 0.6
    enterprise_rate: float = 0.25
    core_irr: float = 1.1  # customers' core requests per doubling of seats
    enterprise_irr: float = 1.1  # customers' enterprise requests per doubling of seats
    sales_share: float = 0.0  # sales-logged enterprise requests, in proportion to the customers' own
    sales_large_rate: float = 0.0  # sales-logged enterprise requests per account-year at 200+ seats
    sales_core_share: float = 0.05  # core requests sales reps log (any account)

    @property
    def customer_ratio(self) -> float:
        """The planted truth: customers' enterprise over core requests, per doubling of seats."""
        return self.enterprise_irr / self.core_irr


def requests_table(rng: np.random.Generator, accounts: pd.DataFrame, d: Demand) -> pd.DataFrame:
    """Poisson counts over each account's life (seats are steady, so dates are uniform in it)."""
    years = ((AS_OF - accounts["created_at"]).dt.days / 365.25).to_numpy()
    size = np.log2(accounts["seats"].to_numpy(dtype=float)) - 3  # relative to an 8-seat account
    frailty = rng.gamma(2.0, 0.5, len(accounts))  # mean 1: some accounts ask more of everything
    customer_enterprise = d.enterprise_rate * d.enterprise_irr**size * frailty * years
    core = d.core_rate * d.core_irr**size * frailty * years
    large = accounts["seats"].to_numpy() >= LARGE_ACCOUNT_SEATS
    sales_enterprise = d.sales_share / (1 - d.sales_share) * customer_enterprise + np.where(
        large, d.sales_large_rate * years, 0.0
    )
    frames = []
    for features, rate, sales_share in (
        (ENTERPRISE_FEATURES, customer_enterprise, 0.0),
        (ENTERPRISE_FEATURES, sales_enterprise, 1.0),
        (CORE_FEATURES, core, d.sales_core_share),
    ):
        owner = np.repeat(np.arange(len(accounts)), rng.poisson(rate))
        chosen = rng.integers(0, len(features), len(owner))
        by_sales = rng.uniform(size=len(owner)) < sales_share
        sources = np.where(by_sales, "sales", rng.choice(CUSTOMER_SOURCES, len(owner)))
        start = accounts["created_at"].to_numpy()[owner]
        span = (AS_OF.to_datetime64() - start) / np.timedelta64(1, "D")
        frames.append(
            pd.DataFrame(
                {
                    "account_id": accounts["account_id"].to_numpy()[owner],
                    "feature": np.array([f[0] for f in features])[chosen],
                    "category": np.array([f[1] for f in features])[chosen],
                    "created_at": start
                    + pd.to_timedelta(np.floor(rng.uniform(0, 1, len(owner)) * span), unit="D"),
                    "source": sources,
                }
            )
        )
    requests = pd.concat(frames, ignore_index=True).sort_values(["created_at", "account_id"], kind="stable")
    return requests.reset_index(drop=True).assign(request_id=lambda r: [f"R{i:06d}" for i in range(len(r))])


def demand_company(d: Demand, correct: str):
    """A generator of companies drawn from `d`, whose correct verdict is `correct`."""

    def generate(seed: int) -> Company:
        rng = np.random.default_rng([seed, 20])
        accounts = accounts_table(rng, d.accounts, max_log2_seats=d.max_log2_seats)
        tables = {
            "arr_monthly": arr_monthly(rng),
            "accounts": accounts,
            "users": users_table(accounts),
            "feature_requests": requests_table(rng, accounts, d),
        }
        return Company(tables=tables, truth={"verdict": correct, "customer_ratio": d.customer_ratio})

    return generate


def measure_demand(company: Company, results) -> dict[str, object]:
    """The verdict, and the customers' gradient against the planted one."""
    demand = results.enterprise_demand
    verdict = demand.verdict
    customer = demand.by_source.customer if demand.by_source is not None else None
    sales = demand.by_source.sales if demand.by_source is not None else None
    truth = company.truth["customer_ratio"]
    return {
        "correct": verdict == company.truth["verdict"],
        "customer_driven": verdict == "customer-driven",
        "sales_driven": verdict == "sales-driven",
        "no_size_effect": verdict == "no size effect",
        "claims_a_gradient": verdict in ("customer-driven", "sales-driven"),
        "customer_ratio": None if customer is None else customer.ratio,
        "customer_ratio_covered": None
        if customer is None
        else customer.ratio_ci[0] <= truth <= customer.ratio_ci[1],
        "sales_ratio": None if sales is None else sales.ratio,
        "all_sources_ratio": None if demand.size is None else demand.size.ratio,
        "customer_share": demand.customer_share,
        "customer_share_low": None if demand.customers is None else demand.customers.ci[0],
    }


REPORTED = ("customer_ratio", "customer_ratio_covered", "sales_ratio", "all_sources_ratio", "customer_share")
CHEAP = {"n_boot": 500}

SALES_SOURCED = Demand(core_irr=1.2, enterprise_irr=1.2, sales_large_rate=1.25)
CUSTOMER_DRIVEN = Demand(core_irr=1.1, enterprise_irr=1.35, sales_share=0.2)

SCENARIOS = (
    Scenario(
        name="demand_customer_driven",
        section="enterprise_demand",
        truth=(
            "customers' enterprise requests 1.35× per doubling of seats, core 1.1× (ratio 1.23); "
            "sales logs 20% of enterprise requests, in proportion"
        ),
        correct="customer-driven",
        generate=demand_company(CUSTOMER_DRIVEN, "customer-driven"),
        measure=measure_demand,
        targets=(Target(label="customer-driven found", outcome="customer_driven", value=0.90),),
        report=REPORTED,
        params=CHEAP,
        smoke={"customer_driven": True, "customer_ratio_covered": True},
    ),
    Scenario(
        name="demand_sales_sourced",
        section="enterprise_demand",
        truth=(
            "customers' enterprise and core requests both 1.2× per doubling of seats; sales logs "
            "1.25 extra enterprise requests a year in accounts of 200+ seats only"
        ),
        correct="sales-driven",
        generate=demand_company(SALES_SOURCED, "sales-driven"),
        measure=measure_demand,
        targets=(
            Target(label="not customer-driven", outcome="customer_driven", comparison="at_most", value=0.05),
        ),
        report=("sales_driven", *REPORTED, "customer_share_low"),
        params=CHEAP,
        smoke={"customer_driven": False, "sales_driven": True},
    ),
    Scenario(
        name="demand_sources_mixed",
        section="enterprise_demand",
        truth=(
            "customers' enterprise requests 1.35× per doubling, core 1.1× (ratio 1.23); sales logs "
            "15% in proportion and 1.5 extra a year in accounts of 200+ seats (customers file about 62%)"
        ),
        correct="customer-driven",
        generate=demand_company(
            Demand(core_irr=1.1, enterprise_irr=1.35, sales_share=0.15, sales_large_rate=1.5),
            "customer-driven",
        ),
        measure=measure_demand,
        targets=(Target(label="customer-driven found", outcome="customer_driven", value=0.80),),
        report=(*REPORTED, "customer_share_low"),
        params=CHEAP,
        smoke={"customer_driven": True},
    ),
    Scenario(
        name="demand_no_size_effect",
        section="enterprise_demand",
        truth="enterprise and core requests both 1.15× per doubling of seats; sales logs 20%, in proportion",
        correct="no size effect",
        generate=demand_company(
            Demand(core_irr=1.15, enterprise_irr=1.15, sales_share=0.2), "no size effect"
        ),
        measure=measure_demand,
        targets=(
            Target(label="no size effect", outcome="no_size_effect", value=0.90),
            Target(
                label="customer-driven claimed", outcome="customer_driven", comparison="at_most", value=0.05
            ),
        ),
        report=REPORTED,
        params=CHEAP,
        smoke={"no_size_effect": True},
    ),
    Scenario(
        name="demand_thin_data",
        section="enterprise_demand",
        truth="50 accounts of 1-64 seats, about 60 requests, no size effect; sales logs 30%",
        correct="no size effect (no claim)",
        generate=demand_company(
            Demand(accounts=50, max_log2_seats=6.0, core_rate=0.4, enterprise_rate=0.15, sales_share=0.3),
            "no size effect",
        ),
        measure=measure_demand,
        targets=(
            Target(label="a gradient claimed", outcome="claims_a_gradient", comparison="at_most", value=0.05),
        ),
        report=("no_size_effect", *REPORTED),
        params=CHEAP,
        smoke={"claims_a_gradient": False},
    ),
)
