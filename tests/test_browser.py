"""What a person sees: every page opened from disk in headless Chromium with the network off.

Also plants hostile text (HTML and script) in account names, feature names, candidate names and
interview evidence, and checks it renders as text everywhere. Locally the browser part skips when
Chromium is missing; under CI (CI=true) a missing Chromium fails instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from playbook import PROJECT_ROOT, SAMPLES_DIR
from playbook.runner.cli import main
from playbook.views.board import VERDICTS
from tests.conftest import require

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
HOSTILE = {
    "script": "<script>alert('account')</script>",
    "img": "<img src=x onerror=alert('feature')>",
    "evidence": "</table><script>alert('evidence')</script>",
}


def hostile_company(folder: Path) -> Path:
    """The ready sample with hostile names planted where people and tables show them."""
    shutil.copytree(SAMPLES_DIR / "ready", folder)
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str, keep_default_na=False)
    accounts["account_name"] = HOSTILE["script"] + " " + accounts["account_name"]
    accounts.to_csv(folder / "accounts.csv", index=False)
    for table in ("features", "feature_requests"):
        frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        frame["feature"] = HOSTILE["img"] + frame["feature"]
        frame.to_csv(folder / f"{table}.csv", index=False)
    candidates = pd.read_csv(folder / "leader_candidates.csv", dtype=str, keep_default_na=False)
    candidates["name"] = HOSTILE["script"] + candidates["name"]
    candidates.to_csv(folder / "leader_candidates.csv", index=False)
    scores = pd.read_csv(folder / "interview_scores.csv", dtype=str, keep_default_na=False)
    scores["evidence"] = HOSTILE["evidence"]
    scores.to_csv(folder / "interview_scores.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = hostile_company(root / "data")
    params = root / "params.yaml"
    params.write_text("show_pii: true\n")  # names shown: the hardest case for escaping
    assert main(["run", "--data", str(data), "--params", str(params), "--out", str(root / "out")]) == 0
    return next((root / "out").glob("run-*"))


def pages(run: Path) -> list[Path]:
    return sorted(run.glob("*.html"))


def test_hostile_text_renders_as_text_in_every_file(hostile_run):
    rendered = {p.name: p.read_text() for p in pages(hostile_run)}
    assert {"index.html", "slides.html", "02_penetration.html", "03_enterprise_demand.html"} <= set(rendered)
    for name, html in rendered.items():
        for raw in HOSTILE.values():
            assert raw not in html, f"{name} contains raw markup {raw!r}"
    escaped = "&lt;script&gt;alert("
    assert escaped in rendered["02_penetration.html"]  # account names in the pipeline table
    assert (
        "&lt;img src=x onerror=alert(" in rendered["03_enterprise_demand.html"]
    )  # feature names and sentences
    assert escaped in rendered["04_leaders.html"]  # candidate names (show_pii) in the ranking
    assert "&lt;/table&gt;&lt;script&gt;alert(" in rendered["04_leaders.html"]  # interview evidence
    assert (
        "&lt;img src=x onerror=alert(" in rendered["index.html"]
    )  # the top feature among the headline figures


def browser():
    require(
        CHROMIUM is not None,
        "Chromium is not installed (apt-get install chromium); the browser test needs it",
    )
    from playwright.sync_api import sync_playwright

    return sync_playwright()


@pytest.fixture(scope="module")
def ready_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser")
    assert main(["run", "--out", str(out)]) == 0
    return next(out.glob("run-*"))


def open_offline(run: Path, screenshot_prefix: str) -> dict[str, dict]:
    """Open every page from disk with the network off; report console errors, failed requests and images."""
    seen: dict[str, dict] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with browser() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = chromium.new_context(offline=True, viewport={"width": 1280, "height": 900})
        for path in pages(run):
            page = context.new_page()
            report = {"console": [], "failed": [], "external": [], "dialogs": []}
            page.on("console", lambda m, r=report: r["console"].append(m.text) if m.type == "error" else None)
            page.on("requestfailed", lambda q, r=report: r["failed"].append(q.url))
            page.on(
                "request",
                lambda q, r=report: (
                    r["external"].append(q.url) if not q.url.startswith(("file:", "data:")) else None
                ),
            )
            page.on("dialog", lambda d, r=report: (r["dialogs"].append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            report["images"] = page.eval_on_selector_all(
                "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
            )
            report["text"] = page.inner_text("body")[:400]
            if path.name == "slides.html":
                before = page.evaluate("window.scrollY")
                page.keyboard.press("ArrowRight")
                page.wait_for_timeout(300)
                report["slide_moved"] = page.evaluate("window.scrollY") > before
            page.screenshot(
                path=str(SCREENSHOTS / f"{screenshot_prefix}-{path.stem}.png"),
                full_page=path.name != "slides.html",
            )
            seen[path.name] = report
            page.close()
        chromium.close()
    return seen


def test_every_page_opens_offline_without_errors(ready_run):
    seen = open_offline(ready_run, "ready")
    assert set(seen) >= {
        "index.html",
        "slides.html",
        "00_overview.html",
        "01_timing.html",
        "02_penetration.html",
        "03_enterprise_demand.html",
        "04_leaders.html",
    }
    for name, report in seen.items():
        assert report["console"] == [], (name, report["console"])
        assert report["failed"] == [] and report["external"] == [], (
            name,
            report["failed"],
            report["external"],
        )
        assert all(report["images"]), (name, report["images"])
    assert seen["index.html"]["text"].lstrip().startswith("Sample company “ready”")  # the cover names it
    assert VERDICTS["ready"] in seen["index.html"]["text"]  # the verdict is on the first screen
    assert sum(len(r["images"]) for r in seen.values()) >= 8  # every section's charts are there
    assert seen["slides.html"]["slide_moved"]
    assert (SCREENSHOTS / "ready-index.png").stat().st_size > 10_000


def test_hostile_text_never_runs_in_the_browser(hostile_run):
    for name, report in open_offline(hostile_run, "hostile").items():
        assert report["dialogs"] == [], (name, report["dialogs"])
        assert report["console"] == [], (name, report["console"])
