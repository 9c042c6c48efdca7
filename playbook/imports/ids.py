"""Ids across systems: the optional `account_map` crosswalk (the contract's table of that name).

Billing customer ids, CRM account ids and analytics group ids differ. `account_map` has our
`account_id` and one column per system: `stripe_id`, `salesforce_id`, `hubspot_id`,
`analytics_id` (the group or company id Segment, Amplitude or Mixpanel send). An import maps
its source's ids through it; an id the map does not know is reported with counts and set aside,
never dropped silently. Without a map (or without a column for the system), the source's own
ids are the account ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from playbook.data.contract import TABLES
from playbook.data.errors import DataError, Problem
from playbook.data.parse import read_table
from playbook.imports.read import Imported

SYSTEM_COLUMNS = {
    "stripe": "stripe_id",
    "salesforce": "salesforce_id",
    "hubspot": "hubspot_id",
    "analytics": "analytics_id",
}


@dataclass(frozen=True)
class Crosswalk:
    """The account map (None: each system's ids are the account ids)."""

    table: pd.DataFrame | None = None
    file: str = "account_map.csv"

    @classmethod
    def read(cls, path: Path | None) -> Crosswalk:
        if path is None or not path.is_file():
            return cls()
        frame, problems = read_table(TABLES["account_map"], path, None, False)
        if problems:
            raise DataError(problems)
        return cls(frame, path.name)

    def column_for(self, system: str) -> str | None:
        column = SYSTEM_COLUMNS[system]
        return column if self.table is not None and column in self.table else None

    def account_ids(
        self, ids: pd.Series, system: str, imported: Imported, *, what: str, set_aside: bool = True
    ) -> pd.Series:
        """Our account id for each source id; NA (reported in `imported`) when the map lacks it.

        `set_aside`: the rows of unknown ids are left out (reported as set aside); otherwise they
        are kept for what does not need an account and the report says so in a note."""
        column = self.column_for(system)
        if column is None:
            if self.table is not None:
                imported.notes.append(
                    f"{self.file} has no {SYSTEM_COLUMNS[system]} column: {what} are used as account ids."
                )
            return ids
        known = self.table.dropna(subset=[column])
        duplicated = known[column].duplicated(keep=False)
        if duplicated.any():
            shown = ", ".join(sorted(set(known.loc[duplicated, column]))[:5])
            raise DataError(
                [Problem(self.file, column, f"names the same {system} id for several accounts: {shown}")]
            )
        mapped = ids.map(known.set_index(column)["account_id"])
        unmatched = ids.notna() & mapped.isna()
        if unmatched.any():
            distinct = ids[unmatched].value_counts()
            shown = ", ".join(f"{i} ({n})" for i, n in distinct.head(5).items())
            more = f" and {len(distinct) - 5} more" if len(distinct) > 5 else ""
            message = f"{len(distinct):,} {what} not in {self.file}'s {column} (rows per id: {shown}{more})"
            if set_aside:
                imported.aside(int(unmatched.sum()), message)
            else:
                imported.notes.append(message)
        return mapped
