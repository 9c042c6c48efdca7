"""Turn executed notebooks into self-contained HTML (code hidden), and build the board pack."""
from __future__ import annotations

from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

from playbook.formatting import money, percent

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


def board_figures(summary: dict, *, currency: str = "USD") -> list[dict]:
    """The headline figures of the board pack: label, value, and what it rests on."""
    figures = []
    timing = summary.get("timing") or {}
    if timing.get("current_arr") is not None:
        low, high = timing["band"]
        figures.append({"label": "ARR", "value": money(timing["current_arr"], currency),
                        "note": f"{timing['verdict']} against the {money(low, currency, digits=0)}–{money(high, currency, digits=0)} band"})
    pen = summary.get("penetration") or {}
    signal = pen.get(pen.get("pipeline_signal", "employee_penetration")) or {}
    if signal.get("threshold") is not None:
        value = signal["threshold"]
        shown = percent(value, digits=1) if pen["pipeline_signal"] == "employee_penetration" else f"{value:g}"
        ci = signal.get("ci")
        note = (f"95% interval {percent(ci[0], digits=1)}–{percent(ci[1], digits=1)}, {signal['n']} closed deals"
                if ci and pen["pipeline_signal"] == "employee_penetration" else
                ("our own data" if ci else "rule of thumb: too few deals"))
        figures.append({"label": "Our tipping point", "value": shown, "note": note})
        figures.append({"label": "Ready accounts", "value": f"{pen['ready_accounts']:,}",
                        "note": f"{money(pen['pipeline_value'], currency)} expected pipeline"})
    dem = summary.get("enterprise_demand") or {}
    ent = (dem.get("size_elasticity") or {}).get("enterprise")
    if ent:
        share = dem.get("customer_driven_share")
        figures.append({"label": "Enterprise requests per doubling of seats", "value": f"{ent['irr_per_doubling']:.2f}×",
                        "note": f"95% interval {ent['ci'][0]:.2f}–{ent['ci'][1]:.2f}"
                                + ("" if share is None else f"; {percent(share)} from customers")})
    if dem.get("top_by_arr_at_stake"):
        top = dem["top_by_arr_at_stake"][0]
        figures.append({"label": "Feature with most pipeline at stake", "value": top["feature"],
                        "note": f"{money(top['arr_at_stake'], currency)} over the next six months"})
    leaders = summary.get("leaders") or {}
    if leaders.get("badge") and leaders.get("badge") != "skipped":
        figures.append({"label": "Sales leader", "value": leaders["badge"],
                        "note": "without attributes interviewers disagree on"})
    comp = summary.get("compensation") or {}
    if comp.get("recommended_plan"):
        figures.append({"label": "Pay plan", "value": comp["recommended_plan"], "note": "keeps the strongest roster in simulation"})
    return figures


def board_pack_html(
    summary: dict, sections: list[dict], *, compared: dict | None = None, currency: str = "USD"
) -> str:
    """The run's index.html: the overview's verdict first, headline figures, what changed, the sections.

    `sections` holds name, title, html (file or None), status, verdict, headline, cell, line, error;
    `compared` is {"run": earlier run's name, "changes": [text, ...]}, or None for a first run.
    """
    return _environment().get_template("index.html.j2").render(
        summary=summary, sections=sections, compared=compared, currency=currency,
        figures=board_figures(summary, currency=currency),
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
    return _environment().get_template("slides.html.j2").render(summary=summary, sections=sections, compared=compared)
