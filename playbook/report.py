"""What notebooks show and record: verdict cards as safe HTML, and summary.json fragments."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Skipped:
    """An analysis that could not run on this data (a table it needs is missing), and why."""

    section: str
    reason: str

    def to_dict(self) -> dict:
        return {"skipped": self.reason}


def skipped_for(section: str, dataset, *tables: str) -> Skipped | None:
    """A Skipped result when any of `tables` was not provided, else None."""
    missing = dataset.missing(*tables)
    if not missing:
        return None
    return Skipped(section, f"Skipped: this analysis needs the {', '.join(missing)} table(s), which were not provided.")


def record(section: str, result, summary_dir: str | Path | None, **extra) -> None:
    """Write one section of summary.json (the result's `to_dict()` plus `extra`, e.g. a headline)
    into the run's fragment folder; outside a run (no summary_dir) nothing is written."""
    if section not in SECTIONS:
        raise ValueError(f"unknown summary section {section!r}; sections are {', '.join(SECTIONS)}")
    if summary_dir is None:
        return
    summary = (result if isinstance(result, dict) else result.to_dict()) | extra
    path = Path(summary_dir) / f"{section}.json"
    path.write_text(json.dumps(summary, indent=2, sort_keys=True, allow_nan=False) + "\n")


def show(result, build, *args, **kwargs):
    """What a notebook cell displays: `build(result, ...)`, a DataFrame as a full escaped table,
    or the reason the analysis was skipped."""
    if isinstance(result, Skipped):
        return notes_card([result.reason])
    shown = build(result, *args, **kwargs)
    return table(shown) if isinstance(shown, pd.DataFrame) else shown


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


def paragraph(text: str) -> HTML:
    """A generated sentence shown as escaped text."""
    return HTML(f'<p class="tex2jax_ignore mathjax_ignore">{html.escape(text)}</p>')


def bullets(items: list[str]) -> HTML:
    """Generated sentences as a plain list, escaped."""
    rows = "".join(f"<li>{html.escape(i)}</li>" for i in items)
    return HTML(f'<ul class="tex2jax_ignore mathjax_ignore">{rows}</ul>')


def notes_card(notes: list[str]) -> HTML:
    """Caveats about the data (missing optional tables, thin data), or a line saying there are none."""
    if not notes:
        return HTML("<p>No caveats: every table and column this analysis uses was provided.</p>")
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return HTML(f'<div class="tex2jax_ignore mathjax_ignore"><p>Caveats:</p><ul>{items}</ul></div>')
