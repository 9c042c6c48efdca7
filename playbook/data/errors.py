"""The one error type for bad input, and the problems it reports."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

MAX_ROWS_SHOWN = 5
MAX_PROBLEMS_SHOWN = 8


@dataclass(frozen=True)
class Problem:
    """One broken rule: which file and column, which rule, and some offending rows.

    `rows` holds (where, value) pairs: `where` is how a person finds the row ("line 7" in a CSV,
    counting the header as line 1; "row 7" in a Parquet file), `value` the offending value as text.
    """

    file: str
    column: str | None
    rule: str
    rows: tuple[tuple[str, str], ...] = ()
    n_rows: int = 0
    label: str = "column"  # what `column` names: a column, or a setting ("key") of source.yaml

    def __str__(self) -> str:
        where = f"{self.file}, {self.label} '{self.column}'" if self.column else self.file
        text = f"{where}: {self.rule}"
        if self.rows:
            shown = ", ".join(f"{w} ({v!r})" if v != "" else w for w, v in self.rows)
            more = self.n_rows - len(self.rows)
            text += f" — {shown}" + (f" and {more} more" if more > 0 else "")
        return text


@dataclass
class DataError(Exception):
    """Input data break the data contract. The message names file, column, rule and rows."""

    problems: list[Problem] = field(default_factory=list)
    heading: str = ""  # instead of "the input data break N rule(s)...", e.g. for a data source

    def __str__(self) -> str:
        lines = [
            f"{self.heading}:"
            if self.heading
            else f"the input data break {len(self.problems)} rule(s) of the data contract:"
        ]
        lines += [f"  - {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        hidden = len(self.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"  ... and {hidden} more problem(s)")
        return "\n".join(lines)


def problem(file: str, column: str | None, rule: str, where: list[str], values: list[object]) -> Problem:
    """A Problem showing at most MAX_ROWS_SHOWN of the offending rows."""
    shown = tuple(
        (w, "" if v is None else str(v)) for w, v in list(zip(where, values, strict=True))[:MAX_ROWS_SHOWN]
    )
    return Problem(file, column, rule, shown, len(where))


def did_you_mean(name: str, candidates) -> str:
    """' (did you mean 'X'?)' for the closest candidate, or '' when none is close."""
    candidates = [str(c) for c in candidates]
    folded = {c.lower().replace(" ", "_"): c for c in candidates}
    key = name.lower().replace(" ", "_")
    if key in folded:
        return f" (did you mean '{folded[key]}'?)"
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    close = close or [folded[k] for k in difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)]
    return f" (did you mean '{close[0]}'?)" if close else ""
