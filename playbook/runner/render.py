"""Turn executed notebooks into self-contained HTML (code hidden), and build the board pack."""

from __future__ import annotations

from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

from playbook.views import deck as layout
from playbook.views import i18n
from playbook.views.board import BoardPack
from playbook.views.deck import Box, Deck
from playbook.views.typefaces import css_font_family

TEMPLATES = Path(__file__).parent / "templates"


def notebook_title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first Markdown heading of a notebook, without its leading #'s."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def notebook_html(path: Path) -> str:
    """An executed notebook as one offline HTML page: outputs and narrative, no code, no prompts."""
    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    return body


def _environment() -> jinja2.Environment:
    # autoescape: every value from the data is text, never markup (charts are passed as SVG the
    # playbook drew, marked safe where they are placed)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "board")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.globals.update(_=i18n._, ngettext=i18n.ngettext)
    return environment


def board_pack_html(
    pack: BoardPack,
    *,
    sections: list[dict],
    changes: list[str],
    set_aside: list[str],
    data_notes: list[str],
    files: dict[str, bool],
    paper: str,
) -> str:
    """The run's index.html: the decision, the figures, the four answers, what moved, the sections,
    how we know, and what the data set aside — in the pack's language.

    `sections` holds name, title, html (file or None), status, cell, error, notebook for each
    notebook of the run; `changes` what moved since the last run (worded); `files` which of
    slides.pptx and board.pdf the run wrote.
    """
    charts = {a.key: a.chart.svg() for a in pack.answers if a.chart is not None}
    with i18n.use_language(pack.language):
        return (
            _environment()
            .get_template("index.html.j2")
            .render(
                pack=pack,
                charts=charts,
                sections=sections,
                titles={s["name"]: s["title"] for s in sections},
                changes=changes,
                set_aside=set_aside,
                data_notes=data_notes,
                files=files,
                paper=paper,
                font_stack=css_font_family(pack.language),
            )
        )


def _box(box: Box) -> str:
    return f"left:{box.left}px;top:{box.top}px;width:{box.width}px;height:{box.height}px"


def slides_html(deck: Deck) -> str:
    """The slides as one offline page: each slide 1280 × 720 px in the layout `views.deck` sets (the
    one slides.pptx draws), scaled to the window, one a page when printed."""
    boxes = {
        "title": layout.TITLE,
        "footer": layout.FOOTER,
        "number": layout.SLIDE_NUMBER,
        "confidentiality": layout.CONFIDENTIALITY,
    }
    charts = {s.number: s.chart.svg() for s in deck.slides if s.chart is not None}
    with i18n.use_language(deck.language):
        return (
            _environment()
            .get_template("slides.html.j2")
            .render(
                deck=deck,
                charts=charts,
                boxes=boxes,
                box=_box,
                fitted=layout.fitted,
                font_stack=css_font_family(deck.language),
            )
        )
