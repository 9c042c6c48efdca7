"""Charts: one theme for every chart, titles with units, currency axes."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from playbook.analyses import compensation
from playbook.analyses.penetration import RULES_OF_THUMB, SIGNALS
from playbook.analyses.timing import TimingResult
from playbook.views.formatting import money
from playbook.views.html import notes_card
from playbook.views.penetration import MARK_WORDS, SIGNAL_LABELS, VERDICT_WORDS, signal_value
from playbook.views.typefaces import font_rc

FORECAST_MONTHS_SHOWN = 36
# PNG renderings for slides: 150 pixels per inch, a 9-inch chart 1350 px wide, 1.7 times the 800 px
# it takes on a 1280 px slide (sharp on a HiDPI screen; 200 dpi costs 1.8 times the CPU).
PNG_DPI = 150
PALETTE = {"actual": "#1f3b73", "forecast": "#e07a1f", "band": "#9cc3a8", "mark": "#7a7a7a"}


class Chart:
    """A finished figure with a text description: shown as PNG with alt text, and as that text.

    The description is what a screen reader (and nbval's text comparison) gets. For the board pack
    the same figure renders as SVG with real text (`svg()`: selectable, searchable, sharp at any
    size, drawn in the page's fonts) and as PNG at a stated dpi (`png()`, for PowerPoint); each
    rendering is made once. `smallest_font_pt()` states the smallest text it draws, from which
    `views.deck` computes the size that text has on a slide.
    """

    def __init__(self, figure, description: str):
        self.figure = figure
        self.description = description
        self._rendered: dict[tuple, bytes] = {}

    def _repr_png_(self):
        buffer = io.BytesIO()
        # No 'Software' stamp: the bytes depend on the data, not on the matplotlib version string.
        self.figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue(), {"alt": self.description}

    def __repr__(self) -> str:
        return f"Chart: {self.description}"

    @property
    def size_inches(self) -> tuple[float, float]:
        """The figure's width and height in inches (its text sizes are in points: 1/72 inch)."""
        width, height = self.figure.get_size_inches()
        return float(width), float(height)

    def svg(self) -> str:
        """The chart as SVG markup to inline in a page: text kept as text in the fonts the chart
        names (`svg.fonttype: none`), no date or creator stamp, ids salted the same on every run."""
        if ("svg",) not in self._rendered:
            buffer = io.BytesIO()
            with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": THEME["svg.hashsalt"]}):
                self.figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
            self._rendered["svg",] = buffer.getvalue()
        return self._rendered["svg",].decode("utf-8")

    def png(self, *, dpi: int = PNG_DPI) -> bytes:
        """The chart as PNG at `dpi` pixels per inch (width = inches × dpi), without a version stamp."""
        if ("png", dpi) not in self._rendered:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
            self._rendered["png", dpi] = buffer.getvalue()
        return self._rendered["png", dpi]

    def smallest_font_pt(self) -> float:
        """The smallest font size, in points, of any text the chart draws (tick labels included)."""
        self.figure.draw_without_rendering()  # tick labels exist once the figure is laid out
        sizes = [
            t.get_fontsize()
            for t in self.figure.findobj(Text)
            if t.get_visible() and t.get_text().strip() and _drawn(t)
        ]
        return float(min(sizes))


def _drawn(text: Text) -> bool:
    """Whether a text lies on the figure: a tick label outside the axis' view is kept, not drawn."""
    box, page = text.get_window_extent(), text.get_figure(root=True).bbox
    return box.x1 >= page.x0 and box.x0 <= page.x1 and box.y1 >= page.y0 and box.y0 <= page.y1


def _finished(fig, description: str, *, rect=(0, 0, 1, 1)) -> Chart:
    """Lay out the figure, close it (the notebook shows the returned Chart once) and describe it."""
    fig.tight_layout(rect=rect)
    plt.close(fig)
    return Chart(fig, description)


# A light grid on white, as seaborn's "whitegrid" draws it, set through matplotlib alone: seaborn
# would add a second to every notebook kernel's start-up for a style.
THEME = {
    "figure.figsize": (9, 4.5),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#cccccc",
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.labelcolor": "#262626",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": plt.cycler(
        color=["#1f3b73", "#e07a1f", "#3a8f5c", "#b3261e", "#7b5ea7", "#8c6d31", "#5b6475"]
    ),
    "grid.color": "#e6e6e6",
    "grid.linestyle": "-",
    "xtick.color": "#262626",
    "ytick.color": "#262626",
    "xtick.bottom": False,
    "ytick.left": False,
    "legend.fontsize": 9,
    "font.size": 11,
    "svg.hashsalt": "playbook",
    "svg.fonttype": "none",  # text in SVG stays text, in the fonts named
    "text.parse_math": False,  # "$20M–$30M" is money, not LaTeX
}


def set_theme() -> None:
    """The one visual style of the playbook (called by every chart), in the active language's fonts."""
    plt.rcParams.update(THEME)
    plt.rcParams.update(font_rc())


def currency_axis(ax, currency: str, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda v, _: money(v, currency, digits=0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def arr_trajectory(result: TimingResult, *, currency: str = "USD") -> Chart:
    """ARR by month against the top-down band, with the forecast fan when ARR is below it."""
    set_theme()
    fig, ax = plt.subplots()
    low, high = result.band
    ax.axhspan(
        low,
        high,
        color=PALETTE["band"],
        alpha=0.35,
        lw=0,
        label=f"top-down band {money(low, currency, digits=0)}–{money(high, currency, digits=0)}",
    )
    history = result.history
    ax.plot(history["month"], history["arr"], color=PALETTE["actual"], lw=2.2, label="ARR (actual)")
    if result.forecast is not None:
        fc = result.forecast.head(FORECAST_MONTHS_SHOWN)
        ax.fill_between(
            fc["month"],
            fc["p10"],
            fc["p90"],
            color=PALETTE["forecast"],
            alpha=0.2,
            lw=0,
            label="forecast P10–P90",
        )
        ax.plot(fc["month"], fc["p50"], color=PALETTE["forecast"], ls="--", lw=1.8, label="forecast P50")
    top = max(history["arr"].max(), high) * 1.3
    shifts = result.structure.shifts if result.structure is not None else result.events
    for shift in shifts:
        ax.axvline(shift.month, color=PALETTE["mark"], ls=":", lw=1.2)
        ax.annotate(
            _shift_label(shift),
            (shift.month, top * 0.97),
            rotation=90,
            ha="right",
            va="top",
            fontsize="small",
            color=PALETTE["mark"],
        )
    ax.set_ylim(0, top)
    currency_axis(ax, currency)
    title = f"ARR by month against the top-down band ({currency}, annual recurring revenue)"
    ax.set_title(title)
    ax.set_xlabel("month")
    ax.set_ylabel(f"ARR ({currency})")
    ax.legend(loc="upper left", frameon=False)
    description = (
        f"{title}: ARR {money(history['arr'].iloc[0], currency)} in {history['month'].iloc[0]:%b %Y}, "
        f"{money(history['arr'].iloc[-1], currency)} in {history['month'].iloc[-1]:%b %Y}"
    )
    if result.forecast is not None:
        description += "; dashed median forecast with its P10-P90 fan"
    if shifts:
        description += "; one-off steps marked: " + ", ".join(_shift_label(s) for s in shifts)
    return _finished(fig, description)


def _shift_label(shift) -> str:
    """'acquisition, +30%, Aug 2026' (declared) or 'step found, +30%, Aug 2026' (detected)."""
    what = shift.kind.replace("_", " ") if shift.kind else "step found"
    size = "" if shift.size is None else f", {shift.size:+.0%}"
    return f"{what}{size}, {shift.month:%b %Y}"


def win_curves(result) -> Chart:
    """Win rate against each signal on the day the deal opened: bins, fitted curve, thresholds, marks."""
    set_theme()
    fig, axes = plt.subplots(1, len(SIGNALS), figsize=(14, 4.8), sharey=True)
    closed = result.deals[result.deals["outcome"].isin(["won", "lost"])]
    won = (closed["outcome"] == "won").astype(float)
    parts = []
    for ax, signal in zip(axes, SIGNALS, strict=True):
        x = closed[signal].astype(float)
        positive = x > 0
        t = result.thresholds[signal]
        log_axis = signal != "departments" and positive.sum() >= 10
        if positive.sum() >= 10:
            bins = pd.qcut(x[positive], q=min(8, int(positive.sum()) // 5), duplicates="drop")
            binned = pd.DataFrame({"x": x[positive], "won": won[positive], "bin": bins}).groupby(
                "bin", observed=True
            )
            stats = binned.agg(x=("x", "median"), rate=("won", "mean"), n=("won", "size"))
            ax.scatter(
                stats["x"],
                stats["rate"],
                s=stats["n"] * 3,
                color=PALETTE["actual"],
                alpha=0.75,
                label="win rate of the deals in a bin (dot size: number of deals)",
                zorder=3,
            )
            curve = result.curves.get(signal)
            if curve is not None and t.claimed:
                shown = curve.knots > 0 if log_axis else np.ones(len(curve.knots), bool)
                ax.plot(
                    curve.knots[shown],
                    curve.fitted[shown],
                    color=PALETTE["forecast"],
                    lw=2,
                    drawstyle="steps-post",
                    label="win curve (isotonic: never falls as usage rises)",
                )
        if log_axis:
            ax.set_xscale("log")
        if signal == "employee_penetration":
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:g}%"))
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        if t.ci is not None:
            ax.axvspan(*t.ci, color=PALETTE["band"], alpha=0.35, lw=0, label="our threshold's 95% interval")
        if t.claimed:
            ax.axvline(
                t.threshold,
                color=PALETTE["actual"],
                lw=1.6,
                ls="-" if t.verdict == "own_threshold" else ":",
                label="our threshold (tested)"
                if t.verdict == "own_threshold"
                else "where our deals split best",
            )
        else:
            ax.text(
                0.02,
                0.9,
                f"no threshold: {VERDICT_WORDS[t.verdict]}",
                transform=ax.transAxes,
                fontsize=9,
                color=PALETTE["actual"],
            )
        rule = RULES_OF_THUMB[signal]
        for i, mark in enumerate(rule.marks):
            ax.axvline(
                mark, color=PALETTE["mark"], ls="--", lw=1, label="the article's mark" if i == 0 else None
            )
        ax.text(
            rule.marks[-1],
            0.97,
            f" {MARK_WORDS[signal][1]}",
            color=PALETTE["mark"],
            fontsize=8,
            va="top",
            transform=ax.get_xaxis_transform(),
        )
        ax.set_title(SIGNAL_LABELS[signal].split(" (")[0].capitalize(), fontsize=11)
        ax.set_xlabel(
            {
                "employee_penetration": "active users / employees",
                "departments": "departments with an active user",
                "seats": "active users",
            }[signal]
            + (" (log scale)" if log_axis else "")
        )
        found = signal_value(signal, t.threshold) if t.claimed else VERDICT_WORDS[t.verdict]
        parts.append(f"{SIGNAL_LABELS[signal]}: {found}")
    axes[0].set_ylabel("win rate (0–1)")
    axes[0].set_ylim(-0.02, 1.02)
    handles = {}  # one legend entry per label, across the panels
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=4, frameon=False, fontsize=9)
    fig.suptitle(
        "Win rate of closed top-down deals by usage on the day the deal opened",
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    return _finished(
        fig, "Win rate by usage on the day the deal opened: " + "; ".join(parts), rect=(0, 0.1, 1, 1)
    )  # room for the shared legend


def country_growth(result) -> Chart:
    """Growth over 12 months of accounts above the threshold, by country, the home market marked."""
    if result.countries is None or result.countries["growth_12m"].notna().sum() == 0:
        return notes_card(
            ["No country growth to chart (no country column, or no account above the threshold a year ago)."]
        )
    set_theme()
    table = result.countries.dropna(subset=["growth_12m"]).sort_values("growth_12m")
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(table) + 1.5))
    colors = [
        PALETTE["actual"] if c == result.home_country else PALETTE["forecast"] for c in table["country"]
    ]
    ax.barh(table["country"], table["growth_12m"] * 100, color=colors)
    for y, (growth, count) in enumerate(zip(table["growth_12m"], table["above_threshold"], strict=True)):
        ax.text(growth * 100, y, f"  {growth * 100:.0f}% ({count} accounts now)", va="center", fontsize=9)
    ax.set_xlabel("growth in accounts above the threshold over the last 12 months (%)")
    ax.set_title(
        f"Where usage is growing: accounts above the threshold, by country (home: {result.home_country})"
    )
    ax.margins(x=0.25)
    top = table.iloc[-1]
    return _finished(
        fig,
        f"Growth of accounts above the threshold by country; fastest {top['country']} "
        f"at {top['growth_12m'] * 100:.0f}%; home market {result.home_country}",
    )


def request_rates(result) -> Chart:
    """Fitted feature requests per account-year against account size, enterprise vs core."""
    set_theme()
    fig, ax = plt.subplots()
    effect = result.size
    if effect is None:
        plt.close(fig)
        return notes_card(["Demand by account size is not estimated: nothing to chart."])
    seats = np.geomspace(1, effect.seats_max, 60)
    colors = {"enterprise": PALETTE["actual"], "core": PALETTE["forecast"]}
    parts = []
    for kind, irr, ci in (
        ("enterprise", effect.enterprise_irr, effect.enterprise_ci),
        ("core", effect.core_irr, effect.core_ci),
    ):
        rate, low, high = effect.rate(kind, seats)
        ax.plot(
            seats,
            rate,
            color=colors[kind],
            lw=2,
            label=f"{kind}: {irr:.2f}× per doubling ({ci[0]:.2f}–{ci[1]:.2f})",
        )
        ax.fill_between(seats, low, high, color=colors[kind], alpha=0.2, lw=0)
        parts.append(f"{kind} {irr:.2f}x per doubling")
    parts.append(f"ratio {effect.ratio:.2f} ({effect.ratio_ci[0]:.2f}-{effect.ratio_ci[1]:.2f})")
    zendesk = RULES_OF_THUMB["seats"]
    ax.axvline(zendesk.value, color=PALETTE["mark"], ls="--", lw=1, label=MARK_WORDS["seats"][0])
    _requests_by_size_axes(ax, "Feature requests per account-year by account size (fitted, 95% band)")
    return _finished(fig, "Feature requests per account-year by account size: " + "; ".join(parts))


def _requests_by_size_axes(ax, title: str) -> None:
    """Requests per account-year against seats on a log-2 axis: the demand charts' frame."""
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("seats (log scale)")
    ax.set_ylabel("requests per account per year")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)


def request_rates_by_source(result) -> Chart:
    """Fitted requests per account-year against account size by who filed them: customers'
    enterprise and core requests, and the enterprise requests sales logged (the Zendesk test)."""
    set_theme()
    by_source = result.by_source
    if by_source is None:
        return notes_card(["Demand by source is not estimated: nothing to chart."])
    fig, ax = plt.subplots()
    seats = np.geomspace(1, by_source.customer.seats_max, 60)
    lines = [
        ("customers' enterprise requests", by_source.customer, "enterprise", PALETTE["actual"], "-"),
        ("customers' core requests", by_source.customer, "core", PALETTE["forecast"], "-"),
    ]
    if by_source.sales is not None:
        lines.append(
            ("enterprise requests sales logged", by_source.sales, "enterprise", PALETTE["actual"], ":")
        )
    parts = []
    for label, effect, kind, color, style in lines:
        rate, low, high = effect.rate(kind, seats)
        irr = effect.enterprise_irr if kind == "enterprise" else effect.core_irr
        ax.plot(seats, rate, color=color, ls=style, lw=2, label=f"{label}: {irr:.2f}× per doubling")
        ax.fill_between(seats, low, high, color=color, alpha=0.15, lw=0)
        parts.append(f"{label} {irr:.2f}x per doubling")
    c = by_source.customer
    parts.append(f"customers' ratio {c.ratio:.2f} ({c.ratio_ci[0]:.2f}-{c.ratio_ci[1]:.2f})")
    _requests_by_size_axes(
        ax, "Requests per account-year by account size and by who filed them (fitted, 95% band)"
    )
    return _finished(fig, "Feature requests per account-year by account size and source: " + "; ".join(parts))


def deal_outcomes_by_age(result) -> Chart:
    """Won and lost top-down deals by deal age: the cumulative incidence of each outcome (competing
    risks), by usage band when winning depends on usage, with the stake horizon's reach marked."""
    set_theme()
    pipeline = result.pipeline
    if pipeline is None or not pipeline.fits:
        return notes_card(["Too few closed deals with a close date: nothing to chart."])
    fig, ax = plt.subplots()
    shown = {b: f for b, f in pipeline.fits.items() if b != "all"} or {"all": pipeline.fits["all"]}
    labels = {"all": "all deals", "below": "below our threshold", "at_or_above": "at or above our threshold"}
    styles = dict(zip(sorted(shown), ("-", "--"), strict=False))
    parts = []
    for band, fit in sorted(shown.items()):
        end = fit.longest_cycle
        ages = np.linspace(0, end, 200)
        won, lost = fit.at(ages)
        style = styles.get(band, "-")
        ax.plot(ages, won, color=PALETTE["actual"], ls=style, lw=2, label=f"won, {labels[band]}")
        ax.plot(ages, lost, color=PALETTE["forecast"], ls=style, lw=2, label=f"lost, {labels[band]}")
        parts.append(
            f"{labels[band]}: {won[-1]:.0%} end won and {lost[-1]:.0%} lost "
            f"({fit.n_won} won, {fit.n_lost} lost)"
        )
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("deal age (days since it opened)")
    ax.set_ylabel("share of deals closed by that age")
    ax.set_title("Top-down deals closed won and lost by deal age (competing risks)")
    ax.legend(loc="upper left", frameon=False)
    return _finished(fig, "Deals closed won and lost by age: " + "; ".join(parts))


def candidate_scores(result, names: dict[str, str]) -> Chart:
    """Each candidate's weighted score with its 95% interval: every attribute, and without the
    uncertain ones (no bar where fewer than 3 interviewers give no interval)."""
    set_theme()
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(result.ranking.table) + 1.8))
    shown = [("all attributes", result.ranking, PALETTE["mark"], -0.15)]
    if result.ranking_certain is not None:
        shown.append(("without the uncertain attributes", result.ranking_certain, PALETTE["actual"], 0.15))
    order = result.decisive.order()[::-1]
    for label, ranking, color, offset in shown:
        table = ranking.table.set_index("candidate_id").loc[order]
        y = np.arange(len(order)) + offset
        low = (table["score"] - table["ci_low"]).fillna(0)
        high = (table["ci_high"] - table["score"]).fillna(0)
        ax.errorbar(table["score"], y, xerr=[low, high], fmt="o", color=color, capsize=3, label=label)
    ax.set_yticks(range(len(order)), [names.get(c, c) for c in order])
    ax.set_xlim(1, 5)
    ax.set_xlabel("weighted score (1–5) with 95% interval over interviewers")
    ax.set_title("Sales-leader candidates on the article's four attributes")
    ax.legend(loc="lower right", frameon=False)
    return _finished(
        fig, "Candidate scores with intervals; best first: " + ", ".join(names.get(c, c) for c in order[::-1])
    )


