"""Penetration scenarios: steps on each signal, no effect, a reversed effect, a smooth rise, heavy
tails of deals per account, and thin data, each with its planted truth.

A company is built from its users, as the data contract has them (first_active, last_active,
department), so the usage on the day each deal opened is what the data layer computes
(`data.usage.usage_from_spans`, the same activity window); the deal's outcome is then drawn from
the planted response at that usage. Companies are smaller than the `early` sample (900 accounts,
about 300 closed deals; 60 deals when thin) and carry only the tables the penetration section
reads: arr_monthly (for the analysis date), accounts, users and opportunities.

The signals correlate as they do in real accounts: seats and employee penetration both count
active users, and departments grow with users until an account's own breadth (1 to 10
departments, drawn independently of its size) is reached. Each company's rank correlations
between the signals, over its closed deals, are part of its truth and reported in the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.data.usage import usage_from_spans
from playbook.samples.scenarios.base import Company, Scenario, Target
from playbook.samples.tables import AS_OF, DEPARTMENTS, LAST_MONTH, WINDOW_DAYS

SIGNALS = ("employee_penetration", "departments", "seats")
LOW, HIGH = 0.12, 0.50  # win rates below and at or above a planted step
CLAIMS = ("own_threshold", "gradual_rise")  # verdicts that claim more usage wins more
CHEAP = {"n_boot": 500}  # the threshold's interval needs no more for a study


@dataclass(frozen=True, kw_only=True)
class Shape:
    """What one scenario's companies look like.

    `response(signals)` gives each deal's chance of being won from its account's usage on the
    day it opened (a frame with the three signals and account_id).
    """

    response: Callable[[pd.DataFrame], np.ndarray]
    n_accounts: int = 900
    n_opportunities: int = 380
    heavy_tail: bool = False  # deals per account from a heavy tail, and one account with 30
    account_effect: float = 0.0  # spread (logit scale) of accounts' own propensity to win


def step(signal: str, cut: float, low: float = LOW, high: float = HIGH) -> Callable:
    """Win rate `low` below `cut` on `signal`, `high` at or above it."""
    return lambda usage: np.where(usage[signal] >= cut, high, low)


def smooth(usage: pd.DataFrame) -> np.ndarray:
    """A logistic rise on log employee penetration: about 8% at 1% of employees, 30% at 5%, 63% at 20%."""
    logit = np.log(0.3 / 0.7) + 1.0 * (np.log(np.maximum(usage["employee_penetration"], 1e-4)) - np.log(0.05))
    return 1 / (1 + np.exp(-logit))


def flat(usage: pd.DataFrame) -> np.ndarray:
    return np.full(len(usage), 0.3)


def _accounts(rng: np.random.Generator, n: int) -> pd.DataFrame:
    employees = np.clip(rng.lognormal(np.log(250), 1.1, n), 20, 20_000).round().astype(int)
    span = (AS_OF - pd.Timedelta(days=400) - pd.Timestamp("2019-01-01")).days
    created = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, span, n), unit="D")
    ids = [f"A{i:05d}" for i in range(1, n + 1)]
    return pd.DataFrame(
        {
            "account_id": ids,
            "account_name": [f"Account {i}" for i in ids],
            "employee_count": employees,
            "created_at": created,
        }
    )


def _users(rng: np.random.Generator, accounts: pd.DataFrame) -> pd.DataFrame:
    """Users active from first_active to last_active: usage grows over an account's life, a fifth
    have stopped, and each account's users sit in 1 to 10 departments of their own."""
    n = len(accounts)
    share = np.clip(rng.lognormal(np.log(0.04), 0.9, n), 0.002, 0.5)
    counts = np.clip(np.round(share * accounts["employee_count"]), 1, 300).astype(int)
    breadth = np.minimum(rng.geometric(0.3, n), len(DEPARTMENTS))  # departments an account's users use
    owner = np.repeat(np.arange(n), counts)
    created = accounts["created_at"].to_numpy()[owner]
    life = ((AS_OF.to_datetime64() - created) // np.timedelta64(1, "D")).astype(int)
    first = created + (life * rng.uniform(size=len(owner)) ** (1 / 1.5)).astype(int) * np.timedelta64(1, "D")
    stopped = rng.uniform(size=len(owner)) < 0.2
    active_for = ((AS_OF.to_datetime64() - first) // np.timedelta64(1, "D")).astype(int)
    last = np.where(
        stopped,
        first + (active_for * rng.uniform(size=len(owner)) * 0.8).astype(int) * np.timedelta64(1, "D"),
        AS_OF.to_datetime64() - rng.integers(0, 21, len(owner)) * np.timedelta64(1, "D"),
    )
    last = np.maximum(last, first)
    order = np.argsort(rng.uniform(size=(n, len(DEPARTMENTS))), axis=1)  # each account's departments
    department = np.array(DEPARTMENTS)[order[owner, rng.integers(0, breadth[owner])]]
    return pd.DataFrame(
        {
            "user_id": [f"U{i:07d}" for i in range(1, len(owner) + 1)],
            "account_id": accounts["account_id"].to_numpy()[owner],
            "first_active": pd.DatetimeIndex(first),
            "last_active": pd.DatetimeIndex(last),
            "department": department,
        }
    )


def _deal_accounts(rng: np.random.Generator, eligible: np.ndarray, shape: Shape) -> np.ndarray:
    """Which account each deal belongs to: 1-3 deals an account, or a heavy tail and one with 30."""
    if not shape.heavy_tail:
        per = np.minimum(rng.geometric(0.75, len(eligible)), 3)
    else:
        per = np.minimum(rng.zipf(2.2, len(eligible)), 10)
        per[0] = 30  # one account with 30 deals (the eligible are shuffled: any account)
    owners = np.repeat(eligible, per)
    if shape.heavy_tail:
        return np.r_[owners[:30], rng.permutation(owners[30:])[: shape.n_opportunities - 30]]
    return rng.permutation(owners)[: shape.n_opportunities]


def company(seed: int, shape: Shape, truth: dict) -> Company:
    """One company: accounts, users, deals whose outcome follows the planted response at the usage
    each had when it opened, and monthly ARR for the analysis date."""
    rng = np.random.default_rng([seed, 20])
    accounts = _accounts(rng, shape.n_accounts)
    users = _users(rng, accounts)
    eligible = rng.permutation(np.flatnonzero(accounts["employee_count"].to_numpy() >= 100))
    owner = _deal_accounts(rng, eligible, shape)
    created = accounts["created_at"].to_numpy()[owner]
    earliest = np.maximum(created + np.timedelta64(60, "D"), (AS_OF - pd.Timedelta(days=900)).to_datetime64())
    latest = (AS_OF - pd.Timedelta(days=10)).to_datetime64()
    span = ((latest - earliest) // np.timedelta64(1, "D")).astype(int)
    opened = earliest + (span * rng.uniform(size=len(owner))).astype(int) * np.timedelta64(1, "D")
    pairs = pd.DataFrame({"account_id": accounts["account_id"].to_numpy()[owner], "date": opened})
    usage = usage_from_spans(users, pairs, window_days=WINDOW_DAYS)
    employees = accounts["employee_count"].to_numpy()[owner]
    signals = pd.DataFrame(
        {
            "account_id": pairs["account_id"],
            "employee_penetration": usage["active_users"] / employees,
            "departments": usage["departments"].astype(float),
            "seats": usage["active_users"].astype(float),
        }
    )
    p = shape.response(signals)
    if shape.account_effect:
        effect = rng.normal(0, shape.account_effect, len(accounts))[owner]
        if shape.heavy_tail:
            effect[owner == owner[0]] = 1.5  # the 30-deal account wins most of its deals, whatever its usage
        p = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + effect)))
    won = rng.uniform(size=len(owner)) < p
    closed_at = opened + rng.integers(30, 180, len(owner)) * np.timedelta64(1, "D")
    is_open = closed_at > AS_OF.to_datetime64()
    opportunities = pd.DataFrame(
        {
            "opportunity_id": [f"O{i:04d}" for i in range(1, len(owner) + 1)],
            "account_id": pairs["account_id"],
            "opened_at": pd.DatetimeIndex(opened),
            "outcome": np.where(is_open, "open", np.where(won, "won", "lost")),
            "closed_at": pd.Series(pd.DatetimeIndex(closed_at)).where(~is_open),
            "amount": (employees * 45 * rng.lognormal(0, 0.35, len(owner))).round(-2),
        }
    )
    months = pd.date_range(end=LAST_MONTH, periods=24, freq="MS")
    arr = pd.DataFrame({"month": months.strftime("%Y-%m"), "arr": np.geomspace(4e6, 9e6, 24).round(2)})
    closed = signals[~is_open]
    ranks = closed[list(SIGNALS)].rank()
    correlation = {
        f"{a}~{b}": float(ranks[a].corr(ranks[b])) for i, a in enumerate(SIGNALS) for b in SIGNALS[i + 1 :]
    }
    return Company(
        tables={"arr_monthly": arr, "accounts": accounts, "users": users, "opportunities": opportunities},
        truth={**truth, "correlation": correlation},
    )


