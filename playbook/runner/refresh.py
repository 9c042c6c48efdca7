"""Re-execute the committed notebooks in place on the default sample company (`make notebooks`).

First each notebook's parameters cell is rewritten from `Params` (so the cells never drift from
the declarations); then the notebook runs on its own, as in JupyterLab, and is written back with
its outputs. The committed outputs are what nbval compares against, so the run metadata is
stripped (`execute.reproducible`): the same package and data give byte-identical notebooks.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import nbformat

from playbook.runner.execute import NotebookOutcome, execute
from playbook.runner.params import notebook_cell
from playbook.runner.schedule import available_notebooks


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """The cell tagged `parameters`, or None."""
    return next((c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])), None)


def refresh(path: Path) -> NotebookOutcome:
    """Rewrite one notebook's parameters cell, execute it with the defaults, write it back."""
    notebook = nbformat.read(path, as_version=4)
    cell = parameters_cell(notebook)
    if cell is None:
        return NotebookOutcome.failure("no cell tagged 'parameters'")
    cell.source = notebook_cell()
    with tempfile.TemporaryDirectory() as tmp:
        source, executed = Path(tmp) / "source.ipynb", Path(tmp) / path.name
        nbformat.write(notebook, source)
        outcome = execute(source, executed, {}, cell_timeout=600)
        if outcome.ok:  # executed without run metadata (`execute.reproducible`)
            nbformat.write(nbformat.read(executed, as_version=4), path)
    return outcome


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or available_notebooks()
    status = 0
    for path in paths:
        outcome = refresh(path)
        if outcome.ok:
            print(f"executed {path}")
        else:
            print(f"FAILED {path} at cell [{outcome.cell}]: {outcome.error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
