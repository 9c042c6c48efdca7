"""The notebook scheduler: which notebooks a run executes, and executing them `jobs` at a time.

`jobs` worker threads of this process take the notebooks in turn, each on a kernel of its own that
it keeps for its next notebook (cleared in between: a kernel's start-up and imports are most of
a short notebook's cost). The scheduler polls the workers, shows the progress, stops the notebooks
when the whole run exceeds its time limit, and, however the run ends (finished, timed out,
interrupted), stops every kernel it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync

from playbook import NOTEBOOKS_DIR
from playbook.runner import stop
from playbook.runner.execute import NotebookOutcome, cells_done, execute, kernel_pid, started_kernel
from playbook.runner.params import ParamsError
from playbook.runner.progress import Progress
from playbook.runner.render import notebook_html
from playbook.runner.results import SECTIONS

# One worker (and kernel) a core: each keeps its kernel busy with one notebook after another.
DEFAULT_JOBS = os.cpu_count() or 1
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
    """A thread that executes queued notebooks one after another on its own kernel, and renders
    each that finished; `finished` holds each notebook's outcome once it is done.

    The kernel is started with the first notebook and reused (cleared) for the next; a kernel
    that died or was stopped is replaced. The scheduler, not the thread, sets a notebook's
    outcome: a notebook stopped for the run's time limit keeps that reason.
    """

    def __init__(
        self, queue: list[NotebookRun], lock: threading.Lock, work: Path, parameters: dict, timeout: int
    ):
        super().__init__(daemon=True)
        self.queue, self.lock, self.work, self.parameters, self.cell_timeout = (
            queue,
            lock,
            work,
            parameters,
            timeout,
        )
        self.finished: dict[str, NotebookOutcome] = {}

    def _next(self) -> NotebookRun | None:
        with self.lock:
            if not self.queue:
                return None
            nb = self.queue.pop(0)
            nb.thread, nb.status = self, "running"
            return nb

    def run(self) -> None:
        km, used = None, False
        try:
            while (nb := self._next()) is not None:
                try:
                    if km is None:
                        km, used = started_kernel(self.work), False
                    outcome = self._execute(nb, km, fresh=used)
                except Exception as exc:  # the kernel could not start
                    outcome = NotebookOutcome.failure(f"{type(exc).__name__}: {exc}")
                used = True
                if not outcome.ok and outcome.cell is None and km is not None:  # the kernel failed
                    _shut_down(km)
                    km = None
                self.finished[nb.name] = outcome
        finally:
            if km is not None:
                _shut_down(km)

    def _execute(self, nb: NotebookRun, km, *, fresh: bool) -> NotebookOutcome:
        executed = self.work / f"{nb.name}.ipynb"
        outcome = execute(
            nb.source, executed, self.parameters, cell_timeout=self.cell_timeout, km=km, fresh=fresh
        )
        if outcome.ok:
            try:
                html = notebook_html(executed)
                (self.work / f"{nb.name}.html").write_text(html, encoding="utf-8")
            except Exception as exc:  # a notebook that cannot be rendered is not a finished report
                failed = f"rendering failed: {exc}"
                outcome = NotebookOutcome.failure(failed, errno=getattr(exc, "errno", None))
        return outcome


def _shut_down(km) -> None:
    """Stop a worker's kernel now (it has no more work, or it failed); one already gone is fine."""
    with contextlib.suppress(Exception):
        run_sync(km.shutdown_kernel)(now=True)


def _end_kernel(worker: Worker | None) -> bool:
    """End a worker's kernel (its whole process group): the notebook it runs fails, and the worker
    takes no other. True when there was a kernel to end."""
    if worker is None:
        return False
    pid = kernel_pid(worker.ident)
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
    queue, lock = list(runs), threading.Lock()
    workers = [Worker(queue, lock, work, parameters, cell_timeout) for _ in range(min(jobs, len(runs)))]
    interrupted = False
    try:
        for worker in workers:
            worker.start()
        while any(nb.status in ("queued", "running") for nb in runs):
            for nb in runs:
                if nb.status != "running":
                    continue
                if nb.name in nb.thread.finished:
                    nb.outcome = nb.thread.finished[nb.name]
                    nb.status = "ok" if nb.outcome.ok else "failed"
                elif not nb.thread.is_alive():  # the thread itself failed
                    nb.outcome = NotebookOutcome.failure("the notebook ended without a result")
                    nb.status = "failed"
                else:
                    nb.cells_done, nb.cells_total = cells_done(work / f"{nb.name}.ipynb")
            if not any(w.is_alive() for w in workers):  # no thread left to take what is queued
                for nb in runs:
                    if nb.status == "queued":
                        nb.outcome = NotebookOutcome.failure("the notebook ended without a result")
                        nb.status = "failed"
            progress.show(runs)
            stop.check()
            if time.monotonic() > deadline:
                late = NotebookOutcome.failure(f"stopped: the whole run exceeded {run_timeout} s")
                with lock:
                    queue.clear()
                for nb in runs:
                    if nb.status in ("running", "queued"):
                        _end_kernel(nb.thread)
                        nb.status, nb.outcome = "failed", late
                break
            time.sleep(POLL_SECONDS)
    except BaseException:  # Ctrl-C, a stop request, or a failure of the runner itself
        interrupted = True
        raise
    finally:
        with lock:
            queue.clear()  # no worker starts another notebook
        ended = []
        for nb in runs:
            if nb.status in ("running", "queued"):
                if nb.status == "running" and _end_kernel(nb.thread):
                    ended.append(nb.name)
                nb.status = "stopped" if interrupted else "failed"
                nb.outcome = nb.outcome or NotebookOutcome.failure("stopped: the run was interrupted")
        for worker in workers:  # a kernel between two notebooks
            _end_kernel(worker)
        # A killed kernel ends its thread within a few seconds; an interrupted run does not wait
        # long for it (the partial folder is removed whatever the thread still tries to write).
        patience = time.monotonic() + (2 if interrupted else 10)
        for worker in workers:
            worker.join(timeout=max(0.0, patience - time.monotonic()))
        progress.show(runs)
        progress.close()
        if interrupted and ended:
            progress.say(f"stopped the kernels of {', '.join(ended)}")
