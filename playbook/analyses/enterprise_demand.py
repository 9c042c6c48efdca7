"""Enterprise-feature demand: are customers forcing enterprise features on us, and what is each worth?

Individuals don't buy enterprise features, enterprises do (a16z, Dec 2020). At Zendesk, as users
and complexity per account grew, customers forced enterprise features on the company — the
requests were not driven by sales. GitHub refused a bank's demand for access controls, lost the
deal, changed course and won its first enterprise agreement. Stripe's sales lead argued for a
roadmap item in dollars. So: do enterprise requests grow with account size faster than core ones
(`size_effect`), do customers rather than sales ask, and what do open deals put at stake for
each feature not built yet (`stake`)?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.request_source import (
    MIN_REQUESTS,
    CustomerShare,
    SourceGradients,
    customer_driven_share,
    gradients_by_source,
)
from playbook.analyses.settings import CommonSettings
from playbook.analyses.size_effect import SizeEffect, count_requests, size_effect
from playbook.analyses.stake import OpenPipeline, open_pipeline
from playbook.data.notes import Note
from playbook.data.settings import Settings, setting

# Without a catalogue flag, these request categories count as enterprise features.
ENTERPRISE_CATEGORIES = ("security", "access control", "compliance", "admin", "audit")
VERDICTS = ("customer-driven", "sales-driven", "no size effect", "source unknown")
# Why the verdict (`DemandResult.reason`), worded in views.notes.DEMAND_REASONS.
REASONS = (
    "size_not_estimated",
    "no_faster_growth",
    "source_missing",
    "customers_ask",
    "sales_logs",
    "gradient_from_sales",
    "customer_gradient_not_estimated",
)


@dataclass(frozen=True, kw_only=True)
class EnterpriseDemandSettings(Settings):
    """Enterprise demand: who must be asking, the horizon of what is at stake, the cost of building."""

    GROUP: ClassVar[str] = "enterprise demand: who asks for enterprise features, and what each is worth"

    cost_per_engineering_week: float = setting(
        25_000,
        kind="number",
        unit="currency",
        minimum=0,
        help="fully loaded cost of one engineering week, for payback",
    )
    # Zendesk: customers forced enterprise features on it; sales did not drive the requests.
    min_customer_share: float = setting(
        0.5,
        kind="number",
        unit="share 0-1",
        minimum=0,
        maximum=1,
        help="customers' share of enterprise requests needed for customer-driven (its interval's low end)",
    )
    # Stripe: "... $X of scale over the next six months".
    stake_horizon_months: int = setting(
        6,
        kind="int",
        unit="months",
        minimum=1,
        help="only what open deals are expected to bring within this many months is at stake",
    )
    top_features: int = setting(12, kind="int", minimum=1, help="features listed in the rankings table")


def is_enterprise(requests: pd.DataFrame, features: pd.DataFrame | None) -> pd.Series:
    """True for requests of an enterprise feature: the catalogue's `enterprise` flag, else the category."""
    category = (
        requests["category"] if "category" in requests else pd.Series(np.nan, index=requests.index)
    ).astype("string")
    if features is not None:
        catalogue = features.set_index("feature")
        category = category.fillna(requests["feature"].map(catalogue["category"]).astype("string"))
        if "enterprise" in catalogue:
            flag = requests["feature"].map(catalogue["enterprise"])
            by_category = category.str.lower().isin(ENTERPRISE_CATEGORIES).fillna(False)
            return flag.where(flag.notna(), by_category).astype(bool)
    return category.str.lower().isin(ENTERPRISE_CATEGORIES).fillna(False).astype(bool)


def shipped_features(features: pd.DataFrame | None) -> set[str]:
    """Features the catalogue marks as shipped: never recommended, never at stake."""
    if features is None or "status" not in features:
        return set()
    return set(features.loc[features["status"].astype("string").str.lower() == "shipped", "feature"])


