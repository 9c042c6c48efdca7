"""Notes: what an analysis or the data layer tells the reader beside its figures, as codes.

A note is a code and the values it cites — `Note("growth_slowing", recent=0.31, longer=0.52)` —
never a sentence: `views/notes.py` words every code, in each language the board pack speaks,
so a figure is formatted once and a caveat reads the same wherever it appears.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, init=False)
class Note:
    """One note: a code (a key of `views.notes.TEXTS`) and the values its wording cites."""

    code: str
    values: tuple[tuple[str, object], ...]

    def __init__(self, code: str, **values) -> None:
        frozen = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(values.items()))
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "values", frozen)

    def value(self, name: str):
        """One of the values the note cites."""
        return dict(self.values)[name]

    def to_dict(self) -> dict:
        """The note for summary.json: its code and values (the words are added by the runner)."""
        return {"code": self.code, **{k: _plain(v) for k, v in self.values}}


def _plain(value):
    """A value as summary.json holds it: lists for tuples, floats to 4 decimals (as every figure)."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 4) + 0.0
    return value