def payout_curves(comp) -> Chart:
    """Pay as a multiple of on-target earnings by individual attainment (the team at 100%)."""
    set_theme()
    table = compensation.payout_curves(tuple(o.plan for o in comp.outcomes))
    fig, ax = plt.subplots()
    for name in table:
        ax.plot(table.index * 100, table[name], lw=2, label=name)
    ax.axvline(100, color=PALETTE["mark"], ls="--", lw=1)
    ax.set_xlabel("individual attainment (% of quota)")
    ax.set_ylabel("pay (× on-target earnings)")
    ax.set_title("Payout by attainment, the team at 100% of its quota")
    ax.legend(loc="upper left", frameon=False)
    return _finished(fig, "Payout curves by attainment for " + ", ".join(table.columns))


def roster_quality(comp) -> Chart:
    """Average rep skill over time under each plan (median and P10-P90 across simulated runs)."""
    set_theme()
    fig, ax = plt.subplots()
    for outcome in comp.outcomes:
        path = outcome.roster_quality_path
        quarters = np.arange(len(path))
        (line,) = ax.plot(quarters, path[:, 1], lw=2, label=outcome.plan.name)
        ax.fill_between(quarters, path[:, 0], path[:, 2], color=line.get_color(), alpha=0.15, lw=0)
    ax.axhline(1, color=PALETTE["mark"], ls="--", lw=1)
    ax.set_xlabel("quarter")
    ax.set_ylabel("average rep skill (× the starting roster)")
    ax.set_title("Roster quality over time by plan (median, P10–P90 of runs)")
    ax.legend(loc="lower left", frameon=False)
    ends = "; ".join(f"{o.plan.name} {o.roster_quality_end:.2f}x" for o in comp.outcomes)
    return _finished(fig, f"Roster quality after {comp.team.n_quarters} quarters: {ends}")
