"""The figures the docs state, between the marker comments that `make figures` rewrites.

A block in any `docs/*.md` file looks like this (benchmarks/figures.py writes its body)::

    <!-- figures:public-backtest -->
    | company | forecasts checked | ... |
    |---|---:|...|
    | Twilio | 4 | ... |
    <!-- /figures -->

Tests read the figures here and compare them with what the code computes now, within the
tolerance each figure's numerics allow (see docs/methods.md, "How precise the figures are").
"""

from __future__ import annotations

import re
from pathlib import Path

from playbook import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
BLOCK = re.compile(r"<!-- figures:(?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /figures -->", re.S)
FIELDS_SECTION = "## summary.json, field by field"


def blocks() -> dict[str, tuple[Path, str]]:
    """Every figures block in docs/, by name: the file that holds it and its body."""
    found: dict[str, tuple[Path, str]] = {}
    for path in sorted(DOCS.glob("*.md")):
        for match in BLOCK.finditer(path.read_text(encoding="utf-8")):
            name = match.group("name")
            if name in found:
                raise ValueError(f"figures:{name} is in both {found[name][0].name} and {path.name}")
            found[name] = (path, match.group("body"))
    return found


def table(name: str) -> list[dict[str, str]]:
    """The (first) Markdown table of block `name`, one dict per row keyed by the header's cells."""
    try:
        _, body = blocks()[name]
    except KeyError:
        raise KeyError(f"no <!-- figures:{name} --> block in {DOCS}") from None
    lines = body.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None:
        raise ValueError(f"figures:{name} holds no table: run `make figures FIGURES={name}`")
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    header, rows = _cells(lines[start]), lines[start + 2 : end]
    return [dict(zip(header, _cells(line), strict=True)) for line in rows]


def row(name: str, **match: str) -> dict[str, str]:
    """The one row of block `name` whose cells equal `match` (column=value)."""
    found = [r for r in table(name) if all(r[column] == value for column, value in match.items())]
    if len(found) != 1:
        raise LookupError(f"figures:{name} has {len(found)} rows with {match}")
    return found[0]


def with_body(text: str, name: str, body: str) -> str:
    """`text` with the body of its block `name` replaced by `body` (which ends with a newline)."""
    matches = [m for m in BLOCK.finditer(text) if m.group("name") == name]
    if len(matches) != 1:
        raise ValueError(f"expected one figures:{name} block, found {len(matches)}")
    start, end = matches[0].span("body")
    return text[:start] + body + text[end:]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def summary_fields() -> list[str]:
    """The summary.json fields docs/outputs.md lists, as written: `timing.months_to_band.p10`,
    `enterprise_demand.arr_at_stake.<feature>` (a name from the data), `leaders.ranking[].score`
    (each item of a list). A cell's further `.name` entries are siblings of its first field."""
    text = (DOCS / "outputs.md").read_text(encoding="utf-8")
    section = text.split(FIELDS_SECTION, 1)[1].split("\n## ", 1)[0]
    fields = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        first, *siblings = re.findall(r"`([^`]+)`", _cells(line)[0])
        parent = first.rsplit(".", 1)[0]
        fields += [first, *(parent + sibling for sibling in siblings if sibling.startswith("."))]
    return fields


def field_pattern(field: str) -> re.Pattern:
    """A documented field as a pattern: `<...>` matches one key (a name from the data)."""
    parts = re.split(r"<[^>]+>", field)
    return re.compile(r"[^.\[\]]+".join(re.escape(part) for part in parts))


def paths_of(summary: dict, prefix: str = "") -> set[str]:
    """Every field of a summary: its values' paths (an empty or null object is a value), with
    `[]` for each item of a list of objects."""
    found: set[str] = set()
    for key, value in summary.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            found |= paths_of(value, path)
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for item in value:
                found |= paths_of(item, path + "[]")
        else:
            found.add(path)
    return found
