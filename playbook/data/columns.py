"""`columns.yaml`: how a company's own files map onto the contract's tables.

Two forms, per table. The short one (the original) maps canonical column names to yours:

    opportunities:
      opportunity_id: Id
      outcome: StageName

The full one adds value maps, date formats, a sheet for `.xlsx` files and the CSV dialect:

    opportunities:
      columns: {opportunity_id: Id, outcome: StageName, opened_at: CreatedDate}
      values:
        outcome: {Closed Won: won, Closed Lost: lost, Prospecting: open}
      dates: {opened_at: "%m/%d/%Y"}      # or date_format: "%m/%d/%Y" for every date column
      sheet: Opportunities                # the worksheet of opportunities.xlsx
      csv: {delimiter: ";", decimal: ",", encoding: cp1252}

Every value in a mapped column must be named by its value map: an unmapped value is an error
listing every such value, never a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from playbook.data.contract import TABLES
from playbook.data.errors import DataError, Problem, did_you_mean

COLUMN_MAP_FILE = "columns.yaml"
FULL_FORM_KEYS = {"columns", "values", "dates", "date_format", "sheet", "csv"}
CSV_KEYS = {"delimiter", "decimal", "encoding"}


@dataclass(frozen=True)
class TableMapping:
    """How one table's file maps onto the contract (empty: the file already uses canonical names)."""

    columns: dict[str, str] = field(default_factory=dict)  # canonical -> the file's column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical column -> {yours: ours}
    dates: dict[str, str] = field(default_factory=dict)  # canonical column -> strptime format
    date_format: str | None = None  # for every date column not in `dates`
    sheet: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    encoding: str | None = None

    def date_format_of(self, column: str) -> str | None:
        return self.dates.get(column, self.date_format)


def _table_mapping(table: str, spec: dict, problems: list[Problem]) -> TableMapping:
    known = [c.name for c in TABLES[table].columns]

    def check_canonical(names, where: str) -> None:
        for canonical in names:
            if canonical not in known:
                problems.append(
                    Problem(
                        COLUMN_MAP_FILE,
                        f"{table}.{where}{canonical}",
                        f"is not a column of {table}{did_you_mean(str(canonical), known)}; "
                        f"its columns are {', '.join(known)}",
                    )
                )

    if not (set(spec) & FULL_FORM_KEYS and set(spec) <= FULL_FORM_KEYS):
        check_canonical(spec, "")
        return TableMapping(columns={str(k): str(v) for k, v in spec.items()})
    parts = {key: spec.get(key) or {} for key in ("columns", "values", "dates", "csv")}
    for key, value in parts.items():
        if not isinstance(value, dict):
            problems.append(Problem(COLUMN_MAP_FILE, f"{table}.{key}", "must be a mapping"))
            parts[key] = {}
    check_canonical(parts["columns"], "")
    check_canonical(parts["values"], "values.")
    check_canonical(parts["dates"], "dates.")
    for column, values in parts["values"].items():
        if not isinstance(values, dict):
            problems.append(
                Problem(COLUMN_MAP_FILE, f"{table}.values.{column}", "must map your values to ours")
            )
    for key in set(parts["csv"]) - CSV_KEYS:
        problems.append(
            Problem(
                COLUMN_MAP_FILE,
                f"{table}.csv.{key}",
                f"is not a CSV setting{did_you_mean(str(key), CSV_KEYS)}; settings are "
                f"{', '.join(sorted(CSV_KEYS))}",
            )
        )
    csv = parts["csv"]
    if csv.get("decimal") not in (None, ".", ","):
        problems.append(Problem(COLUMN_MAP_FILE, f"{table}.csv.decimal", "must be '.' or ','"))
    return TableMapping(
        columns={str(k): str(v) for k, v in parts["columns"].items()},
        values={
            str(c): {str(k): str(v) for k, v in m.items()}
            for c, m in parts["values"].items()
            if isinstance(m, dict)
        },
        dates={str(k): str(v) for k, v in parts["dates"].items()},
        date_format=spec.get("date_format"),
        sheet=None if spec.get("sheet") is None else str(spec["sheet"]),
        delimiter=csv.get("delimiter"),
        decimal=csv.get("decimal"),
        encoding=csv.get("encoding"),
    )


def read_column_map(folder: Path) -> dict[str, TableMapping]:
    """columns.yaml of a data folder, checked: {table: TableMapping} ({} when there is none)."""
    path = folder / COLUMN_MAP_FILE
    if not path.is_file():
        return {}
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError([Problem(COLUMN_MAP_FILE, None, f"is not valid YAML ({exc})")]) from None
    if not isinstance(spec, dict):
        raise DataError([Problem(COLUMN_MAP_FILE, None, "must map table names to {canonical: yours}")])
    problems: list[Problem] = []
    mappings = {}
    for table, table_spec in spec.items():
        if table not in TABLES:
            problems.append(
                Problem(
                    COLUMN_MAP_FILE,
                    None,
                    f"unknown table '{table}'{did_you_mean(str(table), TABLES)}; tables are "
                    f"{', '.join(TABLES)}",
                )
            )
        elif not isinstance(table_spec, dict):
            problems.append(Problem(COLUMN_MAP_FILE, None, f"'{table}' must map canonical names to yours"))
        else:
            mappings[table] = _table_mapping(table, table_spec, problems)
    if problems:
        raise DataError(problems)
    return mappings
