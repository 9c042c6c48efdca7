"""The CLI and runner end to end: run folders, verdicts, bad input, failing notebooks, offline HTML."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from playbook import NOTEBOOKS_DIR, PROJECT_ROOT
from playbook.runner.cli import main
from playbook.runner.run import run_playbook
from playbook.views.board import FINDINGS, VERDICTS
from tests import stated
from tests.conftest import tiny_tables, write_tables


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed command as a user runs it, in a separate process (with `env` added to ours)."""
    return subprocess.run(
        [sys.executable, "-m", "playbook", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
    )


def earlier_run(out: Path) -> tuple[Path, str]:
    """An earlier run folder under `out`, and its digest (to check a later run leaves it alone)."""
    earlier = out / "run-001-ready"
    earlier.mkdir(parents=True, exist_ok=True)
    (earlier / "summary.json").write_text('{"earlier": true}\n')
    return earlier, folder_digest(earlier)


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.name.encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?!data:|#|[\w./-]+\.(?:html|json|ipynb|pdf|pptx|csv)\b)[^"'\s>]+""", re.I
)
CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:|#)[^)]+\)", re.I)  # url(#id): an SVG's own clip path


def external_references(html: str) -> list[str]:
    """Anything a browser would fetch: src/href not to a data: URI, an anchor or a sibling file."""
    return EXTERNAL.findall(html) + CSS_URL.findall(html)


def notebook_with(*sources: str, title: str | None = None) -> nbformat.NotebookNode:
    """A runnable notebook: a title, the runner's parameters cell, then `sources` as code cells."""
    cells = [new_markdown_cell(f"# {title}")] if title else []
    cells.append(new_code_cell("data_dir = None\nresults_file = None", metadata={"tags": ["parameters"]}))
    cells += [new_code_cell(source) for source in sources]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernel})


