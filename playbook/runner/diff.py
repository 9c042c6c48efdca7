"""What changed between two runs: verdicts, thresholds, pipeline value and top features.

Reads two summary.json files; `playbook diff RUN_A RUN_B` prints the changes, and the board pack
shows them against the previous run of the same data folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# (label, path into summary.json); a path step that is an int indexes a list.
WATCHED: tuple[tuple[str, tuple], ...] = (
    ("readiness", ("overview", "verdict")),
    ("timing verdict", ("timing", "verdict")),
    ("ARR", ("timing", "current_arr")),
    ("analysis date", ("run", "as_of")),
    ("penetration threshold (employee penetration)", ("penetration", "employee_penetration", "threshold")),
    ("penetration threshold (departments)", ("penetration", "departments", "threshold")),
    ("penetration threshold (seats)", ("penetration", "seats", "threshold")),
    ("threshold source", ("penetration", "employee_penetration", "source")),
    ("ready accounts", ("penetration", "ready_accounts")),
    ("pipeline value", ("penetration", "pipeline_value")),
    ("penetration verdict", ("penetration", "verdict")),
    ("enterprise demand", ("enterprise_demand", "verdict")),
    (
        "enterprise requests per doubling of seats, over core",
        ("enterprise_demand", "size_effect", "ratio", "irr_per_doubling"),
    ),
    ("customer-driven share", ("enterprise_demand", "customer_driven_share", "share")),
    ("top feature by requests", ("enterprise_demand", "top_by_count", 0)),
    ("top feature by ARR at stake", ("enterprise_demand", "top_by_arr_at_stake", 0, "feature")),
    ("leader verdict", ("leaders", "verdict")),
    ("leader", ("leaders", "leader")),
    ("uncertain interview attributes", ("leaders", "uncertain_attributes")),
    ("recommended pay plan", ("compensation", "verdict")),
)


@dataclass(frozen=True)
class Change:
    label: str
    before: object
    after: object

    def __str__(self) -> str:
        return f"{self.label}: {_show(self.before)} → {_show(self.after)}"


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return str(value)


def _get(summary: dict, path: tuple) -> object:
    value: object = summary
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def changes(before: dict, after: dict) -> list[Change]:
    """The watched figures whose values differ between two summaries, in a fixed order."""
    found = []
    for label, path in WATCHED:
        a, b = _get(before, path), _get(after, path)
        if a != b:
            found.append(Change(label, a, b))
    return found


def read_summary(run: str | Path) -> dict:
    """summary.json of a run folder (or the file itself), in the current schema."""
    path = Path(run)
    path = path / "summary.json" if path.is_dir() else path
    if not path.is_file():
        raise FileNotFoundError(f"{run}: no summary.json (is it a run folder?)")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileNotFoundError(f"{path}: not a readable summary.json ({exc})") from None
    return upgraded(summary)


def upgraded(summary: dict) -> dict:
    """A summary written before schema version 2 read as one: every section's verdict under `verdict`.

    Version 1 had `overview.readiness`, `badge` in penetration, enterprise demand and leaders
    ('C1 leads'), and compensation's plan only as `recommended_plan`.
    """
    if summary.get("schema_version", 1) >= 2:
        return summary
    summary = json.loads(json.dumps(summary))  # a copy
    overview = summary.get("overview") or {}
    if "readiness" in overview:
        overview["verdict"] = overview.pop("readiness")
    pen = summary.get("penetration") or {}
    if "badge" in pen:
        pen["verdict"] = {"own threshold": "own_threshold", "rule of thumb": "rule_of_thumb"}.get(
            pen.pop("badge"), pen.get("verdict")
        )
    demand = summary.get("enterprise_demand") or {}
    if "badge" in demand:
        demand["verdict"] = demand.pop("badge")
    if isinstance(demand.get("customer_driven_share"), float):
        demand["customer_driven_share"] = {"share": demand["customer_driven_share"]}
    leaders = summary.get("leaders") or {}
    badge = leaders.pop("badge", None)
    if badge and badge.endswith(" leads"):
        leaders["verdict"], leaders["leader"] = "clear_leader", badge.removesuffix(" leads")
    elif badge:
        leaders["verdict"] = badge.replace(" ", "_")
    comp = summary.get("compensation") or {}
    if "recommended_plan" in comp:
        comp["verdict"] = comp["recommended_plan"]
    summary["schema_version"] = 2
    return summary


def run_number(folder: Path) -> int:
    """run-012-ready -> 12 (0 for a name that is not a run folder's)."""
    match = re.match(r"run-(\d+)", folder.name)
    return int(match.group(1)) if match else 0


def previous_run(out: Path, data_dir: str) -> Path | None:
    """The latest run folder under `out` made from the same data folder (None if there is none)."""
    runs = sorted((p for p in out.glob("run-*") if (p / "summary.json").is_file()), key=run_number)
    for run in reversed(runs):
        if (read_summary(run).get("run") or {}).get("data_dir") == data_dir:
            return run
    return None
