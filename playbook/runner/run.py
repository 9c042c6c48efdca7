"""The runner: load the data once, compute every section once, execute the notebooks, write a run.

A run is built in a hidden partial folder and renamed into place only when complete, so an
interrupted run leaves nothing half-written and an earlier run is never touched. The notebooks
run in parallel, each on its own kernel, driven from one thread each of this process.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from playbook import NOTEBOOKS_DIR, PROJECT_ROOT
from playbook.data import load_dataset
from playbook.data.locate import resolve_data_dir
from playbook.runner import stop
from playbook.runner.diff import changes, previous_run, read_summary, run_number
from playbook.runner.execute import cells_done, execute, kernel_pid
from playbook.runner.params import Params, ParamsError
from playbook.runner.render import board_pack_html, key_chart, notebook_html, notebook_title, slides_html
from playbook.runner.results import SECTIONS, assess_all, save_results
from playbook.runner.summary import section_headline, section_verdict_text, summary_of, worded_notes
from playbook.views.board import headline_figures
from playbook.views.notes import change_text, note_text, set_aside_text
from playbook.views.penetration import crm_csv, crm_ready_accounts

DEFAULT_OUT = PROJECT_ROOT / "reports"
# One notebook more than there are cores: a kernel's start-up waits on I/O, so this keeps every
# core busy.
DEFAULT_JOBS = (os.cpu_count() or 1) + 1
POLL_SECONDS = 0.2
RESULTS_FILE = ".results.pkl"
READY_ACCOUNTS_FILE = "ready_accounts.csv"  # the ready accounts, shaped for a CRM import


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
    cell: int | None = None  # failing code cell, numbered as in the source notebook
    line: str | None = None  # its first line
    error: str | None = None
    errno: int | None = None  # set when the file system failed it (a full disk), not the notebook
    thread: threading.Thread | None = field(default=None, repr=False)
    outcome: dict | None = field(default=None, repr=False)


class OutputError(OSError):
    """The run cannot be written where asked (a full disk, a read-only or unwritable place)."""


# Errors of the place a run is written to, and what to do about each.
OUTPUT_ERRNOS = {
    errno.ENOSPC: "the disk is full: free some space or choose another --out",
    errno.EDQUOT: "the disk quota is used up: free some space or choose another --out",
    errno.EROFS: "it is on a read-only file system: choose a writable --out",
    errno.EACCES: "permission denied: choose a folder you may write to with --out",
    errno.EPERM: "permission denied: choose a folder you may write to with --out",
}


def _output_error(exc: OSError, where: Path) -> OutputError:
    path = exc.filename or where
    what = OUTPUT_ERRNOS.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"cannot write the run to {path}: {what}")


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


class Progress:
    """One status line for the whole run: each notebook's state and cells done."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.last = ""

    def say(self, text: str) -> None:
        """A step of the run before the notebooks start (loading, computing)."""
        self.stream.write(text + "\n")
        self.stream.flush()

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


def _execute_one(nb: NotebookRun, work: Path, parameters: dict, cell_timeout: int) -> None:
    """A worker thread: execute one notebook, then render it if it finished."""
    executed = work / f"{nb.name}.ipynb"
    outcome = execute(nb.source, executed, parameters, cell_timeout=cell_timeout)
    if outcome["ok"]:
        try:
            (work / f"{nb.name}.html").write_text(notebook_html(executed), encoding="utf-8")
        except Exception as exc:  # a notebook that cannot be rendered is not a finished report
            outcome = {
                "ok": False,
                "cell": None,
                "line": None,
                "error": f"rendering failed: {exc}",
                "errno": getattr(exc, "errno", None),
            }
    nb.outcome = outcome


def _stop(nb: NotebookRun) -> bool:
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
                nb.thread = threading.Thread(
                    target=_execute_one, args=(nb, work, parameters, cell_timeout), name=nb.name, daemon=True
                )
                nb.status = "running"
                nb.thread.start()
                running.append(nb)
            for nb in running:
                if not nb.thread.is_alive():
                    outcome = nb.outcome or {
                        "ok": False,
                        "cell": None,
                        "line": None,
                        "error": "the notebook ended without a result",
                    }
                    nb.status = "ok" if outcome["ok"] else "failed"
                    nb.cell, nb.line, nb.error = outcome["cell"], outcome["line"], outcome["error"]
                    nb.errno = outcome.get("errno")
                else:
                    nb.cells_done, nb.cells_total = cells_done(work / f"{nb.name}.ipynb")
            progress.show(runs)
            stop.check()
            if time.monotonic() > deadline:
                for nb in runs:
                    if nb.status in ("running", "queued"):
                        _stop(nb)
                        nb.status, nb.error = "failed", f"stopped: the whole run exceeded {run_timeout} s"
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
                nb.error = nb.error or "stopped: the run was interrupted"
            if _stop(nb):
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


