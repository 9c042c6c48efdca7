"""Read one table file and check it on its own: parse each column's type, then value rules.

Every broken rule becomes a `Problem` naming the file, the column, the rule and the rows.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from playbook.data.columns import COLUMN_MAP_FILE, TableMapping
from playbook.data.contract import Column, Table
from playbook.data.errors import Problem, did_you_mean, problem
from playbook.data.notes import Note

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
DELIMITERS = ",;\t|"
# Encodings tried in turn when a CSV declares none: UTF-8 (a byte-order mark is dropped), then
# Windows-1252, which is what spreadsheets on Windows write and decodes any byte sequence.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


class UnreadableFile(ValueError):
    """A file that cannot be read as a table (the message says why)."""


def sniff_csv(path: Path, *, delimiter: str | None = None, encoding: str | None = None) -> tuple[str, str]:
    """The CSV's encoding and delimiter: as declared, else detected from its first 64 kB."""
    head = path.open("rb").read(65536)
    if encoding is None:
        for candidate in ENCODINGS:
            try:
                text = head.decode(candidate)
                encoding = candidate
                break
            except UnicodeDecodeError as exc:
                if exc.start >= len(head) - 4:  # a character cut by the 64 kB window
                    text, encoding = head[: exc.start].decode(candidate), candidate
                    break
    else:
        try:
            text = head.decode(encoding, errors="replace")
        except LookupError:
            raise UnreadableFile(f"unknown encoding {encoding!r}") from None
    if delimiter is None:
        first_lines = "\n".join(text.splitlines()[:50])
        try:
            delimiter = csv.Sniffer().sniff(first_lines, delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    return encoding, delimiter


def _check_header(names: list[str]) -> None:
    """A column name given twice is ambiguous (which one holds the values?): refuse the file."""
    seen: dict[str, int] = {}
    for number, name in enumerate(names, start=1):
        key = name.strip()
        if key and key in seen:
            raise UnreadableFile(
                f"has the column name {key!r} twice in its header (columns {seen[key]} and {number}); "
                "rename or remove one"
            )
        seen.setdefault(key, number)


def read_raw(path: Path, mapping: TableMapping | None = None) -> pd.DataFrame:
    """A table file as text columns (Parquet keeps its types). CSV: encoding, delimiter and decimal
    mark as declared in columns.yaml or detected; a semicolon-delimited file is read with a decimal
    comma unless told otherwise (as European spreadsheet settings export). `.xlsx`: the declared
    sheet, else the first. The decimal mark used is in `attrs["decimal"]`."""
    mapping = mapping or TableMapping()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        encoding, delimiter = sniff_csv(path, delimiter=mapping.delimiter, encoding=mapping.encoding)
        # Everything as text, so that parsing (and its error messages) is ours; only an empty
        # cell is missing ("NA" is Namibia's country code).
        with path.open(encoding=encoding, errors="replace", newline="") as f:
            _check_header(next(csv.reader(f, delimiter=delimiter), []))
        frame = pd.read_csv(
            path,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=encoding,
            encoding_errors="replace",
        )
        frame.attrs["decimal"] = mapping.decimal or ("," if delimiter == ";" else ".")
        frame.attrs["encoding"] = encoding
        frame.attrs["encoding_declared"] = mapping.encoding is not None
        return frame
    if suffix == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a corrupt or password-protected workbook
            raise UnreadableFile(f"is not a readable .xlsx workbook ({exc})") from None
        sheets = book.sheetnames
        book.close()
        if mapping.sheet is not None and mapping.sheet not in sheets:
            raise UnreadableFile(
                f"has no sheet '{mapping.sheet}'{did_you_mean(mapping.sheet, sheets)}; "
                f"its sheets are {', '.join(sheets)} (set `sheet:` in columns.yaml)"
            )
        sheet = mapping.sheet or sheets[0]
        first_row = pd.read_excel(path, sheet_name=sheet, header=None, nrows=1, dtype=str, engine="openpyxl")
        _check_header([] if first_row.empty else [str(v) for v in first_row.iloc[0].dropna()])
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="openpyxl")
        frame = frame.apply(lambda c: c.str.strip()).replace("", None)
        frame.attrs["decimal"] = mapping.decimal or "."
        return frame
    frame = pd.read_parquet(path)
    frame.attrs["decimal"] = "."
    return frame


