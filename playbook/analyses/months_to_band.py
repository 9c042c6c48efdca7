"""Months to the band: the forecast as the timing section reports it.

From the fitted model (`forecast`, with the components `forecast_structure` found) to what the
board reads: the P10/P50/P90 months until ARR first reaches the band's lower edge, over simulated
paths (`MonthsToBand`, also for the baseline), the level shifts the forecast modelled or was told
about (`LevelShift`), and what else it holds (`ForecastStructure`), with their notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.analyses.backtest import interval_score
from playbook.analyses.forecast import first_passage
from playbook.analyses.forecast_structure import Structure
from playbook.analyses.outcome import rounded
from playbook.data.notes import Note


@dataclass(frozen=True, kw_only=True)
class MonthsToBand:
    """Months until ARR first reaches the band's lower edge, across simulated paths.

    A quantile is None when fewer than that share of paths reach the band within the horizon;
    P10 and P90 are None when the history has no noise to learn the uncertainty from (`ranged`).
    """

    p10: float | None  # months (to a tenth) after the last month
    p50: float | None
    p90: float | None
    n_paths: int
    horizon_months: int
    n_months: int  # months of ARR the model was fitted on
    ranged: bool = True

    def _months(self, value: float | None) -> float:
        return self.horizon_months + 1 if value is None else value  # "never" is just past the horizon

    def covers(self, truth: float | None) -> bool:
        """Whether P10-P90 holds `truth` (months; None: not within the horizon)."""
        low, high = (self.p10, self.p90) if self.ranged else (self.p50, self.p50)
        return self._months(low) <= self._months(truth) <= self._months(high)

    def interval_score(self, truth: float | None) -> float:
        """The P10-P90 interval score (`backtest.interval_score`, months) against `truth`, "never"
        counted as the horizon + 1."""
        low, high = (self.p10, self.p90) if self.ranged else (self.p50, self.p50)
        return float(interval_score(self._months(low), self._months(high), self._months(truth)))

    def to_dict(self) -> dict:
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90, "n": self.n_months, "ranged": self.ranged}


@dataclass(frozen=True, kw_only=True)
class LevelShift:
    """A one-off step in ARR (an acquisition, a price change) the forecast models as such."""

    month: pd.Timestamp  # the first month at the new level
    size: float | None  # share: ARR moved by this much in that month, beyond growth (None: not fitted)
    source: str  # "declared" (arr_events) or "detected" (found in the ARR history)
    kind: str | None = None  # arr_events.kind, when declared
    statistic: float | None = None  # the t-statistic that found it, when detected

    def to_dict(self) -> dict:
        return {
            "month": self.month.strftime("%Y-%m"),
            "size": None if self.size is None else rounded(self.size),
            "source": self.source,
            "kind": self.kind,
            "statistic": rounded(self.statistic),
        }


@dataclass(frozen=True, kw_only=True)
class ForecastStructure:
    """What the forecast holds besides the trend, and the evidence for it."""

    shifts: tuple[LevelShift, ...]
    seasonal: bool  # a yearly pattern is modelled
    seasonal_tested: bool  # the history was long enough to try one
    seasonal_score: float | None  # mean interval score of log ARR with it (backtest; lower is better)
    plain_score: float | None  # the same without it
    seasonal_cases: int

    def to_dict(self) -> dict:
        return {
            "shifts": [s.to_dict() for s in self.shifts],
            "seasonal": self.seasonal,
            "seasonal_tested": self.seasonal_tested,
            "seasonal_backtest": None
            if not self.seasonal_cases
            else {
                "cases": self.seasonal_cases,
                "score_with": rounded(self.seasonal_score),
                "score_without": rounded(self.plain_score),
            },
        }


def months_to_band(
    paths: np.ndarray, *, start: float, band_low: float, n_months: int, ranged: bool = True
) -> MonthsToBand:
    """When each simulated log-ARR path reaches `band_low` (`forecast.first_passage`, from the last
    month's log ARR `start`), summarised as P10/P50/P90 months (to a tenth)."""
    horizon, n_paths = paths.shape
    first = first_passage(paths, np.log(band_low), start=start)

    def quantile(q: float) -> float | None:
        value = np.quantile(first, q, method="inverted_cdf")
        return None if not np.isfinite(value) else round(float(value), 1)

    return MonthsToBand(
        p10=quantile(0.1) if ranged else None,
        p50=quantile(0.5),
        p90=quantile(0.9) if ranged else None,
        n_paths=n_paths,
        horizon_months=horizon,
        n_months=n_months,
        ranged=ranged,
    )


def forecast_frame(paths: np.ndarray, last_month: pd.Timestamp) -> pd.DataFrame:
    """The fan by month: P10, P50 and P90 of ARR (USD) over simulated log-ARR paths."""
    months = pd.date_range(last_month + pd.offsets.MonthBegin(1), periods=len(paths), freq="MS")
    q = np.exp(np.quantile(paths, [0.1, 0.5, 0.9], axis=1))
    return pd.DataFrame({"month": months, "p10": q[0], "p50": q[1], "p90": q[2]})


def declared_shifts(
    arr_events: pd.DataFrame | None, months: pd.Series
) -> tuple[dict[int, str], tuple[Note, ...]]:
    """The positions (in `months`) of the level shifts `arr_events` declares, with their kinds,
    and a note for each event the forecast cannot model (the first month, or outside the months)."""
    if arr_events is None or arr_events.empty:
        return {}, ()
    where = {m: i for i, m in enumerate(months)}
    positions: dict[int, str] = {}
    notes = []
    for event in arr_events.sort_values("month").itertuples():
        position = where.get(event.month)
        if position is None or position == 0:
            notes.append(Note("arr_event_not_modelled", month=f"{event.month:%Y-%m}", kind=event.kind))
            continue
        positions.setdefault(position, event.kind)
    return positions, tuple(notes)


def forecast_structure(fit: Structure, months: pd.Series, kinds: dict[int, str]) -> ForecastStructure:
    """What the fitted structure holds, by calendar month (`months`: the months of the history)."""
    month_list = list(months)
    return ForecastStructure(
        shifts=tuple(
            LevelShift(
                month=month_list[s.position],
                size=float(np.expm1(s.size)),
                source=s.source,
                kind=kinds.get(s.position),
                statistic=s.statistic,
            )
            for s in fit.shifts
        ),
        seasonal=fit.seasonal,
        seasonal_tested=fit.seasonal_tested,
        seasonal_score=fit.seasonal_score,
        plain_score=fit.plain_score,
        seasonal_cases=fit.seasonal_cases,
    )


def structure_notes(structure: ForecastStructure) -> list[Note]:
    """A note per level shift, and one for a yearly pattern kept."""
    notes = [
        Note(
            "level_shift",
            month=f"{s.month:%Y-%m}",
            size=s.size,
            source=s.source,
            kind=s.kind,
        )
        for s in structure.shifts
    ]
    if structure.seasonal:
        notes.append(
            Note(
                "yearly_pattern",
                score_with=structure.seasonal_score,
                score_without=structure.plain_score,
                cases=structure.seasonal_cases,
            )
        )
    return notes