def feature_rankings(
    requests: pd.DataFrame,
    enterprise: pd.Series,
    accounts: pd.DataFrame,
    opportunities: pd.DataFrame | None,
    pipeline: OpenPipeline | None,
    features: pd.DataFrame | None,
    shipped: set[str],
    *,
    account_size: pd.Series | None,
    cost_per_engineering_week: float,
) -> pd.DataFrame:
    """One row per feature not shipped yet: requests, accounts, their ARR, the median size of the
    accounts asking, ARR at stake over the horizon, ARR lost to it, effort and payback.

    Closed-lost deals whose loss_reason names the feature are counted beside it (`lost_arr`), never
    added in: what was lost is evidence, what is open is at stake.
    """
    frame = requests.assign(enterprise=enterprise.to_numpy())
    frame = frame[~frame["feature"].isin(shipped)]
    per_feature = frame.groupby("feature").agg(
        requests=("request_id", "size"), accounts=("account_id", "nunique"), enterprise=("enterprise", "max")
    )
    pairs = frame[["feature", "account_id"]].drop_duplicates()
    if "arr" in accounts:
        arr = pairs.merge(accounts[["account_id", "arr"]], on="account_id").groupby("feature")["arr"].sum()
        per_feature["requesting_arr"] = arr
    if account_size is not None:
        size = pairs.assign(seats=pairs["account_id"].map(account_size)).groupby("feature")["seats"].median()
        per_feature["median_seats"] = size.astype(float)
    stake = pd.DataFrame(columns=["arr_at_stake", "open_deals"])
    if pipeline is not None:
        stake = pipeline.by_feature.set_index("feature")
    per_feature["open_deals"] = stake["open_deals"].reindex(per_feature.index).fillna(0).astype(int)
    per_feature["arr_at_stake"] = stake["arr_at_stake"].reindex(per_feature.index).fillna(0.0).astype(float)
    lost = pd.Series(0.0, index=per_feature.index)
    if opportunities is not None and {"loss_reason", "amount"} <= set(opportunities):
        closed_lost = opportunities[opportunities["outcome"] == "lost"].dropna(subset=["loss_reason"])
        reasons = closed_lost["loss_reason"].str.lower()
        for feature in per_feature.index:
            lost[feature] = float(
                closed_lost.loc[reasons.str.contains(feature.lower(), regex=False), "amount"].sum()
            )
    per_feature["lost_arr"] = lost
    if features is not None and "effort_weeks" in features:
        effort = features.set_index("feature")["effort_weeks"]
        per_feature["effort_weeks"] = per_feature.index.map(effort)
        cost = per_feature["effort_weeks"] * cost_per_engineering_week
        per_feature["payback"] = per_feature["arr_at_stake"] / cost.where(cost > 0)
    return per_feature.reset_index()


