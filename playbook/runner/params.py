"""Every parameter of the playbook, in one typed, validated set: `Params`.

Each layer declares its settings once, beside the code that reads them (`TimingSettings` in
`analyses/timing.py`, `DataSettings` in `data/settings.py`, ...): default, unit, meaning and
checks. `Params` composes them into one flat set — the YAML keys are the settings' names — and
the example parameters file (`playbook params`, params.example.yaml) and every notebook's
parameters cell are generated from the same declarations (a test keeps them in step). Every
notebook of a run receives the same full set, so no section can disagree with another about a
value.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from playbook.analyses.compensation import CompensationSettings, Plan, Team, plans_from
from playbook.analyses.enterprise_demand import EnterpriseDemandSettings
from playbook.analyses.leaders import LeaderSettings
from playbook.analyses.overview import OverviewSettings
from playbook.analyses.penetration import PenetrationSettings
from playbook.analyses.settings import CommonSettings
from playbook.analyses.timing import TimingSettings
from playbook.data.errors import did_you_mean
from playbook.data.settings import DataSettings, Settings, SettingsError
from playbook.views.settings import ViewSettings

# The settings a run composes, in the order the parameters file lists them.
SETTINGS: tuple[type[Settings], ...] = (
    DataSettings,
    ViewSettings,
    CommonSettings,
    TimingSettings,
    PenetrationSettings,
    EnterpriseDemandSettings,
    LeaderSettings,
    CompensationSettings,
    OverviewSettings,
)
# Set by the runner itself, never by a parameters file: name -> what to do instead.
RESERVED_HINTS = {"data_dir": "use --data DIR", "results_file": "set by the runner"}


class ParamsError(ValueError):
    """Parameters that cannot be used; the message names the source and the parameter."""


# Composed by inheritance: every field of every settings class, in SETTINGS order (a dataclass
# collects fields from the last base first); a test checks no two classes declare the same name.
@dataclass(frozen=True, kw_only=True)
class Params(*reversed(SETTINGS)):
    """The parameters of a run: every layer's settings in one flat, checked set.

    Create with `Params(...)`, `Params.from_yaml(path)` or `Params.from_namespace(globals())` in a
    notebook; every value is checked on creation. `params.part(TimingSettings)` gives one layer's
    settings; `params.arguments_of(function)` the values of the settings a function takes.
    """

    def __post_init__(self) -> None:
        try:
            super().__post_init__()
        except SettingsError as exc:
            raise ParamsError(str(exc)) from None

    # --- what the analyses take

    def arguments_of(self, function) -> dict:
        """The analyses' settings `function` takes as keyword arguments, by name, with this run's
        values (the data's and the views' settings reach an analysis through the dataset, never
        by name: `as_of` is the dataset's analysis date)."""
        analysis = {
            f.name for s in SETTINGS if s.__module__.startswith("playbook.analyses") for f in fields(s)
        }
        names = set(inspect.signature(function).parameters) & analysis
        return {name: getattr(self, name) for name in sorted(names)}

    def plans(self) -> tuple[Plan, ...]:
        """The article's two pay plans and the custom ones."""
        return plans_from(self.custom_plans)

    def team(self) -> Team:
        """The simulated sales team."""
        return Team.from_settings(self)

    # --- where parameters come from

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_mapping(cls, values: dict, *, source: str = "parameters") -> Params:
        """Params from a mapping; an unknown, reserved or bad value is a ParamsError naming `source`."""
        known = cls.names()
        for key in values:
            if key in RESERVED_HINTS:
                raise ParamsError(f"{source}: '{key}' cannot be set here ({RESERVED_HINTS[key]})")
            if key not in known:
                raise ParamsError(
                    f"{source}: unknown parameter '{key}'{did_you_mean(key, known)}; "
                    f"parameters are: {', '.join(sorted(known))}"
                )
        try:
            return cls(**{k: _normalised(v) for k, v in values.items()})
        except ParamsError as exc:
            raise ParamsError(f"{source}: {exc}") from None

    @classmethod
    def from_yaml(cls, path: str | Path | None) -> Params:
        """Params from a YAML file (the defaults when no file is given)."""
        if path is None:
            return cls()
        path = Path(path)
        if not path.is_file():
            raise ParamsError(f"{path}: parameters file not found")
        try:
            values = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ParamsError(f"{path}: not valid YAML ({exc})") from None
        if values is None:
            return cls()
        if not isinstance(values, dict):
            raise ParamsError(f"{path}: must be a mapping of parameter names to values")
        return cls.from_mapping(values, source=str(path))

    @classmethod
    def from_namespace(cls, namespace: dict) -> Params:
        """Params from a notebook's variables (its parameters cell, and what papermill injected)."""
        return cls.from_mapping(
            {k: namespace[k] for k in cls.names() if k in namespace}, source="the parameters cell"
        )

    def to_dict(self) -> dict:
        """Every value, for summary.json and for papermill (JSON types only)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def changed(self) -> dict:
        """The values that differ from the defaults (what a run's summary shows as its parameters)."""
        default = Params()
        return {k: v for k, v in self.to_dict().items() if getattr(default, k) != v}


def _normalised(value):
    """YAML reads `as_of: 2026-06-30` as a date; parameters take dates as ISO-8601 text."""
    return value.isoformat() if isinstance(value, dt.date) else value


# ---------------------------------------------------------------------------------------------
# The files and cells generated from the declarations


# The first lines of the generated files: documentation for whoever opens them.
CELL_HEADER = (
    "# Parameters of the whole playbook: papermill replaces these values in a run, so every",
    "# notebook of a run has the same ones (`playbook params` lists them; set them in a YAML file).",
    "data_dir = None  # folder of the exports, or a sample's name (None: the default sample company)",
    "results_file = None  # set by the runner: the run's stored results (None: computed here)",
)
YAML_HEADER = (
    "# Parameters for `playbook run --params FILE.yaml`. Every value below is the default;",
    "# copy this file and keep the lines you change. Generated by `playbook params` from the",
    "# settings each layer declares (composed in playbook/runner/params.py; a test keeps it in step).",
)


def _literal(value) -> str:
    """A value as Python source in a notebook cell: 20_000_000, "USD", None, {...}."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:_}"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 10_000:
        return f"{int(value):_}"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _described(meta) -> str:
    text = meta["help"]
    if meta["choices"]:
        text += f": {', '.join(meta['choices'])}"
    if meta["unit"]:
        text += f" [{meta['unit']}]"
    return text


def notebook_cell() -> str:
    """The parameters cell every notebook carries: the full set, grouped, with defaults and meanings."""
    lines = list(CELL_HEADER)
    for settings in SETTINGS:
        lines.append(f"# --- {settings.GROUP}")
        for f in settings.own_fields():
            lines.append(f"{f.name} = {_literal(f.default)}  # {_described(f.metadata)}")
    return "\n".join(lines)


def example_params_yaml() -> str:
    """An annotated parameters file: every parameter, its default and meaning (params.example.yaml)."""
    lines = list(YAML_HEADER)
    for settings in SETTINGS:
        lines += ["", f"# --- {settings.GROUP}"]
        for f in settings.own_fields():
            default = int(f.default) if isinstance(f.default, float) and f.default.is_integer() else f.default
            value = yaml.safe_dump({f.name: default}, default_flow_style=True, width=1000).strip()
            # YAML's empty value is `null`, where a notebook's is None.
            lines += [f"# {_described(f.metadata).replace('(None:', '(null:')}", value.strip("{}")]
    return "\n".join(lines) + "\n"
