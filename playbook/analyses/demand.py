"""Enterprise-feature demand: are customers forcing enterprise features on us, and what is each worth?

Individuals don't buy enterprise features, enterprises do (a16z, Dec 2020). At Zendesk, as users
and complexity per account grew, customers forced enterprise features on the company — the
requests were not driven by sales. GitHub refused a bank's demand for access controls, lost the
deal, changed course and won its first enterprise agreement. Stripe's sales lead argued for a
roadmap item in dollars: "if you build it, it gives us $X of scale over the next six months".
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded

# Without a catalogue flag, these request categories count as enterprise features.
ENTERPRISE_CATEGORIES = ("security", "access control", "compliance", "admin", "audit")
CUSTOMER_SOURCES = ("support", "community", "self_serve")
VERDICTS = ("customer-driven", "sales-driven", "no size effect", "source unknown")
# Zendesk: customers forced enterprise features on it; sales did not drive the requests.
DEFAULT_MIN_CUSTOMER_SHARE = 0.5


def is_enterprise(requests: pd.DataFrame, features: pd.DataFrame | None) -> pd.Series:
    """True for requests of an enterprise feature: the catalogue's `enterprise` flag, else the category."""
    category = requests["category"] if "category" in requests else pd.Series(np.nan, index=requests.index)
    if features is not None:
        catalogue = features.set_index("feature")
        category = category.fillna(requests["feature"].map(catalogue["category"]))
        if "enterprise" in catalogue:
            flag = requests["feature"].map(catalogue["enterprise"])
            by_category = category.str.lower().isin(ENTERPRISE_CATEGORIES)
            return flag.where(flag.notna(), by_category).astype(bool)
    return category.str.lower().isin(ENTERPRISE_CATEGORIES).fillna(False).astype(bool)


# ---------------------------------------------------------------------------------------------
# Demand grows with account size


