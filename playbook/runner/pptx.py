"""The deck as a PowerPoint file (`slides.pptx`) that a board deck takes as it is.

16:9 slides with native title and text placeholders (editable text, not pictures of text), one
picture per chart (its PNG, with the chart's description as alt text), the footer (company,
analysis date, source) and the slide number in the layout's own footer placeholders, and the
optional confidentiality line at the top. In Simplified Chinese every run names an East Asian
typeface (`a:ea`) and the language, so PowerPoint neither falls back to a Japanese face nor marks
the text as misspelt English. The same deck gives the same bytes: the core properties carry the
analysis date, and the zip entries a fixed time.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from playbook.views import deck as layout
from playbook.views.charts import PNG_DPI
from playbook.views.deck import Box, Deck, Slide

EMU_PER_PX = 914_400 // layout.PX_PER_INCH  # 9525: 1280 px = 13.333 in
# The Simplified Chinese face Office has on Windows (Mac Office maps it to PingFang SC, LibreOffice
# to Noto Sans CJK SC); `a:ea` only names it: PowerPoint does not embed fonts.
EAST_ASIAN_TYPEFACE = "Microsoft YaHei"
LANGUAGE_TAGS = {"en": "en-US", "zh-CN": "zh-CN"}
TITLE_PT, TEXT_PT, FOOTER_PT = 28, 18, 11
TITLE_AND_CONTENT = 1  # the default template's layouts
# Zip entries dated as DOS time's first day: the file's bytes depend on the deck only.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Children of a:rPr that come after a:ea (ECMA-376 CT_TextCharacterProperties).
_AFTER_EA = {qn(f"a:{t}") for t in ("cs", "sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst")}


def write_pptx(
    deck: Deck, path: Path, *, east_asian_typeface: str = EAST_ASIAN_TYPEFACE, dpi: int = PNG_DPI
) -> Path:
    """Write `deck` to `path` (slides.pptx); return the path."""
    path.write_bytes(pptx_bytes(deck, east_asian_typeface=east_asian_typeface, dpi=dpi))
    return path


def pptx_bytes(deck: Deck, *, east_asian_typeface: str = EAST_ASIAN_TYPEFACE, dpi: int = PNG_DPI) -> bytes:
    """The deck as the bytes of a .pptx file; charts as PNG at `dpi`."""
    presentation = Presentation()
    presentation.slide_width = Emu(layout.SLIDE_WIDTH_PX * EMU_PER_PX)
    presentation.slide_height = Emu(layout.SLIDE_HEIGHT_PX * EMU_PER_PX)
    for slide in deck.slides:
        _add_slide(presentation, deck, slide, dpi=dpi)
    _set_properties(presentation, deck)
    if deck.language != "en":
        _mark_language(presentation, LANGUAGE_TAGS[deck.language], east_asian_typeface)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _place(shape, box: Box) -> None:
    shape.left, shape.top = Emu(box.left * EMU_PER_PX), Emu(box.top * EMU_PER_PX)
    shape.width, shape.height = Emu(box.width * EMU_PER_PX), Emu(box.height * EMU_PER_PX)


def _write(text_frame, lines: list[str], size: int, *, bold: bool = False) -> None:
    """Lines as paragraphs of one run each, at `size` points."""
    text_frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = text_frame.paragraphs[0] if i == 0 else text_frame.add_paragraph()
        paragraph.text = line
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.bold = bold


def _add_slide(presentation, deck: Deck, slide: Slide, *, dpi: int) -> None:
    page = presentation.slides.add_slide(presentation.slide_layouts[TITLE_AND_CONTENT])
    title, body = page.placeholders[0], page.placeholders[1]
    _place(title, layout.TITLE)
    _write(title.text_frame, [slide.title], TITLE_PT, bold=True)
    if slide.lines:
        _place(body, slide.text_box)
        _write(body.text_frame, list(slide.lines), TEXT_PT)
    else:
        body.element.getparent().remove(body.element)  # no empty "Click to add text" box
    if slide.chart is not None:
        placed = layout.fitted(slide.chart, layout.CHART)
        picture = page.shapes.add_picture(
            io.BytesIO(slide.chart.png(dpi=dpi)),
            Emu(placed.left * EMU_PER_PX),
            Emu(placed.top * EMU_PER_PX),
            Emu(placed.width * EMU_PER_PX),
            Emu(placed.height * EMU_PER_PX),
        )
        picture.name = f"Chart {slide.number}"
        picture.element.nvPicPr.cNvPr.set("descr", slide.chart.description)  # alt text
    footer = _layout_placeholder(page, PP_PLACEHOLDER.FOOTER)
    _place(footer, layout.FOOTER)
    _write(footer.text_frame, [deck.footer], FOOTER_PT)
    number = _layout_placeholder(page, PP_PLACEHOLDER.SLIDE_NUMBER)
    _place(number, layout.SLIDE_NUMBER)
    field = number.element.find(".//" + qn("a:fld"))
    field.find(qn("a:t")).text = str(slide.number)  # PowerPoint renumbers it; readers see it as is
    for run_properties in number.element.iter(qn("a:rPr")):
        run_properties.set("sz", str(FOOTER_PT * 100))
    if deck.confidentiality:
        box = page.shapes.add_textbox(0, 0, 0, 0)
        box.name = "Confidentiality"
        _place(box, layout.CONFIDENTIALITY)
        _write(box.text_frame, [deck.confidentiality], FOOTER_PT, bold=True)
    if slide.notes:
        page.notes_slide.notes_text_frame.text = slide.notes


def _layout_placeholder(page, kind):
    """The slide's copy of its layout's footer or slide-number placeholder (python-pptx copies
    only the title and body ones)."""
    source = next(p for p in page.slide_layout.placeholders if p.placeholder_format.type == kind)
    element = copy.deepcopy(source.element)
    element.nvSpPr.cNvPr.set("id", str(page.shapes._next_shape_id))  # ids are unique on a slide
    page.shapes._spTree.append(element)
    return next(p for p in page.placeholders if p.placeholder_format.type == kind)


def _set_properties(presentation, deck: Deck) -> None:
    """Document properties from the deck, dated on the analysis date (never the clock)."""
    properties = presentation.core_properties
    when = dt.datetime.combine(deck.as_of, dt.time())
    properties.created = properties.modified = when
    properties.last_printed = when
    properties.revision = 1
    properties.author = properties.last_modified_by = deck.company
    properties.title = deck.slides[0].title if deck.slides else deck.company
    properties.subject = deck.footer
    properties.language = LANGUAGE_TAGS[deck.language]


def _mark_language(presentation, tag: str, east_asian_typeface: str) -> None:
    """Name the language and the East Asian typeface on every run (text and fields) of every slide
    and its notes."""
    parts = [s.element for s in presentation.slides]
    parts += [s.notes_slide.element for s in presentation.slides if s.has_notes_slide]
    for part in parts:
        for run in part.iter(qn("a:r"), qn("a:fld")):
            properties = run.find(qn("a:rPr"))
            if properties is None:
                properties = etree.SubElement(run, qn("a:rPr"))
                run.insert(0, properties)
            properties.set("lang", tag)
            for old in properties.findall(qn("a:ea")):
                properties.remove(old)
            ea = etree.Element(qn("a:ea"))
            ea.set("typeface", east_asian_typeface)
            after = next((child for child in properties if child.tag in _AFTER_EA), None)
            if after is None:
                properties.append(ea)
            else:
                after.addprevious(ea)


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry dated ZIP_DATE (python-pptx stamps the clock's time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return buffer.getvalue()
