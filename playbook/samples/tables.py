"""Table generators for the sample companies: each draws one table of the data contract.

`playbook.samples.companies` chooses the scenarios and assembles these into companies. The order of the
random draws is part of the committed bytes: change a generator, then run `make samples`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from playbook.data.contract import LEADER_ATTRIBUTES
from playbook.data.usage import usage_from_spans

if TYPE_CHECKING:
    from playbook.samples.companies import SampleSpec

LAST_MONTH = pd.Timestamp("2026-09-01")
N_MONTHS = 48
AS_OF = LAST_MONTH + pd.offsets.MonthEnd(0)
WINDOW_DAYS = 28  # a user is active at a date when active in the 28 days ending at it
EVENT_GAPS = (14, 27)  # days between an active user's events: within the window, never a gap
EPOCH = pd.Timestamp("2019-01-01")  # the oldest account's creation date

COUNTRIES = ("US", "GB", "DE", "JP", "FR", "CA", "BR", "IN")
COUNTRY_WEIGHTS = (0.52, 0.11, 0.09, 0.07, 0.07, 0.06, 0.04, 0.04)
INDUSTRIES = ("software", "financial services", "retail", "healthcare", "media", "manufacturing")
DEPARTMENTS = (
    "engineering",
    "product",
    "design",
    "data",
    "support",
    "marketing",
    "sales",
    "operations",
    "finance",
    "people",
)
NAME_PARTS = (
    (
        "Acme",
        "Blue",
        "Cedar",
        "Delta",
        "Ember",
        "Fjord",
        "Granite",
        "Harbor",
        "Iris",
        "Juniper",
        "Kite",
        "Lumen",
        "Maple",
        "Nova",
        "Orbit",
        "Pine",
        "Quartz",
        "River",
        "Summit",
        "Tidal",
    ),
    (
        "Robotics",
        "Health",
        "Logistics",
        "Labs",
        "Finance",
        "Media",
        "Foods",
        "Systems",
        "Energy",
        "Retail",
        "Analytics",
        "Bank",
        "Motors",
        "Studios",
        "Networks",
        "Insurance",
    ),
)
FIRST_NAMES = (
    "Ada",
    "Ben",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kemal",
    "Lena",
    "Mo",
    "Nia",
    "Omar",
    "Priya",
    "Raj",
    "Sofia",
    "Tom",
    "Yuki",
)
LAST_NAMES = (
    "Abe",
    "Brown",
    "Costa",
    "Diaz",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
    "Okafor",
    "Park",
    "Rossi",
    "Singh",
)

# name, category, enterprise, effort_weeks, status, share of requests of its kind
ENTERPRISE_FEATURES = (
    ("SAML SSO", "security", True, 6, "planned", 0.26),
    ("SCIM provisioning", "access control", True, 8, "backlog", 0.18),
    ("Audit logs", "audit", True, 5, "backlog", 0.16),
    ("Role-based access control", "access control", True, 10, "in progress", 0.14),
    ("Data residency (EU)", "compliance", True, 16, "backlog", 0.10),
    ("Custom data retention", "compliance", True, 4, "backlog", 0.08),
    ("Admin console", "admin", True, 7, "planned", 0.08),
)
CORE_FEATURES = (
    ("Dark mode", "user interface", False, 2, "backlog", 0.30),
    ("CSV export", "reporting", False, 1, "shipped", 0.18),
    ("Slack integration", "integrations", False, 3, "planned", 0.17),
    ("Custom dashboards", "reporting", False, 6, "backlog", 0.15),
    ("Mobile app", "mobile", False, 20, "backlog", 0.12),
    ("Keyboard shortcuts", "user interface", False, 1, None, 0.08),
)
# What an interviewer writes beside a score (never who they are).
EVIDENCE = {
    5: "strong, concrete examples",
    4: "good examples",
    3: "mixed evidence",
    2: "thin evidence",
    1: "no evidence",
}
LOSS_REASONS = ("price", "no decision", "went with a competitor", "security review failed")


def arr_history(s: SampleSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly ARR that compounds at `arr_growth`, with movements that reconcile month to month."""
    months = pd.date_range(end=LAST_MONTH, periods=N_MONTHS, freq="MS")
    t = np.arange(N_MONTHS) - (N_MONTHS - 1)
    wobble = np.cumsum(rng.normal(0, 0.012, N_MONTHS))
    arr = s.arr_end * np.exp(np.log1p(s.arr_growth) * t / 12 + wobble - wobble[-1])
    prior = np.concatenate([[arr[0] / (1 + s.arr_growth) ** (1 / 12)], arr[:-1]])
    # Monthly expansion e and losses c chosen so that (1 + e - c) ** 12 = nrr.
    losses = 0.012
    expansion_rate = (s.nrr ** (1 / 12) - 1) + losses
    expansion = prior * expansion_rate * rng.uniform(0.8, 1.2, N_MONTHS)
    churned = prior * losses * 0.7 * rng.uniform(0.8, 1.2, N_MONTHS)
    contraction = prior * losses * 0.3 * rng.uniform(0.8, 1.2, N_MONTHS)
    new = arr - prior - expansion + contraction + churned
    # A month whose ARR falls more than its losses: no new ARR, and the shortfall churns.
    churned = churned + np.maximum(-new, 0)
    new = np.maximum(new, 0)
    share = s.self_serve_share + np.linspace(0.06, 0, N_MONTHS)
    spend = arr / 12 * rng.uniform(0.5, 0.6, N_MONTHS)
    signups = (arr / 900 * rng.uniform(0.9, 1.1, N_MONTHS)).round()
    return pd.DataFrame(
        {
            "month": months.strftime("%Y-%m"),
            "arr": arr.round(2),
            "new_arr": new.round(2),
            "expansion_arr": expansion.round(2),
            "contraction_arr": contraction.round(2),
            "churned_arr": churned.round(2),
            "self_serve_arr": (arr * np.minimum(share, 1)).round(2),
            "sales_marketing_spend": spend.round(2),
            "signups": signups.astype(int),
        }
    )


