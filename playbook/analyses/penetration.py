"""Account penetration: our own tipping point, claimed only with evidence, and the accounts past it.

Top-down wins come where bottom-up usage already has a footprint (a16z, Dec 2020). Twilio found
2-3 departments the best indicator; at Dropbox 3-10% of employees was the tipping point; Zendesk
moved a prospect to enterprise sales above 15 seats. Each company must find its own threshold:
this module tests for one in its won and lost top-down deals, judged on the usage each had **when
it opened** (never on the rollout that follows a win), and lists the accounts past it today —
valued only where the company's deals give a win curve and a deal size (see `win_curve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from playbook.analyses.accounts import (
    candidate_accounts,
    country_growth,
    engaged_accounts,
    power_users,
    premature_accounts,
    ready_accounts,
    top_by_usage,
)
from playbook.analyses.outcome import rounded
from playbook.analyses.ready_range import ReadyRange, ready_range
from playbook.analyses.settings import CommonSettings
from playbook.analyses.signal_choice import AUTO, SignalChoice, choose_signal, signal_thresholds
from playbook.analyses.tipping_point import CLAIMS, Threshold, gradual
from playbook.analyses.tipping_point import VERDICTS as SIGNAL_VERDICTS
from playbook.analyses.win_curve import MIN_WON_WITH_AMOUNT, DealSize, WinCurve, deal_size, win_curve
from playbook.data.notes import Note
from playbook.data.settings import Settings, setting

SIGNALS = ("employee_penetration", "departments", "seats")
# The section's verdict is its pipeline signal's: own_threshold (a tipping point), gradual_rise,
# no_effect, reversed, too_few_deals.
VERDICTS = SIGNAL_VERDICTS


@dataclass(frozen=True, kw_only=True)
class PenetrationSettings(Settings):
    """Penetration: which signal defines a ready account, the test behind it, what is listed."""

    GROUP: ClassVar[str] = "penetration: our tipping point and the accounts ready for top-down sales"

    pipeline_signal: str = setting(
        AUTO,
        kind="text",
        choices=(AUTO, *SIGNALS),
        help="signal that defines a ready account (auto: of those whose test survives the adjustment "
        "for three signals, the one that predicts our deals best out of fold)",
    )
    n_permutations: int = setting(
        999, kind="int", minimum=999, help="permutations behind each threshold's test (at least 999)"
    )
    min_employees_scored: int = setting(
        50,
        kind="int",
        unit="employees",
        minimum=1,
        help="accounts smaller than this are never valued as pipeline",
    )
    min_employees_premature: int = setting(
        1000,
        kind="int",
        unit="employees",
        minimum=1,
        help="accounts this large and below the threshold are listed as premature",
    )
    home_country: str | None = setting(
        None,
        kind="text",
        help="home market for the country comparison (None: the country with most accounts)",
    )
    top_accounts: int = setting(15, kind="int", minimum=1, help="ready accounts listed in the pipeline table")


@dataclass(frozen=True, kw_only=True)
class RuleOfThumb:
    """One of the article's marks: shown for reference, never evidence about this company.

    `value` is the threshold it stands for (at or above it); `marks` the range the article gives;
    `company` the company whose experience it is (the views cite it).
    """

    value: float
    marks: tuple[float, ...]
    company: str


RULES_OF_THUMB = {
    # Dropbox: 3-10% of employees was typically the tipping point.
    "employee_penetration": RuleOfThumb(value=0.03, marks=(0.03, 0.10), company="Dropbox"),
    # Twilio: usage across 2-3 departments best predicted a top-down win.
    "departments": RuleOfThumb(value=2.0, marks=(2.0, 3.0), company="Twilio"),
    # Zendesk: "more than 15 seats" is 16 or more, the way every threshold here reads (at or above it).
    "seats": RuleOfThumb(value=16.0, marks=(16.0,), company="Zendesk"),
}


def with_signals(usage: pd.DataFrame) -> pd.DataFrame:
    """Usage rows (active_users, departments, employee_count) with the three signals:
    employee_penetration (share 0-1), departments, seats (active users at the date; the accounts
    table's seats are today's, which would leak later growth into past deals)."""
    return usage.assign(
        employee_penetration=usage["active_users"] / usage["employee_count"].astype(float),
        seats=usage["active_users"].astype(float),
    )


@dataclass(frozen=True, kw_only=True)
class PenetrationResult:
    """Thresholds, the signal chosen, the accounts past ours, premature accounts and countries.

    `ready` holds the accounts past our threshold with no won or open top-down deal whose size
    and usage lie inside our deal experience (valued); `outside` those that do not (listed, not
    valued, not counted); `candidates` every account with no such deal inside our experience,
    whatever its usage (the ready ones are those at or above the cut; `ready_range` recounts them
    for resampled cuts); `by_usage` the most used accounts when there is no threshold.
    `to_dict()` is summary.json's `penetration` section.
    """

    as_of: pd.Timestamp
    window_days: int
    thresholds: dict[str, Threshold]
    choice: SignalChoice
    curves: dict[str, WinCurve | None] = field(repr=False)
    deals: pd.DataFrame = field(repr=False)  # every deal with its account's usage when it opened
    ready: pd.DataFrame = field(repr=False)
    outside: pd.DataFrame = field(repr=False)
    candidates: pd.DataFrame = field(repr=False)
    ready_range: ReadyRange | None
    by_usage: pd.DataFrame = field(repr=False)
    power_users: pd.DataFrame = field(repr=False)
    premature: pd.DataFrame = field(repr=False)
    countries: pd.DataFrame | None = field(repr=False)
    deal_size: DealSize | None
    min_employees_scored: int
    home_country: str | None
    notes: tuple[Note, ...] = ()

    @property
    def pipeline_signal(self) -> str:
        """The signal that defines a ready account (named in the parameters, or chosen out of fold)."""
        return self.choice.chosen

    @property
    def threshold(self) -> Threshold:
        """The pipeline signal's threshold (the one the verdict rests on)."""
        return self.thresholds[self.pipeline_signal]

    @property
    def verdict(self) -> str:
        """The pipeline signal's verdict, one of VERDICTS."""
        return self.threshold.verdict

    @property
    def claimed(self) -> bool:
        """Whether our deals show that more usage wins more (a tipping point or a gradual rise)."""
        return self.verdict in CLAIMS

    @property
    def curve(self) -> WinCurve | None:
        return self.curves[self.pipeline_signal] if self.claimed else None

    @property
    def pipeline_value(self) -> float | None:
        """Sum of the ready accounts' expected values (currency); None when none can be valued."""
        values = self.ready["expected_value"] if "expected_value" in self.ready else pd.Series(dtype=float)
        return float(values.sum()) if values.notna().any() else None

    @property
    def ready_accounts_p10(self) -> int:
        """The conservative end of the ready count (0 without a claim): what readiness reads. Its
        bootstrap P10, never above the count itself (a change point's resamples can sit above it)."""
        return 0 if self.ready_range is None else min(self.ready_range.accounts_p10, len(self.ready))

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
        value = self.pipeline_value
        return {
            "verdict": self.verdict,
            **{
                name: {**t.to_dict(), "moves_with": self.choice.echoes.get(name)}
                for name, t in self.thresholds.items()
            },
            "pipeline_signal": self.pipeline_signal,
            "signal_choice": self.choice.to_dict(),
            "active_window_days": self.window_days,
            "ready_accounts": len(self.ready),
            "ready_accounts_range": None if self.ready_range is None else list(self.ready_range.accounts),
            "outside_deal_experience": len(self.outside),
            "pipeline_value": None if value is None else round(value, 2),
            "pipeline_value_range": (
                None
                if self.ready_range is None or self.ready_range.pipeline is None
                else [round(v, 2) for v in self.ready_range.pipeline]
            ),
            "ready_range": None if self.ready_range is None else self.ready_range.to_dict(),
            "win_curve": None if self.curve is None else self.curve.to_dict(),
            "deal_size": None if self.deal_size is None else self.deal_size.to_dict(),
            "premature_accounts": len(self.premature),
            "countries": countries,
            "home_country": self.home_country,
            "notes": [n.to_dict() for n in self.notes],
        }


