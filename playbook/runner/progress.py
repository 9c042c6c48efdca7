"""The run's progress display: one status line for the whole run, each notebook's state and cells
done; rewritten in place on a terminal, one line per change in a log."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playbook.runner.schedule import NotebookRun


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
