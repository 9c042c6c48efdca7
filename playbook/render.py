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


def board_pack_html(summary: dict, sections: list[dict], *, currency: str = "USD") -> str:
    """The run's index.html. `sections` holds name, title, html (file or None), status, error.

    Jinja2's autoescape makes every value text, never markup.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "board")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("index.html.j2").render(summary=summary, sections=sections, currency=currency)
