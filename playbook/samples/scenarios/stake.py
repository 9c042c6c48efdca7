"""ARR at stake when won and lost deals take different times: scenarios for the open pipeline.

Each company's CRM holds top-down deals opened at a steady pace over three years up to the analysis
date. A deal is won with a fixed chance; won and lost deals take lognormal times to close, with
medians that differ by scenario (losses fast and wins slow, the reverse, or alike). The analysis sees
the CRM cut at the analysis date: deals that closed later are open. The truth is what happened next:
the deals open on the analysis date that were won within the stake horizon (6 months), and their
amounts. What is correct: the expected wins within the horizon, pooled over companies, match what
happened (single companies are noisy: a few open deals each).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.samples.scenarios.base import Company, Scenario, Target
from playbook.samples.scenarios.enterprise_demand import AS_OF, ENTERPRISE_FEATURES, arr_monthly

HORIZON_MONTHS = 6  # the default stake horizon (EnterpriseDemandSettings.stake_horizon_months)
HISTORY_DAYS = 3 * 365  # deals open at a steady pace over this many days up to the analysis date


@dataclass(frozen=True, kw_only=True)
class Cycles:
    """How long deals take: median days to close won and lost, and the spread (lognormal sigma)."""

    won_days: float
    lost_days: float
    win_rate: float = 0.35
    sigma: float = 0.5
    deals: int = 400
    accounts: int = 150


def crm_company(c: Cycles):
    """A generator of CRMs whose won and lost deals take `c`'s times."""

    def generate(seed: int) -> Company:
        rng = np.random.default_rng([seed, 21])
        accounts = pd.DataFrame(
            {
                "account_id": [f"A{i:04d}" for i in range(c.accounts)],
                "account_name": [f"Account {i}" for i in range(c.accounts)],
                "employee_count": rng.integers(200, 5000, c.accounts),
                "created_at": AS_OF - pd.Timedelta(days=HISTORY_DAYS + 365),
            }
        )
        opened = AS_OF - pd.to_timedelta(np.sort(rng.integers(0, HISTORY_DAYS, c.deals))[::-1], unit="D")
        won = rng.uniform(size=c.deals) < c.win_rate
        median = np.where(won, c.won_days, c.lost_days)
        cycle = np.maximum(1, np.round(median * rng.lognormal(0, c.sigma, c.deals)))
        closed = opened + pd.to_timedelta(cycle, unit="D")
        opportunities = pd.DataFrame(
            {
                "opportunity_id": [f"O{i:04d}" for i in range(c.deals)],
                "account_id": rng.choice(accounts["account_id"].to_numpy(), c.deals),
                "opened_at": opened,
                "outcome": np.where(won, "won", "lost"),
                "closed_at": closed,
                "amount": np.round(rng.lognormal(np.log(60_000), 0.6, c.deals), -2),
            }
        )
        horizon_end = AS_OF + pd.DateOffset(months=HORIZON_MONTHS)
        happened = opportunities[
            won & (opportunities["closed_at"] > AS_OF) & (opportunities["closed_at"] <= horizon_end)
        ]
        asking = rng.choice(c.accounts, size=c.accounts, replace=True)
        features = rng.integers(0, len(ENTERPRISE_FEATURES), c.accounts)
        requests = pd.DataFrame(
            {
                "request_id": [f"R{i:05d}" for i in range(c.accounts)],
                "account_id": accounts["account_id"].to_numpy()[asking],
                "feature": np.array([f[0] for f in ENTERPRISE_FEATURES])[features],
                "category": np.array([f[1] for f in ENTERPRISE_FEATURES])[features],
                "created_at": AS_OF - pd.Timedelta(days=30),
                "source": "support",
            }
        )
        tables = {
            "arr_monthly": arr_monthly(rng),
            "accounts": accounts,
            "opportunities": opportunities,
            "feature_requests": requests,
        }
        truth = {
            "won_within_horizon": len(happened),
            "won_arr_within_horizon": float(happened["amount"].sum()),
        }
        return Company(tables=tables, truth=truth)

    return generate


def measure_stake(company: Company, results) -> dict[str, object]:
    """Expected wins and ARR within the horizon against what happened."""
    pipeline = results.enterprise_demand.pipeline
    expected = pipeline.expected_wins
    happened = company.truth["won_within_horizon"]
    return {
        "expected_wins": expected,
        "won_within_horizon": happened,
        "expected_arr": pipeline.expected,
        "won_arr_within_horizon": company.truth["won_arr_within_horizon"],
        "within_half": abs(expected - happened) <= 0.5 * max(happened, 1),
        "within_quarter": abs(expected - happened) <= 0.25 * max(happened, 1),
        "competing_risks": pipeline.source.code == "competing_risks",
        "open_deals": len(pipeline.deals),
        "past_every_cycle": pipeline.past_every_cycle,
    }


def stake_scenario(name: str, c: Cycles) -> Scenario:
    return Scenario(
        name=name,
        section="enterprise_demand",
        truth=(
            f"losses take {c.lost_days:g} days, wins {c.won_days:g} (medians); {c.win_rate:.0%} of "
            f"{c.deals} deals won; the wins after the analysis date are known"
        ),
        correct=f"expected wins in {HORIZON_MONTHS} months = what happened",
        generate=crm_company(c),
        measure=measure_stake,
        targets=(
            Target(
                label="expected / actual wins (pooled)",
                outcome="expected_wins",
                statistic="pooled_ratio",
                denominator="won_within_horizon",
                comparison="between",
                value=0.85,
                high=1.15,
            ),
            Target(
                label="expected / actual won ARR (pooled)",
                outcome="expected_arr",
                statistic="pooled_ratio",
                denominator="won_arr_within_horizon",
                comparison="between",
                value=0.85,
                high=1.15,
            ),
        ),
        report=("within_quarter", "within_half", "open_deals", "past_every_cycle"),
        smoke={"competing_risks": True, "within_half": True},
    )


SCENARIOS = (
    stake_scenario("stake_losses_fast", Cycles(won_days=150, lost_days=40)),
    stake_scenario("stake_losses_much_faster", Cycles(won_days=240, lost_days=30)),
    stake_scenario("stake_wins_fast", Cycles(won_days=90, lost_days=300)),
    stake_scenario("stake_equal_cycles", Cycles(won_days=90, lost_days=90)),
)