# ---------------------------------------------------------------------------------------------
# Measuring one company


def _gap(deals: pd.DataFrame, signal: str, cut: float) -> tuple[float, float]:
    """The closed deals' signal values on each side of a planted cut: an estimate can only fall on
    an observed value, so an interval covers the cut when it reaches this gap."""
    x = deals.loc[deals["outcome"].isin(["won", "lost"]), signal].dropna()
    below, above = x[x < cut], x[x >= cut]
    return (float(below.max()) if len(below) else cut, float(above.min()) if len(above) else cut)


def measure(company: Company, results) -> dict[str, object]:
    """Verdicts, the signal chosen, and for a planted step the threshold's bias and the coverage
    of its interval and of the ready accounts' P10-P90."""
    pen = results.penetration
    truth = company.truth
    signal, cut = truth.get("signal"), truth.get("threshold")
    claimed = pen.verdict in CLAIMS
    others = [s for s, t in pen.thresholds.items() if t.verdict in CLAIMS and s != pen.pipeline_signal]
    found = {
        "claimed": claimed,
        "tipping_point": pen.verdict == "own_threshold",
        "gradual": pen.verdict == "gradual_rise",
        "reversed": pen.verdict == "reversed",
        "too_few_deals": pen.verdict == "too_few_deals",
        "any_signal_claims": any(t.verdict in CLAIMS for t in pen.thresholds.values()),
        "chose_true_signal": claimed and pen.pipeline_signal == signal,
        "others_move_with_chosen": all(s in pen.choice.echoes for s in others)
        if claimed and others
        else None,
        **{f"correlation {k}": v for k, v in truth["correlation"].items()},
    }
    if cut is None or not claimed:
        return found
    t = pen.thresholds[signal]
    if t.verdict in CLAIMS:
        below, above = _gap(pen.deals, signal, cut)
        found["threshold_bias"] = (t.threshold - cut) / cut
        found["threshold_interval_covers"] = t.ci[0] <= above and t.ci[1] >= below
    at_truth = int((pen.candidates[signal] >= cut).sum())  # the ready count the true threshold gives
    low, high = pen.ready_range.accounts
    found["ready_range_covers"] = low <= at_truth <= high
    found["ready_accounts_over_truth"] = len(pen.ready) / at_truth if at_truth else None
    return found


