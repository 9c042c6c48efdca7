"""What people see: text stays text, charts carry alt text, numbers read the same everywhere."""

from __future__ import annotations

import pandas as pd
import pytest

from playbook import SAMPLES_DIR
from playbook.analyses.outcome import Skipped
from playbook.analyses.timing import assess_timing
from playbook.data.locate import resolve_data_dir
from playbook.views.charts import arr_trajectory
from playbook.views.formatting import money, percent
from playbook.views.html import show, table, verdict_card

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_verdict_card_and_tables_escape_data():
    card = verdict_card("Timing", "early", [HOSTILE], notes=[HOSTILE]).data
    grid = table(pd.DataFrame({"account": [HOSTILE]})).data
    for html in (card, grid):
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "value, currency, text",
    [
        (24_500_000, "USD", "$24.5M"),
        (950, "USD", "$950"),
        (1.2e9, "EUR", "€1.2B"),
        (-3_000, "GBP", "-£3.0k"),
        (5e6, "CHF", "5.0M CHF"),
        (None, "USD", "n/a"),
    ],
)
def test_money(value, currency, text):
    assert money(value, currency) == text


def test_percent():
    assert percent(0.284) == "28%" and percent(None) == "n/a"


def test_chart_has_alt_text_and_no_version_stamp():
    from playbook.data import load_dataset

    data = load_dataset(SAMPLES_DIR / "early")
    chart = arr_trajectory(assess_timing(data.arr_monthly, as_of=data.as_of))
    png, meta = chart._repr_png_()
    assert png.startswith(b"\x89PNG") and b"Matplotlib version" not in png
    assert meta["alt"].startswith("ARR by month") and "forecast" in meta["alt"]
    assert chart.figure.axes[0].get_title(loc="left").endswith("annual recurring revenue)")


def test_a_skipped_analysis_is_shown_as_its_reason():
    skipped = Skipped(section="penetration", missing=("users",))
    shown = show(skipped, lambda _result: pytest.fail("a view never runs on a skipped analysis")).data
    assert "needs the users table" in shown


def test_data_dir_resolves_from_the_package_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir(None) == SAMPLES_DIR / "ready"
    assert resolve_data_dir("late") == SAMPLES_DIR / "late"
    assert str(resolve_data_dir("exports/acme")) == "exports/acme"  # a user path stays as given
    (tmp_path / "late").mkdir()
    assert resolve_data_dir("late") == tmp_path.joinpath("late").relative_to(tmp_path)  # a real folder wins
