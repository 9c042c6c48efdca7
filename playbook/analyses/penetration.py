"""Account penetration: usage on the day each deal opened, the company's own tipping point.

Top-down wins come where bottom-up usage already has a footprint (a16z, Dec 2020). Twilio found
2-3 departments the best indicator; at Dropbox 3-10% of employees was the tipping point; Zendesk
moved a prospect to enterprise sales above 15 seats. Each company must find its own threshold:
this module estimates it from won and lost top-down deals, judged on the usage each had **when it
opened** (never on the rollout that follows a win).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playbook.analyses.accounts import (
    country_growth,
    deal_size_per_employee,
    power_users,
    premature_accounts,
    ready_accounts,
)
from playbook.analyses.outcome import rounded

SIGNALS = ("employee_penetration", "departments", "seats")
VERDICTS = ("own_threshold", "rule_of_thumb")


@dataclass(frozen=True)
class RuleOfThumb:
    """One of the article's marks: shown for reference, and used only when the data are thin.

    `value` is the threshold it stands for (at or above it); `marks` the range the article gives.
    """

    value: float
    marks: tuple[float, ...]
    source: str
    short: str


RULES_OF_THUMB = {
    "employee_penetration": RuleOfThumb(
        0.03, (0.03, 0.10), "Dropbox: 3-10% of employees was typically the tipping point", "Dropbox 3–10%"
    ),
    "departments": RuleOfThumb(
        2.0, (2.0, 3.0), "Twilio: usage across 2-3 departments best predicted a top-down win", "Twilio 2–3"
    ),
    # "More than 15 seats" is 16 or more, the way every threshold here reads (at or above it).
    "seats": RuleOfThumb(
        16.0, (16.0,), "Zendesk: more than 15 seats moved a prospect to enterprise sales", "Zendesk >15"
    ),
}
MIN_CLOSED, MIN_WINS = 30, 10


# ---------------------------------------------------------------------------------------------
# Usage at a date


def usage_at(users: pd.DataFrame, accounts: pd.DataFrame, when: pd.DataFrame) -> pd.DataFrame:
    """Each account's usage on a date: active users, departments, employee penetration, seats.

    Parameters
    ----------
    users
        One row per user: account_id, first_active, last_active (dates), optionally department.
    accounts
        One row per account: account_id, employee_count.
    when
        Rows of (account_id, date); a user counts if first_active <= date <= last_active, so
        usage that starts after the date never counts.

    Returns
    -------
    `when` with active_users, departments, seats (active users: the accounts table holds only
    today's seats, which would leak later growth) and employee_penetration (share 0-1).
    """
    rows = when.reset_index(drop=True).rename_axis("_row").reset_index()
    columns = ["account_id", "first_active", "last_active"]
    has_department = "department" in users
    if has_department:
        columns.append("department")
    pairs = rows[["_row", "account_id", "date"]].merge(users[columns], on="account_id")
    active = pairs[(pairs["first_active"] <= pairs["date"]) & (pairs["date"] <= pairs["last_active"])]
    grouped = active.groupby("_row")
    counts = pd.DataFrame({"active_users": grouped.size()})
    # Without a department column the departments signal is unknown, not zero.
    counts["departments"] = grouped["department"].nunique() if has_department else np.nan
    out = rows.join(counts, on="_row").drop(columns="_row")
    out["active_users"] = out["active_users"].fillna(0).astype(int)
    if has_department:
        out["departments"] = out["departments"].fillna(0).astype(int)
    out["seats"] = out["active_users"]
    employees = out["account_id"].map(accounts.set_index("account_id")["employee_count"]).astype(float)
    out["employee_penetration"] = out["active_users"] / employees
    return out


def deal_usage(opportunities: pd.DataFrame, users: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Every opportunity with its account's usage on the day it opened."""
    when = opportunities.rename(columns={"opened_at": "date"})
    usage = usage_at(users, accounts, when[["account_id", "date"]])
    return opportunities.assign(**{c: usage[c].to_numpy() for c in ["active_users", *SIGNALS]})


# ---------------------------------------------------------------------------------------------
# The tipping point


@dataclass(frozen=True)
class Threshold:
    """The company's own tipping point on one signal (or the article's mark when data are thin).

    `threshold`: deals at or above it win at `win_rate_above`, below it at `win_rate_below`;
    `ci` is a 95% bootstrap interval; `n` closed deals, `n_wins` of them won.
    """

    signal: str
    threshold: float
    ci: tuple[float, float] | None
    win_rate_below: float | None
    win_rate_above: float | None
    lift: float | None
    n: int
    n_wins: int
    source: str  # "company_data" or "rule_of_thumb"
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "threshold": rounded(self.threshold),
            "ci": None if self.ci is None else [rounded(self.ci[0]), rounded(self.ci[1])],
            "win_rate_below": rounded(self.win_rate_below),
            "win_rate_above": rounded(self.win_rate_above),
            "lift": rounded(self.lift),
            "n": self.n,
            "n_wins": self.n_wins,
            "source": self.source,
        }


