"""Compute every section once: `assess_all(dataset, params) -> Results`.

Each section is one function below, named as its summary.json section. Its parameters name what
it needs: `dataset` and `params` are given; every other parameter is the result of the function of
that name (Hamilton's idea: the argument name *is* the dependency). The order of computation and
the sections a notebook needs are derived from the signatures, never kept beside them.

The runner computes the results once per run and stores them in the run's partial folder; every
notebook reads them through `playbook.runner.notebook`, and summary.json is written from them. A
notebook run on its own computes the sections it shows with the same function, so its output is
identical.
"""

from __future__ import annotations

import inspect
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from playbook.analyses.compensation import CompensationResult, compare_plans
from playbook.analyses.decision import Decision, assess_decision
from playbook.analyses.enterprise_demand import DemandResult, assess_enterprise_demand
from playbook.analyses.leaders import LeaderResult, assess_leaders
from playbook.analyses.outcome import Skipped, skipped_unless
from playbook.analyses.overview import Overview, assess_overview
from playbook.analyses.penetration import PenetrationResult, assess_penetration
from playbook.analyses.size_effect import account_periods, exposure_spans
from playbook.analyses.timing import TimingResult, assess_timing
from playbook.data.usage import AccountUsage, usage_at
from playbook.data.usage import account_usage as usage_of_accounts
from playbook.runner.params import Params

if TYPE_CHECKING:  # loading needs pandera and DuckDB, which a notebook reading a run never uses
    from playbook.data.load import Dataset
    from playbook.data.notes import Note

# summary.json's sections, in the order they are shown; each is one field of Results.
SECTIONS = ("timing", "penetration", "enterprise_demand", "leaders", "compensation", "overview")
GIVEN = ("dataset", "params")  # what every computation starts from


@dataclass(frozen=True, kw_only=True)
class Results:
    """Every section's result for one dataset and one set of parameters.

    A section is None when it was not asked for (a notebook run alone computes only what it shows).
    """

    as_of: pd.Timestamp
    data_name: str
    params: Params
    timing: TimingResult | None = None
    penetration: PenetrationResult | Skipped | None = None
    enterprise_demand: DemandResult | Skipped | None = None
    leaders: LeaderResult | Skipped | None = None
    compensation: CompensationResult | None = None
    overview: Overview | None = None
    decision: Decision | None = None  # computed with the overview: what the board decides from it

    def section(self, name: str):
        if name not in SECTIONS:
            raise ValueError(f"unknown section {name!r}; sections are {', '.join(SECTIONS)}")
        return getattr(self, name)


# ---------------------------------------------------------------------------------------------
# The computations: each takes `dataset`, `params` and the results it names.


def account_usage(dataset: Dataset) -> AccountUsage | None:
    """Usage at every date the analyses need, in one pass over the events (or the users table)."""
    return None if dataset.missing("users", "accounts") else usage_of_accounts(dataset)


def timing(dataset: Dataset, params: Params) -> TimingResult:
    return assess_timing(
        dataset.arr_monthly,
        as_of=dataset.as_of,
        account_arr=dataset.account_arr,
        arr_events=dataset.arr_events,
        **params.arguments_of(assess_timing),
    )


def penetration(
    dataset: Dataset, params: Params, account_usage: AccountUsage | None
) -> PenetrationResult | Skipped:
    skipped = skipped_unless("penetration", dataset.missing("users", "accounts"))
    if skipped:
        return skipped
    return assess_penetration(
        account_usage.deals,
        account_usage.now,
        account_usage.year_ago,
        dataset.accounts,
        dataset.users,
        as_of=dataset.as_of,
        window_days=account_usage.window_days,
        **params.arguments_of(assess_penetration),
    )


def enterprise_demand(
    dataset: Dataset,
    params: Params,
    account_usage: AccountUsage | None,
    penetration: PenetrationResult | Skipped,
) -> DemandResult | Skipped:
    skipped = skipped_unless("enterprise_demand", dataset.missing("feature_requests", "accounts"))
    if skipped:
        return skipped
    periods, notes = _account_periods(dataset)
    size_now = None
    if "seats" in dataset.accounts and dataset.accounts["seats"].notna().all():
        size_now = dataset.accounts.set_index("account_id")["seats"].astype(float)
    elif account_usage is not None:
        size_now = account_usage.now.set_index("account_id")["active_users"].astype(float)
    return assess_enterprise_demand(
        dataset.feature_requests,
        dataset.accounts,
        as_of=dataset.as_of,
        periods=periods,
        opportunities=dataset.opportunities,
        features=dataset.features,
        usage_band=_usage_band(penetration),
        account_size=size_now,
        notes=notes,
        **params.arguments_of(assess_enterprise_demand),
    )