def decoding_note(frame: pd.DataFrame) -> Note | None:
    """What to tell the user when a CSV was not UTF-8: the encoding it was read as, and why."""
    encoding = frame.attrs.get("encoding")
    if encoding is None or encoding.startswith("utf-8"):
        return None
    return Note(
        "decoded_as",
        file=frame.attrs["file"],
        encoding=encoding,
        declared=bool(frame.attrs.get("encoding_declared")),
    )


def locator(path: Path):
    """How a person finds row i of a file: CSV line numbers count the header as line 1, and so do
    spreadsheet rows."""
    if path.suffix.lower() in (".csv", ".xlsx"):
        return lambda i: f"line {i + 2}"
    return lambda i: f"row {i + 1}"


# Non-ISO date forms a spreadsheet or a CRM report writes, tried when a column is not ISO-8601.
DATE_FORMATS = (
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d",
)


def date_formats_that_fit(values: pd.Series) -> list[str]:
    """The formats of DATE_FORMATS every non-empty value parses with (several: ambiguous)."""
    text = _as_text(values).dropna()
    if text.empty:
        return []
    return [f for f in DATE_FORMATS if pd.to_datetime(text, format=f, errors="coerce").notna().all()]


def _date_hint(values: pd.Series) -> str:
    fits = date_formats_that_fit(values)
    if not fits:
        return ""
    if len(fits) == 1:
        return f"; they look like '{fits[0]}': declare it under `dates:` in columns.yaml"
    return f"; they fit several formats ({', '.join(fits)}): declare yours under `dates:` in columns.yaml"


_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


def _as_text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _parse(
    values: pd.Series, column: Column, *, decimal: str = ".", date_format: str | None = None
) -> tuple[pd.Series, pd.Series, str]:
    """Parse a raw column into its type. Returns (parsed, unparseable mask, rule text).

    `decimal` is the file's decimal mark (',' reads 1.234,5 as 1234.5); `date_format` a strptime
    format for a date column that is not ISO-8601."""
    kind = column.kind
    if kind in ("id", "text"):
        return _as_text(values).astype(object), pd.Series(False, index=values.index), ""
    if kind == "label":
        parsed = _as_text(values).str.lower().astype(object)
        return parsed, pd.Series(False, index=values.index), ""
    if kind in ("number", "integer"):
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            parsed = values.astype(float)
        else:
            text = _as_text(values)
            if decimal == ",":
                comma = text.str.match(_DECIMAL_COMMA.pattern).fillna(False).astype(bool)
                text = text.mask(
                    comma, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
                )
            parsed = pd.to_numeric(text, errors="coerce").astype(float)
        bad = parsed.isna() & values.notna() & (_as_text(values).notna())
        bad |= np.isinf(parsed)  # "inf" parses, but no count or amount is infinite
        if kind == "integer":
            bad |= parsed.notna() & ~np.isinf(parsed) & (parsed != np.round(parsed))
            return parsed, bad, "must be a whole number"
        return parsed, bad, "must be a number"
    if kind == "bool":
        text = _as_text(values).str.lower()
        parsed = pd.Series(
            np.where(text.isin(_TRUE), True, np.where(text.isin(_FALSE), False, None)),
            index=values.index,
            dtype=object,
        )
        bad = text.notna() & parsed.isna()
        return parsed, bad, "must be true or false"
    # date, timestamp, month
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        bad = pd.Series(False, index=values.index)
    elif date_format is not None:
        text = _as_text(values)
        parsed = pd.to_datetime(text, errors="coerce", format=date_format)
        bad = parsed.isna() & text.notna()
        rule = f"must be a date in the declared format '{date_format}'"
        parsed, bad, rule = _in_range(parsed, bad, rule)
        if kind == "month":
            return parsed.dt.to_period("M").dt.to_timestamp(), bad, rule
        return (parsed.dt.normalize() if kind == "date" else parsed), bad, rule
    else:
        text = _as_text(values)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        parsed = parsed.dt.tz_localize(None)
        bad = parsed.isna() & text.notna()
    parsed, far, _ = _in_range(parsed, pd.Series(False, index=values.index), "")
    hint = _date_hint(values[bad]) if bad.any() else ""
    rule = {
        "date": "must be an ISO-8601 date (YYYY-MM-DD)",
        "month": "must be a month (YYYY-MM)",
    }.get(kind, "must be an ISO-8601 timestamp") + hint
    if far.any():
        rule = f"must be a date between {EARLIEST.year} and {LATEST.year}" + (
            f" ({rule})" if bad.any() else ""
        )
        bad = bad | far
    if kind == "date":
        return parsed.dt.normalize(), bad, rule
    if kind == "month":
        return parsed.dt.to_period("M").dt.to_timestamp(), bad, rule
    return parsed, bad, rule


EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31 23:59:59")


def _in_range(parsed: pd.Series, bad: pd.Series, rule: str) -> tuple[pd.Series, pd.Series, str]:
    """Dates a business record can hold (1900-2199), as nanosecond timestamps; others are bad
    (year 0 from a stray '-0', 9999 from a placeholder) instead of overflowing."""
    far = parsed.notna() & ((parsed < EARLIEST) | (parsed > LATEST))
    parsed = parsed.mask(far).astype("datetime64[ns]")
    if far.any() and not rule:
        rule = f"must be a date between {EARLIEST.year} and {LATEST.year}"
    return parsed, bad | far, rule


def _value_schema(table: Table, present: list[str]) -> pa.DataFrameSchema:
    """Ranges, labels, non-empty required columns and unique single-column keys, as pandera checks."""
    columns = {}
    for c in table.columns:
        if c.name not in present:
            continue
        checks = []
        if c.minimum is not None:
            checks.append(pa.Check.ge(c.minimum))
        if c.maximum is not None:
            checks.append(pa.Check.le(c.maximum))
        if c.labels:
            checks.append(pa.Check.isin(list(c.labels)))
        columns[c.name] = pa.Column(
            checks=checks,
            nullable=not c.required,
            unique=table.key == (c.name,),
            coerce=False,
        )
    return pa.DataFrameSchema(columns)


def _describe_check(check: str, column: Column) -> str:
    if check == "not_nullable":
        return "must not be empty"
    if check == "field_uniqueness":
        return "must be unique (duplicate ids)"
    if check.startswith("isin"):
        return f"must be one of {', '.join(column.labels)}"
    if check.startswith("greater_than_or_equal_to"):
        return f"must be at least {column.minimum:g}"
    if check.startswith("less_than_or_equal_to"):
        return f"must be at most {column.maximum:g}"
    return check


def _mapped_values(
    raw: pd.DataFrame, mapping: TableMapping, name: str, where
) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply the value maps of columns.yaml: every non-empty value must be named by its map."""
    problems = []
    for col, value_map in mapping.values.items():
        if col not in raw:
            continue
        text = _as_text(raw[col])
        unmapped = text.notna() & ~text.isin(list(value_map))
        if unmapped.any():
            idx = np.flatnonzero(unmapped.to_numpy())
            distinct = sorted(set(text.iloc[idx]))
            problems.append(
                problem(
                    name,
                    col,
                    f"has values its map in columns.yaml does not name: {', '.join(map(repr, distinct))} "
                    f"(add each under values.{col})",
                    [where(i) for i in idx],
                    list(text.iloc[idx]),
                )
            )
        raw[col] = text.map(value_map).where(~unmapped, text)
    return raw, problems


def _renamed(raw: pd.DataFrame, mapping: TableMapping, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Rename the file's columns to canonical names; a mapped name the file lacks is a problem."""
    found = [str(c) for c in raw.columns]
    problems = [
        Problem(
            name,
            canonical,
            f"is mapped in columns.yaml to '{theirs}', which is not a column of the file"
            f"{did_you_mean(theirs, found)}; its columns are {', '.join(found)}",
        )
        for canonical, theirs in mapping.columns.items()
        if theirs not in found
    ]
    return raw.rename(columns={v: k for k, v in mapping.columns.items()}), problems


