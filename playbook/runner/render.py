"""Turn executed notebooks into self-contained HTML (code hidden), and build the board pack."""

from __future__ import annotations

from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

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
    # autoescape: every value from the data is text, never markup
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "board")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def board_pack_html(
    summary: dict,
    sections: list[dict],
    figures: list[dict],
    *,
    compared: dict | None = None,
    currency: str = "USD",
) -> str:
    """The run's index.html: the overview's verdict first, headline figures, what changed, the sections.

    `sections` holds name, title, html (file or None), status, verdict, headline, cell, line, error;
    `figures` the headline figures in words (label, value, note; `views.board`); `compared` is
    {"run": earlier run's name, "changes": [text, ...]}, or None for a first run.
    """
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            summary=summary,
            sections=sections,
            compared=compared,
            currency=currency,
            figures=figures,
        )
    )


def key_chart(executed: Path) -> dict | None:
    """The first chart of an executed notebook: its PNG (base64) and alt text, for the slides."""
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "chart")
                return {"png": png.replace("\n", ""), "alt": alt}
    return None


def slides_html(summary: dict, sections: list[dict], *, compared: dict | None = None) -> str:
    """A self-contained slide deck: the verdict, its reasons, each section's key chart, what changed."""
    return (
        _environment()
        .get_template("slides.html.j2")
        .render(summary=summary, sections=sections, compared=compared)
    )
