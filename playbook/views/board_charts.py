"""The board pack's four charts, one for each answer: where to sell, what to build, whom to hire,
how to pay.

Drawn for a slide: each figure is the shape of the slide's chart box (800 × 508 px, 8.33 × 5.29 in
at 96 px to the inch), so it is drawn there at its own size and text of 12 points reads 16 px at
1280 × 720 — above the 14 px a projected slide needs (`views.deck`, checked in the tests). Every
word is the active language's; percentages are percentages (0–100%), money has its currency.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from playbook.views.charts import PALETTE, Chart, _finished, set_theme
from playbook.views.i18n import _, format_money, format_number, format_percent

SIZE = (8.33, 5.29)  # inches: the slide's chart box, 800 × 508 px
FONTS = {
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
}
LEGEND_BELOW = (0, 0.07, 1, 1)  # tight_layout's rectangle: the bottom strip left to the legend
TIER_COLORS = {"A": "#1f3b73", "B": "#5f7fbf", "C": "#aab8d6", "": "#cccccc"}


def _figure():
    set_theme()
    plt.rcParams.update(FONTS)
    return plt.subplots(figsize=SIZE)


def _money_axis(ax, currency: str, axis: str = "x") -> None:
    # One decimal where whole units would print two ticks alike ($1.2M and $1.4M, not $1M twice)
    formatter = FuncFormatter(
        lambda v, _pos: format_money(v, currency, digits=0 if v == round(v, -6) or v < 1e6 else 1)
    )
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def _short(text: str, width: int = 28) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def accounts_chart(rows, *, currency: str) -> Chart:
    """The top ready accounts by expected value of a first deal, coloured by tier.

    `rows`: account (shown name), tier (A/B/C), expected_value (currency), win_probability (0-1).
    """
    fig, ax = _figure()
    rows = rows.iloc[::-1]
    y = np.arange(len(rows))
    ax.barh(y, rows["expected_value"], color=[TIER_COLORS.get(t, "#cccccc") for t in rows["tier"]])
    ax.set_yticks(y, [f"{_short(a)} ({t})" for a, t in zip(rows["account"], rows["tier"], strict=True)])
    _money_axis(ax, currency)
    ax.set_xlabel(_("expected value of a first deal ({currency})").format(currency=currency))
    ax.set_title(_("The accounts to sell to first, by tier"))
    for yi, (value, p) in enumerate(zip(rows["expected_value"], rows["win_probability"], strict=True)):
        ax.text(value, yi, "  " + format_percent(p), va="center", fontsize=12, color="#262626")
    ax.margins(x=0.18)
    description = _("The top ready accounts by the expected value of a first deal: {accounts}").format(
        accounts=", ".join(rows["account"].iloc[::-1])
    )
    return _finished(fig, description)


def win_curve_chart(knots, fitted, *, start: float, axis_label: str, start_label: str) -> Chart:
    """The win probability (0-1) along the usage signal, where it rises gradually rather than at a
    tipping point: the isotonic curve of our closed deals, with where the ready list starts."""
    fig, ax = _figure()
    ax.step(knots, np.asarray(fitted) * 100, where="post", color=PALETTE["actual"], linewidth=2.5)
    ax.axvline(start, color=PALETTE["mark"], linestyle="--", linewidth=1.5)
    ax.text(start, 2, "  " + start_label, color="#262626", fontsize=12, va="bottom")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_percent(v / 100)))
    ax.set_ylim(0, 100)
    middle = float(np.median(knots))
    if middle > 0 and float(np.max(knots)) > 20 * middle:  # a long tail of heavy users: log beyond the middle
        ax.set_xscale("symlog", linthresh=middle)
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _pos: format_number(v, digits=0 if v >= 1 or abs(v) < 1e-9 else 2))
        )
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda _v, _pos: ""))
        ax.set_xlim(left=0)
    ax.set_xlabel(axis_label)
    ax.set_ylabel(_("chance a top-down deal is won"))
    ax.set_title(_("Deals are won more often as usage grows"))
    description = _(
        "The win probability rises gradually with usage; the ready list starts at {start}"
    ).format(start=start_label)
    return _finished(fig, description)


def features_chart(rows, *, currency: str, months: int) -> Chart:
    """Features by pipeline at stake over the horizon, beside the deals already lost over each.

    `rows`: feature, arr_at_stake, lost_arr (currency).
    """
    fig, ax = _figure()
    rows = rows.iloc[::-1]
    y = np.arange(len(rows))
    stake = _("open pipeline waiting on it, next {months} months").format(months=months)
    lost = _("deals already lost over it")
    ax.barh(y + 0.2, rows["arr_at_stake"], height=0.4, color=PALETTE["actual"], label=stake)
    ax.barh(y - 0.2, rows["lost_arr"], height=0.4, color="#b3261e", alpha=0.75, label=lost)
    ax.set_yticks(y, [_short(f) for f in rows["feature"]])
    _money_axis(ax, currency)
    ax.set_xlabel(_("expected bookings ({currency})").format(currency=currency))
    ax.set_title(_("What the pipeline waits on, and what we lost"))
    fig.legend(loc="lower center", ncol=2, frameon=False)  # below the axis, in the figure's own space
    description = _("Features by the open pipeline waiting on them: {features}").format(
        features=", ".join(rows["feature"].iloc[::-1])
    )
    return _finished(fig, description, rect=LEGEND_BELOW)


def candidates_chart(rows) -> Chart:
    """Each candidate's score (1–5) with its likely range, with every attribute and without the one
    interviewers disagree on. `rows`: candidate, score, low, high, certain_score, certain_low,
    certain_high (None where not computed), best first."""
    fig, ax = _figure()
    rows = rows.iloc[::-1]
    y = np.arange(len(rows))
    shown = [("score", "low", "high", PALETTE["mark"], -0.15, _("all four attributes"))]
    if rows["certain_score"].notna().any():
        label = _("without the disputed attribute")
        shown.append(("certain_score", "certain_low", "certain_high", PALETTE["actual"], 0.15, label))
    for score, low, high, color, offset, label in shown:
        centre = rows[score].astype(float)
        below = (centre - rows[low].astype(float)).fillna(0).clip(lower=0)
        above = (rows[high].astype(float) - centre).fillna(0).clip(lower=0)
        ax.errorbar(
            centre, y + offset, xerr=[below, above], fmt="o", color=color, capsize=4, ms=8, label=label
        )
    ax.set_yticks(y, [_short(c, 24) for c in rows["candidate"]])
    ax.set_xlim(1, 5)
    ax.set_xlabel(_("interview score (1–5) and its likely range"))
    ax.set_title(_("The candidates on the four attributes"))
    fig.legend(loc="lower center", ncol=2, frameon=False)  # below the axis, in the figure's own space
    description = _("Candidates' interview scores, best first: {candidates}").format(
        candidates=", ".join(rows["candidate"].iloc[::-1])
    )
    return _finished(fig, description, rect=LEGEND_BELOW)


def plans_chart(rows, *, currency: str) -> Chart:
    """Net bookings per seat and year under each plan compared, and the share of the sampled
    assumptions where each plan wins. `rows`: plan, net_bookings (currency a seat-year), wins, of."""
    fig, ax = _figure()
    x = np.arange(len(rows))
    bars = ax.bar(x, rows["net_bookings"], color=[PALETTE["actual"]] + ["#aab8d6"] * (len(rows) - 1))
    ax.set_xticks(x, [_short(p, 22) for p in rows["plan"]])
    _money_axis(ax, currency, axis="y")
    ax.set_ylabel(_("net bookings a seat and year ({currency})").format(currency=currency))
    ax.set_title(_("The plans compared: net bookings a seat and year"))
    for bar, wins, of in zip(bars, rows["wins"], rows["of"], strict=True):
        note = _("wins at {wins} of {of}").format(wins=wins, of=of)
        ax.text(
            bar.get_x() + bar.get_width() / 2, bar.get_height(), note, ha="center", va="bottom", fontsize=12
        )
    ax.margins(y=0.15)
    description = _("Net bookings a seat and year by pay plan: {plans}").format(plans=", ".join(rows["plan"]))
    return _finished(fig, description)