# ---------------------------------------------------------------------------------------------

CORRELATIONS = tuple(f"correlation {a}~{b}" for i, a in enumerate(SIGNALS) for b in SIGNALS[i + 1 :])
STEP_REPORT = (
    "chose_true_signal",
    "gradual",
    "others_move_with_chosen",
    "threshold_bias",
    "ready_accounts_over_truth",
    *CORRELATIONS,
)
TIPPING = Target(label="a true step is called a tipping point", outcome="tipping_point", value=0.8)
INTERVAL = Target(
    label="the threshold's 95% interval reaches the planted step",
    outcome="threshold_interval_covers",
    value=0.9,
)
COVERED = Target(
    label="ready accounts' P10-P90 covers the count at the true threshold",
    outcome="ready_range_covers",
    value=0.8,
)
NO_CLAIM = Target(
    label="no signal claims a rise (family-wise)",
    outcome="any_signal_claims",
    comparison="at_most",
    value=0.05,
)


def _step_scenario(
    name: str, signal: str, cut: float, words: str, targets: tuple[Target, ...] = ()
) -> Scenario:
    return Scenario(
        name=name,
        section="penetration",
        truth=f"win rate {LOW:.0%} below {words}, {HIGH:.0%} at or above it; no effect of the other signals "
        "beyond their correlation with it",
        correct=f"own_threshold on {signal}",
        generate=lambda seed: company(
            seed, Shape(response=step(signal, cut)), {"signal": signal, "threshold": cut, "kind": "step"}
        ),
        measure=measure,
        targets=(*targets, TIPPING, INTERVAL, COVERED),
        report=STEP_REPORT,
        params=CHEAP,
        smoke={"tipping_point": True, "chose_true_signal": True},
    )


