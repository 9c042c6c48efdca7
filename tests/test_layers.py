"""The architecture, checked: each layer imports only the layers below it.

data (and samples) < analyses < views < runner; nothing under analyses/ or data/ imports the
views, the runner, IPython or a plotting library. The README's layout matches the tree.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from playbook import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "playbook"
LAYERS = {"data": 0, "samples": 1, "imports": 1, "analyses": 1, "views": 2, "runner": 3}
FORBIDDEN_BELOW_VIEWS = ("IPython", "matplotlib", "seaborn", "nbformat", "papermill", "nbconvert")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "playbook" and parts[1] in LAYERS else None


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_go_down(path):
    own = path.relative_to(PACKAGE).parts[0]
    for module in imported_modules(path):
        other = layer_of(module)
        if other is not None and other != own:
            assert LAYERS[other] < LAYERS[own], f"{path.relative_to(PROJECT_ROOT)} imports {module}"
        if own in ("data", "analyses", "samples", "imports"):
            assert module.split(".")[0] not in FORBIDDEN_BELOW_VIEWS, f"{path.name} imports {module}"


def test_the_rule_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from playbook.views.html import table\n")
    assert layer_of(next(iter(imported_modules(bad)))) == "views"


def test_the_readme_layout_matches_the_tree():
    """Each layer's line in the README's layout names exactly the modules in its folder."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    for folder in LAYERS:
        # `  data/      contract, ...`, not `data/samples/`
        line = next(line for line in layout.splitlines() if re.match(rf"\s+{folder}/\s", line))
        named = {name.split("(")[0].strip() for name in line.split(f"{folder}/", 1)[1].split(",")}
        modules = {p.stem for p in (PACKAGE / folder).glob("*.py") if not p.stem.startswith("__")}
        modules |= {f"{p.parent.name}/" for p in (PACKAGE / folder).glob("*/__init__.py")}  # subpackages
        assert named == modules, folder
