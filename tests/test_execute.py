"""A notebook's outcome: one frozen type, made in one place (its two constructors), never a dict."""

from __future__ import annotations

import ast
import dataclasses

import pytest

from playbook import PROJECT_ROOT
from playbook.runner.execute import NotebookOutcome

SOURCES = sorted((PROJECT_ROOT / "playbook").rglob("*.py")) + sorted((PROJECT_ROOT / "tests").glob("*.py"))


def test_an_outcome_is_frozen_and_says_how_the_notebook_ended():
    assert NotebookOutcome.success() == NotebookOutcome(ok=True)
    failed = NotebookOutcome.failure("ZeroDivisionError: division by zero", cell=2, line="1 / 0")
    assert (failed.ok, failed.cell, failed.line, failed.errno) == (False, 2, "1 / 0", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        failed.error = None  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional"):
        NotebookOutcome(False)  # type: ignore[misc]


def _calls_of_the_class(tree: ast.AST) -> list[int]:
    """Lines that call NotebookOutcome(...) or, inside its own class body, cls(...)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "NotebookOutcome":
            found += [
                call.lineno
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "cls"
            ]
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == (
            "NotebookOutcome"
        ):
            found.append(node.lineno)
    return found


def test_outcomes_are_made_only_by_success_and_failure():
    made = {}
    for path in SOURCES:
        if path.name == "test_execute.py":  # this file calls the class on purpose, above
            continue
        lines = _calls_of_the_class(ast.parse(path.read_text(), str(path)))
        if lines:
            made[path.relative_to(PROJECT_ROOT).as_posix()] = lines
    assert list(made) == ["playbook/runner/execute.py"] and len(made["playbook/runner/execute.py"]) == 2, made


def test_no_dict_outcome_anywhere():
    """No dict literal keyed "ok" (how an outcome was once passed around) in the package."""
    for path in sorted((PROJECT_ROOT / "playbook").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                assert "ok" not in keys, f"{path.name}:{node.lineno}"
