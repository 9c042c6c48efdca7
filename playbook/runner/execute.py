"""Execute one notebook with papermill; report how it ended (`NotebookOutcome`).

The runner calls `execute` from its worker threads, so papermill and nbconvert are imported once
per run rather than once per notebook. Each kernel is a process of its own (its own process
group), started by a kernel manager the runner can find (`KERNELS`), so a hung or interrupted run
can stop every kernel it started. A worker reuses its kernel for the next notebook: the
namespace is cleared first (`fresh_namespace`), so a notebook sees exactly what a new kernel
would show it, without paying for a new process and its imports.
"""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.exceptions import PapermillExecutionError
from papermill.execute import ERROR_MARKER_TAG

# thread id -> the kernel manager that thread's notebook started (the runner stops kernels by it)
KERNELS: dict[int, AsyncKernelManager] = {}


class TrackedKernelManager(AsyncKernelManager):
    """A kernel manager that records itself under the thread that created it.

    Its kernel's own log (start-up warnings, not the notebook's output, which papermill records
    in the executed notebook) is discarded rather than mixed into the run's progress display.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        KERNELS[threading.get_ident()] = self

    async def start_kernel(self, **kwargs):
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        return await super().start_kernel(**kwargs)


@dataclass(frozen=True, kw_only=True)
class NotebookOutcome:
    """How one notebook's execution ended. Made only by `success()` and `failure(...)`."""

    ok: bool
    cell: int | None = None  # failing code cell, numbered as in the source notebook
    line: str | None = None  # its first line
    error: str | None = None
    errno: int | None = None  # set when the file system failed it (a full disk), not the notebook

    @classmethod
    def success(cls) -> NotebookOutcome:
        return cls(ok=True)

    @classmethod
    def failure(
        cls, error: str, *, cell: int | None = None, line: str | None = None, errno: int | None = None
    ) -> NotebookOutcome:
        return cls(ok=False, cell=cell, line=line, error=error, errno=errno)


def kernel_pid(thread_id: int) -> int | None:
    """The process id of the kernel a thread's notebook runs on (None before it starts or after it ends)."""
    manager = KERNELS.get(thread_id)
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    return None if process is None or process.poll() is not None else process.pid


def source_cell(executed: Path, cell_index: int) -> tuple[int, str]:
    """The failing cell as a person finds it in the source notebook: its code-cell number
    (papermill's injected-parameters cell not counted) and its first line."""
    cells = [  # without the error banner papermill puts on top of a failed notebook
        c
        for c in nbformat.read(executed, as_version=4).cells
        if ERROR_MARKER_TAG not in c.metadata.get("tags", [])
    ][: cell_index + 1]
    code = [
        c for c in cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
    ]
    first_line = next((line for line in code[-1].source.splitlines() if line.strip()), "") if code else ""
    return len(code), first_line


# What a reused kernel runs before its next notebook: no variable of the last one survives, the
# execution count starts again at 1, open figures are closed; imported modules stay loaded.
RESET_CODE = (
    "get_ipython().reset(new_session=True, aggressive=False)\n"
    "import sys\n"
    "if 'matplotlib.pyplot' in sys.modules:\n"
    "    sys.modules['matplotlib.pyplot'].close('all')\n"
)


def started_kernel(cwd: Path) -> TrackedKernelManager:
    """A kernel for this thread's notebooks, working in `cwd` (a run's partial folder, where its
    stored results are). Started here rather than by papermill, whose own `cwd` changes the whole
    process's working folder — not something two threads may do at once."""
    km = TrackedKernelManager(kernel_name="python3")
    # As nbclient starts its kernels: no IPython history written to disk.
    run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
    return km


def fresh_namespace(km: TrackedKernelManager, *, timeout: int = 60) -> None:
    """Clear the namespace of a kernel that already ran a notebook, as if it had just started."""
    client = km.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
        reply = client.execute_interactive(
            RESET_CODE, store_history=False, timeout=timeout, output_hook=lambda _msg: None
        )
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the kernel could not be reset: {reply['content'].get('evalue', '')}")


def execute(
    source: Path,
    target: Path,
    parameters: dict,
    *,
    cell_timeout: int,
    km: TrackedKernelManager | None = None,
    fresh: bool = False,
) -> NotebookOutcome:
    """Run `source` into `target`; return success, or the failing code cell and error (and `errno`
    when the error was the file system's, such as a full disk).

    With `km` (this thread's kernel, `started_kernel`), its kernel is used — cleared first when
    `fresh` (it ran a notebook before); without, a kernel is started for this notebook alone.
    """
    try:
        if km is not None and fresh:
            fresh_namespace(km)
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=cell_timeout,
            **({"km": km} if km is not None else {"kernel_manager_class": TrackedKernelManager}),
        )
        reproducible(target)
    except PapermillExecutionError as exc:
        reproducible(target)
        number, first_line = source_cell(target, exc.cell_index)
        return NotebookOutcome.failure(f"{exc.ename}: {exc.evalue}", cell=number, line=first_line)
    except Exception as exc:  # kernel died or was stopped, cell timeout, unreadable notebook, full disk
        return NotebookOutcome.failure(f"{type(exc).__name__}: {exc}", errno=getattr(exc, "errno", None))
    finally:
        if km is None:
            KERNELS.pop(threading.get_ident(), None)
    return NotebookOutcome.success()


def strip_run_metadata(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what differs between two executions of the same notebook on the same inputs: execution
    timestamps and durations, and the random id papermill gives the parameters cell it injects."""
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
    return notebook


def reproducible(executed: Path) -> None:
    """Rewrite an executed notebook without what differs between runs (`strip_run_metadata`)."""
    nbformat.write(strip_run_metadata(nbformat.read(executed, as_version=4)), executed)


def cells_done(executed: Path) -> tuple[int, int]:
    """(finished, total) code cells of a notebook papermill is writing; (0, 0) if unreadable yet."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):  # not written yet, or caught mid-write
        return 0, 0
    code = [c for c in cells if c.get("cell_type") == "code"]
    done = sum(c.get("metadata", {}).get("papermill", {}).get("status") == "completed" for c in code)
    return done, len(code)