@dataclass(frozen=True)
class Elasticity:
    """Requests per account-year, per doubling of seats: the incidence-rate ratio with its interval."""

    kind: str  # "enterprise" or "core"
    irr_per_doubling: float
    ci: tuple[float, float]
    n_accounts: int
    n_requests: int
    model: str
    seats_max: float  # the largest account in the fit (the curve is not drawn beyond it)
    params: np.ndarray = field(repr=False)  # intercept, log2(seats) coefficient
    cov: np.ndarray = field(repr=False)

    def rate(self, seats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fitted requests per account-year at each seat count, with a 95% interval."""
        design = np.column_stack([np.ones(len(seats)), np.log2(np.maximum(np.asarray(seats, float), 1))])
        eta = design @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.cov, design))
        return np.exp(eta), np.exp(eta - 1.96 * se), np.exp(eta + 1.96 * se)

    def to_dict(self) -> dict:
        return {
            "irr_per_doubling": rounded(self.irr_per_doubling),
            "ci": [rounded(self.ci[0]), rounded(self.ci[1])],
            "n_accounts": self.n_accounts,
            "n_requests": self.n_requests,
            "model": self.model,
        }


def size_elasticity(counts: pd.Series, seats: pd.Series, years: pd.Series, *, kind: str) -> Elasticity:
    """Fit requests ~ log2(seats) with log(years of exposure) as offset.

    A negative binomial model (statsmodels, NB2); when it does not converge — typically when
    the counts show no overdispersion — a Poisson GLM with robust (HC0) errors, labelled as such.
    """
    import statsmodels.api as sm  # here, not at the top: see the note on imports in timing.py
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    y = counts.to_numpy(dtype=float)
    design = sm.add_constant(np.log2(np.maximum(seats.to_numpy(dtype=float), 1)), has_constant="add")
    exposure = years.to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.NegativeBinomial(y, design, exposure=exposure).fit(method="newton", maxiter=100, disp=0)
    converged = fit.mle_retvals.get("converged", False) and np.all(np.isfinite(fit.bse))
    if converged:
        params, cov, model = fit.params[:2], fit.cov_params()[:2, :2], "negative binomial"
    else:
        fit = sm.GLM(y, design, family=sm.families.Poisson(), exposure=exposure).fit(cov_type="HC0")
        params, cov, model = fit.params, fit.cov_params(), "Poisson, robust errors"
    params, cov = np.asarray(params), np.asarray(cov)
    se = float(np.sqrt(cov[1, 1]))
    ci = (float(np.exp(params[1] - 1.96 * se)), float(np.exp(params[1] + 1.96 * se)))
    seats_max = float(max(seats.max(), 1))
    return Elasticity(kind, float(np.exp(params[1])), ci, len(y), int(y.sum()), model, seats_max, params, cov)


def exposure_years(
    accounts: pd.DataFrame, requests: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[pd.Series, str]:
    """Each account's years of exposure to requesting: from created_at, else from its first request."""
    if "created_at" in accounts and accounts["created_at"].notna().all():
        start, note = accounts["created_at"], ""
    else:
        first = requests.groupby("account_id")["created_at"].min()
        start = accounts["account_id"].map(first).fillna(as_of - pd.Timedelta(days=365))
        note = (
            "accounts.created_at is missing: exposure runs from each account's first request "
            "(shorter, so rates read high)."
        )
    years = ((as_of - start).dt.days / 365.25).clip(lower=1 / 12)
    return years.set_axis(accounts.index), note


# ---------------------------------------------------------------------------------------------
# Who is asking, and what each feature is worth


def customer_driven_share(
    requests: pd.DataFrame, enterprise: pd.Series
) -> tuple[float | None, tuple[float, float] | None, int]:
    """Share of enterprise requests that came from customers (not sales), its Wilson 95% interval, and n."""
    if "source" not in requests:
        return None, None, 0
    sources = requests.loc[enterprise, "source"].dropna()
    n = len(sources)
    if n == 0:
        return None, None, 0
    from statsmodels.stats.proportion import proportion_confint  # see the note on imports in timing.py

    customers = int(sources.isin(CUSTOMER_SOURCES).sum())
    low, high = proportion_confint(customers, n, alpha=0.05, method="wilson")
    return customers / n, (float(low), float(high)), n


def feature_rankings(
    requests: pd.DataFrame,
    enterprise: pd.Series,
    accounts: pd.DataFrame,
    opportunities: pd.DataFrame | None,
    win_probability: pd.Series,
    features: pd.DataFrame | None,
    *,
    cost_per_engineering_week: float,
) -> pd.DataFrame:
    """One row per feature: requests, accounts, their ARR, ARR at stake over the next six months,
    ARR lost to it, effort and payback.

    ARR at stake = sum over open top-down deals of accounts that asked for the feature of
    amount x win probability. Closed-lost deals whose loss_reason names the feature are counted
    beside it (`lost_arr`), never added in: what was lost is evidence, what is open is at stake.
    """
    frame = requests.assign(enterprise=enterprise.to_numpy())
    per_feature = frame.groupby("feature").agg(
        requests=("request_id", "size"), accounts=("account_id", "nunique"), enterprise=("enterprise", "max")
    )
    pairs = frame[["feature", "account_id"]].drop_duplicates()
    if "arr" in accounts:
        arr = pairs.merge(accounts[["account_id", "arr"]], on="account_id").groupby("feature")["arr"].sum()
        per_feature["requesting_arr"] = arr
    if "seats" in accounts:
        size = (
            pairs.merge(accounts[["account_id", "seats"]], on="account_id")
            .groupby("feature")["seats"]
            .median()
        )
        per_feature["median_seats"] = size.astype(float)
    at_stake = pd.Series(0.0, index=per_feature.index)
    lost = pd.Series(0.0, index=per_feature.index)
    open_deals = pd.Series(0, index=per_feature.index)
    if opportunities is not None and "amount" in opportunities:
        is_open = opportunities["outcome"] == "open"
        deals = opportunities[is_open].assign(
            value=lambda d: d["amount"] * d["opportunity_id"].map(win_probability)
        )
        stake = pairs.merge(deals[["account_id", "value"]], on="account_id")
        at_stake = at_stake.add(stake.groupby("feature")["value"].sum(), fill_value=0)
        open_deals = open_deals.add(stake.groupby("feature").size(), fill_value=0)
        if "loss_reason" in opportunities:
            closed_lost = opportunities[opportunities["outcome"] == "lost"].dropna(subset=["loss_reason"])
            reasons = closed_lost["loss_reason"].str.lower()
            for feature in per_feature.index:
                named = reasons.str.contains(feature.lower(), regex=False)
                lost[feature] = float(closed_lost.loc[named, "amount"].sum())
    per_feature["open_deals"] = open_deals.astype(int)
    per_feature["arr_at_stake"] = at_stake
    per_feature["lost_arr"] = lost
    if features is not None and "effort_weeks" in features:
        effort = features.set_index("feature")["effort_weeks"]
        per_feature["effort_weeks"] = per_feature.index.map(effort)
        cost = per_feature["effort_weeks"] * cost_per_engineering_week
        per_feature["payback"] = per_feature["arr_at_stake"] / cost.where(cost > 0)
    return per_feature.reset_index()


@dataclass(frozen=True)
class DemandResult:
    """Enterprise demand: size elasticity, who asks, and features ranked four ways.

    `to_dict()` is summary.json's `enterprise_demand` section.
    """

    as_of: pd.Timestamp
    elasticity: dict[str, Elasticity | None]
    customer_share: float | None
    customer_share_ci: tuple[float, float] | None
    n_with_source: int
    rankings: pd.DataFrame = field(repr=False)
    win_probability_source: str
    cost_per_engineering_week: float
    min_customer_share: float
    notes: tuple[str, ...] = ()

    @property
    def grows_with_size(self) -> bool:
        """Enterprise requests rise with seats: the lower end of the interval is above 1."""
        enterprise = self.elasticity["enterprise"]
        return enterprise is not None and enterprise.ci[0] > 1

    @property
    def customer_driven(self) -> bool | None:
        """At least `min_customer_share` of enterprise requests from customers; None when unknown."""
        if self.customer_share is None:
            return None
        return self.customer_share >= self.min_customer_share

    @property
    def verdict(self) -> str:
        """`customer-driven`, `sales-driven`, `no size effect` or `source unknown` (the Zendesk test)."""
        if not self.grows_with_size:
            return "no size effect"
        if self.customer_driven is None:
            return "source unknown"
        return "customer-driven" if self.customer_driven else "sales-driven"

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
            "size_elasticity": {k: (e.to_dict() if e else None) for k, e in self.elasticity.items()},
            "customer_driven_share": rounded(self.customer_share),
            "customer_driven_share_ci": None
            if self.customer_share_ci is None
            else [rounded(x) for x in self.customer_share_ci],
            "n_enterprise_requests_with_source": self.n_with_source,
            "min_customer_share": self.min_customer_share,
            "top_by_count": self.top("requests", 5)["feature"].tolist(),
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
            "lost_arr_by_feature": {row.feature: round(float(row.lost_arr), 2) for row in lost.itertuples()},
            "win_probability_source": self.win_probability_source,
            "notes": list(self.notes),
        }


