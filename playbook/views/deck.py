"""The slide deck as data: slides with action titles, a few lines, one chart; one layout for every
format that draws it (`runner.pptx` for PowerPoint; the HTML slides read the same boxes).

A slide is 1280 × 720 px (16:9; 13.333 × 7.5 in in PowerPoint, 96 px to the inch). A chart is
fitted into its box keeping its proportions, so the size its text has on the slide follows from
the figure's size: text of `pt` points on a figure `w` inches wide drawn `W` px wide is
pt / 72 × W / w px — the same whether the chart is drawn as SVG or as a PNG of any dpi
(pt × dpi / 72 px in the PNG, times the slide's scale W / (w × dpi)). `chart_text_px` computes it
for the chart's smallest text, so a test can assert it is readable (≥ `MIN_CHART_TEXT_PX`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from playbook.views.charts import Chart
from playbook.views.i18n import checked_language, format_date, use_language

SLIDE_WIDTH_PX, SLIDE_HEIGHT_PX = 1280, 720
PX_PER_INCH = 96  # CSS pixels; PowerPoint's 13.333 in slide is 1280 of them
MIN_CHART_TEXT_PX = 14  # the smallest chart text that reads on a projected 1280 × 720 slide
MAX_LINES = 4
MAX_LINE_WIDTH = 90  # display columns per line: a Latin letter 1, a Chinese character 2
FOOTER_SEPARATOR = " · "


@dataclass(frozen=True, kw_only=True)
class Box:
    """A rectangle on the 1280 × 720 px slide: left, top, width, height in px."""

    left: int
    top: int
    width: int
    height: int


# The layout every format draws. With a chart, the lines sit in a column beside it.
TITLE = Box(left=48, top=28, width=1184, height=92)
TEXT_BESIDE_CHART = Box(left=48, top=136, width=368, height=508)
CHART = Box(left=432, top=136, width=800, height=508)
TEXT_ALONE = Box(left=48, top=136, width=1184, height=508)
FOOTER = Box(left=48, top=664, width=920, height=36)
CONFIDENTIALITY = Box(left=48, top=4, width=1184, height=24)
SLIDE_NUMBER = Box(left=1112, top=664, width=120, height=36)


@dataclass(frozen=True, kw_only=True)
class Slide:
    """One slide: an action title (the message, not a question), at most four short lines, an
    optional chart and optional speaker notes."""

    number: int
    title: str
    lines: tuple[str, ...] = ()
    chart: Chart | None = None
    notes: str = ""

    def __post_init__(self):
        where = f"slide {self.number}"
        if self.number < 1:
            raise ValueError(f"{where}: slides are numbered from 1")
        if not self.title.strip():
            raise ValueError(f"{where}: a slide needs a title")
        if self.title.rstrip().endswith(("?", "？")):
            raise ValueError(f"{where}: the title {self.title!r} asks a question; state the answer instead")
        if isinstance(self.lines, str):
            raise ValueError(f"{where}: lines is a tuple of lines, not one string")
        if len(self.lines) > MAX_LINES:
            raise ValueError(f"{where}: {len(self.lines)} lines of text; at most {MAX_LINES} fit a slide")
        for line in self.lines:
            if display_width(line) > MAX_LINE_WIDTH:
                raise ValueError(
                    f"{where}: the line {line!r} is {display_width(line)} columns wide; "
                    f"at most {MAX_LINE_WIDTH} (a Chinese character counts 2)"
                )

    @property
    def text_box(self) -> Box:
        """Where the slide's lines go: beside the chart, or across the slide without one."""
        return TEXT_BESIDE_CHART if self.chart is not None else TEXT_ALONE


@dataclass(frozen=True, kw_only=True)
class Deck:
    """The slides of one run, with what every slide's footer says."""

    company: str
    as_of: dt.date
    source: str
    confidentiality: str | None = None
    language: str = "en"
    slides: tuple[Slide, ...]

    def __post_init__(self):
        checked_language(self.language)
        if not self.company.strip():
            raise ValueError("a deck needs the company's name (the company_name parameter)")
        numbers = [s.number for s in self.slides]
        if numbers != list(range(1, len(self.slides) + 1)):
            raise ValueError(f"slides must be numbered 1, 2, 3 ... in order; got {numbers}")

    @property
    def footer(self) -> str:
        """Company · analysis date (in the deck's language) · source line."""
        with use_language(self.language):
            day = format_date(self.as_of)
        return FOOTER_SEPARATOR.join([self.company, day, self.source])

    @property
    def charts(self) -> tuple[Chart, ...]:
        return tuple(s.chart for s in self.slides if s.chart is not None)


def fitted_line(text: str, width: int = MAX_LINE_WIDTH) -> str:
    """`text` cut to `width` display columns, ending in "…" when cut (names from the data can be
    any length; a slide's line cannot)."""
    if display_width(text) <= width:
        return text
    kept = ""
    for character in text:
        if display_width(kept + character) > width - 1:
            break
        kept += character
    return kept.rstrip() + "…"


def display_width(text: str) -> int:
    """Columns a line takes: 2 for a wide (East Asian) character, 1 for others."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fitted(chart: Chart, box: Box = CHART) -> Box:
    """Where a chart lands in `box`: as large as fits, proportions kept, centred."""
    width_in, height_in = chart.size_inches
    scale = min(box.width / width_in, box.height / height_in)  # slide px per figure inch
    width, height = round(width_in * scale), round(height_in * scale)
    return Box(
        left=box.left + (box.width - width) // 2,
        top=box.top + (box.height - height) // 2,
        width=width,
        height=height,
    )


def chart_text_px(chart: Chart, box: Box = CHART) -> float:
    """The height in slide px of the chart's smallest text once fitted into `box`:
    points / 72 × (px per figure inch)."""
    width_in, height_in = chart.size_inches
    px_per_inch = min(box.width / width_in, box.height / height_in)
    return chart.smallest_font_pt() / 72 * px_per_inch
