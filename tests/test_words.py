"""Words for people live in views/: the analyses, the data layer and the runner return codes.

A second language for the board pack needs every sentence a page shows in one place. So the
analyses, the data layer and the runner hold no sentence a reader sees: they return notes (a code
and its values, `data.notes.Note`) and codes, which `views/notes.py` words. What may stay in
English there: documentation (docstrings, the help text of a setting, a settings group's title),
errors and what the command line prints (CLI errors stay English), and the codes themselves (a
verdict such as "no size effect"). Every code an analysis returns has its words in the views.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from playbook import PROJECT_ROOT
from playbook.views import notes as words

PACKAGE = PROJECT_ROOT / "playbook"
CHECKED = ("analyses", "data", "runner")
# Calls whose text arguments are documentation, errors or command-line output, not page text.
ALLOWED_CALLS = {
    "setting",  # a setting's help text: documentation (params.example.yaml, `playbook params`)
    "Problem",
    "problem",
    "print",
    "say",
    "warn",
    "add_argument",
    "add_parser",
    "ArgumentParser",
    "Table",  # the data contract's description of a table
    "Plan",  # a built-in pay plan's name: an identifier, shown as it is
    "from_mapping",  # parameters from a mapping: `source` names where they came from, for errors
    "failure",  # a notebook's failed outcome: its error
    "execute",  # SQL
    "raw_sql",
    "sql",
}
# Functions that only build the text of an error.
ERROR_HELPERS = {
    "did_you_mean",
    "problem_with",
    "engine_failure",
    "_output_error",
    "_parse",  # a column's values parsed, and the rule of the contract they break
    "_in_range",
    "_date_hint",
    "_describe_check",
}
# Constants and variables whose text is an error, a rule of the contract, a hint in an error, SQL, a
# date format, codes, or the documentation heading a generated file (by a part of their name).
ERROR_NAMES = ("error", "rule", "hint", "heading", "check", "sql", "format", "code", "header", "marker")
MIN_WORDS = 3


def _docstrings(tree: ast.AST) -> set[ast.AST]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(first.value)
    return found


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


def _allowed(node: ast.AST, parents: dict, codes: set[str]) -> bool:
    if node.value in codes:
        return True
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Raise):
            return True
        if isinstance(parent, ast.Call) and (
            _callee(parent) in ALLOWED_CALLS or _callee(parent).endswith("Error")
        ):
            return True
        if isinstance(parent, ast.ClassDef) and (
            parent.name.endswith("Error") or any(getattr(b, "id", "").endswith("Error") for b in parent.bases)
        ):
            return True
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and parent.name in ERROR_HELPERS:
            return True
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = [getattr(t, "id", getattr(t, "attr", "")) for t in targets]
            if any(n == "GROUP" or any(part in n.lower() for part in ERROR_NAMES) for n in names):
                return True
        if isinstance(parent, ast.keyword) and parent.arg and "error" in parent.arg:
            return True
        if isinstance(parent, ast.Dict) and child in parent.values:
            key = parent.keys[parent.values.index(child)]
            if isinstance(key, ast.Constant) and key.value == "error":
                return True
        child, parent = parent, parents.get(parent)
    return False


def _module_codes(path: Path) -> set[str]:
    """The verdict codes a module declares (VERDICTS): codes, not sentences."""
    if not path.is_relative_to(PACKAGE):
        return set()
    name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return set(getattr(importlib.import_module(name), "VERDICTS", ()))


def sentences(path: Path) -> list[str]:
    """The string literals of MIN_WORDS or more words a page could show, with their lines."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    skip, codes = _docstrings(tree), _module_codes(path)
    return [
        f"{path.name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node not in skip
        and len(node.value.split()) >= MIN_WORDS
        and not _allowed(node, parents, codes)
    ]


@pytest.mark.parametrize("layer", CHECKED)
def test_no_sentence_outside_the_views(layer):
    found = [s for path in sorted((PACKAGE / layer).rglob("*.py")) for s in sentences(path)]
    assert not found, "sentences outside views/ (return a Note and word it in views/notes.py):\n" + "\n".join(
        found
    )


def test_the_scan_finds_a_sentence(tmp_path):
    bad = tmp_path / "probe.py"
    bad.write_text(
        'NOTE = "the forecast did not converge"\ndef f():\n    raise ValueError("this is fine here")\n'
    )
    found = sentences(bad)
    assert len(found) == 1 and "did not converge" in found[0]


def _note_codes_in(layer: str) -> set[str]:
    """Every code a module of `layer` passes to Note(...) as a literal."""
    codes = set()
    for path in (PACKAGE / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and _callee(node) == "Note" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    codes.add(first.value)
    return codes


@pytest.mark.parametrize("layer", ("analyses", "data", "runner", "views"))
def test_every_note_code_has_words(layer):
    """Every note is worded: by views/notes.py, or (the decision's next steps, which name people
    and accounts) by the board pack, in both its long and its slide form."""
    from playbook.analyses.decision import NEXT_STEPS
    from playbook.views.board import STEP_WORDS

    assert set(STEP_WORDS) == set(NEXT_STEPS)
    missing = _note_codes_in(layer) - set(words.TEXTS) - set(STEP_WORDS)
    assert not missing, f"codes without words in views/notes.py: {sorted(missing)}"


def test_every_coded_reason_and_rule_has_words():
    from playbook.analyses.accounts import OUTSIDE_REASONS
    from playbook.analyses.leaders import FLAGS
    from playbook.data.cut import RULES
    from playbook.runner.diff import WATCHED

    assert set(OUTSIDE_REASONS) == set(words.OUTSIDE_REASONS)
    assert set(RULES) == set(words.SET_ASIDE_RULES)
    assert set(FLAGS) <= set(words.TEXTS)
    assert {what for what, _ in WATCHED} == set(words.CHANGE_LABELS)
