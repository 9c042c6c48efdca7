"""How long each run of the workshop takes on this machine: the durations in docs/workshop.md.

`.venv/bin/python benchmarks/bench_workshop.py` runs every `playbook run` command of the workshop
that has an expected answer (the four baselines of block 1 and each exercise's command) as a
participant types it, three times, under `/usr/bin/time -f "%e %U %S"`; each time in a fresh
scratch folder holding the YAML files the document shows (so `--params ex1.yaml` and
`--out reports/ex1` mean what they mean in the workshop). It prints a Markdown table of the medians
with the load average around the runs; `--write` puts the table in docs/workshop.md, between
`<!-- workshop-durations -->` and `<!-- /workshop-durations -->`. About ten minutes on two cores.

The document is read here, once (`read_workshop`), and tests/test_workshop.py reads it the same
way: the runs timed are the runs the test checks.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from playbook import PROJECT_ROOT

WORKSHOP = PROJECT_ROOT / "docs" / "workshop.md"
PLAYBOOK = ".venv/bin/playbook"  # as participants type it, from the project folder
TIME_FORMAT = "%e %U %S"  # wall, user and system seconds of the command and the processes it waited for
MARKERS = ("<!-- workshop-durations -->\n", "<!-- /workshop-durations -->")

FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
EXPECTED = re.compile(r"^Expected(?: for `--data (?P<data>[\w-]+)`)?: (?P<pairs>.*)$", re.M)
PAIR = re.compile(r"`([\w.]+)` = `([^`]*)`")


@dataclass(frozen=True, kw_only=True)
class Run:
    """One `playbook run` command of the workshop and the answers its summary.json must hold."""

    block: str  # the '## ' heading it sits under, e.g. 'Block 2: timing'
    title: str  # the exercise's '### ' heading, or 'baseline: early' for a block's own runs
    argv: tuple[str, ...]  # the command as typed, split as the shell splits it
    expected: dict[str, str]  # summary.json path -> value as printed in the document

    @property
    def option(self) -> dict[str, str]:
        """The command's single-valued options, e.g. {'--data': 'early', '--params': 'ex1.yaml'}."""
        args = self.argv[2:]
        return {a: b for a, b in zip(args, args[1:], strict=False) if a.startswith("--") and a != "--only"}


@dataclass(frozen=True, kw_only=True)
class Section:
    """A '## ' block or a '### ' exercise of the document, with its text up to the next heading."""

    block: str
    title: str | None  # None for the block's own text (before its first exercise)
    text: str

    def fenced(self, language: str) -> list[str]:
        return [body for lang, body in FENCE.findall(self.text) if lang == language]

    def commands(self) -> list[tuple[str, ...]]:
        """Every command line of the section's bash blocks, split as the shell splits it."""
        lines = [line for body in self.fenced("bash") for line in body.splitlines()]
        return [tuple(words) for words in (shlex.split(line, comments=True) for line in lines) if words]

    def runs(self) -> list[Run]:
        """The section's `playbook run` commands that carry an expected answer."""
        runs = [c for c in self.commands() if c[:2] == (PLAYBOOK, "run")]
        found = []
        for match in EXPECTED.finditer(self.text):
            if match.group("data"):
                chosen = [c for c in runs if _data_of(c) == match.group("data")]
                title = f"baseline: {match.group('data')}"
            else:
                chosen, title = runs, self.title or self.block
            if len(chosen) != 1:
                raise ValueError(
                    f"{self.title or self.block}: {match.group(0)!r} matches {len(chosen)} commands"
                )
            found.append(
                Run(
                    block=self.block,
                    title=title,
                    argv=chosen[0],
                    expected=dict(PAIR.findall(match.group("pairs"))),
                )
            )
        return found


def _data_of(argv: tuple[str, ...]) -> str | None:
    return argv[argv.index("--data") + 1] if "--data" in argv else None


def read_workshop(path: Path = WORKSHOP) -> list[Section]:
    """The document's blocks and exercises, in order."""
    sections: list[Section] = []
    block, title, lines = "", None, []

    def close():
        if block:
            sections.append(Section(block=block, title=title, text="\n".join(lines)))

    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        in_fence = in_fence != line.startswith("```")
        if not in_fence and line.startswith("## "):
            close()
            block, title, lines = line[3:].strip(), None, []
        elif not in_fence and line.startswith("### "):
            close()
            title, lines = line[4:].strip(), []
        else:
            lines.append(line)
    close()
    return sections


