"""Every parameter of the playbook, in one typed, validated set: `Params`.

Each parameter has a default, a unit, a meaning and its checks, declared once below. The
example parameters file (`playbook params`, params.example.yaml) and every notebook's parameters
cell are generated from these declarations (a test keeps them in step), and every notebook of a
run receives the same full set, so no section can disagree with another about a value.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from playbook.analyses import compensation, demand, leaders, penetration, readiness, timing, tipping_point
from playbook.data.errors import did_you_mean
from playbook.data.usage import ACTIVE_WINDOW_DAYS

# Set by the runner itself, never by a parameters file: name -> what to do instead.
RESERVED = {"data_dir": "use --data DIR", "results_file": "set by the runner"}
GROUPS = {
    "data": "the data and how the outputs show it",
    "timing": "timing: ARR against the top-down band",
    "penetration": "penetration: our tipping point and the accounts ready for top-down sales",
    "enterprise_demand": "enterprise demand: who asks for enterprise features, and what each is worth",
    "leaders": "leaders: the sales-leader scorecard",
    "compensation": "compensation: the simulated sales team and its pay plans",
    "overview": "overview: the readiness verdict",
}


class ParamsError(ValueError):
    """Parameters that cannot be used; the message names the source and the parameter."""


def param(
    default,
    *,
    group: str,
    help: str,
    kind: str,
    unit: str = "",
    choices: tuple = (),
    minimum: float | None = None,
    maximum: float | None = None,
    nullable: bool = False,
):
    """Declare one parameter: its default, group, meaning, kind and checks (see Params)."""
    return field(
        default=default,
        metadata={
            "group": group,
            "help": help,
            "kind": kind,
            "unit": unit,
            "choices": choices,
            "minimum": minimum,
            "maximum": maximum,
            "nullable": nullable or default is None,
        },
    )


@dataclass(frozen=True)
class Params:
    """The parameters of a run. Create with `Params(...)`, `Params.from_yaml(path)` or
    `Params.from_namespace(globals())` in a notebook; every value is checked on creation.

    kind: `int` (whole number), `number`, `text`, `bool`, `date` (YYYY-MM-DD), `mapping`, `list`.
    """

    # --- data
    as_of: str | None = param(
        None,
        group="data",
        kind="date",
        unit="YYYY-MM-DD",
        help="analysis date (None: the end of the last month of arr_monthly)",
    )
    currency: str = param("USD", group="data", kind="text", help="the one currency of every money column")
    seed: int = param(
        0, group="data", kind="int", minimum=0, help="random seed of every resampling and simulation"
    )
    show_pii: bool = param(
        False,
        group="data",
        kind="bool",
        help="show people's names and emails (users, candidates, interviewers)",
    )
    active_window_days: int = param(
        ACTIVE_WINDOW_DAYS,
        group="data",
        kind="int",
        unit="days",
        minimum=1,
        help="a user is active at a date when active at some point in this many days ending at it",
    )
    # --- timing
    band_low: float = param(
        timing.DEFAULT_BAND[0],
        group="timing",
        kind="number",
        unit="currency",
        minimum=0,
        help="lower edge of the top-down ARR band (GitHub, Twilio, SendGrid)",
    )
    band_high: float = param(
        timing.DEFAULT_BAND[1],
        group="timing",
        kind="number",
        unit="currency",
        minimum=0,
        help="upper edge of the band; above it, top-down sales are late",
    )
    approach_months: int = param(
        12,
        group="timing",
        kind="int",
        unit="months",
        minimum=1,
        help="below the band, a median entry within this many months is approaching",
    )
    # --- penetration
    pipeline_signal: str = param(
        "employee_penetration",
        group="penetration",
        kind="text",
        choices=penetration.SIGNALS,
        help="signal that defines a ready account",
    )
    alpha: float = param(
        tipping_point.DEFAULT_ALPHA,
        group="penetration",
        kind="number",
        minimum=0.001,
        maximum=0.5,
        help="the level of the tests verdicts rest on: a penetration threshold, a clear leader (p below it)",
    )
    n_permutations: int = param(
        tipping_point.DEFAULT_PERMUTATIONS,
        group="penetration",
        kind="int",
        minimum=999,
        help="permutations behind each threshold's test (at least 999)",
    )
    n_boot: int = param(
        1000,
        group="penetration",
        kind="int",
        minimum=500,
        help="bootstrap resamples behind each interval (at least 500)",
    )
    min_employees_scored: int = param(
        penetration.DEFAULT_MIN_EMPLOYEES_SCORED,
        group="penetration",
        kind="int",
        unit="employees",
        minimum=1,
        help="accounts smaller than this are never valued as pipeline",
    )
    min_employees_premature: int = param(
        1000,
        group="penetration",
        kind="int",
        unit="employees",
        minimum=1,
        help="accounts this large and below the threshold are listed as premature",
    )
    home_country: str | None = param(
        None,
        group="penetration",
        kind="text",
        help="home market for the country comparison (None: the country with most accounts)",
    )
    top_accounts: int = param(
        15, group="penetration", kind="int", minimum=1, help="ready accounts listed in the pipeline table"
    )
    # --- enterprise demand
    cost_per_engineering_week: float = param(
        25_000,
        group="enterprise_demand",
        kind="number",
        unit="currency",
        minimum=0,
        help="fully loaded cost of one engineering week, for payback",
    )
    min_customer_share: float = param(
        demand.DEFAULT_MIN_CUSTOMER_SHARE,
        group="enterprise_demand",
        kind="number",
        unit="share 0-1",
        minimum=0,
        maximum=1,
        help="share of enterprise requests from customers needed for customer-driven",
    )
    stake_horizon_months: int = param(
        demand.DEFAULT_STAKE_HORIZON_MONTHS,
        group="enterprise_demand",
        kind="int",
        unit="months",
        minimum=1,
        help="only what open deals are expected to bring within this many months is at stake",
    )
    top_features: int = param(
        12, group="enterprise_demand", kind="int", minimum=1, help="features listed in the rankings table"
    )
    # --- leaders
    weights: dict | None = param(
        None,
        group="leaders",
        kind="mapping",
        help="attribute weights, e.g. {collaborative: 2, analytical_technical: 1} (None: equal)",
    )
    expansion_led: bool = param(
        True,
        group="leaders",
        kind="bool",
        help="growth comes mostly from existing accounts (flags candidates without a long-term view)",
    )
    # --- compensation
    ote: float = param(
        200_000,
        group="compensation",
        kind="number",
        unit="currency a year",
        minimum=0,
        help="on-target earnings per rep",
    )
    quota: float = param(
        1_000_000,
        group="compensation",
        kind="number",
        unit="currency a year",
        minimum=0,
        help="bookings quota per rep",
    )
    n_reps: int = param(20, group="compensation", kind="int", minimum=2, help="reps in the simulated team")
    n_quarters: int = param(
        8, group="compensation", kind="int", minimum=1, unit="quarters", help="quarters simulated"
    )
    n_runs: int = param(200, group="compensation", kind="int", minimum=10, help="simulated runs per plan")
    skill_spread: float = param(
        0.35,
        group="compensation",
        kind="number",
        minimum=0,
        help="spread of rep skill (standard deviation of its log)",
    )
    pay_sensitivity: float = param(
        compensation.Team.pay_sensitivity,
        group="compensation",
        kind="number",
        minimum=0,
        help="extra quarterly chance of leaving per unit of shortfall below what the going plan is worth",
    )
    risk_aversion: float = param(
        compensation.Team.risk_aversion,
        group="compensation",
        kind="number",
        minimum=0,
        help="reps' risk aversion: the risk premium is this times half the variance of pay (in OTE units)",
    )
    effort_response: float = param(
        compensation.Team.effort_response,
        group="compensation",
        kind="number",
        minimum=0,
        help="extra effort at a 50/50 individual plan (share), rising with the square root of pay at risk",
    )
    custom_plans: list | None = param(
        None,
        group="compensation",
        kind="list",
        help="extra plans, e.g. [{name: 60/40, base_share: 0.6, accelerator: 1.5}]",
    )
    # --- overview
    min_ready_accounts: int = param(
        readiness.DEFAULT_MIN_READY_ACCOUNTS,
        group="overview",
        kind="int",
        minimum=0,
        help="accounts past the threshold needed for the flywheel to show in accounts",
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            message = _check(f.name, getattr(self, f.name), f.metadata)
            if message:
                raise ParamsError(message)
        if self.band_low >= self.band_high:
            raise ParamsError(
                f"parameter 'band_low' ({self.band_low:g}) must be below 'band_high' ({self.band_high:g})"
            )
        try:
            self.plans()
            self.leader_weights()
        except ValueError as exc:
            raise ParamsError(str(exc)) from None

    # --- what the analyses take

    def plans(self) -> tuple[compensation.Plan, ...]:
        """The article's two pay plans and the custom ones."""
        return compensation.plans_from(self.custom_plans)

    def leader_weights(self) -> dict[str, float]:
        """The attribute weights, normalised to sum to 1."""
        return leaders.checked_weights(self.weights)

    def team(self) -> compensation.Team:
        """The simulated sales team."""
        return compensation.Team(
            n_reps=self.n_reps,
            quota=self.quota,
            ote=self.ote,
            skill_spread=self.skill_spread,
            pay_sensitivity=self.pay_sensitivity,
            risk_aversion=self.risk_aversion,
            effort_response=self.effort_response,
            n_quarters=self.n_quarters,
            n_runs=self.n_runs,
        )

    # --- where parameters come from

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_mapping(cls, values: dict, *, source: str = "parameters") -> Params:
        """Params from a mapping; an unknown, reserved or bad value is a ParamsError naming `source`."""
        known = cls.names()
        for key in values:
            if key in RESERVED:
                raise ParamsError(f"{source}: '{key}' cannot be set here ({RESERVED[key]})")
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


