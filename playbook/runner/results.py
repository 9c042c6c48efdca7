"""Compute every section once: `assess_all(dataset, params) -> Results`.

The runner computes the results once per run and stores them in the run's partial folder; every
notebook reads them through `playbook.runner.notebook`, and summary.json is written from them. A
notebook run on its own computes the sections it shows with the same function, so its output is
identical.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from playbook.analyses.compensation import CompensationResult, compare_plans
from playbook.analyses.demand import DemandResult, assess_enterprise_demand
from playbook.analyses.leaders import FlagRules, LeaderResult, assess_leaders
from playbook.analyses.outcome import Skipped, skipped_unless
from playbook.analyses.penetration import PenetrationResult, assess_penetration, open_deal_win_probability
from playbook.analyses.readiness import Overview, assess_readiness
from playbook.analyses.size_effect import account_periods, exposure_spans
from playbook.analyses.timing import TimingResult, assess_timing
from playbook.data.usage import account_usage, usage_at
from playbook.runner.params import Params

# summary.json's sections, in the order they are shown; each is one field of Results.
SECTIONS = ("timing", "penetration", "enterprise_demand", "leaders", "compensation", "overview")
# A section needs the results of these before it can be computed.
NEEDS = {
    "enterprise_demand": ("penetration",),  # open deals are valued with the penetration win curve
    "overview": ("timing", "penetration", "enterprise_demand"),
}


@dataclass(frozen=True)
class Results:
    """Every section's result for one dataset and one set of parameters.

    A section is None when it was not asked for (a notebook run alone computes only what it shows).
    """

    as_of: pd.Timestamp
    data_name: str
    data_notes: tuple[str, ...]
    params: Params
    timing: TimingResult | None = None
    penetration: PenetrationResult | Skipped | None = None
    enterprise_demand: DemandResult | Skipped | None = None
    leaders: LeaderResult | Skipped | None = None
    compensation: CompensationResult | None = None
    overview: Overview | None = None

    def section(self, name: str):
        if name not in SECTIONS:
            raise ValueError(f"unknown section {name!r}; sections are {', '.join(SECTIONS)}")
        return getattr(self, name)


def with_needs(sections) -> list[str]:
    """The sections asked for and every section they need, in SECTIONS order."""
    wanted = set()
    for name in sections:
        if name not in SECTIONS:
            raise ValueError(f"unknown section {name!r}; sections are {', '.join(SECTIONS)}")
        wanted |= {name, *with_needs(NEEDS.get(name, ()))}
    return [s for s in SECTIONS if s in wanted]


def assess_all(dataset, params: Params, sections=SECTIONS) -> Results:
    """Compute `sections` (and what they need) for a loaded, validated dataset, each once."""
    done: dict[str, object] = {}
    wanted = with_needs(sections)
    if {"penetration", "enterprise_demand"} & set(wanted) and not dataset.missing("users", "accounts"):
        # Usage at every date the analyses need, in one pass over the events (or the users table).
        done["account_usage"] = account_usage(dataset)
    for name in wanted:
        done[name] = _ASSESS[name](dataset, params, done)
    done.pop("account_usage", None)
    return Results(
        as_of=dataset.as_of,
        data_name=dataset.name,
        data_notes=dataset.notes,
        params=params,
        **done,
    )


def _timing(dataset, params: Params, done: dict) -> TimingResult:
    return assess_timing(
        dataset.arr_monthly,
        as_of=dataset.as_of,
        band=(params.band_low, params.band_high),
        approach_months=params.approach_months,
        seed=params.seed,
        account_arr=dataset.account_arr,
    )


def _penetration(dataset, params: Params, done: dict) -> PenetrationResult | Skipped:
    skipped = skipped_unless("penetration", dataset.missing("users", "accounts"))
    if skipped:
        return skipped
    usage = done["account_usage"]
    return assess_penetration(
        usage.deals,
        usage.now,
        usage.year_ago,
        dataset.accounts,
        dataset.users,
        as_of=dataset.as_of,
        window_days=usage.window_days,
        pipeline_signal=params.pipeline_signal,
        alpha=params.alpha,
        n_permutations=params.n_permutations,
        n_boot=params.n_boot,
        seed=params.seed,
        min_employees_scored=params.min_employees_scored,
        min_employees_premature=params.min_employees_premature,
        home_country=params.home_country,
    )


def _enterprise_demand(dataset, params: Params, done: dict) -> DemandResult | Skipped:
    skipped = skipped_unless("enterprise_demand", dataset.missing("feature_requests", "accounts"))
    if skipped:
        return skipped
    probability, source = None, ""
    if dataset.opportunities is not None:
        penetration = done["penetration"]
        probability, source = open_deal_win_probability(
            dataset.opportunities, None if isinstance(penetration, Skipped) else penetration
        )
    periods, note = _account_periods(dataset)
    usage = done.get("account_usage")
    size_now = None
    if "seats" in dataset.accounts and dataset.accounts["seats"].notna().all():
        size_now = dataset.accounts.set_index("account_id")["seats"].astype(float)
    elif usage is not None:
        size_now = usage.now.set_index("account_id")["active_users"].astype(float)
    return assess_enterprise_demand(
        dataset.feature_requests,
        dataset.accounts,
        as_of=dataset.as_of,
        periods=periods,
        opportunities=dataset.opportunities,
        features=dataset.features,
        win_probability=probability,
        win_probability_source=source,
        cost_per_engineering_week=params.cost_per_engineering_week,
        min_customer_share=params.min_customer_share,
        stake_horizon_months=params.stake_horizon_months,
        account_size=size_now,
        n_boot=params.n_boot,
        seed=params.seed,
        notes=(note,),
    )


def _account_periods(dataset) -> tuple[pd.DataFrame | None, str]:
    """Every account's yearly periods of exposure, with the seats (active users) measured in each;
    None when there are no users to measure seats with."""
    if dataset.users is None:
        return None, ""
    spans, note = exposure_spans(
        dataset.accounts,
        dataset.users,
        as_of=dataset.as_of,
        data_start=dataset.arr_monthly["month"].iloc[0],
        window_days=dataset.active_window_days,
    )
    periods = account_periods(spans, as_of=dataset.as_of)
    seats = usage_at(dataset, periods[["account_id", "date"]])["active_users"]
    return periods.assign(seats=seats.to_numpy()), note


def _leaders(dataset, params: Params, done: dict) -> LeaderResult | Skipped:
    return skipped_unless(
        "leaders", dataset.missing("leader_candidates", "interview_scores")
    ) or assess_leaders(
        dataset.leader_candidates,
        dataset.interview_scores,
        weights=params.weights,
        alpha=params.alpha,
        rules=FlagRules(expansion_led=params.expansion_led),
    )


def _compensation(dataset, params: Params, done: dict) -> CompensationResult:
    return compare_plans(params.plans(), params.team(), seed=params.seed)


def _overview(dataset, params: Params, done: dict) -> Overview:
    return assess_readiness(
        done["timing"],
        done["penetration"],
        done["enterprise_demand"],
        min_ready_accounts=params.min_ready_accounts,
    )


_ASSESS = {
    "timing": _timing,
    "penetration": _penetration,
    "enterprise_demand": _enterprise_demand,
    "leaders": _leaders,
    "compensation": _compensation,
    "overview": _overview,
}


def save_results(results: Results, path: Path) -> None:
    """Store the results for the run's notebooks (a pickle in the run's partial folder, removed at
    the end of the run: it holds unmasked data)."""
    with open(path, "wb") as file:
        pickle.dump(results, file, protocol=pickle.HIGHEST_PROTOCOL)


def read_results(path: str | Path) -> Results:
    """The results a runner stored for this run."""
    with open(path, "rb") as file:
        return pickle.load(file)
