"""Stop requests from outside: a real `playbook run` process, stopped while its notebook kernels
run, ends every kernel, removes its partial folder, leaves earlier runs alone and exits 130/143."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playbook import PROJECT_ROOT
from tests.test_cli import earlier_run, folder_digest


def kernels_of(pid: int) -> list[int]:
    """The notebook kernels a process started: its children running ipykernel."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"ipykernel" in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_request_ends_kernels_and_leaves_no_partial_folder(tmp_path, signum, code):
    out = tmp_path / "reports"
    earlier, before = earlier_run(out)

    runner = subprocess.Popen(
        [sys.executable, "-m", "playbook", "run", "--out", str(out)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        kernels: list[int] = []
        while time.monotonic() < deadline and runner.poll() is None:
            kernels = kernels_of(runner.pid)
            if len(kernels) >= 2 and list(out.glob(".partial-run-*")):
                break
            time.sleep(0.1)
        assert kernels, "the run never started its kernels"
        time.sleep(0.5)  # let the kernels get into their notebooks
        kernels = kernels_of(runner.pid)
        asked = time.monotonic()
        runner.send_signal(signum)
        _, stderr = runner.communicate(timeout=30)
        took = time.monotonic() - asked
    finally:
        if runner.poll() is None:
            runner.kill()

    assert runner.returncode == code, stderr
    assert took < 5, f"the run took {took:.1f} s to stop"
    assert "Traceback" not in stderr
    assert "stopped the kernels of" in stderr and "removed the unfinished run folder" in stderr
    assert "no run folder was written" in stderr
    time.sleep(0.5)
    assert not [pid for pid in kernels if alive(pid)], "kernels outlived the run"
    assert sorted(p.name for p in out.iterdir()) == ["run-001-ready"]
    assert folder_digest(earlier) == before


@pytest.mark.parametrize("delay", [0.0, 0.4, 0.8, 1.2, 1.6, 2.0])
def test_a_stop_request_during_loading_exits_cleanly(tmp_path, delay):
    """Stopped before any notebook started, at several moments of loading and computing (DuckDB,
    which checks for signals itself while it aggregates the events, used to swallow the request
    or turn it into its own error): nothing was written, the exit status says why."""
    out = tmp_path / "reports"
    runner = subprocess.Popen(
        [sys.executable, "-m", "playbook", "run", "--data", "late", "--out", str(out), "--only", "timing"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in runner.stderr:  # the handler is in place once the runner says it is loading
        if line.startswith("loading"):
            break
    time.sleep(delay)
    runner.send_signal(signal.SIGTERM)
    _, stderr = runner.communicate(timeout=30)
    assert runner.returncode == 143, stderr
    assert "stopped (SIGTERM): no run folder was written." in stderr
    assert "Traceback" not in stderr
    assert not out.exists() or not any(out.iterdir())
