"""Run folders: numbered after the highest earlier run, moved into place without touching one, and
an unwritable place reported with the path and what to do."""

from __future__ import annotations

import errno
import os

import pytest

from playbook.runner.folder import OutputError, move_into_place, next_run_folder, output_error, partial_folder


def test_the_next_run_is_numbered_after_the_highest_whatever_its_data(tmp_path):
    for name in ("run-002-ready", "run-010-early", "notes"):
        (tmp_path / name).mkdir()
    assert next_run_folder(tmp_path, "my data!").name == "run-011-my-data"
    assert next_run_folder(tmp_path / "empty", "...").name == "run-001-data"


def test_a_finished_run_moves_into_place_and_leaves_earlier_runs_alone(tmp_path):
    earlier = tmp_path / "run-001-ready"
    earlier.mkdir()
    (earlier / "summary.json").write_text("{}")
    work = partial_folder(tmp_path)
    assert work.name.startswith(".partial-run-")
    (work / "summary.json").write_text('{"new": true}')
    folder = move_into_place(work, tmp_path, "ready")
    assert folder.name == "run-002-ready" and not work.exists()
    assert (folder / "summary.json").read_text() == '{"new": true}'
    assert (earlier / "summary.json").read_text() == "{}"


@pytest.mark.parametrize(
    "code, says",
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "read-only file system"),
        (errno.EIO, os.strerror(errno.EIO)),
    ],
)
def test_an_output_error_names_the_path_and_what_to_do(tmp_path, code, says):
    failed = OSError(code, os.strerror(code), str(tmp_path / "index.html"))
    error = output_error(failed, tmp_path)
    assert isinstance(error, OutputError)
    assert str(error).startswith(f"cannot write the run to {tmp_path / 'index.html'}: ") and says in str(
        error
    )
    unnamed = output_error(OSError(code, os.strerror(code)), tmp_path)  # no file named: the place is
    assert str(unnamed).startswith(f"cannot write the run to {tmp_path}: ")