def assess_penetration(
    deals: pd.DataFrame,
    usage_now: pd.DataFrame,
    usage_year_ago: pd.DataFrame,
    accounts: pd.DataFrame,
    users: pd.DataFrame,
    *,
    as_of: pd.Timestamp,
    window_days: int,
    pipeline_signal: str = PenetrationSettings.pipeline_signal,
    alpha: float = CommonSettings.alpha,
    n_permutations: int = PenetrationSettings.n_permutations,
    n_boot: int = CommonSettings.n_boot,
    seed: int = CommonSettings.seed,
    min_employees_scored: int = PenetrationSettings.min_employees_scored,
    min_employees_premature: int = PenetrationSettings.min_employees_premature,
    home_country: str | None = PenetrationSettings.home_country,
    top_power_users: int = 10,
) -> PenetrationResult:
    """Our threshold from our own deals (with evidence, or none), then the accounts past it today.

    Parameters
    ----------
    deals
        Every opportunity (opportunity_id, account_id, opened_at, outcome, amount) with its
        account's usage when it opened: active_users, departments, employee_count
        (`data.usage.account_usage`).
    usage_now, usage_year_ago
        Every account's usage on the analysis date, and a year before (same columns).
    accounts
        account_id, account_name, employee_count; country, plan, arr when known.
    users
        One row per user: account_id, last_active; email, department, events_28d when known.
    as_of, window_days
        The analysis date, and the activity window (days) behind every usage figure.
    pipeline_signal
        The signal whose threshold defines a ready account (one of SIGNALS), or `auto`: of the
        signals whose test survives the adjustment for all three, the best out of fold.
    alpha, n_permutations, n_boot, seed
        The tests' level, their permutations, the interval's bootstrap resamples, and the seed.
    min_employees_scored
        Accounts smaller than this (employees) are never valued, whatever the deals' range.
    min_employees_premature
        Accounts at least this large and below the threshold are listed as premature.
    home_country
        The home market for the country comparison; default the country with most accounts.
    top_power_users
        Power users listed per account (the Dropbox practice: the top 10).
    """
    if pipeline_signal not in (AUTO, *SIGNALS):
        raise ValueError(
            f"pipeline_signal must be one of {', '.join((AUTO, *SIGNALS))}, got {pipeline_signal!r}"
        )
    notes: list[Note] = []
    deals = with_signals(deals)
    closed = deals[deals["outcome"].isin(["won", "lost"])]
    won = closed["outcome"] == "won"
    marks = {s: RULES_OF_THUMB[s].value for s in SIGNALS}
    thresholds = signal_thresholds(
        closed, won, marks, alpha=alpha, n_permutations=n_permutations, n_boot=n_boot, seed=seed
    )
    choice = choose_signal(closed, won, thresholds, requested=pipeline_signal, alpha=alpha, seed=seed)
    # A rise a smooth curve predicts as well as a step is gradual: no tipping point is claimed.
    thresholds = {s: gradual(t) if choice.shape(s) == "gradual" else t for s, t in thresholds.items()}
    signal = choice.chosen
    better = min(choice.scores, key=lambda s: choice.scores[s].best, default=signal)
    if choice.reason == "named" and better != signal:
        notes.append(Note("named_signal_predicts_less", named=signal, better=better))
    chosen = thresholds[signal]
    curves = {s: win_curve(closed[s], won, closed["account_id"], name=s, seed=seed) for s in SIGNALS}
    now = with_signals(usage_now)
    engaged = engaged_accounts(deals)
    size = deal_size(deals[deals["outcome"] == "won"])
    candidates = candidate_accounts(
        now,
        accounts,
        closed,
        engaged,
        signal=signal,
        deal_size=size,
        min_employees_scored=min_employees_scored,
    )
    empty = now.iloc[0:0]
    inside = candidates[candidates["reason"] == ""].drop(columns="reason")
    spread = None
    if chosen.claimed:
        ready, outside = ready_accounts(
            candidates, signal=signal, threshold=chosen.threshold, curve=curves[signal], deal_size=size
        )
        premature = premature_accounts(
            now, accounts, signal=signal, threshold=chosen.threshold, min_employees=min_employees_premature
        )
        spread = ready_range(closed, won, inside, signal=signal, priced=size is not None, seed=seed)
        by_usage = empty
        if size is None:
            notes.append(Note("deal_size_unknown", needed=MIN_WON_WITH_AMOUNT))
    else:
        ready, outside, premature = empty, empty, empty
        by_usage = top_by_usage(now, accounts, engaged, signal=signal)
        notes.append(Note("no_threshold_listed_by_usage"))
    countries, home = None, home_country
    if "country" in accounts and chosen.claimed:
        year_ago = with_signals(usage_year_ago)
        countries = country_growth(now, year_ago, ready, accounts, signal=signal, threshold=chosen.threshold)
        home = home_country or accounts["country"].value_counts().sort_index().idxmax()
    listed = pd.concat([ready["account_id"], outside["account_id"], by_usage["account_id"]])
    return PenetrationResult(
        as_of=as_of,
        window_days=window_days,
        thresholds=thresholds,
        choice=choice,
        curves=curves,
        deals=deals,
        ready=ready,
        outside=outside,
        candidates=inside,
        ready_range=spread,
        by_usage=by_usage,
        power_users=power_users(
            users, listed.unique(), as_of=as_of, window_days=window_days, top=top_power_users
        ),
        premature=premature,
        countries=countries,
        deal_size=size,
        min_employees_scored=min_employees_scored,
        home_country=home,
        notes=tuple(notes),
    )
