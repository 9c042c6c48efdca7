"""How numbers read in notebooks, charts and the board pack: one place, one style."""

from __future__ import annotations

import math

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def currency_symbol(currency: str) -> str:
    return CURRENCY_SYMBOLS.get(currency.upper(), "")


def money(value: float | None, currency: str = "USD", *, digits: int = 1) -> str:
    """24_500_000 -> '$24.5M'; unknown currencies are written after the number ('24.5M CHF')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            number = f"{value / size:.{digits}f}{suffix}"
            break
    else:
        number = f"{value:,.0f}"
    symbol = currency_symbol(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"


def percent(value: float | None, *, digits: int = 0) -> str:
    """0.284 -> '28%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value * 100:.{digits}f}%"


def months(n: float | None) -> str:
    """3 -> '3 months', 7.6 -> '8 months' (whole months), 0.4 -> 'under a month';
    None -> 'beyond the forecast horizon'."""
    if n is None:
        return "beyond the forecast horizon"
    if n < 0.5:
        return "under a month"
    whole = round(n)
    return f"{whole} month" + ("" if whole == 1 else "s")


# A cell a spreadsheet would run as a formula starts with one of these (OWASP, CSV Injection:
# https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet will show, never run: one starting like a formula gets a leading
    apostrophe (OWASP's advice); numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
