"""Run folders: the next name, the hidden partial folder a run is built in, the atomic move into
place, removal, and the errors of the place a run is written to.

A run is built in a hidden partial folder and renamed into place only when complete, so an
interrupted run leaves nothing half-written and an earlier run is never touched.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from playbook import PROJECT_ROOT
from playbook.runner.diff import run_number

DEFAULT_OUT = PROJECT_ROOT / "reports"


class OutputError(OSError):
    """The run cannot be written where asked (a full disk, a read-only or unwritable place)."""


# Errors of the place a run is written to, and what to do about each.
OUTPUT_ERRORS = {
    errno.ENOSPC: "the disk is full: free some space or choose another --out",
    errno.EDQUOT: "the disk quota is used up: free some space or choose another --out",
    errno.EROFS: "it is on a read-only file system: choose a writable --out",
    errno.EACCES: "permission denied: choose a folder you may write to with --out",
    errno.EPERM: "permission denied: choose a folder you may write to with --out",
}


def output_error(exc: OSError, where: Path) -> OutputError:
    """The error to report when writing the run at `where` failed with `exc`: the path and what to do."""
    path = exc.filename or where
    what = OUTPUT_ERRORS.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"cannot write the run to {path}: {what}")


def partial_folder(out: Path) -> Path:
    """A new hidden folder under `out` (made if need be) to build a run in, shared as the umask allows."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".partial-run-", dir=out))
    except OSError as exc:
        raise output_error(exc, out) from None
    umask = os.umask(0)
    os.umask(umask)
    work.chmod(0o777 & ~umask)  # mkdtemp makes it private; a run folder is for sharing
    return work


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "data"


def next_run_folder(out: Path, data_name: str) -> Path:
    """reports/run-007-ready: numbered after the highest existing run, whatever its data."""
    highest = max((run_number(p) for p in out.glob("run-*")), default=0)
    return out / f"run-{highest + 1:03d}-{_slug(data_name)}"


def move_into_place(work: Path, out: Path, data_name: str) -> Path:
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


def remove(work: Path) -> None:
    """Remove a partial run folder, even while a stopped notebook's thread still writes into it."""
    for _ in range(10):
        shutil.rmtree(work, ignore_errors=True)
        if not work.exists():
            return
        time.sleep(0.1)
