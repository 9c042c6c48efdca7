"""docs/workshop.md as a participant follows it: every run gives the answers the page states, every
file and section it names exists, every command parses with the real parsers, every YAML block is
a valid parameters file, and the measured durations cover every run.

The page is read by benchmarks/bench_workshop.py (`read_workshop`), the script that times the same
runs, so the runs checked here are the runs timed there.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path

import pytest
import yaml

from playbook import NOTEBOOKS_DIR, PROJECT_ROOT
from playbook.data.locate import resolve_data_dir
from playbook.runner.cli import _parser, main
from playbook.runner.params import Params
from playbook.runner.schedule import select_notebooks


def bench_script():
    spec = importlib.util.spec_from_file_location(
        "bench_workshop", PROJECT_ROOT / "benchmarks" / "bench_workshop.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


BENCH = bench_script()
SECTIONS = BENCH.read_workshop()
RUNS = BENCH.workshop_runs(SECTIONS)
YAML_FILES = BENCH.yaml_files(SECTIONS)
EXERCISES = [s for s in SECTIONS if s.title and s.block.startswith("Block")]
TEXT = BENCH.WORKSHOP.read_text(encoding="utf-8")
# `reports/ex1/run-001-early/01_timing.html` § *ARR against the top-down band*
LOOK_AT = re.compile(r"`(reports/[\w.-]+/run-\d{3}-[\w-]+/[\w.-]+)`(?: § \*([^*]+)\*)?")
MORE_SECTIONS = re.compile(r"; § \*([^*]+)\*")


def lookup(summary: dict, path: str):
    """`a.b.0.c` -> summary['a']['b'][0]['c']."""
    value: object = summary
    for step in path.split("."):
        value = value[int(step)] if isinstance(value, list) else value[step]
    return value


def matches(value, printed: str) -> bool:
    """A number equals the figure printed to the digits printed (a decimal figure within one unit
    of its last digit: forecasts and intervals come from optimisers whose last digit another
    machine's floating point can move); anything else as its text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = len(printed.partition(".")[2])
        return value == pytest.approx(float(printed), abs=10**-decimals if decimals else 0.5)
    return str(value) == printed


def headings(path: Path) -> set[str]:
    """The text of an HTML page's headings, whitespace collapsed (nbconvert's pilcrow anchors dropped)."""
    found = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", path.read_text(encoding="utf-8"), re.S)
    return {" ".join(html.unescape(re.sub(r"<[^>]+>", " ", h)).replace("¶", " ").split()) for h in found}


def named_files(text: str, run_folder: str) -> dict[str, list[str]]:
    """Files under `run_folder` that `text` names in its bullets, each with the sections named after
    it (`file` § *A*: ...; § *B*), a bullet that starts "the same page" naming more of the last file's."""
    found: dict[str, list[str]] = {}
    last = None
    for bullet in re.split(r"\n(?=- )", text):
        bullet = " ".join(bullet.split())
        mine = [m for m in LOOK_AT.finditer(bullet) if m.group(1).startswith(run_folder + "/")]
        for match in mine:
            last = match.group(1)[len(run_folder) + 1 :]
            rest = bullet[match.end() :].split("`reports/")[0]
            found.setdefault(last, []).extend([match.group(2)] if match.group(2) else [])
            found[last].extend(MORE_SECTIONS.findall(rest))
        if not mine and bullet.startswith("- the same page") and last is not None:
            found[last].extend(re.findall(r"§ \*([^*]+)\*", bullet))
    return found


def section_of(run) -> str:
    return next(s.text for s in SECTIONS if run in s.runs())


# --- the page's structure


def test_the_workshop_has_an_agenda_exercises_and_durations():
    assert "## Agenda" in TEXT and "| time | block |" in TEXT
    assert len(EXERCISES) >= 10
    for exercise in EXERCISES:
        assert len(exercise.runs()) == 1, exercise.title
        assert exercise.runs()[0].expected, exercise.title
        assert "**Look at**" in exercise.text and "**Facilitator notes.**" in exercise.text, exercise.title


def test_every_exercise_is_on_the_agenda_in_its_block():
    """The agenda's 'exercises' cell of each block lists exactly the numbers of its exercises."""
    agenda = {
        block: {n.strip() for n in numbers.split(",")}
        for block, numbers in re.findall(r"^\| [\d:–]+ \| \[([^\]]+)\]\([^)]*\) \| ([\d, ]+) \|", TEXT, re.M)
    }
    blocks: dict[str, set[str]] = {}
    for exercise in EXERCISES:
        blocks.setdefault(exercise.block, set()).add(exercise.title.split(".")[0])
    assert agenda == blocks


def test_the_durations_table_covers_every_run_in_order():
    """Rerun `benchmarks/bench_workshop.py --write` when a run is added, renamed or moved."""
    body = TEXT.split(BENCH.MARKERS[0])[1].split(BENCH.MARKERS[1])[0]
    rows = [line.split("|")[1:-1] for line in body.splitlines() if re.match(r"\| Block", line)]
    assert [(block.strip(), run.strip()) for block, run, *_ in rows] == [(r.block, r.title) for r in RUNS]
    for *_, wall, cpu in rows:
        assert float(wall) > 0 and float(cpu) > 0
    assert "load average" in body


# --- commands and parameters, as written


def commands() -> list[tuple[str, ...]]:
    return [c for s in SECTIONS for c in s.commands()]


def makefile() -> str:
    return (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")


def run_folders() -> dict[tuple[str, str], int]:
    """(out, data) -> how many runs the page writes there: run-001 ... run-00N exist after them."""
    folders: dict[tuple[str, str], int] = {}
    for command in commands():
        if command[:2] == (BENCH.PLAYBOOK, "run"):
            args = _parser().parse_args(list(command[1:]))
            key = (args.out, Path(resolve_data_dir(args.data)).name)
            folders[key] = folders.get(key, 0) + 1
    return folders


@pytest.mark.parametrize("command", commands(), ids=shlex.join)
def test_every_command_parses(command):
    """Each command is one a participant can type: the playbook's own parser accepts it and the
    names it uses exist; make targets and variables are the Makefile's; scripts exist."""
    program, *args = command
    if program == BENCH.PLAYBOOK:
        parsed = _parser().parse_args(args)
        if parsed.command == "run":
            assert resolve_data_dir(parsed.data).is_dir(), parsed.data
            assert parsed.params is None or parsed.params in YAML_FILES, (
                f"no YAML block named {parsed.params}"
            )
            assert select_notebooks(parsed.only)  # an unknown --only name raises ParamsError
            assert parsed.out and parsed.out.startswith("reports/"), "every run writes under reports/"
        if parsed.command == "diff":
            for folder in (parsed.run_a, parsed.run_b):
                out, _, name = folder.rpartition("/")
                number, data = re.fullmatch(r"run-(\d{3})-([\w-]+)", name).groups()
                assert 1 <= int(number) <= run_folders().get((out, data), 0), folder
    elif program == "make":
        target, *variables = args
        assert re.search(rf"^{re.escape(target)}:", makefile(), re.M), target
        for variable in variables:
            assert re.search(rf"^{variable.split('=')[0]}\s*\?=", makefile(), re.M), variable
    elif program == "cp":
        assert args[0] == "-r" and (PROJECT_ROOT / args[1]).is_dir() and args[2].startswith("reports/")
    elif program == ".venv/bin/python":
        assert args[0] == "benchmarks/bench_workshop.py"
        BENCH.parser().parse_args(args[1:])
    else:
        pytest.fail(f"the test does not know how to check {program!r}")


@pytest.mark.parametrize("name", sorted(YAML_FILES))
def test_every_yaml_block_is_a_valid_parameters_file(name, tmp_path):
    path = tmp_path / name
    path.write_text(YAML_FILES[name])
    params = Params.from_yaml(path)
    assert params.changed(), f"{name} changes no parameter"


def test_every_yaml_block_names_its_file():
    blocks = [body for s in SECTIONS for body in s.fenced("yaml")]
    assert len(blocks) == len(YAML_FILES)


def test_the_jupyterlab_route_sets_the_same_parameters_as_the_command():
    """A notebook's parameters cell with the page's Python lines gives the exercise's YAML parameters."""
    routes = [s for s in EXERCISES if s.fenced("python")]
    assert routes
    for exercise in routes:
        namespace: dict = {}
        for body in exercise.fenced("python"):
            exec(body, namespace)  # the line a participant pastes into the parameters cell
        run = exercise.runs()[0]
        from_yaml = Params.from_mapping(yaml.safe_load(YAML_FILES[run.option["--params"]]))
        assert Params.from_namespace(namespace) == from_yaml, exercise.title


def test_every_notebook_and_run_folder_named_exists():
    for notebook in set(re.findall(r"`(\d\d_\w+\.ipynb)`", TEXT)):
        assert (NOTEBOOKS_DIR / notebook).is_file(), notebook
    folders = run_folders()
    for path, _ in LOOK_AT.findall(TEXT):
        out, name = re.match(r"(reports/[\w.-]+)/(run-\d{3}-[\w-]+)/", path).groups()
        number, data = re.fullmatch(r"run-(\d{3})-([\w-]+)", name).groups()
        assert 1 <= int(number) <= folders.get((out, data), 0), path


# --- the runs


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.title)
def test_each_run_gives_its_expected_answers(run, tmp_path, monkeypatch):
    """The command as typed, in a folder holding the page's YAML files: its summary.json holds
    the answers, and the files and sections the page tells participants to look at exist."""
    for name, body in YAML_FILES.items():
        (tmp_path / name).write_text(body)
    monkeypatch.chdir(tmp_path)
    assert main(list(run.argv[1:])) == 0
    out, data = run.option["--out"], Path(resolve_data_dir(run.option["--data"])).name
    folder = tmp_path / out / f"run-001-{data}"
    summary = json.loads((folder / "summary.json").read_text())
    for path, printed in run.expected.items():
        assert matches(lookup(summary, path), printed), (run.title, path, lookup(summary, path))
    named = named_files(section_of(run), f"{out}/run-001-{data}")
    assert named, f"{run.title}: no file of its run folder under Look at"
    for file, sections in named.items():
        assert (folder / file).is_file(), (run.title, file)
        for heading in sections:
            assert heading in headings(folder / file), (run.title, file, heading)


def test_named_files_reads_the_bullets_of_look_at():
    text = (
        "**Look at**\n- `reports/ex/run-001-a/01_x.html` § *One*: a chart; § *Two\n  lines*: a table;\n"
        "- the same page, § *Three*: more;\n"
        "- `reports/ex/run-001-a/a.csv` and `reports/ex/run-001-a/b.csv`;\n"
        "- compare `reports/other/run-001-a/01_x.html` § *Four*."
    )
    assert named_files(text, "reports/ex/run-001-a") == {
        "01_x.html": ["One", "Two lines", "Three"],
        "a.csv": [],
        "b.csv": [],
    }


def test_lookup_reads_lists_and_numbers_match_to_the_digits_printed():
    summary = {"a": {"b": [{"c": 0.89241}], "n": 683, "t": None, "r": [573, 770]}}
    assert lookup(summary, "a.b.0.c") == 0.89241
    assert matches(0.89241, "0.8924") and not matches(0.8926, "0.8924")
    assert matches(683, "683") and not matches(684, "683")
    assert matches(None, "None") and matches([573, 770], "[573, 770]")
