"""Ids across systems: the optional `account_map` crosswalk (the contract's table of that name).

Billing customer ids, CRM account ids and analytics group ids differ. `account_map` has our
`account_id` and one column per system: `stripe_id`, `salesforce_id`, `hubspot_id`,
`analytics_id` (the group or company id Segment, Amplitude or Mixpanel send). An import maps
its source's ids through it; an id the map does not know is reported with counts and set aside,
never dropped silently. Without a map (or without a column for the system), the source's own
ids are the account ids.

Salesforce ids are matched in their 18-character form. Reports show the 15-character,
case-sensitive id; Data Export and Data Loader write the 18-character one, whose last three
characters encode which of the first fifteen are capitals (the checksum Salesforce's CASESAFEID()
formula computes; the algorithm, with worked examples the tests reuse, is described at
https://www.gammone.com/en/programming/how-to-convert-salesforce-id-from-15-to-18-chars). Every
15-character Salesforce id, in an export and in the account map alike, is converted before any
match.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from playbook.data.contract import TABLES
from playbook.data.errors import DataError, Problem
from playbook.data.parse import read_table
from playbook.imports.read import Imported

CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_18(value: object) -> object:
    """A Salesforce id in its 18-character form: a 15-character id gets its checksum (one
    character per block of five: bit i set when character i of the block is a capital); any
    other value is returned as it is."""
    if not isinstance(value, str) or len(value) != 15 or not value.isalnum() or not value.isascii():
        return value
    suffix = ""
    for block in range(3):
        chars = value[5 * block : 5 * block + 5]
        suffix += CHECKSUM_ALPHABET[sum(1 << i for i, c in enumerate(chars) if "A" <= c <= "Z")]
    return value + suffix


def canonical_ids(ids: pd.Series, system: str) -> pd.Series:
    """Ids in the form they are matched in (Salesforce's 18 characters; others as they are)."""
    return ids.map(salesforce_18, na_action="ignore") if system == "salesforce" else ids


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
        known = known.assign(**{column: canonical_ids(known[column].astype(str), system)})
        ids = canonical_ids(ids, system)
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
