"""The workshop's expected answers (docs/workshop.md), checked by running exactly its exercises."""

from __future__ import annotations

import json
import re

import pytest

from playbook import PROJECT_ROOT
from playbook.runner.cli import main

WORKSHOP = PROJECT_ROOT / "docs" / "workshop.md"


def exercises() -> list[dict]:
    """Each '### ' section: its sample, notebooks, YAML parameters and expected `path` = `value` pairs."""
    found = []
    for block in WORKSHOP.read_text().split("\n### ")[1:]:
        title = block.splitlines()[0]
        sample = re.search(r"Sample: `(\w+)`", block).group(1)
        notebooks = [n.strip() for n in re.search(r"Notebooks: `([^`]+)`", block).group(1).split(",")]
        params = re.search(r"```yaml\n(.*?)```", block, re.S).group(1)
        expected_line = re.search(r"^Expected: (.*)$", block, re.M).group(1)
        expected = dict(re.findall(r"`([\w.]+)` = `([^`]+)`", expected_line))
        found.append(
            {"title": title, "sample": sample, "notebooks": notebooks, "params": params, "expected": expected}
        )
    return found


def lookup(summary: dict, path: str) -> str:
    value: object = summary
    for step in path.split("."):
        value = value[step]
    return str(value)


def test_the_workshop_has_exercises():
    assert len(exercises()) >= 5
    assert all(e["expected"] for e in exercises())


@pytest.mark.parametrize("exercise", exercises(), ids=lambda e: e["title"])
def test_exercise_gives_its_expected_answer(exercise, tmp_path):
    params = tmp_path / "ex.yaml"
    params.write_text(exercise["params"])
    only = [arg for name in exercise["notebooks"] for arg in ("--only", name)]
    out = tmp_path / "out"
    assert main(["run", "--data", exercise["sample"], "--params", str(params), "--out", str(out), *only]) == 0
    summary = json.loads(next(out.glob("run-*/summary.json")).read_text())
    for path, value in exercise["expected"].items():
        assert lookup(summary, path) == value, (exercise["title"], path)