def _bernoulli_loglik(wins: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = wins / n
        ll = wins * np.log(p) + (n - wins) * np.log1p(-p)
    return np.nan_to_num(ll)  # 0 * log 0 = 0


def best_cut(signal: np.ndarray, won: np.ndarray, *, min_group: int) -> float | None:
    """The cut that best separates win rates: the maximum-likelihood change point of a step model.

    Deals with signal >= cut win at one rate, those below at another; candidate cuts are the
    observed values that leave at least `min_group` deals on each side.
    """
    order = np.argsort(signal, kind="stable")
    x, y = signal[order], won[order].astype(float)
    n = len(x)
    wins_below = np.concatenate([[0.0], np.cumsum(y)])[:-1]  # wins among the first i deals
    i = np.arange(n)
    valid = (i >= min_group) & (n - i >= min_group) & np.r_[False, x[1:] != x[:-1]]
    if not valid.any():
        return None
    ll = _bernoulli_loglik(wins_below, i.astype(float)) + _bernoulli_loglik(
        y.sum() - wins_below, (n - i).astype(float)
    )
    ll[~valid] = -np.inf
    return float(x[int(np.argmax(ll))])


def tipping_point(
    signal: pd.Series, won: pd.Series, *, name: str, n_boot: int = 1000, seed: int = 0
) -> Threshold:
    """The company's own threshold on one signal, from closed deals, with a bootstrap interval.

    Parameters
    ----------
    signal
        The signal's value on the day each closed deal opened.
    won
        True for won deals, False for lost ones (open deals are left out by the caller).
    name
        One of SIGNALS (for the rule of thumb used when the data are thin).
    n_boot, seed
        Bootstrap resamples (at least 500) and the random seed.
    """
    if name not in SIGNALS:
        raise ValueError(f"unknown signal {name!r}; signals are {', '.join(SIGNALS)}")
    if n_boot < 500:
        raise ValueError("n_boot must be at least 500")
    mark = RULES_OF_THUMB[name].value
    keep = signal.notna().to_numpy()
    x, y = signal.to_numpy(dtype=float)[keep], won.to_numpy(dtype=bool)[keep]
    n, n_wins = len(x), int(y.sum())

    def rates(cut: float) -> tuple[float | None, float | None]:
        below, above = y[x < cut], y[x >= cut]
        return (below.mean() if len(below) else None, above.mean() if len(above) else None)

    def fallback(note: str) -> Threshold:
        below, above = rates(mark)
        lift = above / below if below and above is not None else None
        return Threshold(name, mark, None, below, above, lift, n, n_wins, "rule_of_thumb", note)

    if n < MIN_CLOSED or n_wins < MIN_WINS:
        return fallback(
            f"Too thin for a company-specific threshold: {n} closed deals and {n_wins} wins "
            f"(at least {MIN_CLOSED} and {MIN_WINS} needed). Using the article's rule of thumb."
        )
    min_group = max(5, n // 20)
    cut = best_cut(x, y, min_group=min_group)
    if cut is None:
        return fallback("The signal takes too few distinct values to place a cut; using the rule of thumb.")
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        found = best_cut(x[idx], y[idx], min_group=min_group)
        if found is not None:
            boot.append(found)
    ci = (float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975)))
    below, above = rates(cut)
    lift = above / below if below else None
    return Threshold(name, cut, ci, below, above, lift, n, n_wins, "company_data")


def _log_design(x, floor: float) -> np.ndarray:
    """Intercept and log(signal), signals below `floor` raised to it (log of zero is undefined)."""
    logx = np.log(np.maximum(np.asarray(x, dtype=float), floor))
    return np.column_stack([np.ones_like(logx), logx])


