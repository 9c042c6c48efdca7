"""Numbers and amounts as exports write them, read for sure or not at all.

A column's decimal mark is decided from all of its values, never one at a time:

- '49,00', '0,5' or '1.188,00' can only have a decimal comma; '49.00', '1,188.00' or '1,234,567'
  only a decimal point. A column whose values agree is read with that mark (so '1.188' in a
  column that also holds '49,00' is one thousand one hundred and eighty-eight).
- '1,188' or '1.188' alone reads two ways (a thousands separator, or a decimal mark 1,000 times
  smaller). A column of such values and whole numbers is an error that asks for the mark
  (`--decimal`, the import's equivalent of `csv: {decimal: ...}` in columns.yaml), except in a column of
  counts, where a fraction cannot be meant and the separator is a thousands separator.
- A column mixing the two marks is an error.

Amounts may carry a currency: '$1,200.00', '€49', 'USD 120,250.00', '49,00 EUR'. The sign or
code is dropped from the number and an ISO code is kept, so multi-currency reports can be
converted (`crm.py`). Spaces, non-breaking spaces and apostrophes are thousands separators.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from playbook.data.errors import DataError, problem
from playbook.imports.read import text, where

DECIMAL_MARKS = (".", ",")
CODE = re.compile(r"^\s*([A-Za-z]{3})\s+(.*)$|^(.*?)\s*([A-Za-z]{3})\s*$")
SYMBOLS = re.compile(r"[$€£¥\s\u00a0\u202f']")
# How a value's digits and marks read (after signs, symbols and codes are dropped).
PLAIN = re.compile(r"^\d+$")
ONE_MARK = re.compile(r"^\d+([.,])\d+$")
GROUPED_THEN_DECIMAL = re.compile(r"^\d{1,3}([.,]\d{3})+([.,])\d+$")
GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})+$")  # two or more groups: '1,234,567'
AMBIGUOUS = re.compile(r"^[1-9]\d{0,2}[.,]\d{3}$")  # '1,188': a thousand, or one and a fraction


def _split_code(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """('USD 120,250.00' -> '120,250.00', 'USD'); values without a code keep NA as their code."""
    parts = values.str.extract(CODE)
    code = parts[0].fillna(parts[3]).str.upper()
    rest = parts[1].fillna(parts[2])
    has_code = code.notna() & rest.str.contains(r"\d", na=False)
    return values.where(~has_code, rest), code.where(has_code)


def _marks(digits: pd.Series) -> pd.DataFrame:
    """Per value: the decimal mark it proves ('.', ',' or NA) and whether it reads two ways."""
    proved = pd.Series(pd.NA, index=digits.index, dtype="object")
    one = digits.str.extract(ONE_MARK)[0]
    ambiguous = digits.str.fullmatch(AMBIGUOUS).fillna(False).astype(bool)
    proved = proved.mask(one.notna() & ~ambiguous, one)
    grouped_decimal = digits.str.extract(GROUPED_THEN_DECIMAL)
    both = grouped_decimal[1].notna() & (grouped_decimal[0].str[0] != grouped_decimal[1])
    proved = proved.mask(both, grouped_decimal[1])
    grouped = digits.str.extract(GROUPED)[0]  # '1,234,567': the group mark is not the decimal one
    proved = proved.mask(grouped.notna(), grouped.map({",": ".", ".": ","}))
    readable = digits.str.fullmatch(PLAIN).fillna(False).astype(bool) | ambiguous | proved.notna()
    return pd.DataFrame({"proved": proved, "ambiguous": ambiguous, "readable": readable})


def decimal_mark(
    frame: pd.DataFrame, name: str, digits: pd.Series, *, whole: bool, declared: str | None
) -> str:
    """The column's decimal mark, decided from all its values (see the module's rules)."""
    if declared is not None:
        return declared
    marks = _marks(digits)
    proved = set(marks["proved"].dropna())
    column = frame.attrs["columns"].get(name, name)
    if len(proved) > 1:
        mixed = marks["proved"].notna()
        raise DataError(
            [
                problem(
                    frame.attrs["file"],
                    column,
                    "mixes decimal marks (some values have a decimal comma, others a decimal point): say "
                    "which is the decimal mark with --decimal , or --decimal . (the import's "
                    "csv: {decimal: ...})",
                    where(frame, mixed),
                    list(digits[mixed]),
                )
            ]
        )
    if proved:
        return proved.pop()
    separators = set(digits[marks["ambiguous"]].str.extract(r"([.,])")[0])
    if whole and len(separators) == 1:  # a count: '1,188' or '1.188' can only group thousands
        return "." if separators == {","} else ","
    if marks["ambiguous"].any():
        example = digits[marks["ambiguous"]].iloc[0]
        grouped = example.replace(",", "").replace(".", "")
        raise DataError(
            [
                problem(
                    frame.attrs["file"],
                    column,
                    f"has numbers that read two ways ({example!r} is {grouped} "
                    "with a thousands separator, or a thousand times less with a decimal mark) and no value "
                    "settles which: say which is the decimal mark with --decimal , or --decimal . "
                    "(the import's csv: {decimal: ...})",
                    where(frame, marks["ambiguous"]),
                    list(digits[marks["ambiguous"]]),
                )
            ]
        )
    return "."  # whole numbers only


def _read(digits: pd.Series, mark: str) -> pd.Series:
    thousands = "," if mark == "." else "."
    plain = digits.str.replace(thousands, "", regex=False).str.replace(mark, ".", regex=False)
    return pd.to_numeric(plain.where(plain.str.fullmatch(r"\d+(\.\d+)?").fillna(False)), errors="coerce")


def amounts(
    frame: pd.DataFrame, name: str, *, required: bool = False, whole: bool = False, decimal: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """A money or count field as float, and the ISO currency code each value carries (NA if none)."""
    values = text(frame, name)
    rest, code = _split_code(values)
    negative = rest.str.match(r"^\s*(-|\().*").fillna(False).astype(bool)
    digits = rest.str.replace(SYMBOLS, "", regex=True)
    digits = digits.str.replace(r"^[-(]|\)$", "", regex=True).str.replace(r"^\+", "", regex=True)
    mark = decimal_mark(frame, name, digits.dropna(), whole=whole, declared=decimal)
    parsed = _read(digits, mark).astype(float)
    parsed = parsed.where(~negative, -parsed)
    bad = parsed.isna() & values.notna()
    if required:
        bad |= values.isna()
    if whole:
        bad |= parsed.notna() & (parsed != np.round(parsed))
    if bad.any():
        rule = "must be a whole number" if whole else "must be a number"
        column = frame.attrs["columns"].get(name, name)
        raise DataError(
            [
                problem(
                    frame.attrs["file"],
                    column,
                    rule + (" (and not empty)" if required else ""),
                    where(frame, bad),
                    list(values[bad].fillna("")),
                )
            ]
        )
    return parsed, code


def numbers(
    frame: pd.DataFrame, name: str, *, required: bool = False, whole: bool = False, decimal: str | None = None
) -> pd.Series:
    """A money or count field as float (any currency sign or code dropped)."""
    return amounts(frame, name, required=required, whole=whole, decimal=decimal)[0]