def run_playbook(
    data_dir: str | Path | None = None,
    *,
    params: Params | None = None,
    out_dir: str | Path | None = None,
    only: list[str] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    jobs: int = DEFAULT_JOBS,
    cell_timeout: int = 600,
    run_timeout: int = 1800,
    progress: Progress | None = None,
) -> RunResult:
    """Validate the data, compute the results once, execute the notebooks, and write a new run folder.

    Raises DataError (bad input) or ParamsError (bad parameters) before any notebook runs and
    before anything is written.
    """
    params = params or Params()
    progress = progress or Progress()
    notebooks = select_notebooks(only, notebooks_dir)
    runs = [NotebookRun(p.stem, p, *_playbook_metadata(p)) for p in notebooks]
    data = resolve_data_dir(data_dir).resolve()
    progress.say(f"loading {data} ...")
    dataset = load_dataset(data, as_of=params.as_of, active_window_days=params.active_window_days)
    stop.check()  # DuckDB may have swallowed a stop request while it read the events
    for note in dataset.decoded:
        progress.say(note_text(note))
    for rule in dataset.set_aside:
        progress.say(f"as_of {dataset.as_of:%Y-%m-%d}: set aside {set_aside_text(rule)}")
    shown = [s for s in SECTIONS if any(s in nb.shows for nb in runs)]
    progress.say(f"computing {', '.join(shown) or 'nothing'} ...")
    results = assess_all(dataset, params, shown)
    stop.check()

    out = Path(out_dir or DEFAULT_OUT).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".partial-run-", dir=out))
    except OSError as exc:
        raise _output_error(exc, out) from None
    umask = os.umask(0)
    os.umask(umask)
    work.chmod(0o777 & ~umask)  # mkdtemp makes it private; a run folder is for sharing
    try:
        save_results(results, work / RESULTS_FILE)
        parameters = params.to_dict() | {"data_dir": str(data), "results_file": str(work / RESULTS_FILE)}
        execute_all(
            runs,
            work,
            parameters,
            jobs=jobs,
            cell_timeout=cell_timeout,
            run_timeout=run_timeout,
            progress=progress,
        )
        for nb in runs:  # a notebook that could not be written: the disk, not the notebook, failed
            if nb.errno in OUTPUT_ERRNOS:
                raise OSError(nb.errno, os.strerror(nb.errno), str(work / f"{nb.name}.ipynb"))
        (work / RESULTS_FILE).unlink()  # it holds unmasked data: never left in a run folder
        summary = summary_of(results, shown, run=_run_details(runs, dataset, data, params))
        sections = [_section_entry(nb, work, results) for nb in runs]
        earlier = previous_run(out, str(data))
        compared = (
            None
            if earlier is None
            else {
                "run": earlier.name,
                "changes": [
                    change_text(c.what, c.before, c.after) for c in changes(read_summary(earlier), summary)
                ],
            }
        )
        (work / "index.html").write_text(
            board_pack_html(
                summary, sections, _figures(results, shown), compared=compared, currency=params.currency
            ),
            encoding="utf-8",
        )
        (work / "slides.html").write_text(slides_html(summary, sections, compared=compared), encoding="utf-8")
        if "penetration" in shown:
            table = crm_ready_accounts(
                results.section("penetration"), dataset.account_map, show_pii=params.show_pii
            )
            (work / READY_ACCOUNTS_FILE).write_text(crm_csv(table), encoding="utf-8", newline="")
        (work / "summary.json").write_text(
            json.dumps(summary, indent=2, sort_keys=True, allow_nan=False) + "\n"
        )
        folder = _move_into_place(work, out, dataset.name)
    except BaseException as exc:
        _remove(work)
        if not isinstance(exc, Exception) or stop.requested():  # interrupted: say what became of the folders
            progress.say(f"removed the unfinished run folder {work}; earlier runs in {out} are untouched")
        if isinstance(exc, OSError):
            raise _output_error(exc, work) from None
        raise
    return RunResult(folder, tuple(runs))


def _remove(work: Path) -> None:
    """Remove a partial run folder, even while a stopped notebook's thread still writes into it."""
    for _ in range(10):
        shutil.rmtree(work, ignore_errors=True)
        if not work.exists():
            return
        time.sleep(0.1)


def _figures(results, shown: list[str]) -> list[dict]:
    """The board pack's headline figures, when the run showed every section (a whole run)."""
    if not set(SECTIONS) <= set(shown):
        return []
    return headline_figures(
        results.timing,
        results.penetration,
        results.enterprise_demand,
        results.leaders,
        results.compensation,
        currency=results.params.currency,
    )


def _section_entry(nb: NotebookRun, work: Path, results) -> dict:
    """What the board pack and the slides show for one notebook."""
    executed = work / f"{nb.name}.ipynb"
    section = nb.section
    return {
        "name": nb.name,
        "title": notebook_title(nbformat.read(nb.source, as_version=4), nb.name),
        "html": f"{nb.name}.html" if nb.status == "ok" else None,
        "notebook": executed.name,
        "status": nb.status,
        "verdict": section_verdict_text(results, section) if section else "done",
        "headline": section_headline(results, section) if section else None,
        "cell": nb.cell,
        "line": nb.line,
        "error": nb.error,
        "chart": key_chart(executed) if nb.status == "ok" else None,
    }


def _run_details(runs: list[NotebookRun], dataset, data: Path, params: Params) -> dict:
    return {
        "data_dir": str(data),
        "data_name": dataset.name,
        "as_of": dataset.as_of.strftime("%Y-%m-%d"),
        "parameters": params.changed(),
        "notes": worded_notes(dataset.notes, currency=params.currency),
        "set_aside": [s.to_dict() | {"text": set_aside_text(s)} for s in dataset.set_aside],
        "notebooks": {
            nb.name: {"status": nb.status, "cell": nb.cell, "line": nb.line, "error": nb.error} for nb in runs
        },
    }