def yaml_files(sections: list[Section]) -> dict[str, str]:
    """The YAML blocks that name their file on the first line (`# ex1.yaml`), by file name."""
    files: dict[str, str] = {}
    for section in sections:
        for body in section.fenced("yaml"):
            first = body.splitlines()[0]
            match = re.fullmatch(r"# ([\w.-]+\.yaml)", first)
            if match:
                if match.group(1) in files:
                    raise ValueError(f"two YAML blocks are named {match.group(1)}")
                files[match.group(1)] = body
    return files


def workshop_runs(sections: list[Section]) -> list[Run]:
    return [run for section in sections for run in section.runs()]


def timed(run: Run, files: dict[str, str]) -> tuple[float, float, float]:
    """Wall, user and system seconds of one run, in a fresh scratch folder (`/usr/bin/time`)."""
    with tempfile.TemporaryDirectory(prefix="workshop-") as folder:
        for name, body in files.items():
            (Path(folder) / name).write_text(body, encoding="utf-8")
        report = Path(folder) / "time.txt"
        command = [str(PROJECT_ROOT / PLAYBOOK), *run.argv[1:]]
        done = subprocess.run(
            ["/usr/bin/time", "-f", TIME_FORMAT, "-o", str(report), *command],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{shlex.join(run.argv)} failed:\n{done.stderr[-2000:]}")
        wall, user, system = map(float, report.read_text().split()[-3:])
        return wall, user, system


def durations_table(rows: list[tuple[Run, list[tuple[float, float, float]]]], loads: list[float]) -> str:
    """The Markdown the document holds: medians per run, a total per block, and the load around them."""
    repeats = len(rows[0][1]) if rows else 0
    lines = [
        f'Median of {repeats} runs of each command as typed (`/usr/bin/time -f "{TIME_FORMAT}"`), on a '
        f"machine with {os.cpu_count()} cores shared with other work: load average (1 minute) "
        f"{min(loads):.1f}–{max(loads):.1f} while measuring. Regenerate with "
        "`.venv/bin/python benchmarks/bench_workshop.py --write`.",
        "",
        "| block | run | wall seconds | CPU seconds (user + system) |",
        "|---|---|---:|---:|",
    ]
    blocks: dict[str, list[float]] = {}
    for run, times in rows:
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] + t[2] for t in times)
        blocks.setdefault(run.block, []).append(wall)
        lines.append(f"| {run.block} | {run.title} | {wall:.1f} | {cpu:.1f} |")
    lines.append("")
    lines.append(
        "Waiting per participant, per block (the sum of its runs' medians): "
        + "; ".join(f"{block} {sum(walls):.0f} s" for block, walls in blocks.items())
        + "."
    )
    return "\n".join(lines) + "\n"


def with_table(text: str, table: str) -> str:
    start, end = MARKERS
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(f"docs/workshop.md needs exactly one {start.strip()} ... {end} pair")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return head + start + table + end + tail


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Time the workshop's runs (docs/workshop.md).")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (default 3)")
    parser.add_argument("--write", action="store_true", help="put the table in docs/workshop.md")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    sections = read_workshop()
    files, runs = yaml_files(sections), workshop_runs(sections)
    rows, loads = [], [os.getloadavg()[0]]
    for run in runs:
        times = []
        for _ in range(args.repeat):
            times.append(timed(run, files))
            loads.append(os.getloadavg()[0])
        print(f"{run.block} · {run.title}: " + ", ".join(f"{w:.1f}" for w, _, _ in times), file=sys.stderr)
        rows.append((run, times))
    table = durations_table(rows, loads)
    print(table)
    if args.write:
        WORKSHOP.write_text(with_table(WORKSHOP.read_text(encoding="utf-8"), table), encoding="utf-8")
        print(f"{WORKSHOP.relative_to(PROJECT_ROOT)}: workshop-durations", file=sys.stderr)


if __name__ == "__main__":
    main()
