"""What changed between two runs: verdicts, thresholds, pipeline value and top features.

Reads two summary.json files; `playbook diff RUN_A RUN_B` prints the changes, and the board pack
shows them against the previous run of the same data folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# What is compared (a code the views word, e.g. "readiness") and its path into summary.json; a path
# step that is an int indexes a list.
WATCHED: tuple[tuple[str, tuple], ...] = (
    ("readiness", ("overview", "verdict")),
    ("timing_verdict", ("timing", "verdict")),
    ("arr", ("timing", "current_arr")),
    ("as_of", ("run", "as_of")),
    ("threshold_employee_penetration", ("penetration", "employee_penetration", "threshold")),
    ("threshold_departments", ("penetration", "departments", "threshold")),
    ("threshold_seats", ("penetration", "seats", "threshold")),
    ("threshold_source", ("penetration", "employee_penetration", "source")),
    ("pipeline_signal", ("penetration", "pipeline_signal")),
    ("ready_accounts", ("penetration", "ready_accounts")),
    ("ready_accounts_p10", ("penetration", "ready_accounts_range", 0)),
    ("pipeline_value", ("penetration", "pipeline_value")),
    ("penetration_verdict", ("penetration", "verdict")),
    ("enterprise_demand", ("enterprise_demand", "verdict")),
    ("size_ratio", ("enterprise_demand", "size_effect", "ratio", "irr_per_doubling")),
    (
        "customer_size_ratio",
        ("enterprise_demand", "size_effect_by_source", "customer", "ratio", "irr_per_doubling"),
    ),
    ("customer_share", ("enterprise_demand", "customer_driven_share", "share")),
    ("top_feature_by_requests", ("enterprise_demand", "top_by_count", 0)),
    ("top_feature_by_stake", ("enterprise_demand", "top_by_arr_at_stake", 0, "feature")),
    ("open_pipeline_expected", ("enterprise_demand", "open_pipeline_expected")),
    ("leader_verdict", ("leaders", "verdict")),
    ("leader", ("leaders", "leader")),
    ("uncertain_attributes", ("leaders", "uncertain_attributes")),
    ("pay_plan", ("compensation", "verdict")),
)


@dataclass(frozen=True, kw_only=True)
class Change:
    """One watched figure that moved between two runs (`what` is a code of WATCHED)."""

    what: str
    before: object
    after: object


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
    for what, path in WATCHED:
        a, b = _get(before, path), _get(after, path)
        if a != b:
            found.append(Change(what=what, before=a, after=b))
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


# Version 1's penetration badges (as written then) and the verdict codes they stand for.
V1_BADGE_CODES = {"own threshold": "own_threshold", "rule of thumb": "rule_of_thumb"}


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
        pen["verdict"] = V1_BADGE_CODES.get(pen.pop("badge"), pen.get("verdict"))
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
