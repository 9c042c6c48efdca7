"""Print an HTML page to PDF with the machine's headless Chromium (`board.pdf`).

Playwright drives Debian's Chromium (`/usr/bin/chromium`; Playwright's own browser download is not
used), offline, with the page's print stylesheet, backgrounds printed, on A4 or Letter. Where no
Chromium is installed the PDF is skipped with a note saying how to get it, and the run goes on:
the PDF is a convenience, the HTML pack is the product. Chromium stamps the clock's time in the
PDF's metadata; it is replaced, byte for byte, by the analysis date, so the same page gives the
same file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from playbook.data.notes import Note

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "apt-get install chromium"
PAPERS = ("A4", "Letter")
# As root in a closed network: no sandbox (root), and none of Chromium's background connections
# (refused here, and slow to time out).
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
MARGIN = {"top": "12mm", "right": "12mm", "bottom": "14mm", "left": "12mm"}
# Page numbers in the bottom margin ("3 / 12"): Chromium fills the spans.
PAGE_NUMBER_FORMAT = (
    '<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)
TIMEOUT_MS = 60_000
_DATES = re.compile(rb"(/(?:CreationDate|ModDate) ?\(D:)(\d{14})([+\-Z][^)]*)?\)")


@dataclass(frozen=True, kw_only=True)
class Printed:
    """The printed PDF, or the note saying why there is none (`views.notes` words it)."""

    path: Path | None = None
    note: Note | None = None


def print_pdf(
    html: Path,
    pdf: Path,
    *,
    analysis_date: dt.date,
    paper: str = "A4",
    landscape: bool = False,
    page_numbers: bool = True,
    executable: Path = CHROMIUM,
) -> Printed:
    """Print `html` (a file) to `pdf` as the browser prints it; metadata dated `analysis_date`.

    Costs one Chromium start and print: about 1.5 s of CPU and 2 s of wall time for a small page.
    """
    if paper not in PAPERS:
        raise ValueError(f"paper {paper!r} is not one the PDF prints on; choose one of {PAPERS}")
    if not Path(executable).is_file():
        return Printed(
            note=Note("pdf_needs_chromium", file=pdf.name, executable=str(executable), install=INSTALL_HINT)
        )
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(executable), args=list(LAUNCH_ARGS))
            try:
                page = browser.new_context(offline=True).new_page()
                page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=TIMEOUT_MS)
                page.evaluate("document.fonts.ready")  # embedded fonts decoded before printing
                data = page.pdf(
                    format=paper,
                    landscape=landscape,
                    print_background=True,
                    margin=MARGIN,
                    display_header_footer=page_numbers,
                    header_template="<div></div>",
                    footer_template=PAGE_NUMBER_FORMAT if page_numbers else "<div></div>",
                    tagged=True,  # headings, lists and tables stay structure for screen readers
                    outline=True,  # the headings as the PDF's bookmarks
                )
            finally:
                browser.close()
    except Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return Printed(note=Note("pdf_failed", file=pdf.name, error=first_line))
    pdf.write_bytes(dated(data, analysis_date))
    return Printed(path=pdf)


def dated(data: bytes, day: dt.date) -> bytes:
    """The PDF with its creation and modification dates set to `day`, UTC midnight.

    The replacement has the same length as what it replaces, so every byte offset in the file (its
    cross-reference table) stays right.
    """

    def replace(match: re.Match) -> bytes:
        zone = match.group(3) or b""
        if re.fullmatch(rb"[+\-]\d\d'\d\d'", zone):
            zone = b"+00'00'"  # the machine's time zone is no part of the analysis
        return match.group(1) + day.strftime("%Y%m%d000000").encode() + zone + b")"

    return _DATES.sub(replace, data)
