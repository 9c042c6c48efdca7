"""HTML fragments for notebooks: verdict cards, full tables, sentences and lists, all escaped."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from playbook.analyses.outcome import Skipped
from playbook.views.notes import skipped_text, worded


def show(result, build, *args, **kwargs):
    """What a notebook cell displays: `build(result, ...)`, a DataFrame as a full escaped table,
    or the reason the analysis was skipped."""
    if isinstance(result, Skipped):
        return notes_card([skipped_text(result.missing)])
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


def prose(template: str, params) -> Markdown:
    """A notebook's narrative whose figures come from the run's parameters, so the text never states
    a value the run did not use: `{n_permutations:count}`, `{alpha}`, `{active_window_days}`.

    The template is Markdown written in the notebook; values are formatted as everywhere else
    (`views.notes`); a literal brace is written twice.
    """
    return Markdown(worded(template, params.to_dict(), currency=params.currency))
