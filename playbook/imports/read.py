"""Reading a vendor's export: its preset of column names, the user's adjustments, typed values.

A preset names, for each field an import needs, the columns the vendor's export calls it (the
API name of a data export first, then the label a report or view export uses). The user adjusts
it with `--map field=Their Column`. Every reading error names the file, the column and the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from playbook.data.columns import TableMapping
from playbook.data.errors import DataError, Problem, did_you_mean, problem
from playbook.data.parse import UnreadableFile, date_formats_that_fit, locator, read_raw


@dataclass(frozen=True)
class Preset:
    """How one vendor export is read: `fields` maps each field to the column names it may have."""

    source: str
    doc: str  # the vendor's documentation of the export
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]


@dataclass
class Imported:
    """What one import produced: contract tables, and what a person should know about it."""

    source: str
    files: tuple[Path, ...]
    rows_in: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    set_aside: list[tuple[int, str]] = field(default_factory=list)  # (rows, why)
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # what was written where, in words

    def aside(self, rows: int, why: str) -> None:
        if rows:
            self.set_aside.append((int(rows), why))


def parse_overrides(pairs: list[str] | None, preset: Preset) -> dict[str, str]:
    """`--map field=Their Column` pairs, checked against the preset's fields."""
    overrides = {}
    for pair in pairs or []:
        name, sep, column = pair.partition("=")
        name = name.strip()
        if not sep or not column.strip():
            raise DataError([Problem("--map", pair, "must be field=Their Column")])
        if name not in preset.fields:
            raise DataError(
                [
                    Problem(
                        "--map",
                        name,
                        f"is not a field of {preset.source}{did_you_mean(name, preset.fields)}; "
                        f"its fields are {', '.join(preset.fields)}",
                    )
                ]
            )
        overrides[name] = column.strip()
    return overrides


def read_export(path: Path, preset: Preset, overrides: dict[str, str]) -> pd.DataFrame:
    """The export's rows as text, with one column per field found (named by field)."""
    try:
        raw = read_raw(path, TableMapping())
    except UnreadableFile as exc:
        raise DataError([Problem(path.name, None, str(exc))]) from None
    except Exception as exc:  # any reader failure is a problem with the file, not a crash
        raise DataError([Problem(path.name, None, f"cannot be read ({exc})")]) from None
    found = [str(c).strip() for c in raw.columns]
    raw.columns = found
    chosen, problems = {}, []
    for name, names in preset.fields.items():
        candidates = (overrides[name],) if name in overrides else names
        column = next((c for c in candidates if c in found), None)
        if column is not None:
            chosen[name] = column
        elif name in preset.required or name in overrides:
            problems.append(
                Problem(
                    path.name,
                    " or ".join(candidates),
                    f"is missing (the {preset.source} field '{name}'){did_you_mean(candidates[0], found)}; "
                    f"columns found: {', '.join(found)}; name yours with --map {name}=YOUR_COLUMN",
                )
            )
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame({name: raw[column] for name, column in chosen.items()})
    frame.attrs.update(file=path.name, columns=chosen, decimal=raw.attrs.get("decimal", "."))
    frame.attrs["where"] = locator(path)
    return frame


def text(frame: pd.DataFrame, name: str) -> pd.Series:
    """A field as stripped text (missing when empty); all missing when the export lacks it."""
    if name not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    values = frame[name].astype("string").str.strip()
    return values.mask(values == "")


def fail(frame: pd.DataFrame, name: str, bad: pd.Series, rule: str) -> None:
    idx = np.flatnonzero(bad.to_numpy())
    where = frame.attrs["where"]
    column = frame.attrs["columns"].get(name, name)
    raise DataError(
        [problem(frame.attrs["file"], column, rule, [where(i) for i in idx], list(frame[name].iloc[idx]))]
    )


def numbers(frame: pd.DataFrame, name: str, *, required: bool = False) -> pd.Series:
    """A money or count field as float: currency signs, spaces and thousands separators dropped,
    a decimal comma read as such when the file uses one."""
    values = text(frame, name)
    cleaned = values.str.replace(r"[\s$€£¥]|[A-Z]{3}$", "", regex=True)
    if frame.attrs.get("decimal") == ",":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = cleaned.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(cleaned, errors="coerce").astype(float)
    bad = parsed.isna() & values.notna()
    if required:
        bad |= values.isna()
    if bad.any():
        fail(frame, name, bad, "must be a number" + (" (and not empty)" if required else ""))
    return parsed


def dates(
    frame: pd.DataFrame, name: str, *, date_format: str | None = None, required: bool = False
) -> pd.Series:
    """A date or timestamp field, UTC and tz-naive: ISO-8601, Unix seconds or milliseconds, or
    one unambiguous spreadsheet form (US or European); `date_format` when declared."""
    values = text(frame, name)
    if date_format:
        parsed = pd.to_datetime(values, format=date_format, errors="coerce")
        rule = f"must be a date in the format '{date_format}'"
    else:
        parsed = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
        numeric = values.str.fullmatch(r"\d{9,13}").fillna(False).astype(bool)
        if numeric.any():
            epoch = pd.to_numeric(values.where(numeric), errors="coerce")
            unit_ms = epoch > 1e11
            parsed = parsed.mask(numeric & ~unit_ms, pd.to_datetime(epoch.where(~unit_ms), unit="s"))
            parsed = parsed.mask(numeric & unit_ms, pd.to_datetime(epoch.where(unit_ms), unit="ms"))
        rest = parsed.isna() & values.notna()
        rule = "must be a date (ISO-8601, or one consistent spreadsheet form)"
        if rest.any():
            fits = date_formats_that_fit(values[rest])
            if len(fits) > 1:
                raise DataError(
                    [
                        Problem(
                            frame.attrs["file"],
                            frame.attrs["columns"].get(name, name),
                            f"has dates that fit several formats ({', '.join(fits)}); "
                            "say which with --date-format",
                        )
                    ]
                )
            if fits:
                parsed = parsed.mask(
                    rest, pd.to_datetime(values.where(rest), format=fits[0], errors="coerce")
                )
    parsed = parsed.astype("datetime64[ns]")
    bad = parsed.isna() & values.notna()
    if required:
        bad |= values.isna()
    if bad.any():
        fail(frame, name, bad, rule + (" (and not empty)" if required else ""))
    return parsed


def booleans(frame: pd.DataFrame, name: str) -> pd.Series:
    """A true/false field (missing when the export lacks it or the cell is empty)."""
    values = text(frame, name).str.lower()
    out = values.map({"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False})
    bad = out.isna() & values.notna()
    if bad.any():
        fail(frame, name, bad, "must be true or false")
    return out


def first_id(values: pd.Series) -> pd.Series:
    """The first of a ';'- or ','-separated list of ids (HubSpot's associated records)."""
    return values.str.split(r"[;,]", regex=True).str[0].str.strip().replace("", pd.NA)
