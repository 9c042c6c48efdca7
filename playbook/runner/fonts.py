"""Embed the font a page needs into the page: the offline board pack reads the same anywhere.

A machine without a CJK font shows Chinese as empty boxes. So a Simplified Chinese page carries
its font: the subset of Noto Sans CJK SC (the face charts draw with, `views.typefaces`) covering
exactly the characters the pages use, as WOFF (zlib-compressed, read by every browser; WOFF2's
Brotli would save about 10% and cost half a second more per pack), base64 in an `@font-face`
rule. The pages of a run share one subset, made once: about 0.3 s of CPU for a few hundred
characters, 0.5 s for the 760 of the source article's translation (about 120 kB).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from fontTools import subset
from fontTools.ttLib import TTFont

from playbook.data.notes import Note
from playbook.views.typefaces import CJK_FAMILY, INSTALL_HINT, FontFace, face

FORMAT = "woff"
# Attributes whose text a reader sees (or hears): alt text, tooltips, labels, form values.
SHOWN_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "value")
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class Embedded:
    """Pages with their font embedded, what the subset covers, or the note why nothing was."""

    pages: dict[str, str]
    characters: str = ""
    font_bytes: int = 0
    note: Note | None = None


class _Characters(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.seen: set[str] = set()
        self._hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.seen.update(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.seen.update(data)


def page_characters(html: str) -> str:
    """The characters a page shows, sorted: its text (not scripts or styles) and shown attributes."""
    parser = _Characters()
    parser.feed(html)
    parser.close()
    return "".join(sorted(c for c in parser.seen if c.isprintable()))


def subset_font(characters: Iterable[str], font: FontFace) -> bytes:
    """The face reduced to the glyphs of `characters` it has, as WOFF; the same bytes every time."""
    # lazy: the collection holds four faces of 65,000 glyphs; only the tables the subset needs are read.
    # recalcBBoxes=False: recomputing bounds would draw every glyph of the face (seconds).
    loaded = TTFont(font.path, fontNumber=font.index, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = FORMAT
    options.layout_features = []  # no ligatures or vertical forms: the pages set horizontal text
    options.hinting = False  # screens and printers at today's resolutions do without
    options.name_IDs = [1, 2, 3, 4, 6]  # family, style, ids: the browser's error console names it
    options.name_languages = [0x409]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(characters))
    subsetter.subset(loaded)
    loaded.flavor = FORMAT
    buffer = io.BytesIO()
    loaded.save(buffer)
    return buffer.getvalue()


def font_face_rule(font_data: bytes, *, family: str, weight: int = 400) -> str:
    """An @font-face rule carrying the font inline (base64), so nothing is fetched."""
    encoded = base64.b64encode(font_data).decode("ascii")
    return (
        f"@font-face{{font-family:'{family}';font-style:normal;font-weight:{weight};font-display:block;"
        f"src:url(data:font/{FORMAT};base64,{encoded}) format('{FORMAT}')}}"
    )


def with_embedded_font(pages: Mapping[str, str], *, family: str = CJK_FAMILY) -> Embedded:
    """Each page with one `<style>` holding `family`'s subset for every character the pages use.

    Pages name the family first in their CSS `font-family` (`views.typefaces.css_font_family`);
    charts' SVG text names it too. Without the font installed the pages are returned as they were,
    with a note saying how to install it.
    """
    font = face(family)
    if font is None:
        return Embedded(pages=dict(pages), note=Note("font_missing", family=family, install=INSTALL_HINT))
    characters = "".join(sorted(set().union(*(page_characters(html) for html in pages.values()))))
    data = subset_font(characters, font)
    style = f'<style id="embedded-font">{font_face_rule(data, family=family)}</style>'
    embedded = {}
    for name, html in pages.items():
        match = _HEAD_END.search(html)
        embedded[name] = html[: match.start()] + style + html[match.start() :] if match else style + html
    return Embedded(pages=embedded, characters=characters, font_bytes=len(data))
