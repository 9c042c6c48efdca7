"""Execute one notebook with papermill; report how it ended (`NotebookOutcome`).

The runner calls `execute` from one thread per notebook, so papermill and nbconvert are imported
once per run rather than once per notebook. Each kernel is a process of its own (its own
process group), started by a kernel manager the runner can find (`KERNELS`), so a hung or
interrupted run can stop every kernel it started.
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


def execute(source: Path, target: Path, parameters: dict, *, cell_timeout: int) -> NotebookOutcome:
    """Run `source` into `target`; return success, or the failing code cell and error (and `errno`
    when the error was the file system's, such as a full disk)."""
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=cell_timeout,
            kernel_manager_class=TrackedKernelManager,
        )
    except PapermillExecutionError as exc:
        number, first_line = source_cell(target, exc.cell_index)
        return NotebookOutcome.failure(f"{exc.ename}: {exc.evalue}", cell=number, line=first_line)
    except Exception as exc:  # kernel died or was stopped, cell timeout, unreadable notebook, full disk
        return NotebookOutcome.failure(f"{type(exc).__name__}: {exc}", errno=getattr(exc, "errno", None))
    finally:
        KERNELS.pop(threading.get_ident(), None)
    return NotebookOutcome.success()


def cells_done(executed: Path) -> tuple[int, int]:
    """(finished, total) code cells of a notebook papermill is writing; (0, 0) if unreadable yet."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):  # not written yet, or caught mid-write
        return 0, 0
    code = [c for c in cells if c.get("cell_type") == "code"]
    done = sum(c.get("metadata", {}).get("papermill", {}).get("status") == "completed" for c in code)
    return done, len(code)
