"""Read a company's exports, map their column names, parse types and enforce the data contract.

Only this module (and the runner) touches input files. Every broken rule becomes a `Problem`;
all problems found are raised together as one `DataError`, before any analysis runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import yaml

from playbook.data.contract import (
    NOT_BEFORE_ACCOUNT_CREATED,
    ORDERED_DATES,
    TABLES,
    Column,
    Table,
)
from playbook.data.errors import DataError, Problem, problem

SUFFIXES = (".csv", ".parquet")
COLUMN_MAP_FILE = "columns.yaml"
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


@dataclass(frozen=True)
class Dataset:
    """A validated company dataset: one DataFrame per table present, and the analysis date.

    Tables that were not provided are None. `events_files` lists the raw event files, which are
    never loaded into memory here (they may be huge); `notes` say which optional tables are missing.
    """

    source: Path
    as_of: pd.Timestamp
    arr_monthly: pd.DataFrame
    accounts: pd.DataFrame | None = None
    users: pd.DataFrame | None = None
    opportunities: pd.DataFrame | None = None
    feature_requests: pd.DataFrame | None = None
    features: pd.DataFrame | None = None
    leader_candidates: pd.DataFrame | None = None
    interview_scores: pd.DataFrame | None = None
    events_files: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def has(self, *tables: str) -> bool:
        """True when every named table was provided."""
        return all(
            bool(self.events_files) if t == "events" else getattr(self, t) is not None
            for t in tables
        )

    def missing(self, *tables: str) -> list[str]:
        """The named tables that were not provided."""
        return [t for t in tables if not self.has(t)]


# ---------------------------------------------------------------------------------------------
# Files


def _table_files(folder: Path, table: str) -> list[Path]:
    files = [folder / f"{table}{s}" for s in SUFFIXES if (folder / f"{table}{s}").is_file()]
    if table == "events" and (folder / "events").is_dir():
        files += sorted(p for s in SUFFIXES for p in (folder / "events").glob(f"*{s}"))
    return files


def _read_column_map(folder: Path) -> dict[str, dict[str, str]]:
    """columns.yaml: {table: {canonical column: the company's column name}}."""
    path = folder / COLUMN_MAP_FILE
    if not path.is_file():
        return {}
    try:
        mapping = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DataError([Problem(COLUMN_MAP_FILE, None, f"is not valid YAML ({exc})")]) from None
    problems = []
    if not isinstance(mapping, dict):
        problems.append(Problem(COLUMN_MAP_FILE, None, "must map table names to {canonical: yours}"))
        raise DataError(problems)
    for table, columns in mapping.items():
        if table not in TABLES:
            problems.append(
                Problem(COLUMN_MAP_FILE, None, f"unknown table '{table}'; tables are {sorted(TABLES)}")
            )
            continue
        known = {c.name for c in TABLES[table].columns}
        if not isinstance(columns, dict):
            problems.append(Problem(COLUMN_MAP_FILE, None, f"'{table}' must map canonical names to yours"))
            continue
        for canonical in columns:
            if canonical not in known:
                problems.append(
                    Problem(
                        COLUMN_MAP_FILE,
                        f"{table}.{canonical}",
                        f"is not a column of {table}; its columns are {sorted(known)}",
                    )
                )
    if problems:
        raise DataError(problems)
    return {t: {str(k): str(v) for k, v in cols.items()} for t, cols in mapping.items()}


def _read_raw(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        # Everything as text, so that parsing (and its error messages) is ours; only an empty
        # cell is missing ("NA" is Namibia's country code).
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return pd.read_parquet(path)


def _locator(path: Path):
    """How a person finds row i of a file: CSV line numbers count the header as line 1."""
    if path.suffix == ".csv":
        return lambda i: f"line {i + 2}"
    return lambda i: f"row {i + 1}"


# ---------------------------------------------------------------------------------------------
# Parsing one column


def _as_text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _parse(values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    """Parse a raw column into its type. Returns (parsed, unparseable mask, rule text)."""
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
            parsed = pd.to_numeric(_as_text(values), errors="coerce").astype(float)
        bad = parsed.isna() & values.notna() & (_as_text(values).notna())
        if kind == "integer":
            bad |= parsed.notna() & (parsed != np.round(parsed))
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
    else:
        text = _as_text(values)
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        parsed = parsed.dt.tz_localize(None)
        bad = parsed.isna() & text.notna()
    parsed = parsed.astype("datetime64[ns]")
    if kind == "date":
        return parsed.dt.normalize(), bad, "must be an ISO-8601 date (YYYY-MM-DD)"
    if kind == "month":
        return parsed.dt.to_period("M").dt.to_timestamp(), bad, "must be a month (YYYY-MM)"
    return parsed, bad, "must be an ISO-8601 timestamp"


# ---------------------------------------------------------------------------------------------
# One table


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


def _load_table(
    table: Table, path: Path, mapping: dict[str, str], events_given: bool
) -> tuple[pd.DataFrame | None, list[Problem]]:
    name = path.name
    try:
        raw = _read_raw(path)
    except Exception as exc:  # any reader failure is a problem with the file, not a crash
        return None, [Problem(name, None, f"cannot be read as {path.suffix[1:]} ({exc})")]
    raw = raw.rename(columns={v: k for k, v in mapping.items()}).reset_index(drop=True)
    where = _locator(path)

    required = set(table.required_columns)
    if table.name == "users" and events_given:
        required -= {"first_active", "last_active"}  # derived from events instead
    missing = sorted(required - set(raw.columns))
    if missing:
        return None, [
            Problem(
                name,
                col,
                f"required column is missing (columns found: {', '.join(map(str, raw.columns))};"
                f" map your own names in {COLUMN_MAP_FILE})",
            )
            for col in missing
        ]

    present = [c.name for c in table.columns if c.name in raw.columns]
    parsed: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for col in present:
        column = table.column(col)
        values, bad, rule = _parse(raw[col], column)
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            problems.append(
                problem(name, col, rule, [where(i) for i in idx], list(raw[col].iloc[idx]))
            )
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
    frame.attrs["locator"] = path.suffix
    return frame, problems


# ---------------------------------------------------------------------------------------------
# Rules across rows and tables


def _rows(frame: pd.DataFrame, mask: pd.Series) -> list[str]:
    locate = _locator(Path("x" + frame.attrs.get("locator", ".csv")))
    return [locate(i) for i in np.flatnonzero(mask.to_numpy())]


def _contiguous_months(arr: pd.DataFrame) -> list[Problem]:
    months = arr["month"].dropna().sort_values()
    if months.empty:
        return [Problem(arr.attrs["file"], "month", "holds no months")]
    expected = pd.date_range(months.iloc[0], months.iloc[-1], freq="MS")
    gaps = expected.difference(months)
    if len(gaps) == 0:
        return []
    return [
        problem(
            arr.attrs["file"],
            "month",
            "months must be contiguous; missing month(s)",
            [m.strftime("%Y-%m") for m in gaps],
            ["" for _ in gaps],
        )
    ]


def _foreign_keys(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for name, frame in tables.items():
        for column, target in TABLES[name].references:
            parent = tables.get(target)
            if parent is None:
                problems.append(
                    Problem(
                        frame.attrs["file"],
                        column,
                        f"refers to {target}, but no {target}.csv or {target}.parquet was given",
                    )
                )
                continue
            known = parent[TABLES[target].key[0]]
            unknown = frame[column].notna() & ~frame[column].isin(known)
            if unknown.any():
                problems.append(
                    problem(
                        frame.attrs["file"],
                        column,
                        f"must name a known {TABLES[target].key[0]} in {parent.attrs['file']}",
                        _rows(frame, unknown),
                        list(frame.loc[unknown, column]),
                    )
                )
    return problems


def _date_order(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    for name, earlier, later in ORDERED_DATES:
        frame = tables.get(name)
        if frame is None or earlier not in frame or later not in frame:
            continue
        wrong = frame[later] < frame[earlier]
        if wrong.any():
            problems.append(
                problem(
                    frame.attrs["file"],
                    later,
                    f"must not be before {earlier}",
                    _rows(frame, wrong),
                    list(frame.loc[wrong, later].dt.strftime("%Y-%m-%d")),
                )
            )
    accounts = tables.get("accounts")
    if accounts is None or "created_at" not in accounts:
        return problems
    created = accounts.set_index("account_id")["created_at"]
    for name, column in NOT_BEFORE_ACCOUNT_CREATED:
        frame = tables.get(name)
        if frame is None or column not in frame:
            continue
        account_created = frame["account_id"].map(created)
        early = frame[column] < account_created
        if early.any():
            problems.append(
                problem(
                    frame.attrs["file"],
                    column,
                    "must not be before the account's created_at in accounts",
                    _rows(frame, early),
                    list(frame.loc[early, column].dt.strftime("%Y-%m-%d")),
                )
            )
    return problems


def _analysis_date(arr: pd.DataFrame, as_of: str | pd.Timestamp | None) -> pd.Timestamp:
    """`as_of` given, or the last day of the last month of arr_monthly — never the wall clock."""
    first, last = arr["month"].min(), arr["month"].max()
    if as_of is None:
        return last + pd.offsets.MonthEnd(0)
    try:
        when = pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        raise DataError(
            [Problem("parameters", "as_of", f"must be an ISO-8601 date, got {as_of!r}")]
        ) from None
    if when < first + pd.offsets.MonthEnd(0):
        raise DataError(
            [
                Problem(
                    "parameters",
                    "as_of",
                    f"{when.date()} is before the end of the first month of arr_monthly "
                    f"({first:%Y-%m})",
                )
            ]
        )
    return when


# ---------------------------------------------------------------------------------------------


def load_dataset(data_dir: str | Path, *, as_of: str | pd.Timestamp | None = None) -> Dataset:
    """Load and validate every table of the contract found in `data_dir`.

    Parameters
    ----------
    data_dir
        Folder with one `.csv` or `.parquet` file per table (and optionally `columns.yaml`).
    as_of
        Analysis date; defaults to the last day of the last month in `arr_monthly`.

    Raises
    ------
    DataError
        When any rule of the contract is broken; the message names file, column, rule and rows.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise DataError([Problem(str(folder), None, "is not a folder")])
    mapping = _read_column_map(folder)
    files = {name: _table_files(folder, name) for name in TABLES}
    events_files = tuple(files["events"])

    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        found = files[name]
        if name == "events":
            continue  # aggregated out of core by the usage module, never loaded here
        if len(found) > 1:
            problems.append(
                Problem(name, None, f"is given twice ({', '.join(p.name for p in found)}); keep one")
            )
            continue
        if not found:
            if table.required:
                problems.append(Problem(f"{name}.csv", None, "is required but missing"))
            continue
        frame, found_problems = _load_table(table, found[0], mapping.get(name, {}), bool(events_files))
        problems += found_problems
        if frame is not None:
            tables[name] = frame

    if not problems:
        if "arr_monthly" in tables:
            problems += _contiguous_months(tables["arr_monthly"])
        problems += _foreign_keys(tables)
        problems += _date_order(tables)
    if problems:
        raise DataError(problems)

    arr = tables["arr_monthly"].sort_values("month", ignore_index=True)
    notes = tuple(
        f"No {name} table was given: the analyses that need it are skipped."
        for name in TABLES
        if name not in tables and not (name == "events" and events_files)
    )
    clean = {name: frame for name, frame in tables.items() if name != "arr_monthly"}
    return Dataset(
        source=folder.resolve(),
        as_of=_analysis_date(arr, as_of),
        arr_monthly=arr,
        events_files=events_files,
        notes=notes,
        **clean,
    )
