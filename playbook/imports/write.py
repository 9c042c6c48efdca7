"""Writing imported tables into a data folder: merged by key with what is there, never overwritten.

A table the folder does not have is written as a new CSV. A table it has is merged by the
table's key (accounts by account_id, arr_monthly by month...): new rows are added, new columns
filled in, and a cell both sides fill with different values is a conflict — an error listing
them, unless `force`, when the import's value wins. A table without a key (events) is never
merged: it is written only where nothing is, or with `force`. Every file of one import is
checked before any is written, and each is written to a temporary name first, then moved into
place, so a failed import leaves the folder as it was.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from playbook.data.contract import TABLES
from playbook.data.errors import DataError, Problem
from playbook.data.parse import read_raw


@dataclass(frozen=True)
class Written:
    """What writing one table did."""

    table: str
    file: str
    rows: int
    added: int
    updated: int
    new_columns: tuple[str, ...]
    existed: bool

    def __str__(self) -> str:
        if not self.existed:
            return f"{self.file}: {self.rows:,} rows (new file)"
        columns = f"; columns added: {', '.join(self.new_columns)}" if self.new_columns else ""
        return (
            f"{self.file}: merged by {'+'.join(TABLES[self.table].key)}: {self.added:,} rows added, "
            f"{self.updated:,} updated{columns}"
        )


def as_text(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A contract table as the text its CSV holds: ISO dates, months as YYYY-MM, money to the cent."""
    out = pd.DataFrame(index=frame.index)
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    for column in frame.columns:
        values = frame[column]
        kind = kinds.get(column, "text")
        if kind in ("date", "timestamp", "month") and pd.api.types.is_datetime64_any_dtype(values):
            form = {"date": "%Y-%m-%d", "month": "%Y-%m", "timestamp": "%Y-%m-%dT%H:%M:%S"}[kind]
            out[column] = values.dt.strftime(form)
        elif kind in ("number", "integer") and pd.api.types.is_numeric_dtype(values):
            form = "{:.0f}" if kind == "integer" else "{:.2f}"
            out[column] = values.map(lambda x, f=form: None if pd.isna(x) else f.format(x))
        else:
            out[column] = values.astype("string")
    return out.astype(object).where(out.notna(), None)


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Equal as text, or as numbers to the cent."""
    equal = a.astype(str).str.strip() == b.astype(str).str.strip()
    x, y = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    return equal | ((x - y).abs() < 0.005)


def _merged(existing: pd.DataFrame, new: pd.DataFrame, table: str, file: str, force: bool):
    key = list(TABLES[table].key)
    missing_key = [k for k in key if k not in existing]
    if missing_key:
        raise DataError(
            [Problem(file, "+".join(missing_key), "exists but lacks the key column: cannot merge by it")]
        )
    existing = existing.astype(object).where(existing.notna(), None)
    left = existing.set_index(key)
    right = new.set_index(key)
    if left.index.duplicated().any() or right.index.duplicated().any():
        raise DataError([Problem(file, "+".join(key), "has duplicate keys: cannot merge")])
    common = [c for c in right.columns if c in left.columns]
    both = left.index.intersection(right.index)
    conflicts = []
    for column in common:
        a, b = left.loc[both, column], right.loc[both, column]
        clash = a.notna() & b.notna() & ~_same(a, b)
        if clash.any():
            shown = ", ".join(
                f"{k}: {x!r} vs {y!r}"
                for k, x, y in list(zip(a.index[clash], a[clash], b[clash], strict=True))[:3]
            )
            conflicts.append(
                Problem(file, column, f"{int(clash.sum())} rows differ from the import ({shown})")
            )
    if conflicts and not force:
        raise DataError(
            conflicts + [Problem(file, None, "was not changed: pass --force to let the import's values win")]
        )
    merged = left.combine_first(right) if not force else right.combine_first(left)
    order = list(left.columns) + [c for c in right.columns if c not in left.columns]
    merged = merged[order].reset_index()
    changed = pd.Series(False, index=both)
    for column in right.columns:
        b = right.loc[both, column]
        a = left.loc[both, column] if column in left else pd.Series(None, index=both, dtype=object)
        changed |= b.notna() & (a.isna() | ~_same(a, b))
    added = len(right.index.difference(left.index))
    new_columns = tuple(c for c in right.columns if c not in left.columns)
    return merged.sort_values(key, kind="stable", ignore_index=True), added, int(changed.sum()), new_columns


def plan_writes(
    folder: Path, tables: dict[str, pd.DataFrame], *, force: bool
) -> list[tuple[Path, pd.DataFrame, Written]]:
    """Check every table against the folder and work out what to write (nothing is written)."""
    plans, problems = [], []
    for table, frame in tables.items():
        path = folder / f"{table}.csv"
        others = [p.name for p in (folder / f"{table}.parquet", folder / f"{table}.xlsx") if p.is_file()]
        if others:
            problems.append(
                Problem(
                    others[0], None, f"exists: the import writes {path.name}, and a table may be given once"
                )
            )
            continue
        text = as_text(frame, table)
        if not path.is_file():
            plans.append((path, text, Written(table, path.name, len(text), len(text), 0, (), False)))
            continue
        if not TABLES[table].key:
            if not force:
                problems.append(
                    Problem(path.name, None, "exists and has no key to merge by: pass --force to replace it")
                )
                continue
            plans.append((path, text, Written(table, path.name, len(text), len(text), 0, (), False)))
            continue
        try:
            merged, added, updated, new_columns = _merged(read_raw(path), text, table, path.name, force)
        except DataError as exc:
            problems += exc.problems
            continue
        plans.append(
            (path, merged, Written(table, path.name, len(merged), added, updated, new_columns, True))
        )
    if problems:
        raise DataError(problems)
    return plans


def write_all(plans) -> list[Written]:
    """Write every planned table to a temporary file, then move each into place."""
    staged = []
    try:
        for path, frame, written in plans:
            handle, temp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".csv", dir=path.parent)
            os.close(handle)
            frame.to_csv(temp, index=False, lineterminator="\n")
            staged.append((Path(temp), path, written))
    except BaseException:
        for temp, _, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, path, _ in staged:
        os.replace(temp, path)
    return [written for _, _, written in staged]
