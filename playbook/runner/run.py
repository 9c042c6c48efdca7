"""The run itself: load the data once, compute every section once, execute the notebooks, and
assemble the board pack, the slides and the summary into a new run folder.

The run is built in a hidden partial folder and moved into place only when complete (`folder`);
the notebooks run in parallel, each on its own kernel (`schedule`), shown on one status line
(`progress`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

from playbook import NOTEBOOKS_DIR
from playbook.data import load_dataset
from playbook.data.locate import resolve_data_dir
from playbook.runner import stop
from playbook.runner.diff import changes, previous_run, read_summary
from playbook.runner.folder import (
    DEFAULT_OUT,
    OUTPUT_ERRORS,
    move_into_place,
    output_error,
    partial_folder,
    remove,
)
from playbook.runner.params import Params
from playbook.runner.progress import Progress
from playbook.runner.render import board_pack_html, key_chart, notebook_title, slides_html
from playbook.runner.results import SECTIONS, assess_all, save_results
from playbook.runner.schedule import DEFAULT_JOBS, NotebookRun, execute_all, queued, select_notebooks
from playbook.runner.summary import section_headline, section_verdict_text, summary_of, worded_notes
from playbook.views.board import headline_figures
from playbook.views.crm import crm_csv, ready_accounts_table, ready_contacts_table
from playbook.views.notes import change_text, note_text, set_aside_text

RESULTS_FILE = ".results.pkl"
READY_ACCOUNTS_FILE = "ready_accounts.csv"  # the ready accounts, shaped for a CRM import
READY_CONTACTS_FILE = "ready_contacts.csv"  # their power users, one contact a row


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """A finished run: its folder and how each notebook ended."""

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
    runs = [queued(p) for p in select_notebooks(only, notebooks_dir)]
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
    work = partial_folder(out)
    try:
        save_results(results, work / RESULTS_FILE)
        # Relative to the notebooks' working folder (the partial run folder): the same inputs give
        # the same executed notebooks, whatever the partial folder's random name.
        parameters = params.to_dict() | {"data_dir": str(data), "results_file": RESULTS_FILE}
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
            if nb.errno in OUTPUT_ERRORS:
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
            ids = {"accounts": dataset.accounts, "account_map": dataset.account_map}
            ready = results.section("penetration")
            for name, table in (
                (READY_ACCOUNTS_FILE, ready_accounts_table(ready, currency=params.currency, **ids)),
                (READY_CONTACTS_FILE, ready_contacts_table(ready, show_pii=params.show_pii, **ids)),
            ):
                (work / name).write_text(crm_csv(table), encoding="utf-8", newline="")
        (work / "summary.json").write_text(
            json.dumps(summary, indent=2, sort_keys=True, allow_nan=False) + "\n"
        )
        folder = move_into_place(work, out, dataset.name)
    except BaseException as exc:
        remove(work)
        if not isinstance(exc, Exception) or stop.requested():  # interrupted: say what became of the folders
            progress.say(f"removed the unfinished run folder {work}; earlier runs in {out} are untouched")
        if isinstance(exc, OSError):
            raise output_error(exc, work) from None
        raise
    return RunResult(folder=folder, notebooks=tuple(runs))


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