def notebooks_folder(tmp_path: Path, **extra: nbformat.NotebookNode) -> Path:
    """A notebooks folder with the real timing notebook and the `extra` ones (name: notebook)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nbformat.read(NOTEBOOKS_DIR / "01_timing.ipynb", as_version=4), folder / "01_timing.ipynb")
    for name, notebook in extra.items():
        nbformat.write(notebook, folder / f"{name}.ipynb")
    return folder


@pytest.fixture(scope="module")
def ready_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = cli("run", "--data", "data/samples/ready", "--out", str(out))
    return result, out


def test_run_writes_a_complete_folder_and_prints_the_board_pack(ready_run):
    result, out = ready_run
    assert result.returncode == 0, result.stderr
    (folder,) = list(out.iterdir())
    assert folder.name == "run-001-ready"
    assert f"board pack: {folder / 'index.html'}" in result.stdout
    assert "timing: in_window" in result.stdout
    assert (
        "penetration: own_threshold" in result.stdout
        and "enterprise_demand: customer-driven" in result.stdout
    )
    assert "leaders: " in result.stdout and "(C1)" in result.stdout and "overview: ready" in result.stdout
    names = {p.name for p in folder.iterdir()}
    for nb in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"):
        assert {f"{nb.stem}.ipynb", f"{nb.stem}.html"} <= names
    assert {"index.html", "summary.json", "ready_accounts.csv"} <= names
    assert not [n for n in names if n.startswith(".")]  # no partial or scratch files, no stored results
    assert "notebooks]" in result.stderr  # the progress display


def test_summary_carries_the_timing_section(ready_run):
    _, out = ready_run
    summary = json.loads(next(out.glob("run-*/summary.json")).read_text())
    timing = summary["timing"]
    assert timing["verdict"] == "in_window"
    for key in (
        "current_arr",
        "band",
        "months_to_band",
        "arr_growth_annual",
        "nrr",
        "self_serve_share",
        "magic_number",
        "n_months",
    ):
        assert key in timing
    assert timing["months_to_band"] is None  # not below the band
    assert summary["leaders"]["uncertain_attributes"] == ["long_term_relationships"]
    assert summary["compensation"]["verdict"] == "50/50 individual"
    demand = summary["enterprise_demand"]
    assert demand["verdict"] == "customer-driven" and demand["size_effect"]["ratio"]["ci"][0] > 1
    assert summary["schema_version"] == 2


def test_every_summary_field_is_documented(ready_run):
    """docs/outputs.md lists every field of a real summary.json, and each key it lists under a
    section is one the run wrote."""
    _, out = ready_run
    summary = json.loads(next(out.glob("run-*/summary.json")).read_text())
    fields = stated.summary_fields()
    patterns = [stated.field_pattern(field) for field in fields]
    undocumented = [p for p in sorted(stated.paths_of(summary)) if not any(f.fullmatch(p) for f in patterns)]
    assert not undocumented, f"add these to docs/outputs.md: {undocumented}"
    for field in fields:
        section, key = (field.split(".") + [""])[:2]
        key = key.removesuffix("[]")
        if section in summary and key and "<" not in key:
            assert key in summary[section], f"docs/outputs.md lists {field}, which the run did not write"
    for section in ("timing", "penetration", "enterprise_demand", "leaders", "compensation", "overview"):
        assert summary[section]["verdict"], section  # one verdict key in every section
        assert "badge" not in summary[section] and "readiness" not in summary[section]


def test_html_is_offline_and_hides_code(ready_run):
    _, out = ready_run
    folder = next(out.glob("run-*"))
    for page in ["index.html", "01_timing.html"]:
        html = (folder / page).read_text()
        assert external_references(html) == [], page
        assert "<script" not in html.lower()
    timing = (folder / "01_timing.html").read_text()
    assert "assess_timing(" not in timing  # code hidden
    assert "data:image/png;base64" in timing  # the chart is inline
    index = (folder / "index.html").read_text()
    assert 'href="01_timing.html"' in index
    assert VERDICTS["ready"] in index and "in_window" not in index  # words on the page, codes in summary.json


def test_a_second_run_leaves_the_first_untouched(ready_run):
    _, out = ready_run
    first = next(out.glob("run-001-*"))
    before = folder_digest(first)
    assert main(["run", "--data", "early", "--out", str(out), "--only", "timing"]) == 0
    assert folder_digest(first) == before
    assert (out / "run-002-early").is_dir()


@pytest.mark.parametrize("sample, verdict", [("early", "early"), ("late", "late")])
def test_samples_report_their_verdicts(tmp_path, sample, verdict):
    assert main(["run", "--data", f"data/samples/{sample}", "--out", str(tmp_path), "--only", "timing"]) == 0
    summary = json.loads(next(tmp_path.glob("run-*/summary.json")).read_text())
    assert summary["timing"]["verdict"] == verdict


@pytest.mark.parametrize(
    "table, change, words",
    [
        (
            "accounts",
            lambda f: f.drop(columns="employee_count"),
            ["accounts.csv", "employee_count", "required column is missing"],
        ),
        (
            "accounts",
            lambda f: f.assign(account_id=["A1", "A1", "A3"]),
            ["accounts.csv", "account_id", "unique"],
        ),
        ("arr_monthly", lambda f: f.drop(index=3), ["arr_monthly.csv", "month", "2025-01"]),
        (
            "arr_monthly",
            lambda f: f.astype({"arr": object}).assign(arr=lambda d: d["arr"].where(d.index != 2, "n/a")),
            ["arr_monthly.csv", "arr", "must be a number", "line 4"],
        ),
        (
            "users",
            lambda f: f.assign(account_id=["A1", "A1", "ZZ", "A3", "A3"]),
            ["users.csv", "account_id", "ZZ"],
        ),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, table, change, words):
    tables = tiny_tables()
    tables[table] = change(tables[table].copy())
    data = write_tables(tmp_path / "data", tables)
    out = tmp_path / "reports"
    result = cli("run", "--data", str(data), "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_unknown_parameter_exits_2_naming_file_and_key(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("band_low: 1\nbandhigh: 2\n")
    result = cli("run", "--params", str(params), "--out", str(tmp_path / "r"))
    assert result.returncode == 2
    assert f"{params}: unknown parameter 'bandhigh' (did you mean 'band_high'?)" in result.stderr
    params.write_text("data_dir: /elsewhere\n")
    assert "use --data" in cli("run", "--params", str(params)).stderr


def test_as_of_from_a_parameters_file_reaches_data_and_notebook(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("as_of: 2025-09-30\n")  # YAML reads this as a date
    assert (
        main(["run", "--data", "late", "--params", str(params), "--out", str(tmp_path), "--only", "timing"])
        == 0
    )
    summary = json.loads(next(tmp_path.glob("run-*/summary.json")).read_text())
    assert summary["run"]["as_of"] == summary["timing"]["as_of"] == "2025-09-30"
    assert summary["timing"]["n_months"] == 36


def test_unknown_notebook_name_is_rejected(tmp_path):
    result = cli("run", "--only", "astrology", "--out", str(tmp_path))
    assert result.returncode == 2 and "no such notebook" in result.stderr


def test_parameters_reach_the_notebook(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text("band_low: 7000000\nband_high: 10000000\n")
    assert (
        main(["run", "--data", "early", "--params", str(params), "--out", str(tmp_path), "--only", "timing"])
        == 0
    )
    summary = json.loads(next(tmp_path.glob("run-*/summary.json")).read_text())
    assert summary["timing"]["verdict"] == "in_window"
    assert summary["timing"]["band"] == [7e6, 10e6]


def test_a_failing_notebook_does_not_stop_the_others(tmp_path):
    broken = notebook_with("x = 1", "raise RuntimeError('planted failure')", title="Broken section")
    notebooks = notebooks_folder(tmp_path, **{"02_broken": broken})
    result = run_playbook("ready", out_dir=tmp_path / "out", notebooks_dir=notebooks)
    statuses = {nb.name: (nb.status, nb.cell, nb.line, nb.error) for nb in result.notebooks}
    assert statuses["01_timing"][0] == "ok"
    # code cells: the parameters (1), "x = 1" (2), the raise (3); papermill's injected cell not counted
    assert statuses["02_broken"] == (
        "failed",
        3,
        "raise RuntimeError('planted failure')",
        "RuntimeError: planted failure",
    )
    names = {p.name for p in result.folder.iterdir()}
    assert "01_timing.html" in names and "02_broken.ipynb" in names
    assert "02_broken.html" not in names  # never rendered as a finished report
    index = (result.folder / "index.html").read_text()
    assert "did not finish" in index and "planted failure" in index
    summary = json.loads((result.folder / "summary.json").read_text())
    assert summary["run"]["notebooks"]["02_broken"]["status"] == "failed"
    assert summary["timing"]["verdict"] == "in_window"


def test_cli_names_the_failed_notebook_and_cell(tmp_path, monkeypatch, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(notebook_with("1 / 0"), notebooks / "01_zero.ipynb")
    import playbook.runner.run

    monkeypatch.setattr(playbook.runner.run, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(
        playbook.runner.run.run_playbook,
        "__kwdefaults__",
        {**playbook.runner.run.run_playbook.__kwdefaults__, "notebooks_dir": notebooks},
    )
    assert main(["run", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "notebook 01_zero failed at code cell 2 ('1 / 0'): ZeroDivisionError" in err


def test_validate_command(tmp_path):
    result = cli("validate", "--data", "data/samples/early")
    assert result.returncode == 0 and "valid; analysis date 2026-09-30" in result.stdout
    missing = cli("validate", "--data", str(tmp_path / "none"))
    assert missing.returncode == 2 and "is not a folder" in missing.stderr


def test_example_parameters_file_is_in_step_with_the_notebooks():
    assert cli("params").stdout == (PROJECT_ROOT / "params.example.yaml").read_text()


def test_whole_run_timeout_stops_a_hung_notebook_and_keeps_the_rest(tmp_path):
    notebooks = notebooks_folder(tmp_path, **{"02_hang": notebook_with("import time\ntime.sleep(600)")})
    result = run_playbook("ready", out_dir=tmp_path / "out", notebooks_dir=notebooks, run_timeout=25)
    statuses = {nb.name: (nb.status, nb.error) for nb in result.notebooks}
    assert statuses["01_timing"] == ("ok", None)
    assert statuses["02_hang"][0] == "failed" and "exceeded 25 s" in statuses["02_hang"][1]
    assert (result.folder / "01_timing.html").is_file()


FULL_EMAIL = re.compile(r"[a-z]+\.[a-z]+\d+@a\d+\.example\.com")


def test_penetration_section_masks_people_unless_asked(ready_run, tmp_path):
    _, out = ready_run
    folder = next(out.glob("run-001-*"))
    html = (folder / "02_penetration.html").read_text()
    assert "•••@" in html and not FULL_EMAIL.search(html)
    leaders = (folder / "04_leaders.html").read_text()
    assert "Candidate C1" in leaders and "Morgan Hale" not in leaders
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["penetration"]["employee_penetration"]["source"] == "company_data"
    assert FINDINGS["own_threshold"] in (folder / "index.html").read_text()
    crm = pd.read_csv(folder / "ready_accounts.csv", dtype=str, encoding="utf-8-sig")
    assert len(crm) == summary["penetration"]["ready_accounts"]
    assert crm["Salesforce Account ID"].str.fullmatch(r"001\d{12}AAA").all()  # the sample's account_map
    contacts = pd.read_csv(folder / "ready_contacts.csv", dtype=str, encoding="utf-8-sig")
    assert set(contacts["Account ID"]) <= set(crm["Account ID"])
    assert contacts["Email"].str.contains("•••@").all()
    assert not contacts["Email"].str.contains(FULL_EMAIL).any()

    params = tmp_path / "p.yaml"
    params.write_text("show_pii: true\n")
    assert (
        main(["run", "--params", str(params), "--out", str(tmp_path / "pii"), "--only", "penetration"]) == 0
    )
    shown = next((tmp_path / "pii").glob("run-*/02_penetration.html")).read_text()
    assert FULL_EMAIL.search(shown)
    assert FULL_EMAIL.search(next((tmp_path / "pii").glob("run-*/ready_contacts.csv")).read_text())


def test_a_missing_table_skips_only_the_analysis_that_needs_it(tmp_path):
    tables = tiny_tables()
    del tables["users"]
    data = write_tables(tmp_path / "data", tables)
    only = ["--only", "timing", "--only", "penetration"]
    assert main(["run", "--data", str(data), "--out", str(tmp_path / "out"), *only]) == 0
    folder = next((tmp_path / "out").glob("run-*"))
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["timing"]["verdict"] in ("early", "approaching")
    assert summary["penetration"]["verdict"] == "skipped"
    assert "needs the users table" in summary["penetration"]["reason"]
    assert "needs the users table" in (folder / "02_penetration.html").read_text()
    assert "No users table was given" in (folder / "index.html").read_text()


def test_diff_of_two_runs_and_of_identical_inputs(ready_run, tmp_path, capsys):
    _, out = ready_run
    first = next(out.glob("run-001-*"))
    assert json.loads((first / "summary.json").read_text())["overview"]["verdict"] == "ready"
    other = tmp_path / "other"
    assert main(["run", "--data", "late", "--out", str(other), "--only", "timing", "--only", "overview"]) == 0
    capsys.readouterr()
    assert main(["diff", str(first), str(next(other.glob("run-*")))]) == 0
    printed = capsys.readouterr().out
    assert "readiness: ready → overdue" in printed and "timing verdict: in_window → late" in printed

    same = tmp_path / "same"
    for _ in range(2):
        assert main(["run", "--out", str(same), "--only", "timing"]) == 0
    runs = sorted(same.glob("run-*"))
    capsys.readouterr()
    assert main(["diff", str(runs[0]), str(runs[1])]) == 0
    assert capsys.readouterr().out.startswith("Nothing changed between")
    assert f"Nothing changed since {runs[0].name}." in (runs[1] / "index.html").read_text()
    assert "first run on these data" in (runs[0] / "index.html").read_text()


def code_outputs(path: Path) -> list:
    """Each code cell's outputs (papermill's injected cell and execution counts left out)."""
    cells = nbformat.read(path, as_version=4).cells
    return [
        [{k: v for k, v in output.items() if k != "execution_count"} for output in cell.outputs]
        for cell in cells
        if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get("tags", [])
    ]


def test_a_run_shows_what_each_notebook_shows_on_its_own(ready_run):
    """The committed notebooks were executed on their own (computing their sections themselves);
    in a run they read the results the runner computed once. The outputs are the same."""
    _, out = ready_run
    folder = next(out.glob("run-001-*"))
    for committed in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"):
        assert code_outputs(folder / committed.name) == code_outputs(committed), committed.name


def test_one_notebook_with_parameters_run_both_ways(tmp_path):
    from playbook.runner.execute import execute

    params = tmp_path / "p.yaml"
    params.write_text("band_low: 7000000\nband_high: 10000000\n")
    assert (
        main(
            [
                "run",
                "--data",
                "early",
                "--params",
                str(params),
                "--out",
                str(tmp_path / "out"),
                "--only",
                "timing",
            ]
        )
        == 0
    )
    in_run = next((tmp_path / "out").glob("run-*")) / "01_timing.ipynb"
    alone = tmp_path / "alone.ipynb"
    outcome = execute(
        NOTEBOOKS_DIR / "01_timing.ipynb",
        alone,
        {"data_dir": "early", "band_low": 7_000_000, "band_high": 10_000_000},
        cell_timeout=120,
    )
    assert outcome.ok, outcome
    assert code_outputs(alone) == code_outputs(in_run)
    assert "In the window" in str(code_outputs(alone))
