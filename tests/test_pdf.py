"""board.pdf: printed by headless Chromium on A4 or Letter, cards kept whole across page breaks,
backgrounds printed, the same bytes twice; without Chromium, a note saying how to get it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from playbook.runner.pdf import CHROMIUM, INSTALL_HINT, print_pdf
from playbook.views.notes import note_text
from tests.conftest import require

DAY = dt.date(2026, 9, 30)
# A 900 px block, then a 300 px card: the card straddles the end of the first A4 page (about
# 1030 px of content between the margins) unless it is kept whole.
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Board pack</title>
<style>
body {{ font-family: sans-serif; margin: 0 }}
.filler {{ height: 900px }}
.card {{ {rule} height: 300px; background: #eeeeff; display: flex; flex-direction: column;
         justify-content: space-between }}
</style></head><body>
<div class="filler"><h1>Acme Analytics board pack</h1><p>The answer: add top-down sales now.</p></div>
<div class="card"><p>CARDSTART where to sell</p><p>CARDEND the top accounts</p></div>
</body></html>"""


def chromium_needed():
    require(CHROMIUM.is_file(), f"Chromium is not installed ({INSTALL_HINT}); the PDF test needs it")


def printed(tmp_path, *, rule="break-inside: avoid;", **kwargs) -> PdfReader:
    html = tmp_path / "page.html"
    html.write_text(PAGE.format(rule=rule))
    result = print_pdf(html, tmp_path / "board.pdf", analysis_date=DAY, **kwargs)
    assert result.note is None and result.path == tmp_path / "board.pdf"
    return PdfReader(result.path)


def page_of(reader: PdfReader, mark: str) -> list[int]:
    return [i for i, page in enumerate(reader.pages) if mark in page.extract_text()]


def test_a_card_kept_whole_moves_to_the_next_page(tmp_path):
    chromium_needed()
    reader = printed(tmp_path)
    assert len(reader.pages) == 2
    assert page_of(reader, "CARDSTART") == page_of(reader, "CARDEND") == [1]
    assert "1 / 2" in reader.pages[0].extract_text()  # page numbers in the margin


def test_without_the_rule_the_card_is_split(tmp_path):
    # The control: the same page without break-inside splits the card, so the check above can fail.
    chromium_needed()
    reader = printed(tmp_path, rule="")
    assert page_of(reader, "CARDSTART") == [0] and page_of(reader, "CARDEND") == [1]


@pytest.mark.parametrize("paper, size_pt", [("A4", (595, 842)), ("Letter", (612, 792))])
def test_the_paper_size_and_the_printed_background(tmp_path, paper, size_pt):
    chromium_needed()
    reader = printed(tmp_path, paper=paper)
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(size_pt[0], abs=1.5)  # Chromium rounds up to whole points
    assert float(box.height) == pytest.approx(size_pt[1], abs=1.5)
    drawn = b"".join(page.get_contents().get_data() for page in reader.pages)
    # The card's #eeeeff fill (0.933 0.933 1) is painted: backgrounds are printed.
    assert re.search(rb"(?<![\d.])0?\.933\d* 0?\.933\d* 1 rg", drawn)


def test_the_same_page_prints_the_same_bytes_dated_on_the_analysis_date(tmp_path):
    chromium_needed()
    printed(tmp_path)
    first = (tmp_path / "board.pdf").read_bytes()
    printed(tmp_path)
    second = (tmp_path / "board.pdf").read_bytes()
    assert first == second
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata["/CreationDate"].startswith("D:20260930000000")
    assert metadata["/ModDate"].startswith("D:20260930000000")
    assert metadata.title == "Board pack"


def test_without_chromium_the_run_is_told_how_to_get_it(tmp_path):
    html = tmp_path / "page.html"
    html.write_text(PAGE.format(rule=""))
    result = print_pdf(html, tmp_path / "board.pdf", analysis_date=DAY, executable=tmp_path / "no-chromium")
    assert result.path is None and not (tmp_path / "board.pdf").exists()
    assert result.note.code == "pdf_needs_chromium"
    text = note_text(result.note)
    assert "board.pdf was not printed" in text and "apt-get install chromium" in text
    assert str(tmp_path / "no-chromium") in text


def test_an_unknown_paper_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"paper 'A3'.*choose one of \('A4', 'Letter'\)"):
        print_pdf(tmp_path / "x.html", tmp_path / "x.pdf", analysis_date=DAY, paper="A3")