def assess_enterprise_demand(
    requests: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    opportunities: pd.DataFrame | None = None,
    features: pd.DataFrame | None = None,
    active_users_now: pd.Series | None = None,
    win_probability: pd.Series | None = None,
    win_probability_source: str = "",
    cost_per_engineering_week: float = 25_000.0,
    min_customer_share: float = DEFAULT_MIN_CUSTOMER_SHARE,
) -> DemandResult:
    """Is enterprise demand customer-driven, does it grow with account size, and what is each feature worth?

    Parameters
    ----------
    requests
        One row per feature request: request_id, account_id, feature, created_at; category and
        source when known.
    accounts
        account_id, employee_count; seats (size regressor), arr and created_at when known.
    as_of
        Analysis date (end of the exposure window).
    opportunities, features
        Top-down deals and the feature catalogue; optional.
    active_users_now
        Each account's active users on the analysis date (indexed by account_id; the activity
        window's definition), the account size when accounts.seats is missing.
    win_probability, win_probability_source
        Each open deal's win probability (indexed by opportunity_id) and where it comes from: the
        penetration analysis's, so both sections value a deal the same way. Required with
        `opportunities`.
    cost_per_engineering_week
        Fully loaded cost of one engineering week, in the data's currency, for the payback ratio.
    min_customer_share
        Share (0-1) of enterprise requests that must come from customers for `customer-driven`.
    """
    if cost_per_engineering_week <= 0:
        raise ValueError("cost_per_engineering_week must be positive")
    if not 0 <= min_customer_share <= 1:
        raise ValueError(f"min_customer_share must be a share between 0 and 1, got {min_customer_share}")
    notes: list[str] = []
    enterprise = is_enterprise(requests, features)
    if features is None:
        notes.append(
            "No features catalogue: enterprise features are recognised by category "
            f"({', '.join(ENTERPRISE_CATEGORIES)}), and payback cannot be computed (no effort estimates)."
        )
    elif "effort_weeks" not in features:
        notes.append("The features catalogue has no effort_weeks: payback cannot be computed.")

    if "seats" in accounts and accounts["seats"].notna().all():
        seats = accounts["seats"].astype(float)
    elif active_users_now is not None:
        seats = accounts["account_id"].map(active_users_now).fillna(0).astype(float)
        notes.append("accounts.seats is missing: account size is the users active on the analysis date.")
    else:
        seats = None
        notes.append("Neither seats nor users are known: demand by account size is not estimated.")
    elasticity: dict[str, Elasticity | None] = {"enterprise": None, "core": None}
    if seats is not None:
        years, note = exposure_years(accounts, requests, as_of)
        notes += [note] if note else []
        for kind, mask in (("enterprise", enterprise), ("core", ~enterprise)):
            counts = accounts["account_id"].map(requests.loc[mask, "account_id"].value_counts()).fillna(0)
            if counts.sum() >= 10:
                elasticity[kind] = size_elasticity(counts, seats, years, kind=kind)
            else:
                notes.append(f"Fewer than 10 {kind} requests: their size elasticity is not estimated.")

    share, share_ci, n_with_source = customer_driven_share(requests, enterprise)
    if share is None:
        notes.append("No request source: whether customers or sales drive enterprise demand is unknown.")
    if opportunities is not None:
        if win_probability is None:
            raise ValueError(
                "win_probability is required with opportunities (see penetration.open_deal_win_probability)"
            )
        probability, source = win_probability, win_probability_source
    else:
        probability, source = pd.Series(dtype=float), "no opportunities table"
        notes.append("No opportunities table: no ARR is at stake, and no loss is attributed to a feature.")
    rankings = feature_rankings(
        requests,
        enterprise,
        accounts,
        opportunities,
        probability,
        features,
        cost_per_engineering_week=cost_per_engineering_week,
    )
    return DemandResult(
        as_of,
        elasticity,
        share,
        share_ci,
        n_with_source,
        rankings,
        source,
        cost_per_engineering_week,
        min_customer_share,
        tuple(notes),
    )
