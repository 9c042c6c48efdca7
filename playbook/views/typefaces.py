"""The typefaces of each language: what charts draw with and what the HTML pack embeds.

Latin text uses matplotlib's default sans-serif (DejaVu Sans, shipped with matplotlib). Simplified
Chinese needs a CJK font, which a fresh machine lacks: Debian's `fonts-noto-cjk` provides Noto Sans
CJK SC (`.ci/run` and the README's setup install it). Charts then draw with it, and the board pack
embeds the subset of it its pages use (`runner.fonts`), so the pages read the same on a machine
without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from playbook.views.i18n import active_language

CJK_FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = "apt-get install fonts-noto-cjk"
# Families put before matplotlib's own sans-serif list, by language.
FAMILIES: dict[str, tuple[str, ...]] = {"en": (), "zh-CN": (CJK_FAMILY,)}
# The pages' CSS font stacks: the embedded face first in Chinese, then the systems' own.
CSS_STACKS = {
    "en": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    "zh-CN": f'"{CJK_FAMILY}", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif',
}


@dataclass(frozen=True, kw_only=True)
class FontFace:
    """One face of a font file (a .ttc collection holds several: `index` says which)."""

    path: Path
    index: int
    family: str


def font_rc(language: str | None = None) -> dict:
    """matplotlib settings that draw `language` (the active one by default) with its families."""
    families = FAMILIES[language or active_language()]
    for family in families:
        face(family)  # registers a font installed after matplotlib cached its font list
    default = list(matplotlib.rcParamsDefault["font.sans-serif"])
    return {"font.family": ["sans-serif"], "font.sans-serif": [*families, *default]}


def css_font_family(language: str | None = None) -> str:
    """The CSS `font-family` value for pages in `language` (the active one by default)."""
    return CSS_STACKS[language or active_language()]


def face(family: str = CJK_FAMILY, *, weight: int = 400) -> FontFace | None:
    """The installed face of `family` at `weight` (matplotlib's font list), or None when missing.

    matplotlib caches its list of the machine's fonts; a font installed after the cache was built is
    found by one rescan of the system's font folders.
    """
    found = _face(family, weight)
    if found is None:
        # Files are named after the family ("NotoSansCJK-Regular.ttc" holds SC, TC, JP, KR faces).
        key = family.replace(" ", "")
        key = key[: key.index("CJK") + 3] if "CJK" in key else key
        for path in font_manager.findSystemFonts():
            if Path(path).name.startswith(key):
                font_manager.fontManager.addfont(path)
        found = _face(family, weight)
    return found


def _face(family: str, weight: int) -> FontFace | None:
    entries = [e for e in font_manager.fontManager.ttflist if e.name == family and e.style == "normal"]
    if not entries:
        return None
    best = min(entries, key=lambda e: abs(int(e.weight) - weight) if str(e.weight).isdigit() else 999)
    return FontFace(path=Path(best.fname), index=int(getattr(best, "index", 0) or 0), family=family)
