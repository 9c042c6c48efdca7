"""The board pack's language: English or Simplified Chinese, words from a message catalogue, numbers
and dates in the language's formats.

Every sentence a page shows goes through `_()` (or `ngettext()` where a count decides the form);
text that must be marked for translation where it is declared (a module-level table) is wrapped in
`N_()`, which only marks it, and translated where it is used. English is the source language: its
words are the msgids, written in the code. The Simplified Chinese words live in
`playbook/views/locale/zh_CN/LC_MESSAGES/messages.po`, read at run time with Babel's `read_po`
(no compiled .mo file to keep in step); `make translations` adds the msgids the code gained
(`playbook.runner.translations`) and the tests fail on any msgid missing or untranslated.

Numbers: English keeps the playbook's house style (`views.formatting`: "$24.5M", "28%"), which
every English page and note already uses; Simplified Chinese takes Babel's CLDR data for the
locale: money in 万 and 亿 with the currency's name ("2450万美元", the form the source article's
translation writes), lists joined with 、, dates as 2026年9月30日. Percentages, counts and decimals
are rounded once, in Python, and laid out by Babel, so every language shows the same digits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gettext
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_skeleton
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal, get_currency_name
from babel.numbers import format_percent as babel_format_percent

from playbook.views import formatting

LANGUAGES = ("en", "zh-CN")
# The gettext name of each language: its catalogue's folder and the .po file's Language header.
LOCALE_NAMES = {"en": "en", "zh-CN": "zh_CN"}
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_active: ContextVar[str] = ContextVar("playbook_language", default=SOURCE_LANGUAGE)


def checked_language(language: str) -> str:
    """`language` if the playbook speaks it; a ValueError naming the choices otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one the playbook speaks; choose one of {LANGUAGES}")
    return language


def active_language() -> str:
    """The language pages are worded in now ('en' unless set)."""
    return _active.get()


def set_language(language: str) -> None:
    """Word everything from now on in `language` (a notebook's set-up cell; a run's board pack)."""
    _active.set(checked_language(language))


@contextlib.contextmanager
def use_language(language: str) -> Iterator[None]:
    """Word what the block renders in `language`, then go back to the language before."""
    token = _active.set(checked_language(language))
    try:
        yield
    finally:
        _active.reset(token)


def babel_locale(language: str | None = None) -> Locale:
    """Babel's locale for a language ('zh-CN' -> zh_CN); the active one by default."""
    return Locale.parse(LOCALE_NAMES[language or active_language()])


def catalogue_path(language: str) -> Path:
    """Where a language's .po file lives: locale/zh_CN/LC_MESSAGES/messages.po."""
    return LOCALE_DIR / LOCALE_NAMES[checked_language(language)] / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalogue(language: str) -> Catalog:
    """A language's message catalogue, read once per process (about 20 ms)."""
    with catalogue_path(checked_language(language)).open("rb") as handle:
        return read_po(handle, locale=LOCALE_NAMES[language], domain=DOMAIN)


def _translated(msgid: str | tuple[str, str], language: str):
    message = catalogue(language).get(msgid)
    if message is None or not message.string or message.fuzzy:
        return None
    return message.string


def N_(msgid: str) -> str:  # noqa: N802 (gettext's name for "mark, translate later")
    """Mark text for the catalogue where it is declared; `_()` translates it where it is shown."""
    return msgid


def _(msgid: str) -> str:
    """`msgid` in the active language (itself in English, or where the catalogue lacks it)."""
    language = active_language()
    if language == SOURCE_LANGUAGE:
        return msgid
    return _translated(msgid, language) or msgid


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n` in the active language (Chinese has one form)."""
    language = active_language()
    if language != SOURCE_LANGUAGE:
        forms = _translated((singular, plural), language)
        if forms and all(forms):
            # The catalogue's Plural-Forms rule (C syntax, "0" in Chinese) picks the form.
            return forms[gettext.c2py(catalogue(language).plural_expr)(n)]
    return singular if n == 1 else plural


# --- numbers and dates


def format_money(value: float | None, currency: str = "USD", *, digits: int = 1) -> str:
    """A money figure with its currency, compact: '$24.5M' in English, '2450万美元' in Chinese."""
    language = active_language()
    if language == SOURCE_LANGUAGE or value is None or value != value:
        return formatting.money(value, currency, digits=digits)
    locale = babel_locale(language)
    number = format_compact_decimal(value, locale=locale, fraction_digits=digits)
    return number + get_currency_name(currency.upper(), locale=locale)


def format_percent(value: float | None, *, digits: int = 0) -> str:
    """A share 0–1 as a percentage: 0.284 -> '28%'."""
    if value is None or value != value:
        return formatting.percent(value)
    # Rounded once here (as the house style rounds), then laid out by the locale's pattern.
    share = Decimal(f"{value * 100:.{digits}f}") / 100
    pattern = "0" + ("." + "0" * digits if digits else "") + "%"  # no grouping: '1235%', as ever
    return babel_format_percent(share, pattern, locale=babel_locale(), decimal_quantization=False)


def format_count(n: int) -> str:
    """A whole count with the language's grouping: 1234 -> '1,234'."""
    return format_decimal(int(n), "#,##0", locale=babel_locale())


def format_number(value: float, *, digits: int = 2) -> str:
    """A decimal with `digits` places and grouping: 1234.5 -> '1,234.50'."""
    rounded = Decimal(f"{value:.{digits}f}")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(rounded, pattern, locale=babel_locale(), decimal_quantization=False)


def format_items(items: Iterable[object]) -> str:
    """Items in a sentence: 'a, b, c' in English, 'a、b和c' in Chinese."""
    texts = [str(i) for i in items]
    if active_language() == SOURCE_LANGUAGE or not texts:
        return ", ".join(texts)
    return format_list(texts, locale=babel_locale())


def format_date(day: dt.date) -> str:
    """A day: 'September 30, 2026' / '2026年9月30日'."""
    return _babel_date(day, format="long", locale=babel_locale())


def format_month(day: dt.date) -> str:
    """A month: 'Sep 2026' / '2026年9月'."""
    return format_skeleton("yMMM", day, locale=babel_locale())