@dataclass(frozen=True)
class WinCurve:
    """Win probability as a smooth function of a signal: a binomial GLM on log(signal)."""

    signal: str
    params: np.ndarray = field(repr=False)
    cov: np.ndarray = field(repr=False)
    floor: float  # signals below this are treated as this (log of zero is undefined)
    n: int

    def _design(self, x) -> np.ndarray:
        return _log_design(x, self.floor)

    def predict(self, x) -> np.ndarray:
        """Win probability (share 0-1) at each signal value."""
        return 1 / (1 + np.exp(-self._design(x) @ self.params))

    def interval(self, x, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
        """A 95% pointwise interval of the win probability (delta method on the logit scale)."""
        design = self._design(x)
        eta = design @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.cov, design))
        return 1 / (1 + np.exp(-(eta - z * se))), 1 / (1 + np.exp(-(eta + z * se)))


def win_curve(signal: pd.Series, won: pd.Series, *, name: str) -> WinCurve | None:
    """Fit the win-probability curve (statsmodels GLM, binomial, logit link); None if it cannot be fitted."""
    keep = signal.notna().to_numpy()
    x, y = signal.to_numpy(dtype=float)[keep], won.to_numpy(dtype=float)[keep]
    positive = x[x > 0]
    if len(np.unique(y)) < 2 or len(positive) < 5:
        return None
    import statsmodels.api as sm  # here, not at the top: see the note on imports in timing.py

    floor = float(positive.min() / 2)
    fit = sm.GLM(y, _log_design(x, floor), family=sm.families.Binomial()).fit()
    return WinCurve(name, np.asarray(fit.params), np.asarray(fit.cov_params()), floor, len(x))


@dataclass(frozen=True)
class PenetrationResult:
    """Thresholds, the ready-account pipeline, premature accounts and countries.

    `to_dict()` is summary.json's `penetration` section.
    """

    as_of: pd.Timestamp
    thresholds: dict[str, Threshold]
    curves: dict[str, WinCurve | None] = field(repr=False)
    deals: pd.DataFrame = field(repr=False)  # every deal with its account's usage when it opened
    pipeline_signal: str
    ready: pd.DataFrame = field(repr=False)  # ready accounts, best expected value first
    power_users: pd.DataFrame = field(repr=False)
    premature: pd.DataFrame = field(repr=False)
    countries: pd.DataFrame | None = field(repr=False)  # None without a country column
    deal_size_per_employee: float | None
    deal_size_n: int
    win_probability_source: str
    home_country: str | None
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """`own_threshold` when the pipeline signal's threshold comes from our deals, else `rule_of_thumb`."""
        own = self.thresholds[self.pipeline_signal].source == "company_data"
        return "own_threshold" if own else "rule_of_thumb"

    @property
    def pipeline_value(self) -> float:
        """Sum of the ready accounts' expected values (currency); 0 when deal sizes are unknown."""
        return float(self.ready["expected_value"].sum())  # NaN values (no deal size) add nothing

    def to_dict(self) -> dict:
        countries = (
            []
            if self.countries is None
            else [
                {
                    "country": row.country,
                    "ready_accounts": int(row.ready_accounts),
                    "growth_12m": rounded(row.growth_12m),
                }
                for row in self.countries.itertuples()
            ]
        )
        return {
            "verdict": self.verdict,
            **{name: t.to_dict() for name, t in self.thresholds.items()},
            "pipeline_signal": self.pipeline_signal,
            "ready_accounts": len(self.ready),
            "pipeline_value": round(self.pipeline_value, 2),
            "premature_accounts": len(self.premature),
            "countries": countries,
            "home_country": self.home_country,
            "notes": list(self.notes),
        }


