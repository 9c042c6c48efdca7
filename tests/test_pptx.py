"""slides.pptx, read back with python-pptx: the deck's titles and slide count, native text, one
picture per chart, the footer and slide numbers, the East Asian typeface in Chinese, same bytes."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.oxml.ns import qn

from playbook.runner.pptx import EAST_ASIAN_TYPEFACE, ZIP_DATE, pptx_bytes, write_pptx
from playbook.views import deck as layout
from playbook.views.deck import Deck, Slide
from playbook.views.i18n import use_language
from tests.test_deck import small_chart

EMU_PER_PX = 9525


def board_deck(language: str = "en", *, confidentiality: str | None = "Confidential: board only") -> Deck:
    chinese = language == "zh-CN"
    with use_language(language):
        arr = small_chart(title="ARR 一年增长 40%" if chinese else "ARR grew 40% in a year")
        pay = small_chart(title="薪酬方案" if chinese else "Pay plans", size=(9, 4.5))
    slides = (
        Slide(
            number=1,
            title="现在开始自上而下销售" if chinese else "Add top-down sales now",
            lines=("683 个账户已过阈值", "80% 的企业功能需求来自客户")
            if chinese
            else ("683 accounts ready", "80% of asks from customers"),
            chart=arr,
            notes="Read the margin first.",
        ),
        Slide(
            number=2, title="先卖给前 20 个账户" if chinese else "Sell to 20 accounts first", lines=("SSO",)
        ),
        Slide(number=3, title="按 50/50 支付" if chinese else "Pay 50/50", chart=pay),
    )
    return Deck(
        company="Acme Analytics",
        as_of=dt.date(2026, 9, 30),
        source="来源：账单和 CRM" if chinese else "Source: billing and CRM exports",
        confidentiality=confidentiality,
        language=language,
        slides=slides,
    )


@pytest.fixture(scope="module", params=["en", "zh-CN"])
def written(request, tmp_path_factory):
    deck = board_deck(request.param)
    path = write_pptx(deck, tmp_path_factory.mktemp("pptx") / "slides.pptx")
    return deck, Presentation(str(path))


def placeholder(page, kind):
    found = [s for s in page.placeholders if s.placeholder_format.type == kind]
    assert len(found) == 1, (kind, [s.name for s in page.shapes])
    return found[0]


def test_sixteen_by_nine_with_the_decks_titles_and_slide_count(written):
    deck, presentation = written
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    assert presentation.slide_width == layout.SLIDE_WIDTH_PX * EMU_PER_PX
    assert len(presentation.slides) == len(deck.slides)
    assert [p.shapes.title.text for p in presentation.slides] == [s.title for s in deck.slides]


def test_titles_and_lines_are_native_text_placeholders(written):
    deck, presentation = written
    for slide, page in zip(deck.slides, presentation.slides, strict=True):
        assert page.shapes.title.is_placeholder
        assert page.shapes.title.placeholder_format.type == PP_PLACEHOLDER.TITLE
        bodies = [s for s in page.placeholders if s.placeholder_format.idx == 1]
        assert [b.text_frame.text.split("\n") for b in bodies] == ([list(slide.lines)] if slide.lines else [])


def test_one_picture_per_chart_fitted_in_the_chart_box_with_alt_text(written):
    deck, presentation = written
    for slide, page in zip(deck.slides, presentation.slides, strict=True):
        pictures = [s for s in page.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == (slide.chart is not None)
        for picture in pictures:
            placed = layout.fitted(slide.chart, layout.CHART)
            assert picture.width == placed.width * EMU_PER_PX and picture.height == placed.height * EMU_PER_PX
            assert picture.element.nvPicPr.cNvPr.get("descr") == slide.chart.description
            assert picture.image.content_type == "image/png"


def test_every_slide_has_the_footer_its_number_and_the_confidentiality_line(written):
    deck, presentation = written
    for slide, page in zip(deck.slides, presentation.slides, strict=True):
        assert placeholder(page, PP_PLACEHOLDER.FOOTER).text_frame.text == deck.footer
        assert placeholder(page, PP_PLACEHOLDER.SLIDE_NUMBER).text_frame.text == str(slide.number)
        field = placeholder(page, PP_PLACEHOLDER.SLIDE_NUMBER).element.find(".//" + qn("a:fld"))
        assert field.get("type") == "slidenum"  # PowerPoint keeps it numbered when slides move
        assert [s.text_frame.text for s in page.shapes if s.name == "Confidentiality"] == [
            deck.confidentiality
        ]
        ids = [s.shape_id for s in page.shapes]
        assert len(ids) == len(set(ids))
    assert "Acme Analytics" in deck.footer and "CRM" in deck.footer
    assert presentation.slides[0].notes_slide.notes_text_frame.text == "Read the margin first."


def test_no_confidentiality_line_unless_given():
    presentation = Presentation(io.BytesIO(pptx_bytes(board_deck(confidentiality=None))))
    assert not [s for p in presentation.slides for s in p.shapes if s.name == "Confidentiality"]


def runs(presentation):
    for page in presentation.slides:
        parts = [page.element] + ([page.notes_slide.element] if page.has_notes_slide else [])
        for part in parts:
            yield from part.iter(qn("a:r"), qn("a:fld"))


SCHEMA_ORDER = [
    "ln",
    "noFill",
    "solidFill",
    "effectLst",
    "highlight",
    "uLnTx",
    "uFillTx",
    "latin",
    "ea",
    "cs",
    "sym",
]


def test_chinese_runs_name_the_east_asian_typeface_and_their_language(written):
    deck, presentation = written
    found = list(runs(presentation))
    assert len(found) >= 3 * len(deck.slides)  # title, footer, number at least
    for run in found:
        properties = run.find(qn("a:rPr"))
        faces = [] if properties is None else properties.findall(qn("a:ea"))
        if deck.language == "zh-CN":
            assert [f.get("typeface") for f in faces] == [EAST_ASIAN_TYPEFACE]
            assert properties.get("lang") == "zh-CN"
            tags = [c.tag.split("}")[1] for c in properties if c.tag.split("}")[1] in SCHEMA_ORDER]
            assert tags == sorted(tags, key=SCHEMA_ORDER.index)
        else:
            assert faces == []


def test_the_same_deck_gives_the_same_bytes_whatever_the_clock(monkeypatch):
    deck = board_deck("zh-CN")
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)
    first = pptx_bytes(deck)
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    assert pptx_bytes(deck) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {ZIP_DATE}
    properties = Presentation(io.BytesIO(first)).core_properties
    assert properties.created == properties.modified == dt.datetime(2026, 9, 30)
    assert properties.language == "zh-CN" and properties.title == deck.slides[0].title