def _check(name: str, value, meta) -> str | None:
    """What is wrong with one value, or None."""
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
        wanted = {
            "int": "a whole number",
            "number": "a number",
            "text": "text",
            "date": "a date YYYY-MM-DD",
            "bool": "true or false",
            "mapping": "a mapping",
            "list": "a list",
        }[kind]
        return f"parameter '{name}' must be {wanted}, got {value!r}"
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


# ---------------------------------------------------------------------------------------------
# The files and cells generated from the declarations


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
    lines = [
        "# Parameters of the whole playbook: papermill replaces these values in a run, so every",
        "# notebook of a run has the same ones (`playbook params` lists them; set them in a YAML file).",
        "data_dir = None  # folder of the exports, or a sample's name (None: the default sample company)",
        "results_file = None  # set by the runner: the run's stored results (None: computed here)",
    ]
    group = None
    for f in fields(Params):
        if f.metadata["group"] != group:
            group = f.metadata["group"]
            lines.append(f"# --- {GROUPS[group]}")
        lines.append(f"{f.name} = {_literal(f.default)}  # {_described(f.metadata)}")
    return "\n".join(lines)


def example_params_yaml() -> str:
    """An annotated parameters file: every parameter, its default and meaning (params.example.yaml)."""
    lines = [
        "# Parameters for `playbook run --params FILE.yaml`. Every value below is the default;",
        "# copy this file and keep the lines you change. Generated by `playbook params` from the",
        "# declarations in playbook/runner/params.py (a test keeps it in step with them).",
    ]
    group = None
    for f in fields(Params):
        if f.metadata["group"] != group:
            group = f.metadata["group"]
            lines += ["", f"# --- {GROUPS[group]}"]
        default = int(f.default) if isinstance(f.default, float) and f.default.is_integer() else f.default
        value = yaml.safe_dump({f.name: default}, default_flow_style=True, width=1000).strip()
        # YAML's empty value is `null`, where a notebook's is None.
        lines += [f"# {_described(f.metadata).replace('(None:', '(null:')}", value.strip("{}")]
    return "\n".join(lines) + "\n"
