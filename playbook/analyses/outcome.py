"""What every analysis shares: the outcome of one that could not run, and numbers for summaries."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Skipped:
    """An analysis that could not run on this data: the tables it needs that are missing."""

    section: str
    missing: tuple[str, ...]

    verdict = "skipped"

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "missing_tables": list(self.missing)}


def skipped_unless(section: str, missing: list[str]) -> Skipped | None:
    """A Skipped result naming the `missing` tables, or None when nothing is missing."""
    if not missing:
        return None
    return Skipped(section=section, missing=tuple(missing))


def rounded(value: float | None, digits: int = 4) -> float | None:
    """A number for summary.json: rounded, with None for missing or non-finite values."""
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits) + 0.0  # + 0.0 turns -0.0 into 0.0