@dataclass(frozen=True, kw_only=True)
class DemandResult:
    """Enterprise demand: the size effect against core requests, by source, who asks, and what is
    at stake.

    `size` is the gradient of all enterprise requests over all core ones; `by_source` the customers'
    own gradient and the sales team's (None without a source column or with too few customer
    requests). `to_dict()` is summary.json's `enterprise_demand` section.
    """

    as_of: pd.Timestamp
    size: SizeEffect | None
    by_source: SourceGradients | None
    customers: CustomerShare | None
    rankings: pd.DataFrame = field(repr=False)
    pipeline: OpenPipeline | None
    shipped: tuple[str, ...]
    cost_per_engineering_week: float
    min_customer_share: float
    notes: tuple[Note, ...] = ()

    @property
    def customer_gradient(self) -> bool:
        """Customers' own enterprise requests grow with seats faster than their core requests (the
        interval of the ratio, fitted on customer-sourced requests alone, is above 1)."""
        return self.by_source is not None and self.by_source.customer.grows_faster

    @property
    def grows_with_size(self) -> bool:
        """Enterprise requests grow with seats faster than core requests, all sources together (the
        ratio's interval above 1): the one test of a size effect; who drives it is asked after."""
        return self.size is not None and self.size.grows_faster

    @property
    def customer_share(self) -> float | None:
        return None if self.customers is None else self.customers.share

    @property
    def customers_file_enough(self) -> bool:
        """The customer share's interval reaches no lower than `min_customer_share`."""
        return self.customers is not None and self.customers.ci[0] >= self.min_customer_share

    @property
    def customer_driven(self) -> bool | None:
        """Customers drive the gradient: their own enterprise/core ratio's interval is above 1 and
        the customer share's lower bound is at or above `min_customer_share`; None when the source
        is unknown."""
        if self.customers is None:
            return None
        return self.customer_gradient and self.customers_file_enough

    @property
    def verdict(self) -> str:
        """`customer-driven`, `sales-driven`, `no size effect` or `source unknown` (the Zendesk test)."""
        if not self.grows_with_size:
            return "no size effect"
        if self.customer_driven is None:
            return "source unknown"
        return "customer-driven" if self.customer_driven else "sales-driven"

    @property
    def reason(self) -> str:
        """Why the verdict, as a code the views word: `size_not_estimated`, `no_faster_growth`,
        `source_missing`, `customers_ask`, `gradient_from_sales` (customers' own requests show no
        gradient), `customer_gradient_not_estimated` (too few customer requests to fit theirs) or
        `sales_logs` (customers' share not shown to reach `min_customer_share`)."""
        if self.size is None:
            return "size_not_estimated"
        if not self.grows_with_size:
            return "no_faster_growth"
        if self.customers is None:
            return "source_missing"
        if self.customer_driven:
            return "customers_ask"
        if self.by_source is None:
            return "customer_gradient_not_estimated"
        return "sales_logs" if self.customer_gradient else "gradient_from_sales"

    @property
    def has_effort(self) -> bool:
        return "payback" in self.rankings

    def top(self, by: str, n: int = 5) -> pd.DataFrame:
        """The `n` features ranked first by a column (ties broken by name)."""
        return self.rankings.sort_values([by, "feature"], ascending=[False, True]).head(n)

    def to_dict(self) -> dict:
        stake = self.top("arr_at_stake", 5)
        lost = self.rankings[self.rankings["lost_arr"] > 0].sort_values("feature")
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "size_effect": None if self.size is None else self.size.to_dict(),
            "size_effect_by_source": None if self.by_source is None else self.by_source.to_dict(),
            "customer_driven_share": None if self.customers is None else self.customers.to_dict(),
            "min_customer_share": self.min_customer_share,
            "top_by_count": self.top("requests", 5)["feature"].tolist(),
            **(self.pipeline.to_dict() if self.pipeline else {"open_pipeline_expected": None}),
            "arr_at_stake": {
                row.feature: round(float(row.arr_at_stake), 2)
                for row in self.rankings.itertuples()
                if row.arr_at_stake > 0
            },
            "top_by_arr_at_stake": [
                {
                    "feature": row.feature,
                    "arr_at_stake": round(float(row.arr_at_stake), 2),
                    "accounts": int(row.accounts),
                    "effort_weeks": rounded(getattr(row, "effort_weeks", None)),
                    "payback": rounded(getattr(row, "payback", None)),
                }
                for row in stake.itertuples()
            ],
            "shipped_features_left_out": list(self.shipped),
            "lost_arr_by_feature": {row.feature: round(float(row.lost_arr), 2) for row in lost.itertuples()},
            "notes": [n.to_dict() for n in self.notes],
        }


