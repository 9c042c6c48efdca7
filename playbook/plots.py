"""Charts: one seaborn theme for every chart, titles with units, currency axes."""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from playbook.formatting import money
from playbook.timing import TimingResult

FORECAST_MONTHS_SHOWN = 36
PALETTE = {"actual": "#1f3b73", "forecast": "#e07a1f", "band": "#9cc3a8", "mark": "#7a7a7a"}


class Chart:
    """A finished figure with a text description: shown as PNG with alt text, and as that text.

    The description is what a screen reader (and nbval's text comparison) gets.
    """

    def __init__(self, figure, description: str):
        self.figure = figure
        self.description = description

    def _repr_png_(self):
        buffer = io.BytesIO()
        # No 'Software' stamp: the bytes depend on the data, not on the matplotlib version string.
        self.figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue(), {"alt": self.description}

    def __repr__(self) -> str:
        return f"Chart: {self.description}"


def set_theme() -> None:
    """The one visual style of the playbook (called by every chart)."""
    sns.set_theme(
        style="whitegrid",
        context="notebook",
        rc={
            "figure.figsize": (9, 4.5),
            "figure.dpi": 100,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "playbook",
            "text.parse_math": False,  # "$20M–$30M" is money, not LaTeX
        },
    )


def currency_axis(ax, currency: str, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _: money(v, currency, digits=0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def arr_trajectory(result: TimingResult, *, currency: str = "USD") -> Chart:
    """ARR by month against the top-down band, with the forecast fan when ARR is below it."""
    set_theme()
    fig, ax = plt.subplots()
    low, high = result.band
    ax.axhspan(low, high, color=PALETTE["band"], alpha=0.35, lw=0,
               label=f"top-down band {money(low, currency, digits=0)}–{money(high, currency, digits=0)}")
    history = result.history
    ax.plot(history["month"], history["arr"], color=PALETTE["actual"], lw=2.2, label="ARR (actual)")
    if result.forecast is not None:
        fc = result.forecast.head(FORECAST_MONTHS_SHOWN)
        ax.fill_between(fc["month"], fc["p10"], fc["p90"], color=PALETTE["forecast"], alpha=0.2,
                        lw=0, label="forecast P10–P90")
        ax.plot(fc["month"], fc["p50"], color=PALETTE["forecast"], ls="--", lw=1.8,
                label="forecast P50")
    ax.set_ylim(0, max(history["arr"].max(), high) * 1.3)
    currency_axis(ax, currency)
    title = f"ARR by month against the top-down band ({currency}, annual recurring revenue)"
    ax.set_title(title)
    ax.set_xlabel("month")
    ax.set_ylabel(f"ARR ({currency})")
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    plt.close(fig)  # shown once, by the notebook's display of the returned chart
    description = (
        f"{title}: ARR {money(history['arr'].iloc[0], currency)} in {history['month'].iloc[0]:%b %Y}, "
        f"{money(history['arr'].iloc[-1], currency)} in {history['month'].iloc[-1]:%b %Y}"
    )
    if result.forecast is not None:
        description += "; dashed median forecast with its P10-P90 fan"
    return Chart(fig, description)
