"""The runner: validate the data, execute the notebooks in parallel, render, write a new run folder.

A run is built in a hidden partial folder and renamed into place only when complete, so an
interrupted run leaves nothing half-written and an earlier run is never touched.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from playbook import NOTEBOOKS_DIR, PROJECT_ROOT
from playbook.data import load_dataset
from playbook.diff import changes, previous_run, read_summary, run_number
from playbook.params import ParamsError, check_params, notebook_parameters
from playbook.render import (
    board_pack_html,
    key_chart,
    notebook_title,
    slides_html,
)
from playbook.report import SECTIONS, resolve_data_dir

DEFAULT_OUT = PROJECT_ROOT / "reports"
# One notebook more than there are cores: kernel start-up waits on I/O, so this keeps every core
# busy (on 2 cores a whole run took 27.9 s with 2 at once, 24.4 s with 3, 27.5 s with 4).
DEFAULT_JOBS = (os.cpu_count() or 1) + 1
POLL_SECONDS = 0.5


@dataclass
class NotebookRun:
    """One notebook's place in a run, and how it ended."""

    name: str
    source: Path
    section: str | None
    status: str = "queued"  # queued, running, ok, failed
    cells_done: int = 0
    cells_total: int = 0
    cell: int | None = None  # failing code cell, numbered as in the source notebook
    line: str | None = None  # its first line
    error: str | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RunResult:
    folder: Path
    notebooks: tuple[NotebookRun, ...]

    @property
    def failed(self) -> list[NotebookRun]:
        return [nb for nb in self.notebooks if nb.status != "ok"]

    @property
    def board_pack(self) -> Path:
        return self.folder / "index.html"

    @property
    def summary(self) -> dict:
        return json.loads((self.folder / "summary.json").read_text())


