"""Re-execute the committed notebooks in place on the default sample company (`make notebooks`).

The committed outputs are what nbval compares against, so papermill's timing metadata is
stripped: the same package and data give byte-identical notebooks.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat

from playbook.execute import execute
from playbook.run import available_notebooks


def strip_run_metadata(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove execution timestamps and durations that differ between runs."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return notebook


def refresh(path: Path) -> dict:
    """Execute one notebook with its default parameters and write it back, outputs included."""
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / path.name
        outcome = execute(path, executed, {}, cell_timeout=600)
        if outcome["ok"]:
            nb = strip_run_metadata(nbformat.read(executed, as_version=4))
            nbformat.write(nb, path)
    return outcome


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or available_notebooks()
    status = 0
    for path in paths:
        outcome = refresh(path)
        if outcome["ok"]:
            print(f"executed {path}")
        else:
            print(f"FAILED {path} at cell [{outcome['cell']}]: {outcome['error']}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
