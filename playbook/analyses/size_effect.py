"""Do enterprise requests grow with account size faster than core requests (the Zendesk test)?

Each account's time as a customer is cut into yearly periods ending on the analysis date; each
account-period is one observation, with its seats measured in that period (active users at its
midpoint, the activity window's definition) and its requests of each kind counted in it. One count
model covers both kinds — log(rate) = kind + log2(seats) + kind x log2(seats), exposure in years as
offset — a negative binomial, or Poisson when that does not converge, with errors clustered by
account (an account's periods are not independent). The verdict reads the interaction: enterprise
requests per doubling of seats over core requests per doubling, with its interval.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.data.notes import Note

PERIOD_DAYS = 365


def exposure_spans(
    accounts: pd.DataFrame,
    users: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    data_start: pd.Timestamp,
    window_days: int,
) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """When each account could ask for features: from its creation (else its first active user,
    else the start of the data) to the analysis date, or to its last activity when it churned.

    Returns account_id, start, end, and a note for each fallback used.
    """
    start = accounts["created_at"] if "created_at" in accounts else pd.Series(pd.NaT, index=accounts.index)
    end = pd.Series(as_of, index=accounts.index)
    notes = []
    if users is not None and len(users):
        span = users.groupby("account_id").agg(first=("first_active", "min"), last=("last_active", "max"))
        first = accounts["account_id"].map(span["first"])
        if start.isna().any():
            notes.append(Note("exposure_from_first_user"))
        start = start.fillna(first)
        # An account whose every user went quiet churned: its exposure ends with its last activity.
        quiet = accounts["account_id"].map(span["last"]) + pd.Timedelta(days=window_days - 1)
        end = end.where(~(quiet < as_of), quiet)
    if start.isna().any():
        notes.append(Note("exposure_from_data_start"))
        start = start.fillna(data_start)
    spans = pd.DataFrame(
        {"account_id": accounts["account_id"].to_numpy(), "start": start.to_numpy(), "end": end.to_numpy()}
    )
    return spans[spans["end"] > spans["start"]].reset_index(drop=True), tuple(notes)


def account_periods(spans: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """Yearly periods ending on `as_of`, cut to each account's exposure: one row per account-period
    with its start, end, exposure in years, and the date its seats are measured (the midpoint)."""
    oldest = spans["start"].min()
    n_periods = max(1, int(np.ceil((as_of - oldest).days / PERIOD_DAYS)))
    rows = []
    starts = spans.set_index("account_id")["start"]
    for k in range(n_periods):
        p_end = as_of - pd.Timedelta(days=k * PERIOD_DAYS)
        p_start = p_end - pd.Timedelta(days=PERIOD_DAYS)
        start = spans["start"].clip(lower=p_start)
        end = spans["end"].clip(upper=p_end)
        inside = end > start
        rows.append(
            pd.DataFrame(
                {
                    "account_id": spans.loc[inside, "account_id"].to_numpy(),
                    "period": k,
                    "start": start[inside].to_numpy(),
                    "end": end[inside].to_numpy(),
                }
            )
        )
    periods = pd.concat(rows, ignore_index=True)
    periods["first"] = periods["start"] == periods["account_id"].map(starts)  # holds the account's start
    days = (periods["end"] - periods["start"]).dt.days.clip(lower=1)
    return periods.assign(
        exposure_years=days / 365.25, date=periods["start"] + (periods["end"] - periods["start"]) / 2
    ).assign(date=lambda d: d["date"].dt.normalize())


def count_requests(periods: pd.DataFrame, requests: pd.DataFrame, kind: pd.Series) -> pd.DataFrame:
    """The periods with a count column per kind of request (`<kind>_requests`; `kind` labels each
    request, None for one left out). A request counts in the period of its account whose
    (start, end] holds its date; the account's first period includes its start."""
    keyed = requests[["account_id", "created_at"]].assign(kind=kind.to_numpy())
    kinds = sorted(keyed["kind"].dropna().unique())
    joined = periods.reset_index().merge(keyed.dropna(subset=["kind"]), on="account_id")
    after_start = (joined["created_at"] > joined["start"]) | (
        joined["first"] & (joined["created_at"] == joined["start"])
    )
    inside = joined[after_start & (joined["created_at"] <= joined["end"])]
    counts = inside.groupby(["index", "kind"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=kinds, fill_value=0).reindex(periods.index, fill_value=0)
    return periods.assign(**{f"{k}_requests": counts[k].to_numpy() for k in kinds})


@dataclass(frozen=True, kw_only=True)
class SizeEffect:
    """Requests per account-year per doubling of seats: one kind of request (enterprise requests,
    or those from one source), core requests (the baseline), and their ratio (IRRs)."""

    enterprise_irr: float
    enterprise_ci: tuple[float, float]
    core_irr: float
    core_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    n_accounts: int
    n_periods: int
    n_enterprise: int
    n_core: int
    model: str  # "negative_binomial" or "poisson" (both with errors clustered by account)
    seats_max: float
    params: np.ndarray = field(repr=False)  # intercept, enterprise, log2 seats, enterprise x log2 seats
    cov: np.ndarray = field(repr=False)

    @property
    def grows_faster(self) -> bool:
        """Enterprise requests rise with seats faster than core ones: the ratio's interval is above 1."""
        return self.ratio_ci[0] > 1

    def rate(self, kind: str, seats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fitted requests per account-year at each seat count for `kind`, with a 95% interval."""
        s = np.log2(np.maximum(np.asarray(seats, dtype=float), 1))
        e = 1.0 if kind == "enterprise" else 0.0
        design = np.column_stack([np.ones_like(s), np.full_like(s, e), s, e * s])
        eta = design @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.cov, design))
        return np.exp(eta), np.exp(eta - 1.96 * se), np.exp(eta + 1.96 * se)

    def to_dict(self) -> dict:
        def irr(value, ci):
            return {"irr_per_doubling": rounded(value), "ci": [rounded(ci[0]), rounded(ci[1])]}

        return {
            "enterprise": irr(self.enterprise_irr, self.enterprise_ci),
            "core": irr(self.core_irr, self.core_ci),
            "ratio": irr(self.ratio, self.ratio_ci),
            "n_accounts": self.n_accounts,
            "n_account_periods": self.n_periods,
            "n_enterprise_requests": self.n_enterprise,
            "n_core_requests": self.n_core,
            "model": self.model,
        }


def size_effect(periods: pd.DataFrame) -> SizeEffect:
    """Enterprise against core requests (`enterprise_requests`, `core_requests`): `size_effects`
    with one kind."""
    return size_effects(periods, ("enterprise",))["enterprise"]


def size_effects(periods: pd.DataFrame, kinds: tuple[str, ...]) -> dict[str, SizeEffect]:
    """Fit one count model over core requests and each of `kinds`, with a kind x log2(seats)
    interaction, errors clustered by account; each kind's gradient against the core baseline.

    `periods` has account_id, seats, exposure_years, core_requests and `<kind>_requests` for each
    kind (one row per account-period). log(rate) = kind + log2(seats) + kind x log2(seats), with
    exposure in years as offset, so one core baseline serves every kind. A negative binomial (NB2);
    when it does not converge — typically when the counts show no overdispersion — a Poisson GLM,
    labelled as such.
    """
    import statsmodels.api as sm  # see the note on imports in timing.py
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    n, k = len(periods), len(kinds)
    log2_seats = np.log2(np.maximum(periods["seats"].to_numpy(dtype=float), 1))
    # Rows: each kind's periods, then the core periods. Columns: intercept, one indicator per kind,
    # log2(seats), one interaction per kind.
    block = np.repeat(np.arange(k + 1), n)
    indicators = (block[:, None] == np.arange(k)[None, :]).astype(float)
    s = np.tile(log2_seats, k + 1)
    design = np.column_stack([np.ones((k + 1) * n), indicators, s, indicators * s[:, None]])
    columns = [f"{kind}_requests" for kind in kinds] + ["core_requests"]
    y = np.concatenate([periods[c].to_numpy(float) for c in columns])
    exposure = np.tile(periods["exposure_years"].to_numpy(float), k + 1)
    groups = np.tile(pd.factorize(periods["account_id"].to_numpy())[0], k + 1)
    clustered = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    n_params = design.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.NegativeBinomial(y, design, exposure=exposure).fit(
            method="newton", maxiter=100, disp=0, **clustered
        )
    converged = fit.mle_retvals.get("converged", False) and np.all(np.isfinite(fit.bse))
    if converged:
        params = np.asarray(fit.params[:n_params])
        cov = np.asarray(fit.cov_params())[:n_params, :n_params]
        model = "negative_binomial"
    else:
        fit = sm.GLM(y, design, family=sm.families.Poisson(), exposure=exposure).fit(**clustered)
        params, cov, model = np.asarray(fit.params), np.asarray(fit.cov_params()), "poisson"

    def irr(weights: np.ndarray) -> tuple[float, tuple[float, float]]:
        value, se = float(weights @ params), float(np.sqrt(weights @ cov @ weights))
        return float(np.exp(value)), (float(np.exp(value - 1.96 * se)), float(np.exp(value + 1.96 * se)))

    slope = 1 + k  # the log2(seats) column
    effects = {}
    for j, kind in enumerate(kinds):
        # This kind's own parameters, in SizeEffect's order: intercept, kind, log2 seats, interaction.
        mine = np.array([0, 1 + j, slope, slope + 1 + j])
        unit = np.eye(n_params)
        core, core_ci = irr(unit[slope])
        own, own_ci = irr(unit[slope] + unit[slope + 1 + j])
        ratio, ratio_ci = irr(unit[slope + 1 + j])
        effects[kind] = SizeEffect(
            enterprise_irr=own,
            enterprise_ci=own_ci,
            core_irr=core,
            core_ci=core_ci,
            ratio=ratio,
            ratio_ci=ratio_ci,
            n_accounts=periods["account_id"].nunique(),
            n_periods=n,
            n_enterprise=int(periods[f"{kind}_requests"].sum()),
            n_core=int(periods["core_requests"].sum()),
            model=model,
            seats_max=float(max(periods["seats"].max(), 1)),
            params=params[mine],
            cov=cov[np.ix_(mine, mine)],
        )
    return effects
