"""The workshop as a participant runs it: `make lab`, then Run All in JupyterLab, in headless
Chromium through Playwright; one parameter changed and the notebook run again.

The server is started by `make lab` itself (on a copy of the notebooks, on a free port, with a
token), so the test also proves that `make lab` prints the URL and starts as root (a container).
Locally the test skips when Chromium is missing; under CI=true it fails instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest

from playbook import NOTEBOOKS_DIR, PROJECT_ROOT
from tests.conftest import require
from tests.engine_servers import free_port
from tests.test_browser import CHROMIUM, SCREENSHOTS

TOKEN = "workshop-test-token"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started by `make lab` on a copy of the notebooks; stopped (with its kernels) after."""
    require(
        CHROMIUM is not None,
        "Chromium is not installed (apt-get install chromium); the JupyterLab test needs it",
    )
    folder = tmp_path_factory.mktemp("workshop")
    for notebook in NOTEBOOKS_DIR.glob("*.ipynb"):
        shutil.copy(notebook, folder / notebook.name)
    port = free_port()
    log = folder.parent / "lab.log"
    server = subprocess.Popen(
        [
            "make",
            "-s",
            "lab",
            f"LAB_DIR={folder}",
            f"LAB_ARGS=--port={port} --ServerApp.port_retries=0 --IdentityProvider.token={TOKEN}",
        ],
        cwd=PROJECT_ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the server and its kernels stop together
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(folder.parent / "runtime")},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        yield url, log
    finally:
        with_group = os.getpgid(server.pid)
        os.killpg(with_group, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(with_group, signal.SIGKILL)
            server.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(with_group, signal.SIGKILL)  # any kernel the server left behind


def test_make_lab_prints_the_url(lab):
    url, log = lab
    printed = log.read_text()
    assert "open the http://127.0.0.1:... URL printed below" in printed
    # Jupyter prints the URL; a token it was given (as here) is shown as "...", one it made in full.
    assert f"{url}/lab?token=" in printed


def _code_prompts(page) -> list[str]:
    return page.eval_on_selector_all(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt",
        "els => els.map(e => e.textContent)",
    )


def _wait_for_kernel(url: str, notebook: str) -> None:
    """Until the notebook's kernel has started and is idle (the server's own account of it)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}/api/sessions?token={TOKEN}", timeout=5) as response:
            sessions = json.load(response)
        if any(s["path"].endswith(notebook) and s["kernel"]["execution_state"] == "idle" for s in sessions):
            return
        time.sleep(0.5)
    raise AssertionError(f"the kernel of {notebook} never became idle")


def _run_all(page, url: str, notebook: str, after: int) -> int:
    """Run > Run All Cells; wait until the last code cell shows an execution count above `after`
    and the kernel is idle again (cells scrolled away may be re-rendered lazily, so only the last
    one, where Run All leaves the view, is read)."""
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        prompts = _code_prompts(page)
        last = re.fullmatch(r"\[(\d+)\]:", prompts[-1].strip()) if prompts else None
        if last and int(last.group(1)) > after and not any("*" in p for p in prompts):
            _wait_for_kernel(url, notebook)
            return int(last.group(1))
        time.sleep(0.5)
    page.screenshot(path=str(SCREENSHOTS / "lab-did-not-finish.png"))
    raise AssertionError(f"the notebook did not finish running: prompts {_code_prompts(page)}")


def _errors(page) -> list[str]:
    """Tracebacks shown in any output (errors render as stderr output with the exception's name)."""
    texts = page.eval_on_selector_all(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
        "[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent)",
    )
    return [t for t in texts if "Traceback" in t or re.search(r"\w+Error\b", t)]


def _verdict(page) -> str:
    """The verdict card's text (scrolled into view: JupyterLab renders off-screen cells lazily)."""
    card = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .playbook-verdict").first
    card.scroll_into_view_if_needed()
    return card.text_content() or ""


def _set_parameter(page, line: str) -> None:
    """Append an assignment at the end of the parameters cell (the second cell)."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(1)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.insert_text(line)
    page.keyboard.press("Escape")


@pytest.mark.parametrize(
    "notebook, change, before, after",
    [
        ("01_timing", "band_low, band_high = 30_000_000, 40_000_000", "Timing: in_window", "Timing: "),
        (
            "04_leaders",
            'custom_plans = [{"name": "30/70 individual", "base_share": 0.3}]',
            "Pay: 50/50 individual",
            "Pay: 30/70 individual",
        ),
    ],
)
def test_run_all_in_jupyterlab_then_change_a_parameter(lab, notebook, change, before, after):
    from playwright.sync_api import sync_playwright

    url, _ = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        try:
            # A workspace of its own, reset: only this notebook open, whatever an earlier test left.
            page.goto(f"{url}/lab/workspaces/{notebook}/tree/{notebook}.ipynb?reset&token={TOKEN}")
            page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell", timeout=90_000)
            _wait_for_kernel(url, f"{notebook}.ipynb")
            first = _run_all(page, url, f"{notebook}.ipynb", after=0)
            assert not _errors(page), _errors(page)
            shown = _verdict(page)
            assert before in shown, shown
            page.screenshot(path=str(SCREENSHOTS / f"lab-{notebook}-before.png"))

            _set_parameter(page, change)
            _run_all(page, url, f"{notebook}.ipynb", after=first)
            assert not _errors(page), _errors(page)
            changed = _verdict(page)
            page.screenshot(path=str(SCREENSHOTS / f"lab-{notebook}-after.png"))
            assert changed != shown and after in changed, changed
            if notebook == "01_timing":
                assert "in_window" not in changed
        finally:
            chromium.close()
