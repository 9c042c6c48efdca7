"""The notebook scheduler: which notebooks a run executes, and executing them `jobs` at a time.

Each notebook runs on its own kernel, driven from one thread of this process. The scheduler polls
the threads, shows the progress, stops the notebooks when the whole run exceeds its time limit,
and, however the run ends (finished, timed out, interrupted), stops every kernel it started.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from playbook import NOTEBOOKS_DIR
from playbook.runner import stop
from playbook.runner.execute import NotebookOutcome, cells_done, execute, kernel_pid
from playbook.runner.params import ParamsError
from playbook.runner.progress import Progress
from playbook.runner.render import notebook_html
from playbook.runner.results import SECTIONS

# One notebook more than there are cores: a kernel's start-up waits on I/O, so this keeps every
# core busy.
DEFAULT_JOBS = (os.cpu_count() or 1) + 1
POLL_SECONDS = 0.2


@dataclass
class NotebookRun:
    """One notebook's place in a run, and how it ended."""

    name: str
    source: Path
    section: str | None  # the summary section whose verdict the board pack shows for it
    shows: tuple[str, ...]  # every section its cells read
    status: str = "queued"  # queued, running, ok, failed, stopped (the run was interrupted)
    cells_done: int = 0
    cells_total: int = 0
    outcome: NotebookOutcome | None = None  # set by the scheduler when the notebook ends
    thread: Worker | None = field(default=None, repr=False)

    @property
    def cell(self) -> int | None:
        return None if self.outcome is None else self.outcome.cell

    @property
    def line(self) -> str | None:
        return None if self.outcome is None else self.outcome.line

    @property
    def error(self) -> str | None:
        return None if self.outcome is None else self.outcome.error

    @property
    def errno(self) -> int | None:
        return None if self.outcome is None else self.outcome.errno


def available_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def _playbook_metadata(source: Path) -> tuple[str | None, tuple[str, ...]]:
    """A notebook's section (its verdict in the board pack) and the sections it shows."""
    meta = nbformat.read(source, as_version=4).metadata.get("playbook", {})
    section = meta.get("section") if meta.get("section") in SECTIONS else None
    shows = tuple(s for s in meta.get("shows", [section] if section else []) if s in SECTIONS)
    return section, shows


def select_notebooks(only: list[str] | None, folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """All notebooks, or those named by --only: by file stem ('01_timing'), topic ('timing') or
    summary section ('leaders')."""
    notebooks = available_notebooks(folder)
    if not only:
        return notebooks
    chosen = []
    for name in only:
        match = [p for p in notebooks if name in (p.stem, p.stem.split("_", 1)[1], _playbook_metadata(p)[0])]
        if not match:
            names = ", ".join(p.stem.split("_", 1)[1] for p in notebooks)
            raise ParamsError(f"--only {name}: no such notebook; notebooks are {names}")
        chosen += [p for p in match if p not in chosen]
    return chosen


def queued(source: Path) -> NotebookRun:
    """A notebook waiting for its turn."""
    section, shows = _playbook_metadata(source)
    return NotebookRun(name=source.stem, source=source, section=section, shows=shows)


class Worker(threading.Thread):
    """The thread that executes one notebook and renders it if it finished; `outcome` once done.

    The scheduler, not the thread, sets the notebook's outcome: a notebook stopped for the run's
    time limit keeps that reason when its thread ends later.
    """

    def __init__(self, nb: NotebookRun, work: Path, parameters: dict, cell_timeout: int):
        super().__init__(name=nb.name, daemon=True)
        self.nb, self.work, self.parameters, self.cell_timeout = nb, work, parameters, cell_timeout
        self.outcome: NotebookOutcome | None = None

    def run(self) -> None:
        executed = self.work / f"{self.nb.name}.ipynb"
        outcome = execute(self.nb.source, executed, self.parameters, cell_timeout=self.cell_timeout)
        if outcome.ok:
            try:
                html = notebook_html(executed)
                (self.work / f"{self.nb.name}.html").write_text(html, encoding="utf-8")
            except Exception as exc:  # a notebook that cannot be rendered is not a finished report
                failed = f"rendering failed: {exc}"
                outcome = NotebookOutcome.failure(failed, errno=getattr(exc, "errno", None))
        self.outcome = outcome


def _end_kernel(nb: NotebookRun) -> bool:
    """End a running notebook's kernel (its whole process group); its thread then finishes.
    True when there was a kernel to end."""
    if nb.thread is None:
        return False
    pid = kernel_pid(nb.thread.ident)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended on its own meanwhile
        return False
    return True


def execute_all(
    runs: list[NotebookRun],
    work: Path,
    parameters: dict,
    *,
    jobs: int,
    cell_timeout: int,
    run_timeout: int,
    progress: Progress,
) -> None:
    """Run the notebooks, `jobs` at a time, until all finish or `run_timeout` seconds pass."""
    deadline = time.monotonic() + run_timeout
    queue = list(runs)
    interrupted = False
    try:
        while queue or any(nb.status == "running" for nb in runs):
            running = [nb for nb in runs if nb.status == "running"]
            while queue and len(running) < jobs:
                nb = queue.pop(0)
                nb.thread = Worker(nb, work, parameters, cell_timeout)
                nb.status = "running"
                nb.thread.start()
                running.append(nb)
            for nb in running:
                if not nb.thread.is_alive():
                    reported = nb.thread.outcome  # None if the thread itself failed
                    nb.outcome = reported or NotebookOutcome.failure("the notebook ended without a result")
                    nb.status = "ok" if nb.outcome.ok else "failed"
                else:
                    nb.cells_done, nb.cells_total = cells_done(work / f"{nb.name}.ipynb")
            progress.show(runs)
            stop.check()
            if time.monotonic() > deadline:
                late = NotebookOutcome.failure(f"stopped: the whole run exceeded {run_timeout} s")
                for nb in runs:
                    if nb.status in ("running", "queued"):
                        _end_kernel(nb)
                        nb.status, nb.outcome = "failed", late
                break
            time.sleep(POLL_SECONDS)
    except BaseException:  # Ctrl-C, a stop request, or a failure of the runner itself
        interrupted = True
        raise
    finally:
        ended = []
        for nb in runs:
            if nb.status in ("running", "queued"):
                nb.status = "stopped" if interrupted else "failed"
                nb.outcome = nb.outcome or NotebookOutcome.failure("stopped: the run was interrupted")
            if _end_kernel(nb):
                ended.append(nb.name)
        # A killed kernel ends its thread within a few seconds; an interrupted run does not wait
        # long for it (the partial folder is removed whatever the thread still tries to write).
        patience = time.monotonic() + (2 if interrupted else 10)
        for nb in runs:
            if nb.thread is not None:
                nb.thread.join(timeout=max(0.0, patience - time.monotonic()))
        progress.show(runs)
        progress.close()
        if interrupted and ended:
            progress.say(f"stopped the kernels of {', '.join(ended)}")