def assess_penetration(
    users: pd.DataFrame,
    accounts: pd.DataFrame,
    opportunities: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    pipeline_signal: str = "employee_penetration",
    n_boot: int = 1000,
    seed: int = 0,
    min_employees_premature: int = 1000,
    home_country: str | None = None,
    top_power_users: int = 10,
) -> PenetrationResult:
    """Thresholds from the company's own deals, then the accounts ready now, too early, and abroad.

    Parameters
    ----------
    users
        One row per user with account_id, first_active, last_active (and department, email,
        events_28d, active_days_28d when known).
    accounts
        One row per account with account_id, account_name, employee_count (country when known).
    opportunities
        Top-down deals (account_id, opened_at, outcome, amount); None when not provided.
    as_of
        Analysis date: "now" for the pipeline.
    pipeline_signal
        The signal whose threshold defines a ready account (one of SIGNALS).
    n_boot, seed
        Bootstrap resamples for the threshold intervals, and the seed.
    min_employees_premature
        Accounts at least this large (employees) and below the threshold are listed as premature.
    home_country
        The home market for the country comparison; default the country with most accounts.
    top_power_users
        Power users listed per ready account (the Dropbox practice: the top 10).
    """
    if pipeline_signal not in SIGNALS:
        raise ValueError(f"pipeline_signal must be one of {', '.join(SIGNALS)}, got {pipeline_signal!r}")
    notes: list[str] = []
    if opportunities is None:
        opportunities = pd.DataFrame(
            columns=["opportunity_id", "account_id", "opened_at", "outcome", "amount"]
        )
        notes.append("No opportunities table: thresholds fall back to the article's rules of thumb.")
    deals = deal_usage(opportunities, users, accounts)
    closed = deals[deals["outcome"].isin(["won", "lost"])]
    won = closed["outcome"] == "won"
    thresholds = {s: tipping_point(closed[s], won, name=s, n_boot=n_boot, seed=seed) for s in SIGNALS}
    curves = {s: win_curve(closed[s], won, name=s) for s in SIGNALS}
    notes += sorted({t.note for t in thresholds.values() if t.note})

    chosen = thresholds[pipeline_signal]
    curve = curves[pipeline_signal]
    if chosen.source == "company_data" and curve is not None:
        probability, source = curve.predict, "fitted win-probability curve"
    else:
        rate = float(won.mean()) if len(won) else np.nan
        probability = lambda x: np.full(len(x), rate)  # noqa: E731
        source = f"historical top-down win rate ({len(won)} closed deals)"
        notes.append(f"Win probabilities use the {source}: the data cannot support a curve.")

    def usage_on(day: pd.Timestamp) -> pd.DataFrame:
        when = pd.DataFrame({"account_id": accounts["account_id"], "date": day})
        return usage_at(users, accounts, when).assign(
            employee_count=accounts["employee_count"].to_numpy(dtype=float)
        )

    now, year_ago = usage_on(as_of), usage_on(as_of - pd.DateOffset(years=1))
    size, size_n = deal_size_per_employee(opportunities, accounts)
    if size is None:
        notes.append("No won deal with an amount: deal sizes, and so expected values, cannot be estimated.")
    ready = ready_accounts(
        now,
        accounts,
        opportunities,
        signal=pipeline_signal,
        threshold=chosen.threshold,
        win_probability=probability,
        deal_size_per_employee=size,
    )
    premature = premature_accounts(
        now,
        accounts,
        signal=pipeline_signal,
        threshold=chosen.threshold,
        min_employees=min_employees_premature,
    )
    countries, home = None, home_country
    if "country" in accounts:
        countries = country_growth(
            now, year_ago, ready, accounts, signal=pipeline_signal, threshold=chosen.threshold
        )
        home = home_country or accounts["country"].value_counts().sort_index().idxmax()
    return PenetrationResult(
        as_of=as_of,
        thresholds=thresholds,
        curves=curves,
        deals=deals,
        pipeline_signal=pipeline_signal,
        ready=ready,
        power_users=power_users(users, ready["account_id"], as_of=as_of, top=top_power_users),
        premature=premature,
        countries=countries,
        deal_size_per_employee=size,
        deal_size_n=size_n,
        win_probability_source=source,
        home_country=home,
        notes=tuple(notes),
    )


def open_deal_win_probability(
    opportunities: pd.DataFrame, penetration: PenetrationResult | None
) -> tuple[pd.Series, str]:
    """Each open deal's win probability (indexed by opportunity_id), and where it comes from.

    The penetration analysis's win curve at the deal's usage when it opened, when that analysis
    found our own threshold; else the historical top-down win rate of closed deals.
    """
    closed = opportunities[opportunities["outcome"].isin(["won", "lost"])]
    open_ids = opportunities.loc[opportunities["outcome"] == "open", "opportunity_id"].to_numpy()
    if penetration is not None and penetration.verdict == "own_threshold":
        curve = penetration.curves[penetration.pipeline_signal]
        if curve is not None:
            deals = penetration.deals.set_index("opportunity_id")
            signal = deals.loc[open_ids, penetration.pipeline_signal].to_numpy(dtype=float)
            return pd.Series(curve.predict(signal), index=open_ids), "the penetration win-probability curve"
    rate = float((closed["outcome"] == "won").mean()) if len(closed) else np.nan
    return pd.Series(rate, index=open_ids), f"the historical top-down win rate ({len(closed)} closed deals)"
