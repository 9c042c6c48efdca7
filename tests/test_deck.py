"""The deck model and the charts' renderings: action titles, short slides, chart text measured on the
slide, SVG with real text, PNG at its dpi, Chinese drawn with a font that has its glyphs."""

from __future__ import annotations

import datetime as dt
import re
import struct
import warnings

import matplotlib.pyplot as plt
import pytest

from playbook.views import charts
from playbook.views.charts import Chart, set_theme
from playbook.views.deck import (
    CHART,
    MIN_CHART_TEXT_PX,
    SLIDE_HEIGHT_PX,
    SLIDE_WIDTH_PX,
    TEXT_ALONE,
    TEXT_BESIDE_CHART,
    Box,
    Deck,
    Slide,
    chart_text_px,
    display_width,
    fitted,
)
from playbook.views.i18n import use_language
from playbook.views.typefaces import CJK_FAMILY, INSTALL_HINT, face
from tests.conftest import require


def small_chart(*, title="ARR grew 40% in a year", size=(8.0, 4.0), text_pt=12.0, note_pt=None) -> Chart:
    """A figure whose text is all `text_pt` points, with an optional note of `note_pt`."""
    set_theme()
    with plt.rc_context({"font.size": text_pt, "axes.titlesize": text_pt, "axes.labelsize": text_pt}):
        fig, ax = plt.subplots(figsize=size)
        ax.plot([2024, 2025, 2026], [10, 14, 19.6])
        ax.set_title(title)
        ax.set_xlabel("year")
        ax.tick_params(labelsize=text_pt)
        if note_pt is not None:
            ax.text(2024.1, 18, "source: billing", fontsize=note_pt)
    fig.tight_layout()
    plt.close(fig)
    return Chart(fig, title)


def slide(number=1, **kwargs) -> Slide:
    return Slide(number=number, title=kwargs.pop("title", "We are ready for top-down sales"), **kwargs)


# --- slides and decks


def test_the_layout_fits_a_16_by_9_slide():
    assert SLIDE_WIDTH_PX * 9 == SLIDE_HEIGHT_PX * 16
    for box in (CHART, TEXT_ALONE, TEXT_BESIDE_CHART):
        assert box.left >= 0 and box.left + box.width <= SLIDE_WIDTH_PX
        assert box.top >= 0 and box.top + box.height <= SLIDE_HEIGHT_PX
    assert TEXT_BESIDE_CHART.left + TEXT_BESIDE_CHART.width <= CHART.left  # side by side, no overlap


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"title": "When should we add top-down sales?"}, r"slide 1: the title .* asks a question"),
        ({"title": "何时开始自上而下销售？"}, "asks a question"),
        ({"title": "  "}, "needs a title"),
        ({"lines": tuple(f"line {i}" for i in range(5))}, r"5 lines of text; at most 4"),
        ({"lines": "one string"}, "not one string"),
        ({"lines": ("渗透率" * 16,)}, r"96 columns wide; at most 90 \(a Chinese character counts 2\)"),
    ],
)
def test_a_slide_refuses_what_a_board_cannot_read(kwargs, message):
    with pytest.raises(ValueError, match=message):
        slide(**kwargs)


def test_a_slide_with_a_chart_puts_its_lines_beside_it():
    assert slide(chart=small_chart()).text_box == TEXT_BESIDE_CHART
    assert slide().text_box == TEXT_ALONE


def test_display_width_counts_chinese_double():
    assert display_width("ARR") == 3 and display_width("自上而下") == 8 and display_width("ARR 增长") == 8


def test_a_deck_numbers_its_slides_and_writes_its_footer_in_its_language():
    slides = (slide(1), slide(2, title="Sell to 20 accounts first"))
    deck = Deck(
        company="Acme Analytics", as_of=dt.date(2026, 9, 30), source="Source: billing, CRM", slides=slides
    )
    assert deck.footer == "Acme Analytics · September 30, 2026 · Source: billing, CRM"
    chinese = Deck(
        company="Acme", as_of=dt.date(2026, 9, 30), source="来源：账单", language="zh-CN", slides=slides
    )
    assert chinese.footer == "Acme · 2026年9月30日 · 来源：账单"
    with pytest.raises(ValueError, match=r"numbered 1, 2, 3 \.\.\. in order; got \[2, 1\]"):
        Deck(company="Acme", as_of=dt.date(2026, 9, 30), source="s", slides=slides[::-1])
    with pytest.raises(ValueError, match="company_name"):
        Deck(company=" ", as_of=dt.date(2026, 9, 30), source="s", slides=slides)
    with pytest.raises(ValueError, match="choose one of"):
        Deck(company="Acme", as_of=dt.date(2026, 9, 30), source="s", language="de", slides=slides)


# --- chart text on the slide


def test_the_smallest_font_is_found_among_titles_ticks_and_notes():
    assert small_chart(text_pt=12).smallest_font_pt() == pytest.approx(12)
    assert small_chart(text_pt=12, note_pt=7).smallest_font_pt() == pytest.approx(7)


