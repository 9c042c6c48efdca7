"""Execute one notebook with papermill, in its own process; report success or the failing cell.

Run as `python -m playbook.execute INPUT OUTPUT PARAMS.json RESULT.json CELL_TIMEOUT` by the
runner, so that several notebooks run at once and a hung one can be killed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import papermill
from papermill.exceptions import PapermillExecutionError


def execute(source: Path, target: Path, parameters: dict, cell_timeout: int) -> dict:
    """Run `source` into `target`; return {"ok": True} or where and why it failed."""
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
        return {"ok": False, "cell": exc.exec_count, "error": f"{exc.ename}: {exc.evalue}"}
    except Exception as exc:  # kernel died, timeout, unreadable notebook
        return {"ok": False, "cell": None, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "cell": None, "error": None}


def main(argv: list[str]) -> int:
    source, target, params_file, result_file, timeout = argv
    parameters = json.loads(Path(params_file).read_text())
    outcome = execute(Path(source), Path(target), parameters, int(timeout))
    Path(result_file).write_text(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
