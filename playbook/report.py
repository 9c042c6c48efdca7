"""What notebooks show and record: verdict cards as safe HTML, and summary.json fragments."""
from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from playbook import DEFAULT_SAMPLE, SAMPLES_DIR

SECTIONS = ("timing", "penetration", "enterprise_demand", "leaders", "compensation", "overview")


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """None -> the default sample company; an existing folder -> itself; a sample's name -> its folder.

    A real folder wins over a sample of the same name, so `--data ready` never hides ./ready.
    """
    if data_dir is None or str(data_dir) == "":
        return SAMPLES_DIR / DEFAULT_SAMPLE
    path = Path(data_dir).expanduser()
    if not path.exists() and (SAMPLES_DIR / str(data_dir)).is_dir():
        return SAMPLES_DIR / str(data_dir)
    return path


def record(section: str, summary: dict, summary_dir: str | Path | None) -> None:
    """Write one section of summary.json into the run's fragment folder (no-op outside a run)."""
    if section not in SECTIONS:
        raise ValueError(f"unknown summary section {section!r}; sections are {', '.join(SECTIONS)}")
    if summary_dir is None:
        return
    path = Path(summary_dir) / f"{section}.json"
    path.write_text(json.dumps(summary, indent=2, sort_keys=True, allow_nan=False) + "\n")


def verdict_card(title: str, verdict: str, paragraphs: list[str], notes: list[str] = ()) -> HTML:
    """A verdict block for a notebook. All text is escaped: data never becomes markup.

    `tex2jax_ignore` keeps JupyterLab from reading currency signs as LaTeX delimiters.
    """
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if notes:
        body += "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"
    return HTML(
        '<div class="tex2jax_ignore mathjax_ignore playbook-verdict" '
        'style="border-left:6px solid #1f3b73;padding:0.4em 1em;background:#f4f6fa">'
        f"<h3>{html.escape(title)}: <code>{html.escape(verdict)}</code></h3>{body}</div>"
    )


def table(frame: pd.DataFrame, *, index: bool = False) -> HTML:
    """A table shown in full (no truncated cells), its cells escaped, text left-aligned."""
    body = frame.to_html(index=index, escape=True, border=0, na_rep="—", classes="playbook-table")
    style = (
        "<style>table.playbook-table td, table.playbook-table th "
        "{text-align: left !important; vertical-align: top;}"
        "</style>"
    )
    return HTML(f'<div class="tex2jax_ignore mathjax_ignore">{style}{body}</div>')


def notes_card(notes: list[str]) -> HTML:
    """Caveats about the data (missing optional tables, thin data), or a line saying there are none."""
    if not notes:
        return HTML("<p>No caveats: every table and column this analysis uses was provided.</p>")
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return HTML(f'<div class="tex2jax_ignore mathjax_ignore"><p>Caveats:</p><ul>{items}</ul></div>')