def svg_font_sizes(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r"font-size: ?([0-9.]+)px", svg)]


def png_width(png: bytes) -> int:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", png[16:20])[0]


@pytest.mark.parametrize("size, pt", [((8.0, 4.0), 12.0), ((14.0, 4.8), 8.0), ((6.0, 5.0), 10.0)])
def test_chart_text_px_is_points_times_dpi_over_72_times_the_slides_scale(size, pt):
    chart = small_chart(size=size, text_pt=pt)
    px = chart_text_px(chart, CHART)
    placed = fitted(chart, CHART)
    # The PNG route: pt × dpi/72 px in the image, times the scale the slide applies to the image.
    for dpi in (100, 150):
        image_px = png_width(chart.png(dpi=dpi))
        assert image_px == pytest.approx(size[0] * dpi, abs=1)
        assert px == pytest.approx(pt * dpi / 72 * placed.width / image_px, rel=0.01)
    # The SVG route: its user unit is the point; its sizes scaled to the box give the same px.
    svg = chart.svg()
    svg_width_pt = float(re.search(r'<svg[^>]* width="([0-9.]+)pt"', svg).group(1))
    assert min(svg_font_sizes(svg)) == pytest.approx(pt)
    assert px == pytest.approx(min(svg_font_sizes(svg)) * placed.width / svg_width_pt, rel=0.01)


def test_a_fitted_chart_keeps_its_proportions_inside_its_box():
    for size in ((9.0, 4.5), (14.0, 4.8), (4.0, 6.0)):
        placed = fitted(small_chart(size=size), CHART)
        assert placed.width / placed.height == pytest.approx(size[0] / size[1], rel=0.01)
        assert CHART.left <= placed.left and placed.left + placed.width <= CHART.left + CHART.width
        assert CHART.top <= placed.top and placed.top + placed.height <= CHART.top + CHART.height
        assert placed.width == CHART.width or placed.height == CHART.height


def test_readable_and_unreadable_chart_text_are_told_apart():
    # 12 pt on an 8-inch figure in the 800 px box: 12/72 × 100 px per inch = 16.7 px.
    assert chart_text_px(small_chart(size=(8, 4), text_pt=12), CHART) >= MIN_CHART_TEXT_PX
    # Today's 14-inch win curves with 8 pt ticks: about 6 px, far below.
    assert chart_text_px(small_chart(size=(14, 4.8), text_pt=8), CHART) < MIN_CHART_TEXT_PX
    assert chart_text_px(small_chart(size=(8, 4), text_pt=12), Box(left=0, top=0, width=400, height=200)) < 14


# --- renderings


def test_svg_keeps_text_as_text_without_stamps_and_is_deterministic():
    first, second = small_chart().svg(), small_chart().svg()
    assert first == second
    assert "<text" in first and "ARR grew 40% in a year" in first
    assert "font-family" in first and "DejaVu Sans" in first
    assert "dc:date" not in first and "Matplotlib v" not in first
    assert '<path id="DejaVu' not in first  # glyphs are not drawn as outlines


def test_png_has_its_dpi_no_version_stamp_and_is_rendered_once():
    chart = small_chart(size=(8, 4))
    png = chart.png(dpi=150)
    assert png_width(png) == 1200 and b"Software" not in png and b"matplotlib" not in png.lower()
    assert chart.png(dpi=150) is png  # made once
    assert png_width(chart.png()) == round(8 * charts.PNG_DPI)


def cjk_available() -> bool:
    return face(CJK_FAMILY) is not None


def test_chinese_charts_draw_with_the_cjk_font_and_miss_no_glyph():
    require(cjk_available(), f"no {CJK_FAMILY} font ({INSTALL_HINT})")
    with use_language("zh-CN"), warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning: it fails here
        chart = small_chart(title="自上而下销售：渗透率达到阈值的账户 683 个")
        png, svg = chart.png(dpi=100), chart.svg()
    assert len(png) > 1000
    assert f"font-family: '{CJK_FAMILY}'" in svg and "自上而下销售" in svg


def test_a_missing_glyph_is_caught():
    # The negative control: Chinese drawn with the English fonts warns, so the test above can fail.
    with use_language("en"), pytest.warns(UserWarning, match=r"Glyph \d+ .* missing from font"):
        small_chart(title="自上而下销售").png(dpi=50)


def test_a_font_installed_after_matplotlibs_cache_is_found(monkeypatch):
    require(cjk_available(), f"no {CJK_FAMILY} font ({INSTALL_HINT})")
    from matplotlib import font_manager

    stale = [e for e in font_manager.fontManager.ttflist if "CJK" not in e.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    found = face(CJK_FAMILY)
    assert found is not None and found.path.suffix in (".ttc", ".otf", ".ttf")
    assert any(e.name == CJK_FAMILY for e in font_manager.fontManager.ttflist)
