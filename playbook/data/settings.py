"""Settings: each layer declares its own, once, with default, unit, meaning and range.

Every analysis module declares one frozen settings class (`TimingSettings` in `analyses/timing.py`,
...), the data layer `DataSettings` below, the analyses' shared `CommonSettings`, the views
`ViewSettings`; `runner.params.Params` composes them into the one flat set a run uses (the YAML
keys are the field names). Each field is declared with `setting(...)`, which records what the
example parameters file, `playbook params`, the notebooks' parameters cells and the checks on
entry need: nothing restates a default.

A function that takes a setting as a keyword argument uses the class attribute as its default
(`approach_months: int = TimingSettings.approach_months`); a test checks they never differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import ClassVar

# What a value of each kind must be (the error says it).
KIND_RULES = {
    "int": "a whole number",
    "number": "a number",
    "text": "text",
    "bool": "true or false",
    "date": "a date YYYY-MM-DD",
    "mapping": "a mapping",
    "list": "a list",
}


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names the setting."""


def setting(
    default,
    *,
    help: str,
    kind: str,
    unit: str = "",
    choices: tuple = (),
    minimum: float | None = None,
    maximum: float | None = None,
):
    """Declare one setting: its default, meaning, kind (see KIND_RULES), unit and checks."""
    if kind not in KIND_RULES:
        raise ValueError(f"kind must be one of {', '.join(KIND_RULES)}, got {kind!r}")
    return field(
        default=default,
        metadata={
            "help": help,
            "kind": kind,
            "unit": unit,
            "choices": choices,
            "minimum": minimum,
            "maximum": maximum,
            "nullable": default is None,
        },
    )


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What every settings class shares: each value is checked against its declaration on creation.

    `GROUP` names the settings in the example parameters file. A subclass adds checks that span
    several of its fields in `check_together`.
    """

    GROUP: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            problem = problem_with(f.name, getattr(self, f.name), f.metadata)
            if problem:
                raise SettingsError(problem)
        for cls in type(self).__mro__:
            check = cls.__dict__.get("check_together")
            if check is not None:
                check(self)

    @classmethod
    def own_fields(cls) -> list:
        """The fields this class declares itself (not those of the classes it is composed with)."""
        return [f for f in fields(cls) if f.name in cls.__dict__.get("__annotations__", {})]

    def part(self, cls: type[Settings]):
        """The `cls` settings held by this (composed) set, e.g. `params.part(TimingSettings)`."""
        return cls(**{f.name: getattr(self, f.name) for f in fields(cls)})


def problem_with(name: str, value, meta) -> str | None:
    """What is wrong with one setting's value, or None."""
    if value is None:
        return None if meta["nullable"] else f"parameter '{name}' must be set (it has no empty value)"
    kind = meta["kind"]
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "text": isinstance(value, str),
        "date": isinstance(value, str),
        "bool": isinstance(value, bool),
        "mapping": isinstance(value, dict),
        "list": isinstance(value, list),
    }[kind]
    if not ok:
        return f"parameter '{name}' must be {KIND_RULES[kind]}, got {value!r}"
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"parameter '{name}' must be a date YYYY-MM-DD, got {value!r}"
    if meta["choices"] and value not in meta["choices"]:
        return f"parameter '{name}' must be one of {', '.join(meta['choices'])}, got {value!r}"
    if meta["minimum"] is not None and value < meta["minimum"]:
        return f"parameter '{name}' must be at least {meta['minimum']:g}, got {value!r}"
    if meta["maximum"] is not None and value > meta["maximum"]:
        return f"parameter '{name}' must be at most {meta['maximum']:g}, got {value!r}"
    return None


@dataclass(frozen=True, kw_only=True)
class DataSettings(Settings):
    """The data: the analysis date, the currency, and when a user counts as active."""

    GROUP: ClassVar[str] = "the data"

    as_of: str | None = setting(
        None,
        kind="date",
        unit="YYYY-MM-DD",
        help="analysis date (None: the end of the last month of arr_monthly)",
    )
    currency: str = setting("USD", kind="text", help="the one currency of every money column")
    active_window_days: int = setting(
        28,
        kind="int",
        unit="days",
        minimum=1,
        help="a user is active at a date when active at some point in this many days ending at it",
    )