def available_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def select_notebooks(only: list[str] | None, folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """All notebooks, or those named by --only: by file stem ('01_timing'), topic ('timing') or
    summary section ('leaders')."""
    notebooks = available_notebooks(folder)
    if not only:
        return notebooks
    chosen = []
    for name in only:
        match = [p for p in notebooks if name in (p.stem, p.stem.split("_", 1)[1], _section_of(p))]
        if not match:
            names = ", ".join(p.stem.split("_", 1)[1] for p in notebooks)
            raise ParamsError(f"--only {name}: no such notebook; notebooks are {names}")
        chosen += [p for p in match if p not in chosen]
    return chosen


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "data"


def next_run_folder(out: Path, data_name: str) -> Path:
    """reports/run-007-ready: numbered after the highest existing run, whatever its data."""
    highest = max((run_number(p) for p in out.glob("run-*")), default=0)
    return out / f"run-{highest + 1:03d}-{_slug(data_name)}"


def _move_into_place(work: Path, out: Path, data_name: str) -> Path:
    """Rename the finished partial folder to the next free run name (never onto an earlier run)."""
    for _ in range(100):
        folder = next_run_folder(out, data_name)
        try:
            os.mkdir(folder)  # claims the name; fails if another run took it first
        except FileExistsError:
            continue
        os.rename(work, folder)  # replaces the empty folder just made, atomically
        return folder
    raise RuntimeError(f"could not find a free run folder name under {out}")


def _count_cells(path: Path) -> tuple[int, int]:
    """(finished, total) code cells of a notebook papermill is writing; (0, 0) if unreadable yet."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # papermill may be mid-write
        return 0, 0
    code = [c for c in nb.cells if c.cell_type == "code"]
    done = sum(c.metadata.get("papermill", {}).get("status") == "completed" for c in code)
    return done, len(code)


class Progress:
    """One status line for the whole run: each notebook's state and cells done."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.last = ""

    def show(self, runs: list[NotebookRun]) -> None:
        parts = []
        for nb in runs:
            if nb.status == "running" and nb.cells_total:
                parts.append(f"{nb.name} {nb.cells_done}/{nb.cells_total} cells")
            else:
                parts.append(f"{nb.name} {nb.status}")
        done = sum(nb.status in ("ok", "failed") for nb in runs)
        line = f"[{done}/{len(runs)} notebooks] " + " · ".join(parts)
        if line == self.last:
            return
        self.last = line
        if self.tty:
            self.stream.write("\r\033[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")


def _start(nb: NotebookRun, work: Path, parameters: dict, cell_timeout: int) -> None:
    params_file = work / f".{nb.name}.params.json"
    params_file.write_text(json.dumps(parameters))
    # stderr goes to a file: a pipe nobody reads until the end could fill up and block the child.
    with open(work / f".{nb.name}.stderr.txt", "wb") as log:
        nb.process = subprocess.Popen(
            [
                sys.executable, "-m", "playbook.execute", str(nb.source),
                str(work / f"{nb.name}.ipynb"), str(params_file),
                str(work / f".{nb.name}.result.json"), str(cell_timeout), str(work / f"{nb.name}.html"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group: a timeout kills the kernel too
        )
    nb.status = "running"


def _finish(nb: NotebookRun, work: Path) -> None:
    result_file = work / f".{nb.name}.result.json"
    stderr = (work / f".{nb.name}.stderr.txt").read_text(errors="replace")
    if result_file.is_file():
        outcome = json.loads(result_file.read_text())
        nb.status = "ok" if outcome["ok"] else "failed"
        nb.cell, nb.line, nb.error = outcome["cell"], outcome["line"], outcome["error"]
    else:
        nb.status = "failed"
        nb.error = (stderr.strip().splitlines() or ["the notebook process ended without a result"])[-1]
    nb.process = None


def _kill(nb: NotebookRun) -> None:
    if nb.process and nb.process.poll() is None:
        try:
            os.killpg(nb.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        nb.process.wait()


def execute_all(
    runs: list[NotebookRun],
    work: Path,
    parameters: Callable[[NotebookRun], dict],
    *,
    jobs: int,
    cell_timeout: int,
    run_timeout: int,
    progress: Progress,
) -> None:
    """Run the notebooks, `jobs` at a time, until all finish or `run_timeout` seconds pass."""
    deadline = time.monotonic() + run_timeout
    queue = list(runs)
    try:
        while queue or any(nb.status == "running" for nb in runs):
            running = [nb for nb in runs if nb.status == "running"]
            while queue and len(running) < jobs:
                nb = queue.pop(0)
                _start(nb, work, parameters(nb), cell_timeout)
                running.append(nb)
            for nb in running:
                if nb.process.poll() is not None:
                    _finish(nb, work)
                else:
                    nb.cells_done, nb.cells_total = _count_cells(work / f"{nb.name}.ipynb")
            progress.show(runs)
            if time.monotonic() > deadline:
                for nb in runs:
                    if nb.status in ("running", "queued"):
                        _kill(nb)
                        nb.status, nb.error = "failed", f"stopped: the whole run exceeded {run_timeout} s"
                        nb.process = None
                break
            time.sleep(POLL_SECONDS)
    finally:
        for nb in runs:
            _kill(nb)
        progress.show(runs)
        progress.close()


def _section_of(source: Path) -> str | None:
    section = nbformat.read(source, as_version=4).metadata.get("playbook", {}).get("section")
    return section if section in SECTIONS else None


def run_playbook(
    data_dir: str | Path | None = None,
    *,
    params: dict | None = None,
    params_source: str = "parameters",
    out_dir: str | Path | None = None,
    only: list[str] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    jobs: int = DEFAULT_JOBS,
    cell_timeout: int = 600,
    run_timeout: int = 1800,
    progress: Progress | None = None,
) -> RunResult:
    """Validate the data, execute the notebooks, and write a new, complete run folder.

    Raises DataError (bad input) or ParamsError/ValueError (bad parameters) before any notebook
    runs and before anything is written.
    """
    params = dict(params or {})
    notebooks = select_notebooks(only, notebooks_dir)
    defaults = {}
    for path in notebooks:
        defaults.update(notebook_parameters(path))
    check_params(params, defaults, params_source)
    data = resolve_data_dir(data_dir).resolve()
    dataset = load_dataset(data, as_of=params.get("as_of"))

    out = Path(out_dir or DEFAULT_OUT).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".partial-run-", dir=out))
    umask = os.umask(0)
    os.umask(umask)
    work.chmod(0o777 & ~umask)  # mkdtemp makes it private; a run folder is for sharing
    try:
        fragments = work / ".summary"
        fragments.mkdir()
        runs = [NotebookRun(p.stem, p, _section_of(p)) for p in notebooks]

        def parameters_for(nb: NotebookRun) -> dict:
            own = notebook_parameters(nb.source)
            chosen = {k: v for k, v in params.items() if k in own}
            return {**chosen, "data_dir": str(data), "summary_dir": str(fragments)}

        execute_all(
            runs, work, parameters_for, jobs=jobs, cell_timeout=cell_timeout,
            run_timeout=run_timeout, progress=progress or Progress(),
        )
        summary = _summary(runs, fragments, dataset, data, params)
        sections = []
        for nb in runs:
            executed = work / f"{nb.name}.ipynb"
            html = f"{nb.name}.html" if nb.status == "ok" else None  # rendered by the worker
            fragment = summary.get(nb.section) or {}
            sections.append(
                {
                    "name": nb.name,
                    "title": notebook_title(nbformat.read(nb.source, as_version=4), nb.name),
                    "html": html,
                    "notebook": executed.name,
                    "status": nb.status,
                    "verdict": fragment.get("verdict") or fragment.get("readiness") or fragment.get("badge") or "done",
                    "headline": fragment.get("headline"),
                    "cell": nb.cell,
                    "line": nb.line,
                    "error": nb.error,
                    "chart": key_chart(executed) if nb.status == "ok" else None,
                }
            )
        currency = str(params.get("currency", defaults.get("currency", "USD")))
        earlier = previous_run(out, str(data))
        compared = None if earlier is None else {"run": earlier.name, "changes": [str(c) for c in changes(read_summary(earlier), summary)]}
        (work / "index.html").write_text(
            board_pack_html(summary, sections, compared=compared, currency=currency), encoding="utf-8"
        )
        (work / "slides.html").write_text(slides_html(summary, sections, compared=compared), encoding="utf-8")
        (work / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        shutil.rmtree(fragments)
        for leftover in [*work.glob(".*.json"), *work.glob(".*.stderr.txt")]:
            leftover.unlink()
        folder = _move_into_place(work, out, data.name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return RunResult(folder, tuple(runs))


def _summary(runs, fragments: Path, dataset, data: Path, params: dict) -> dict:
    summary: dict = {section: None for section in SECTIONS}
    for path in sorted(fragments.glob("*.json")):
        summary[path.stem] = json.loads(path.read_text())
    summary["run"] = {
        "data_dir": str(data),
        "data_name": data.name,
        "as_of": dataset.as_of.strftime("%Y-%m-%d"),
        "parameters": params,
        "notes": list(dataset.notes),
        "notebooks": {
            nb.name: {"status": nb.status, "cell": nb.cell, "line": nb.line, "error": nb.error}
            for nb in runs
        },
    }
    return summary
