"""Execute one notebook with papermill, in its own process; report success or the failing cell.

Run as `python -m playbook.execute INPUT OUTPUT PARAMS.json RESULT.json CELL_TIMEOUT [HTML]` by
the runner, so that several notebooks run at once and a hung one can be killed. With HTML, a
notebook that finished is also rendered there (in parallel with the others); a failed one never is.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError
from papermill.execute import ERROR_MARKER_TAG


def source_cell(executed: Path, cell_index: int) -> tuple[int, str]:
    """The failing cell as a person finds it in the source notebook: its code-cell number
    (papermill's injected-parameters cell not counted) and its first line."""
    cells = [  # without the error banner papermill puts on top of a failed notebook
        c for c in nbformat.read(executed, as_version=4).cells
        if ERROR_MARKER_TAG not in c.metadata.get("tags", [])
    ][: cell_index + 1]
    code = [c for c in cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
    first_line = next((line for line in code[-1].source.splitlines() if line.strip()), "") if code else ""
    return len(code), first_line


def execute(source: Path, target: Path, parameters: dict, cell_timeout: int) -> dict:
    """Run `source` into `target`; return {"ok": True, ...} or the failing code cell and error."""
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(source.parent),
            progress_bar=False,
            execution_timeout=cell_timeout,
        )
    except PapermillExecutionError as exc:
        number, first_line = source_cell(target, exc.cell_index)
        return {"ok": False, "cell": number, "line": first_line, "error": f"{exc.ename}: {exc.evalue}"}
    except Exception as exc:  # kernel died, timeout, unreadable notebook
        return {"ok": False, "cell": None, "line": None, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "cell": None, "line": None, "error": None}


def main(argv: list[str]) -> int:
    source, target, params_file, result_file, timeout, *html = argv
    parameters = json.loads(Path(params_file).read_text())
    outcome = execute(Path(source), Path(target), parameters, int(timeout))
    if outcome["ok"] and html:
        from playbook.render import notebook_html

        Path(html[0]).write_text(notebook_html(Path(target)), encoding="utf-8")
    Path(result_file).write_text(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
