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

from playbook import NOTEBOOKS_DIR, SAMPLES_DIR
from playbook.data import load_dataset
from playbook.data.locate import resolve_data_dir
from playbook.data.notes import Note
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
from playbook.runner.fonts import with_embedded_font
from playbook.runner.params import Params, ParamsError
from playbook.runner.pdf import print_pdf
from playbook.runner.pptx import write_pptx
from playbook.runner.progress import Progress
from playbook.runner.render import board_pack_html, notebook_title, slides_html
from playbook.runner.results import SECTIONS, assess_all, save_results
from playbook.runner.schedule import DEFAULT_JOBS, NotebookRun, execute_all, queued, select_notebooks
from playbook.runner.summary import section_headline, summary_of, worded_notes
from playbook.views import i18n
from playbook.views.board import board_pack, company_of, deck, partial_deck, partial_pack
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
    previous: str | Path | None = None,
) -> RunResult:
    """Validate the data, compute the results once, execute the notebooks, and write a new run folder.

    `previous` is the earlier run folder the board pack compares with (default: the latest run
    in `out_dir` of the same data). Raises DataError (bad input) or ParamsError (bad parameters)
    before any notebook runs and before anything is written.
    """
    params = params or Params()
    progress = progress or Progress()
    try:  # the run compared with is read first: a wrong folder fails before anything runs
        chosen = None if previous is None else (Path(previous), read_summary(previous))
    except FileNotFoundError as exc:
        raise ParamsError(f"--previous: {exc}") from None
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
        sections = [_section_entry(nb, results) for nb in runs]
        if chosen is None:
            earlier = previous_run(out, str(data))
            chosen = None if earlier is None else (earlier, read_summary(earlier))
        earlier, before = chosen if chosen is not None else (None, None)
        written = write_board_pack(
            work,
            results,
            summary,
            sections=sections,
            shown=shown,
            data=data,
            before=before,
            before_name=None if earlier is None else earlier.name,
        )
        for note in written:
            progress.say(note_text(note))
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


def write_board_pack(
    work: Path,
    results,
    summary: dict,
    *,
    sections: list[dict],
    shown: list[str],
    data: Path,
    before: dict | None,
    before_name: str | None,
) -> list[Note]:
    """index.html, slides.html, slides.pptx and board.pdf in the run's language; the notes saying
    what could not be written (no Chromium for the PDF, no font for Chinese)."""
    params = results.params
    notes: list[Note] = []
    whole = set(SECTIONS) <= set(shown)
    with i18n.use_language(params.language):
        moved = (
            []
            if before is None
            else [change_text(c.what, c.before, c.after) for c in changes(before, summary)]
        )
        sample = data.parent == SAMPLES_DIR.resolve()
        common = {
            "company": params.company_name or company_of(data.name, sample=sample),
            "language": params.language,
            "confidentiality": params.confidentiality,
        }
        if whole:
            pack = board_pack(
                results, previous=before, previous_name=before_name, show_pii=params.show_pii, **common
            )
            slides = deck(pack, changes=tuple(moved))
        else:
            pack = partial_pack(results, previous_name=before_name, **common)
            slides = partial_deck(pack, [(s["title"], s["headline"]) for s in sections if s["headline"]])
        run = summary["run"]

        def pages(*, pdf: bool) -> dict[str, str]:
            return {
                "index.html": board_pack_html(
                    pack,
                    sections=sections,
                    changes=moved,
                    set_aside=[s["text"] for s in run["set_aside"]],
                    data_notes=[n["text"] for n in run["notes"]],
                    files={"pptx": True, "pdf": pdf, "crm": "penetration" in shown},
                    paper=params.paper,
                ),
                "slides.html": slides_html(slides),
            }

        # The PDF prints the pack without a link to itself; the pack links the PDF once it exists.
        notes += _write_pages(work, pages(pdf=False), params.language)
        printed = print_pdf(
            work / "index.html", work / "board.pdf", analysis_date=pack.as_of_date, paper=params.paper
        )
        if printed.note is None:
            _write_pages(work, pages(pdf=True), params.language)
        notes += [printed.note] if printed.note else []
    write_pptx(slides, work / "slides.pptx")
    return notes


def _write_pages(work: Path, pages: dict[str, str], language: str) -> list[Note]:
    """Write the pages; in a language other than English they carry the glyphs they use (a font
    subset), so the offline pages render anywhere."""
    notes = []
    if language != "en":
        embedded = with_embedded_font(pages)
        pages = embedded.pages
        notes += [embedded.note] if embedded.note else []
    for name, page in pages.items():
        (work / name).write_text(page, encoding="utf-8")
    return notes


def _section_entry(nb: NotebookRun, results) -> dict:
    """What the board pack lists for one notebook, and the line a partial run's slide shows."""
    return {
        "name": nb.name,
        "title": notebook_title(nbformat.read(nb.source, as_version=4), nb.name),
        "html": f"{nb.name}.html" if nb.status == "ok" else None,
        "notebook": f"{nb.name}.ipynb",
        "status": nb.status,
        "headline": section_headline(results, nb.section) if nb.section and nb.status == "ok" else None,
        "cell": nb.cell,
        "line": nb.line,
        "error": nb.error,
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