def _as_datetimes(values) -> np.ndarray:
    if isinstance(values, pd.Timestamp):
        return values.to_datetime64()
    return pd.DatetimeIndex(values).to_numpy()


def _days_between(rng, start, end, skew: float = 1.0) -> np.ndarray:
    """Random whole days in [start, end] (arrays or a scalar end); skew > 1 leans toward `end`."""
    start = _as_datetimes(start)
    span = ((_as_datetimes(end) - start) // np.timedelta64(1, "D")).astype(int)
    offset = np.floor(rng.uniform(size=len(start)) ** (1 / skew) * (span + 1)).astype(int)
    return start + np.minimum(offset, np.maximum(span, 0)) * np.timedelta64(1, "D")


def accounts_table(s: SampleSpec, rng: np.random.Generator) -> pd.DataFrame:
    n = s.n_accounts
    ids = [f"A{i:05d}" for i in range(1, n + 1)]
    first = rng.integers(len(NAME_PARTS[0]), size=n)
    second = rng.integers(len(NAME_PARTS[1]), size=n)
    names = [
        f"{NAME_PARTS[0][a]} {NAME_PARTS[1][b]} {i}"
        for i, (a, b) in enumerate(zip(first, second, strict=True), 1)
    ]
    employees = np.clip(rng.lognormal(np.log(160), 1.5, n), 5, 80_000).round().astype(int)
    country = rng.choice(COUNTRIES, size=n, p=COUNTRY_WEIGHTS)
    # Japan's accounts are young: bottom-up usage abroad that a Slack-style leap would follow.
    skew = np.where(country == "JP", 3.0, 1.3)
    span = (AS_OF - pd.Timedelta(days=60) - EPOCH).days
    created = EPOCH + pd.to_timedelta(np.floor(rng.uniform(size=n) ** (1 / skew) * span), unit="D")
    return pd.DataFrame(
        {
            "account_id": ids,
            "account_name": names,
            "employee_count": employees,
            "industry": rng.choice(INDUSTRIES, size=n),
            "country": country,
            "created_at": pd.DatetimeIndex(created),
        }
    )


def _last_events(seed: list[int], first: np.ndarray, spread_days: int) -> np.ndarray:
    """Last active day of users still active: up to `spread_days` before AS_OF, never before `first`.

    Drawn from a stream of their own (`seed`), so a variant that only changes the spread keeps
    every other draw of the company.
    """
    back = np.random.default_rng(seed).integers(0, spread_days + 1, len(first)) * np.timedelta64(1, "D")
    return np.maximum(AS_OF.to_datetime64() - back, first)


def users_table(s: SampleSpec, accounts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Users active from first_active to last_active; a fifth have stopped."""
    penetration = np.clip(rng.lognormal(np.log(s.penetration_median), 0.9, len(accounts)), 0, 0.6)
    active_now = np.maximum(1, np.round(penetration * accounts["employee_count"])).astype(int)
    active_now = np.minimum(active_now, 2500)
    stopped = rng.binomial(active_now, 0.25)
    counts = active_now + stopped
    owner = np.repeat(np.arange(len(accounts)), counts)
    is_stopped = np.concatenate(
        [np.r_[np.zeros(a, bool), np.ones(b, bool)] for a, b in zip(active_now, stopped, strict=True)]
    )
    created = accounts["created_at"].to_numpy()[owner]
    first = _days_between(rng, created, AS_OF, skew=1.6)
    last = _last_events([s.seed, 2], first, s.last_event_spread_days)
    last[is_stopped] = _days_between(rng, first[is_stopped], AS_OF - pd.Timedelta(days=1))
    # Departments: the first department of an account dominates, then the next ones.
    dept_order = np.argsort(rng.uniform(size=(len(accounts), len(DEPARTMENTS))), axis=1)
    rank = np.minimum(rng.geometric(0.45, size=len(owner)) - 1, len(DEPARTMENTS) - 1)
    department = np.array(DEPARTMENTS)[dept_order[owner, rank]]
    return pd.DataFrame(
        {
            "account_id": accounts["account_id"].to_numpy()[owner],
            "first_active": first,
            "last_active": last,
            "department": department,
        }
    )


def active_users_at(users: pd.DataFrame, when: pd.Series, account_ids: pd.Series) -> np.ndarray:
    """How many users of each account were active in the window ending on the matching date."""
    counts = np.zeros(len(when), dtype=int)
    grouped = users.groupby("account_id")
    for i, (account, day) in enumerate(zip(account_ids, when, strict=True)):
        u = grouped.get_group(account)
        window_start = day - pd.Timedelta(days=WINDOW_DAYS - 1)
        counts[i] = int(((u["first_active"] <= day) & (u["last_active"] >= window_start)).sum())
    return counts


def win_probability(s: SampleSpec, penetration: np.ndarray) -> np.ndarray:
    """Each deal's chance of being won, by the scenario's `win_effect` at its penetration."""
    above = penetration >= s.penetration_threshold
    if s.win_effect == "step":
        return np.where(above, s.win_rate_above, s.win_rate_below)
    if s.win_effect == "reversed":
        return np.where(above, s.win_rate_below, s.win_rate_above)
    if s.win_effect == "none":
        return np.full(len(penetration), (s.win_rate_below + s.win_rate_above) / 2)
    raise ValueError(f"win_effect must be step, reversed or none, got {s.win_effect!r}")


def opportunities_table(
    s: SampleSpec, accounts: pd.DataFrame, users: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Top-down attempts whose outcome depends on penetration on the day they opened.

    Returns the opportunities and the users added by the rollout that follows each won deal
    (their usage starts after the close, so it must never count toward the deal's penetration).
    """
    eligible = accounts[accounts["employee_count"] >= 100].reset_index(drop=True)
    pick = eligible.iloc[np.sort(rng.choice(len(eligible), size=s.n_opportunities, replace=False))]
    latest = AS_OF - pd.Timedelta(days=10)
    earliest = np.maximum(pick["created_at"] + pd.Timedelta(days=90), AS_OF - pd.Timedelta(days=900))
    opened = pd.Series(_days_between(rng, np.minimum(earliest, latest), latest))
    active = active_users_at(users, opened, pick["account_id"])
    penetration = active / pick["employee_count"].to_numpy()
    won = rng.uniform(size=len(pick)) < win_probability(s, penetration)
    closed = opened + pd.to_timedelta(rng.integers(30, 180, len(pick)), unit="D")
    is_open = (closed > AS_OF).to_numpy()
    outcome = np.where(is_open, "open", np.where(won, "won", "lost"))
    amount = pick["employee_count"].to_numpy() * 45 * rng.lognormal(0, 0.35, len(pick))
    opps = pd.DataFrame(
        {
            "opportunity_id": [f"O{i:04d}" for i in range(1, len(pick) + 1)],
            "account_id": pick["account_id"].to_numpy(),
            "opened_at": opened.to_numpy(),
            "outcome": outcome,
            "closed_at": pd.Series(closed.to_numpy()).where(~is_open),
            "amount": amount.round(-2),
        }
    )
    # Rollout after a won deal: many new users, all starting after the close date.
    won_rows = opps[opps["outcome"] == "won"]
    employees = pick.set_index("account_id")["employee_count"]
    size = employees.loc[won_rows["account_id"]].to_numpy() * rng.uniform(0.05, 0.15, len(won_rows))
    size = np.maximum(1, np.round(size)).astype(int)
    size = np.minimum(size, 1500)
    owner = np.repeat(np.arange(len(won_rows)), size)
    start = won_rows["closed_at"].to_numpy()[owner] + pd.Timedelta(days=1)
    first = _days_between(rng, start, AS_OF)
    rollout = pd.DataFrame(
        {
            "account_id": won_rows["account_id"].to_numpy()[owner],
            "first_active": first,
            "last_active": _last_events([s.seed, 3], first, s.last_event_spread_days),
            "department": rng.choice(DEPARTMENTS, size=len(owner)),
        }
    )
    return opps, rollout


def features_table() -> pd.DataFrame:
    rows = [f[:5] for f in ENTERPRISE_FEATURES + CORE_FEATURES]
    frame = pd.DataFrame(rows, columns=["feature", "category", "enterprise", "effort_weeks", "status"])
    return frame.assign(enterprise=frame["enterprise"].map({True: "true", False: "false"}))


def account_years(accounts: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """Each account's yearly periods ending on AS_OF since it was created, with the users active at
    each period's midpoint (its seats then): account, start, end, years, seats."""
    rows = []
    for k in range(int(np.ceil((AS_OF - accounts["created_at"].min()).days / 365)) + 1):
        end = AS_OF - pd.Timedelta(days=365 * k)
        start = np.maximum(accounts["created_at"], end - pd.Timedelta(days=365))
        alive = (end > start).to_numpy()
        rows.append(
            pd.DataFrame({"account": np.flatnonzero(alive), "start": start[alive].to_numpy(), "end": end})
        )
    periods = pd.concat(rows, ignore_index=True)
    periods["years"] = (periods["end"] - periods["start"]).dt.days / 365.25
    middle = (periods["start"] + (periods["end"] - periods["start"]) / 2).dt.normalize()
    pairs = pd.DataFrame(
        {"account_id": accounts["account_id"].to_numpy()[periods["account"]], "date": middle}
    )
    return periods.assign(
        seats=usage_from_spans(users, pairs, window_days=WINDOW_DAYS)["active_users"].to_numpy()
    )


def feature_requests_table(
    s: SampleSpec, accounts: pd.DataFrame, users: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Requests per account-year as Poisson counts: rate = base x years x (seats then) ** beta."""
    periods = account_years(accounts, users)
    log2_seats = np.log2(np.maximum(periods["seats"].to_numpy(), 1))
    frames = []
    for features, irr, base in (
        (ENTERPRISE_FEATURES, s.enterprise_irr_per_doubling, 0.35 * s.requests_per_account_year),
        (CORE_FEATURES, s.core_irr_per_doubling, s.requests_per_account_year),
    ):
        # Rates are relative to an account of 8 seats, so `base` is that account's yearly rate.
        rate = base * periods["years"].to_numpy() * np.exp(np.log(irr) * (log2_seats - 3))
        n = rng.poisson(rate)
        which = np.repeat(np.arange(len(periods)), n)
        owner = periods["account"].to_numpy()[which]
        share = np.array([f[5] for f in features])
        chosen = rng.choice(len(features), size=len(owner), p=share / share.sum())
        enterprise = features[0][2]
        frames.append(
            pd.DataFrame(
                {
                    "account_id": accounts["account_id"].to_numpy()[owner],
                    "feature": np.array([f[0] for f in features])[chosen],
                    "created_at": _days_between(
                        rng, periods["start"].to_numpy()[which], periods["end"].to_numpy()[which]
                    ),
                    "category": np.array([f[1] for f in features])[chosen],
                    "source": np.where(
                        rng.uniform(size=len(owner)) < (s.sales_sourced_share if enterprise else 0.05),
                        "sales",
                        rng.choice(["support", "community", "self_serve"], size=len(owner)),
                    ),
                }
            )
        )
    requests = pd.concat(frames, ignore_index=True).sort_values(
        ["created_at", "account_id", "feature"], kind="stable"
    )
    return requests.reset_index(drop=True).assign(
        request_id=[f"R{i:06d}" for i in range(1, len(requests) + 1)]
    )[["request_id", "account_id", "feature", "created_at", "category", "source"]]


def long_scores(cube: np.ndarray, candidates=None, interviewers=None) -> pd.DataFrame:
    """candidates x interviewers x attributes scores as the contract's long table (NaN: not scored).

    With `interview_loop`, used by the tests and benchmarks that simulate interview loops."""
    n, k, a = cube.shape
    candidates = candidates or [f"C{i + 1}" for i in range(n)]
    interviewers = interviewers or ["CEO", "CTO", "VP Product", "CFO", "COO"][:k]
    rows = [
        (candidates[c], interviewers[r], LEADER_ATTRIBUTES[j], cube[c, r, j])
        for c in range(n)
        for r in range(k)
        for j in range(a)
        if not np.isnan(cube[c, r, j])
    ]
    return pd.DataFrame(rows, columns=["candidate_id", "interviewer", "attribute", "score"])


def loop_cubes(
    rng, truth: np.ndarray, *, loops: int, k: int = 4, noise: float = 0.55, bias=None
) -> np.ndarray:
    """Interview loops' whole-number scores, loops x candidates x interviewers x attributes: each the
    candidate's true level (`truth`, candidates x attributes) plus the interviewer's leniency
    (`bias`, one a interviewer; none by default) plus normal noise of sd `noise`, rounded and
    clipped to 1-5."""
    n, a = truth.shape
    lenient = np.zeros(k) if bias is None else np.asarray(bias, dtype=float)
    level = truth[None, :, None, :] + lenient[None, None, :, None]
    return np.clip(np.round(level + rng.normal(0, noise, (loops, n, k, a))), 1, 5)


def interview_loop(rng, truth: np.ndarray, k: int = 4, noise: float = 0.55) -> pd.DataFrame:
    """One interview loop: candidates' true levels (candidates x attributes), k interviewers."""
    return long_scores(loop_cubes(rng, truth, loops=1, k=k, noise=noise)[0])


def leaders_tables(s: SampleSpec, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Five candidates with true attribute levels, scored by four interviewers.

    One attribute (`noise_attribute`) is scored at random: interviewers cannot agree on it.
    Returns candidates, scores and the planted ranking (best first, on the other attributes).
    """
    ids = [f"C{i}" for i in range(1, 6)]
    names = ["Morgan Hale", "Riley Chen", "Avery Okafor", "Jordan Silva", "Casey Novak"]
    #                collab analytic long-term enterprise
    truth = np.array(
        [
            [4.6, 4.5, 4.2, 3.4],  # the product-minded builder
            [3.8, 4.1, 3.9, 3.8],
            [3.2, 3.0, 3.6, 4.0],
            [1.8, 2.9, 3.0, 4.8],  # playbook executor: enterprise, not collaborative
            [2.6, 1.9, 2.4, 3.2],
        ]
    )  # weakest overall, low analytical
    candidates = pd.DataFrame(
        {
            "candidate_id": ids,
            "name": names,
            "current_role": [
                "VP Sales",
                "Head of Growth",
                "RVP Enterprise",
                "SVP Field Sales",
                "Sales Director",
            ],
            "sales_background": ["both", "inside", "both", "field", "inside"],
            "years_enterprise": [8, 5, 11, 16, 4],
        }
    )
    interviewers = ["CEO", "CTO", "VP Product", "CFO"]
    noise = LEADER_ATTRIBUTES.index(s.noise_attribute)
    rows = []
    for c, cid in enumerate(ids):
        for who in interviewers:
            for a, attribute in enumerate(LEADER_ATTRIBUTES):
                if a == noise:
                    score = int(rng.integers(1, 6))
                else:
                    score = int(np.clip(np.round(truth[c, a] + rng.normal(0, 0.55)), 1, 5))
                rows.append(
                    (
                        cid,
                        who,
                        attribute,
                        score,
                        f"{EVIDENCE[score]} ({attribute.replace('_', ' ')}, {score}/5)",
                    )
                )
    scores = pd.DataFrame(rows, columns=["candidate_id", "interviewer", "attribute", "score", "evidence"])
    signal = np.delete(truth, noise, axis=1).mean(axis=1)
    ranking = [ids[i] for i in np.argsort(-signal, kind="stable")]
    return candidates, scores, ranking


def events_table(users: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Raw events: each user's first and last active day, one every 14-27 days between (so the
    activity window never sees a gap while a user is active), and more in the last 28 days."""
    first, last = users["first_active"].to_numpy(), users["last_active"].to_numpy()
    span = ((last - first) // np.timedelta64(1, "D")).astype(int)
    # Enough candidate gaps for the longest span; cumulative offsets beyond the span are dropped.
    per_user = span // EVENT_GAPS[0] + 1
    owner = np.repeat(np.arange(len(users)), per_user)
    gaps = rng.integers(EVENT_GAPS[0], EVENT_GAPS[1] + 1, len(owner))
    starts = np.r_[0, np.cumsum(per_user)[:-1]]
    cumulative = np.cumsum(gaps)
    offset = cumulative - np.repeat(cumulative[starts] - gaps[starts], per_user)
    inside = offset < span[owner]
    between = first[owner[inside]] + offset[inside] * np.timedelta64(1, "D")
    n = len(users)
    window_start = np.datetime64(AS_OF - pd.Timedelta(days=WINDOW_DAYS - 1))
    extra = rng.poisson(2.0, n) * (last >= window_start)
    owner_extra = np.repeat(np.arange(n), extra)
    lo = np.maximum(first[owner_extra], window_start)
    recent = _days_between(rng, lo, last[owner_extra])
    owners = np.r_[np.arange(n), np.arange(n), owner[inside], owner_extra]
    day = np.r_[first, last, between, recent]
    # On the hour: the sample stays small (hours repeat, so Parquet's dictionary compresses them),
    # and only the day matters to the analyses.
    hours = rng.integers(0, 24, len(owners))
    events = pd.DataFrame(
        {
            "user_id": users["user_id"].to_numpy()[owners],
            "account_id": users["account_id"].to_numpy()[owners],
            "occurred_at": day + pd.to_timedelta(hours, unit="h").to_numpy(),
            "event": rng.choice(
                ["view", "edit", "share", "comment"], size=len(owners), p=[0.5, 0.3, 0.1, 0.1]
            ),
        }
    )
    # By user, then time: how a warehouse clusters events, and what compresses best in Parquet.
    return events.sort_values(["user_id", "occurred_at"], kind="stable", ignore_index=True)


def activity_28d(events: pd.DataFrame) -> pd.DataFrame:
    """active_days_28d and events_28d per user, over the 28 days ending on AS_OF."""
    recent = events[events["occurred_at"] >= AS_OF - pd.Timedelta(days=27)]
    return (
        recent.assign(day=recent["occurred_at"].dt.normalize())
        .groupby("user_id")
        .agg(active_days_28d=("day", "nunique"), events_28d=("day", "size"))
    )
