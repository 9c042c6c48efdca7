"""The embedded font: a subset covering exactly the characters the pages show, used by the browser
with the network off for every character (the page's text and a chart's SVG text)."""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont

from playbook.runner import fonts
from playbook.runner.fonts import page_characters, subset_font, with_embedded_font
from playbook.runner.pdf import CHROMIUM, INSTALL_HINT, LAUNCH_ARGS
from playbook.views.notes import note_text
from playbook.views.typefaces import CJK_FAMILY, css_font_family, face
from tests.conftest import require

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>董事会材料</title>
<style>body {{ font-family: {stack}; font-size: 20px }} .hidden-rule::after {{ content: "" }}</style>
<script>const neverShown = "脚本里的字";</script></head>
<body><h1>现在开始自上而下销售</h1>
<p id="figures">683 个账户已过渗透率阈值；期望值 2450万美元（2026年9月30日）。</p>
<img alt="赢单率曲线" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<svg width="300" height="60">
<text x="5" y="40" style="font-size: 24px; font-family: '{family}'">企业功能需求</text></svg>
</body></html>"""


def cjk_needed():
    require(face(CJK_FAMILY) is not None, f"no {CJK_FAMILY} font ({INSTALL_HINT})")


def page() -> str:
    return PAGE.format(stack=css_font_family("zh-CN"), family=CJK_FAMILY)


def cmap_of(font_data: bytes) -> set[str]:
    return {chr(code) for code in TTFont(io.BytesIO(font_data)).getBestCmap()}


def test_page_characters_are_the_text_and_the_shown_attributes():
    shown = page_characters(page())
    for text in ("现在开始自上而下销售", "2450万美元", "赢单率曲线", "企业功能需求", "董事会材料"):
        assert set(text) <= set(shown), text
    assert not set("脚本里") & set(shown)  # a script's text is never shown
    assert "\n" not in shown and list(shown) == sorted(set(shown))


def test_the_subset_covers_exactly_the_pages_characters():
    cjk_needed()
    characters = page_characters(page())
    data = subset_font(characters, face(CJK_FAMILY))
    assert cmap_of(data) == set(characters)  # the font has each of them; nothing more is kept
    assert data[:4] == b"wOFF" and len(data) < 60_000
    assert subset_font(characters, face(CJK_FAMILY)) == data  # no timestamp: the same bytes


def test_one_subset_for_all_pages_inserted_in_each_head():
    cjk_needed()
    pages = {"index.html": page(), "slides.html": "<html><head></head><body>按 50/50 支付</body></html>"}
    embedded = with_embedded_font(pages)
    assert embedded.note is None
    assert set("按支付") <= set(embedded.characters) and set("自上而下") <= set(embedded.characters)
    for name, html in embedded.pages.items():
        assert html.count("@font-face") == 1 and html.index("@font-face") < html.lower().index("</head>"), (
            name
        )
        assert f"font-family:'{CJK_FAMILY}'" in html and "data:font/woff;base64," in html


def test_without_the_font_the_pages_stay_and_the_note_says_how_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "face", lambda _family: None)
    embedded = with_embedded_font({"index.html": page()})
    assert embedded.pages == {"index.html": page()} and embedded.font_bytes == 0
    assert "apt-get install fonts-noto-cjk" in note_text(embedded.note)


def platform_fonts(page_, selector: str) -> list[dict]:
    """The fonts Chromium drew a node's text with (DevTools: CSS.getPlatformFontsForNode)."""
    session = page_.context.new_cdp_session(page_)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def rendered(tmp_path, html: str) -> dict:
    require(CHROMIUM.is_file(), "Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    path = tmp_path / "page.html"
    path.write_text(html)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(LAUNCH_ARGS))
        context = browser.new_context(offline=True)
        requests = []
        context.on("request", lambda r: requests.append(r.url))
        view = context.new_page()
        view.goto(path.as_uri(), wait_until="load")
        view.evaluate("document.fonts.ready")
        seen = {
            "faces": view.evaluate("[...document.fonts].map(f => [f.family.replaceAll('\"', ''), f.status])"),
            "text": view.inner_text("body"),
            "h1": platform_fonts(view, "h1"),
            "p": platform_fonts(view, "#figures"),
            "svg": platform_fonts(view, "svg text"),
            "requests": [u for u in requests if not u.startswith(("file:", "data:"))],
        }
        browser.close()
    return seen


def test_chromium_offline_draws_every_character_with_the_embedded_face(tmp_path):
    cjk_needed()
    embedded = with_embedded_font({"page.html": page()})
    seen = rendered(tmp_path, embedded.pages["page.html"])
    assert seen["requests"] == []
    assert [CJK_FAMILY, "loaded"] in seen["faces"]
    for node in ("h1", "p", "svg"):
        # isCustomFont: a web font (ours), not the machine's installed Noto; one entry: no fallback.
        assert [(f["familyName"], f["isCustomFont"]) for f in seen[node]] == [(CJK_FAMILY, True)], seen[node]
    assert set(seen["text"]) - set(" \n") <= set(embedded.characters)


def test_a_character_left_out_of_the_subset_falls_back_and_is_caught(tmp_path, monkeypatch):
    # The control: a subset without 销 leaves the heading to a system font for that character.
    cjk_needed()
    real = fonts.subset_font
    monkeypatch.setattr(
        fonts, "subset_font", lambda characters, font: real(characters.replace("销", ""), font)
    )
    seen = rendered(tmp_path, with_embedded_font({"page.html": page()}).pages["page.html"])
    assert any(not f["isCustomFont"] for f in seen["h1"]), seen["h1"]
    assert [(f["familyName"], f["isCustomFont"]) for f in seen["svg"]] == [(CJK_FAMILY, True)]


@pytest.mark.parametrize("language, first", [("zh-CN", CJK_FAMILY), ("en", "system-ui")])
def test_the_css_stack_names_the_languages_face_first(language, first):
    assert css_font_family(language).split(",")[0].strip('"') == first