def _usage_band(penetration: PenetrationResult | Skipped) -> pd.Series | None:
    """Each deal's side of our own penetration threshold when it opened (by opportunity_id), when
    the penetration analysis found one (a tipping point, or the best cut of a gradual rise: either
    way winning depends on usage), and open deals are valued by the competing-risk fit of their
    band. None otherwise (one fit for every deal)."""
    if isinstance(penetration, Skipped) or not penetration.claimed:
        return None
    deals = penetration.deals.set_index("opportunity_id")[penetration.pipeline_signal]
    above = deals >= penetration.threshold.threshold
    return pd.Series(np.where(above, "at_or_above", "below"), index=deals.index).where(deals.notna())


def _account_periods(dataset: Dataset) -> tuple[pd.DataFrame | None, tuple[Note, ...]]:
    """Every account's yearly periods of exposure, with the seats (active users) measured in each;
    None when there are no users to measure seats with."""
    if dataset.users is None:
        return None, ()
    spans, notes = exposure_spans(
        dataset.accounts,
        dataset.users,
        as_of=dataset.as_of,
        data_start=dataset.arr_monthly["month"].iloc[0],
        window_days=dataset.active_window_days,
    )
    periods = account_periods(spans, as_of=dataset.as_of)
    seats = usage_at(dataset, periods[["account_id", "date"]])["active_users"]
    return periods.assign(seats=seats.to_numpy()), notes


def leaders(dataset: Dataset, params: Params) -> LeaderResult | Skipped:
    return skipped_unless(
        "leaders", dataset.missing("leader_candidates", "interview_scores")
    ) or assess_leaders(
        dataset.leader_candidates, dataset.interview_scores, **params.arguments_of(assess_leaders)
    )


def compensation(params: Params) -> CompensationResult:
    return compare_plans(params.plans(), params.team(), **params.arguments_of(compare_plans))


def overview(
    params: Params,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    enterprise_demand: DemandResult | Skipped,
) -> Overview:
    return assess_overview(timing, penetration, enterprise_demand, **params.arguments_of(assess_overview))


def decision(
    overview: Overview,
    timing: TimingResult,
    penetration: PenetrationResult | Skipped,
    enterprise_demand: DemandResult | Skipped,
    leaders: LeaderResult | Skipped,
    compensation: CompensationResult,
) -> Decision:
    return assess_decision(overview, timing, penetration, enterprise_demand, leaders, compensation)


COMPUTATIONS = {f.__name__: f for f in (account_usage, *(globals()[s] for s in SECTIONS), decision)}


def needs(name: str) -> tuple[str, ...]:
    """The computations `name` takes as arguments (from its signature)."""
    return tuple(p for p in inspect.signature(COMPUTATIONS[name]).parameters if p not in GIVEN)


def with_needs(sections) -> list[str]:
    """The computations `sections` need, themselves included, each after what it needs."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in COMPUTATIONS:
            raise ValueError(f"unknown section {name!r}; sections are {', '.join(SECTIONS)}")
        for needed in needs(name):
            visit(needed)
        if name not in order:
            order.append(name)

    for name in sections:
        visit(name)
    return order


def assess_all(dataset: Dataset, params: Params, sections=SECTIONS) -> Results:
    """Compute `sections` (and what they need) for a loaded, validated dataset, each once; with the
    overview, the decision a board takes from it."""
    done: dict[str, object] = {"dataset": dataset, "params": params}
    wanted = [*sections, "decision"] if "overview" in sections else list(sections)
    for name in with_needs(wanted):
        function = COMPUTATIONS[name]
        done[name] = function(**{p: done[p] for p in inspect.signature(function).parameters})
    return Results(
        as_of=dataset.as_of,
        data_name=dataset.name,
        params=params,
        **{s: done[s] for s in (*SECTIONS, "decision") if s in done},
    )


def save_results(results: Results, path: Path) -> None:
    """Store the results for the run's notebooks (a pickle in the run's partial folder, removed at
    the end of the run: it holds unmasked data)."""
    with open(path, "wb") as file:
        pickle.dump(results, file, protocol=pickle.HIGHEST_PROTOCOL)


def read_results(path: str | Path) -> Results:
    """The results a runner stored for this run."""
    with open(path, "rb") as file:
        return pickle.load(file)