def read_table(
    table: Table, path: Path, mapping: TableMapping | None, events_given: bool
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one table's file and check it against the contract: (frame or None, problems)."""
    mapping = mapping or TableMapping()
    try:
        raw = read_raw(path, mapping)
    except UnreadableFile as exc:
        return None, [Problem(path.name, None, str(exc))]
    except Exception as exc:  # any reader failure is a problem with the file, not a crash
        return None, [Problem(path.name, None, f"cannot be read as {path.suffix[1:]} ({exc})")]
    return check_table(table, raw, path.name, path.suffix, mapping, events_given)


def check_table(
    table: Table,
    raw: pd.DataFrame,
    name: str,
    kind: str,
    mapping: TableMapping | None,
    events_given: bool,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Map, parse and check a table as read (from a file, or fetched from an engine).

    `name` is how messages name it; `kind` a file suffix saying how rows are located (".csv":
    line numbers, anything else: row numbers)."""
    mapping = mapping or TableMapping()
    decimal = raw.attrs.get("decimal", ".")
    raw, problems = _renamed(raw, mapping, name)
    raw = raw.reset_index(drop=True)
    where = locator(Path("x" + kind))

    required = set(table.required_columns)
    if table.name == "users" and events_given:
        required -= {"first_active", "last_active"}  # derived from events instead
    missing = sorted(required - set(raw.columns))
    if missing:
        found = [str(c) for c in raw.columns]
        return None, problems + [
            Problem(
                name,
                col,
                f"required column is missing{did_you_mean(col, found)} (columns found: {', '.join(found)};"
                f" map your own names in {COLUMN_MAP_FILE})",
            )
            for col in missing
        ]
    raw, value_problems = _mapped_values(raw, mapping, name, where)
    problems += value_problems

    present = [c.name for c in table.columns if c.name in raw.columns]
    parsed: dict[str, pd.Series] = {}
    for col in present:
        column = table.column(col)
        values, bad, rule = _parse(raw[col], column, decimal=decimal, date_format=mapping.date_format_of(col))
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            problems.append(problem(name, col, rule, [where(i) for i in idx], list(raw[col].iloc[idx])))
        parsed[col] = values.mask(bad)
    frame = pd.DataFrame(parsed)

    try:
        _value_schema(table, present).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for (col, check), group in cases.groupby(["column", "check"], sort=False):
            if check == "not_nullable":
                # An unparseable value was already reported; only report truly empty cells.
                idx = [int(i) for i in group["index"] if pd.isna(raw[col].iloc[int(i)])]
                values = ["" for _ in idx]
            else:
                idx = [int(i) for i in group["index"]]
                values = list(group["failure_case"])
            if idx:
                rule = _describe_check(str(check), table.column(str(col)))
                problems.append(problem(name, str(col), rule, [where(i) for i in idx], values))

    if len(table.key) > 1:
        dup = frame.duplicated(list(table.key), keep=False)
        if dup.any():
            idx = np.flatnonzero(dup.to_numpy())
            keys = frame.loc[dup, list(table.key)].astype(str).agg("/".join, axis=1)
            problems.append(
                problem(
                    name,
                    "+".join(table.key),
                    "must be unique together (each combination once)",
                    [where(i) for i in idx],
                    list(keys),
                )
            )
    whole = [c for c in present if table.column(c).kind == "integer"]
    frame[whole] = frame[whole].round().astype("Int64")
    frame.attrs["file"] = name
    frame.attrs["locator"] = kind
    for key in ("encoding", "encoding_declared"):
        if key in raw.attrs:
            frame.attrs[key] = raw.attrs[key]
    return frame, problems
