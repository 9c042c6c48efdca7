"""What the board pack's machinery costs a run: charts as SVG and PNG, slides.pptx, the embedded
CJK font, board.pdf; and how large each chart's smallest text is on a 1280 × 720 slide.

`python benchmarks/bench_board.py` on an installed venv prints Markdown tables. Figures on this
machine; not a test (speed is measured here, never asserted). CPU seconds are this process's, plus
the process tree it waited for (Playwright's driver and Chromium) for the PDF.
"""

from __future__ import annotations

import html
import resource
import tempfile
import time
from pathlib import Path

from playbook import SAMPLES_DIR
from playbook.data import load_dataset
from playbook.runner.fonts import with_embedded_font
from playbook.runner.params import Params
from playbook.runner.pdf import print_pdf
from playbook.runner.pptx import write_pptx
from playbook.runner.results import assess_all
from playbook.views import charts
from playbook.views.deck import MIN_CHART_TEXT_PX, Deck, Slide, chart_text_px
from playbook.views.i18n import format_month, set_language
from playbook.views.notes import note_texts
from playbook.views.typefaces import css_font_family


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Clock:
    """Rows of (step, CPU seconds, wall seconds)."""

    def __init__(self):
        self.rows: list[tuple[str, float, float]] = []

    def time(self, step: str, action):
        start_cpu, start_wall = cpu(), time.perf_counter()
        value = action()
        self.rows.append((step, cpu() - start_cpu, time.perf_counter() - start_wall))
        return value


def made_charts(results) -> dict[str, charts.Chart]:
    return {
        "arr_trajectory": charts.arr_trajectory(results.timing),
        "win_curves": charts.win_curves(results.penetration),
        "request_rates": charts.request_rates(results.enterprise_demand),
        "candidate_scores": charts.candidate_scores(results.leaders, {}),
        "payout_curves": charts.payout_curves(results.compensation),
        "roster_quality": charts.roster_quality(results.compensation),
    }


def page(title: str, svgs: list[str], lines: list[str], language: str) -> str:
    """A pack-sized page: the language's font stack, the notes as text, the charts inline."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "".join(svgs)
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>body{{font-family:{css_font_family(language)}}}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def bench(language: str, results, out: Path) -> tuple[Clock, dict[str, float]]:
    set_language(language)
    clock = Clock()
    made = clock.time("build the 6 charts (matplotlib figures)", lambda: made_charts(results))
    svgs = clock.time("render them as SVG", lambda: [c.svg() for c in made.values()])
    clock.time("render them as PNG (150 dpi)", lambda: [c.png() for c in made.values()])
    sizes = {name: chart_text_px(chart) for name, chart in made.items()}
    as_of = results.timing.history["month"].iloc[-1].date()
    slides = tuple(
        Slide(number=i, title=f"{name} ({format_month(as_of)})", lines=(name,), chart=chart)
        for i, (name, chart) in enumerate(made.items(), start=1)
    )
    deck = Deck(company="Sample Company", as_of=as_of, source="Sample data", language=language, slides=slides)
    clock.time("write slides.pptx", lambda: write_pptx(deck, out / f"slides-{language}.pptx"))
    lines = note_texts(results.penetration.notes) + note_texts(results.enterprise_demand.notes)
    text = page("Board pack", svgs, lines, language)
    if language != "en":
        embedded = clock.time("embed the CJK font subset", lambda: with_embedded_font({"index.html": text}))
        text = embedded.pages["index.html"]
        print(f"{language}: subset of {len(embedded.characters)} characters, {embedded.font_bytes:,} bytes")
    (out / f"index-{language}.html").write_text(text)
    printed = clock.time(
        "print board.pdf (Chromium, whole process tree)",
        lambda: print_pdf(out / f"index-{language}.html", out / f"board-{language}.pdf", analysis_date=as_of),
    )
    if printed.note is not None:
        print(f"{language}: no PDF ({printed.note.code})")
    return clock, sizes


def main() -> None:
    results = assess_all(load_dataset(SAMPLES_DIR / "ready"), Params())
    with tempfile.TemporaryDirectory() as folder:
        for language in ("en", "zh-CN"):
            clock, sizes = bench(language, results, Path(folder))
            print(f"\n| {language}: step | CPU seconds | wall seconds |\n|---|---:|---:|")
            for step, cpu_seconds, wall in clock.rows:
                print(f"| {step} | {cpu_seconds:.2f} | {wall:.2f} |")
    print(
        f"\n| chart | smallest text on a 1280 × 720 slide (px) | ≥ {MIN_CHART_TEXT_PX} px |\n|---|---:|---|"
    )
    for name, px in sizes.items():
        print(f"| {name} | {px:.1f} | {'yes' if px >= MIN_CHART_TEXT_PX else 'no'} |")


if __name__ == "__main__":
    main()