SCENARIOS = (
    _step_scenario("penetration_step_employee_share", "employee_penetration", 0.05, "5% of employees active"),
    _step_scenario(
        "penetration_step_departments",
        "departments",
        3.0,
        "3 active departments",
        (Target(label="the chosen signal is departments", outcome="chose_true_signal", value=0.8),),
    ),
    _step_scenario("penetration_step_seats", "seats", 16.0, "16 seats in use"),
    Scenario(
        name="penetration_no_effect",
        section="penetration",
        truth="every deal wins 30%, whatever the usage",
        correct="no_effect (no signal claims a rise)",
        generate=lambda seed: company(seed, Shape(response=flat), {"kind": "none"}),
        measure=measure,
        targets=(NO_CLAIM,),
        report=("reversed",),
        params=CHEAP,
        smoke={"any_signal_claims": False},
    ),
    Scenario(
        name="penetration_reversed",
        section="penetration",
        truth=f"win rate {HIGH:.0%} below 5% of employees active, {LOW:.0%} at or above it",
        correct="reversed (no threshold)",
        generate=lambda seed: company(
            seed, Shape(response=step("employee_penetration", 0.05, HIGH, LOW)), {"kind": "reversed"}
        ),
        measure=measure,
        targets=(
            Target(label="a rise is claimed", outcome="claimed", comparison="at_most", value=0.05),
            Target(label="the fall is named", outcome="reversed", value=0.8),
        ),
        params=CHEAP,
        smoke={"claimed": False, "reversed": True},
    ),
    Scenario(
        name="penetration_smooth_rise",
        section="penetration",
        truth="win rate rises smoothly with log employee penetration (logistic, slope 1: 8% at 1%, 30% at 5%,"
        " 63% at 20% of employees); no step",
        correct="gradual_rise (a rise, no tipping point)",
        generate=lambda seed: company(seed, Shape(response=smooth), {"kind": "smooth"}),
        measure=measure,
        targets=(
            Target(
                label="a smooth rise is called a tipping point",
                outcome="tipping_point",
                comparison="at_most",
                value=0.1,
            ),
        ),
        report=("claimed", "gradual"),
        params=CHEAP,
        smoke={"tipping_point": False, "gradual": True},
    ),
    Scenario(
        name="penetration_heavy_tailed",
        section="penetration",
        truth="no effect of usage; accounts differ in their own propensity to win (logit spread 0.8); deals "
        "per account from a heavy tail (Zipf 2.2, up to 10) and one account with 30 deals, most of them won",
        correct="no_effect (whole accounts are the unit: the big account is one account, not 30 deals)",
        generate=lambda seed: company(
            seed, Shape(response=flat, heavy_tail=True, account_effect=0.8), {"kind": "none"}
        ),
        measure=measure,
        targets=(NO_CLAIM,),
        params=CHEAP,
        smoke={"any_signal_claims": False},
    ),
    Scenario(
        name="penetration_thin_data",
        section="penetration",
        truth=f"a step at 5% of employees ({LOW:.0%} to {HIGH:.0%}) seen through 60 deals (about 50 closed)",
        correct="too_few_deals or no_effect when the deals cannot show it; a claim only with its uncertainty "
        "carried to the accounts",
        generate=lambda seed: company(
            seed,
            Shape(response=step("employee_penetration", 0.05), n_opportunities=60),
            {"signal": "employee_penetration", "threshold": 0.05, "kind": "step"},
        ),
        measure=measure,
        targets=(COVERED,),
        report=(
            "claimed",
            "too_few_deals",
            "tipping_point",
            "chose_true_signal",
            "threshold_interval_covers",
        ),
        params=CHEAP,
        smoke={"chose_true_signal": True},
    ),
)