def assess_enterprise_demand(
    requests: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    periods: pd.DataFrame | None = None,
    opportunities: pd.DataFrame | None = None,
    features: pd.DataFrame | None = None,
    usage_band: pd.Series | None = None,
    cost_per_engineering_week: float = EnterpriseDemandSettings.cost_per_engineering_week,
    min_customer_share: float = EnterpriseDemandSettings.min_customer_share,
    stake_horizon_months: int = EnterpriseDemandSettings.stake_horizon_months,
    account_size: pd.Series | None = None,
    n_boot: int = CommonSettings.n_boot,
    seed: int = CommonSettings.seed,
    notes: tuple[Note, ...] = (),
) -> DemandResult:
    """Do enterprise requests grow faster with size than core ones, who asks, what is at stake?

    Parameters
    ----------
    requests
        One row per feature request: request_id, account_id, feature, created_at; category and
        source when known.
    accounts
        account_id; arr when known (the ARR of the accounts asking).
    as_of
        Analysis date.
    periods
        One row per account-period (`size_effect.account_periods`) with `seats` measured in it;
        None when account size cannot be measured (no users).
    opportunities, features
        Top-down deals and the feature catalogue; optional.
    usage_band
        Each deal's usage band when it opened (by opportunity_id: below or at the penetration
        threshold), when our own threshold says winning depends on usage: the chance of winning
        within the horizon is then fitted by band (`stake.won_within_horizon`). None: one fit.
    cost_per_engineering_week
        Fully loaded cost of one engineering week, in the data's currency, for the payback ratio.
    min_customer_share
        Share (0-1) of enterprise requests that must come from customers for `customer-driven`:
        the share's 95% interval must not reach below it.
    stake_horizon_months
        Only what open deals are expected to bring within this many months is at stake.
    account_size
        Each account's size today (seats, by account_id), to describe who asks for a feature.
    n_boot, seed
        Resamples of whole accounts for the customer share's interval, and the seed.
    notes
        Caveats from the caller (how exposure was measured).
    """
    if cost_per_engineering_week <= 0:
        raise ValueError("cost_per_engineering_week must be positive")
    if not 0 <= min_customer_share <= 1:
        raise ValueError(f"min_customer_share must be a share between 0 and 1, got {min_customer_share}")
    notes = list(notes)
    enterprise = is_enterprise(requests, features)
    shipped = shipped_features(features)
    if features is None:
        notes.append(Note("no_feature_catalogue", categories=ENTERPRISE_CATEGORIES))
    elif "effort_weeks" not in features:
        notes.append(Note("no_effort_weeks"))
    if shipped:
        notes.append(Note("shipped_left_out", features=sorted(shipped)))

    effect = None
    if periods is None:
        notes.append(Note("size_unknown"))
    else:
        counted = count_requests(periods, requests, pd.Series(np.where(enterprise, "enterprise", "core")))
        if min(counted["enterprise_requests"].sum(), counted["core_requests"].sum()) < MIN_REQUESTS:
            notes.append(Note("too_few_requests", needed=MIN_REQUESTS))
        else:
            effect = size_effect(counted)

    customers = customer_driven_share(requests, enterprise, n_boot=n_boot, seed=seed)
    by_source = None
    if customers is None:
        notes.append(Note("no_request_source"))
    elif periods is not None:
        by_source = gradients_by_source(periods, requests, enterprise)
        if by_source is None:
            notes.append(Note("too_few_customer_requests", needed=MIN_REQUESTS))
        elif by_source.sales is None:
            notes.append(Note("too_few_sales_requests", needed=MIN_REQUESTS))
    pipeline = None
    if opportunities is not None:
        if "amount" not in opportunities:
            notes.append(Note("no_amounts"))
        pipeline = open_pipeline(
            opportunities,
            requests,
            enterprise,
            shipped,
            as_of=as_of,
            horizon_months=stake_horizon_months,
            band=usage_band,
        )
        notes += list(pipeline.notes)
    else:
        notes.append(Note("no_opportunities"))
    rankings = feature_rankings(
        requests,
        enterprise,
        accounts,
        opportunities,
        pipeline,
        features,
        shipped,
        account_size=account_size,
        cost_per_engineering_week=cost_per_engineering_week,
    )
    return DemandResult(
        as_of=as_of,
        size=effect,
        by_source=by_source,
        customers=customers,
        rankings=rankings,
        pipeline=pipeline,
        shipped=tuple(sorted(shipped)),
        cost_per_engineering_week=cost_per_engineering_week,
        min_customer_share=min_customer_share,
        notes=tuple(notes),
    )
