"""`playbook import VENDOR FILE... --to DIR`: one vendor's export into the data contract's tables.

`VENDORS` names every export the command reads and what it becomes: billing (Stripe) into ARR,
deals and accounts (Salesforce, HubSpot), events (Segment, Amplitude, Mixpanel) and interview
scorecards (Greenhouse, Lever). Each module says what it reads, what it assumes and what it sets
aside; `report` says what one import did, in words.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from playbook.data.errors import DataError, Problem, did_you_mean
from playbook.data.parse import read_raw
from playbook.imports import analytics, ats, billing, crm
from playbook.imports.fx import read_fx_rates
from playbook.imports.ids import Crosswalk
from playbook.imports.read import Imported, Preset, parse_overrides, read_export
from playbook.imports.write import Written, plan_writes, write_all


@dataclass(frozen=True)
class Vendor:
    """One export a vendor lets people download, and what the import makes of it."""

    preset: Preset | None  # the columns of a table export (None: JSON or event exports)
    kind: str  # billing, deals, accounts, events or interviews
    system: str  # the account_map column its ids map through (or the ATS)


VENDORS = {
    "stripe-subscriptions": Vendor(billing.SUBSCRIPTIONS, "billing", "stripe"),
    "stripe-invoices": Vendor(billing.INVOICE_LINES, "billing", "stripe"),
    "salesforce-opportunities": Vendor(crm.SALESFORCE_OPPORTUNITIES, "deals", "salesforce"),
    "salesforce-accounts": Vendor(crm.SALESFORCE_ACCOUNTS, "accounts", "salesforce"),
    "hubspot-deals": Vendor(crm.HUBSPOT_DEALS, "deals", "hubspot"),
    "hubspot-companies": Vendor(crm.HUBSPOT_COMPANIES, "accounts", "hubspot"),
    "segment": Vendor(None, "events", "analytics"),
    "amplitude": Vendor(None, "events", "analytics"),
    "mixpanel": Vendor(None, "events", "analytics"),
    "greenhouse-scorecards": Vendor(None, "interviews", "greenhouse"),
    "lever-feedback": Vendor(None, "interviews", "lever"),
}
STAGES = {"salesforce": crm.SALESFORCE_STAGES, "hubspot": crm.HUBSPOT_STAGES}
DECIMAL_MARKS = (".", ",")


@dataclass(frozen=True)
class ImportOptions:
    """What a person can adjust (the command's options)."""

    force: bool = False
    overrides: list[str] = field(default_factory=list)  # --map field=Their Column
    stages: Path | None = None
    account_map: Path | None = None
    currency: str = "USD"
    fx_rates: Path | None = None
    first_month: str | None = None
    through: str | None = None
    exported_on: str | None = None  # billing: the export date (default: the file's latest timestamp)
    group: str | None = None
    date_format: str | None = None
    decimal: str | None = None  # "." or ",": the decimal mark when the values cannot say
    amounts: str | None = None  # cents or units (billing)
    attributes: Path | None = None  # interviews: {their attribute: one of the four}


def _month(value: str | None, option: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).to_period("M").to_timestamp()
    except (ValueError, TypeError):
        raise DataError([Problem(option, None, f"must be a month (YYYY-MM), got {value!r}")]) from None


def _check_inputs(vendor: str, files: list[Path], to: Path, options: ImportOptions) -> Vendor:
    if vendor not in VENDORS:
        raise DataError(
            [
                Problem(
                    "import",
                    vendor,
                    f"is not an export we read{did_you_mean(vendor, VENDORS)}; "
                    f"they are: {', '.join(VENDORS)}",
                )
            ]
        )
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise DataError([Problem(str(f), None, "does not exist") for f in missing])
    if to.exists() and not to.is_dir():
        raise DataError([Problem(str(to), None, "is not a folder")])
    if options.decimal not in (None, *DECIMAL_MARKS):
        raise DataError(
            [Problem("--decimal", None, f"must be . (point) or , (comma), got {options.decimal!r}")]
        )
    return VENDORS[vendor]


def _events_target(to: Path, vendor: str, force: bool) -> Path:
    flat = [p.name for p in (to / "events.csv", to / "events.parquet") if p.is_file()]
    if flat:
        raise DataError(
            [
                Problem(
                    flat[0],
                    None,
                    f"exists: the import writes events/{vendor}.parquet, and the playbook would read both; "
                    f"move {flat[0]} into events/ or remove it",
                )
            ]
        )
    target = to / "events" / f"{vendor}.parquet"
    if target.exists() and not force:
        raise DataError([Problem(f"events/{target.name}", None, "exists: pass --force to replace it")])
    return target


def _import_events(vendor, files, to, options, imported, crosswalk) -> None:
    overrides = dict(pair.split("=", 1) for pair in options.overrides if "=" in pair)
    to.mkdir(parents=True, exist_ok=True)
    target = _events_target(to, vendor, options.force)
    target.parent.mkdir(exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{vendor}-", suffix=".parquet", dir=target.parent)
    os.close(handle)
    try:
        rows = analytics.import_events(
            vendor, files, Path(temp), imported, crosswalk, group=options.group, overrides=overrides
        )
        os.replace(temp, target)
        imported.written.append(f"events/{target.name}: {rows:,} rows")
    finally:
        Path(temp).unlink(missing_ok=True)


def _billing(vendor, frames, options, imported, crosswalk) -> None:
    amounts = options.amounts or ("cents" if vendor == "stripe-invoices" else "units")
    if amounts not in ("cents", "units"):
        raise DataError([Problem("--amounts", None, f"must be cents or units, got {amounts!r}")])
    exported = billing.export_date(
        frames, vendor, imported, exported_on=options.exported_on, date_format=options.date_format
    )
    read = {"date_format": options.date_format, "decimal": options.decimal}
    lines = pd.concat(
        [
            billing.invoice_lines(f, imported, amounts_in=amounts, **read)
            if vendor == "stripe-invoices"
            else billing.subscription_lines(f, imported, **read)
            for f in frames
        ],
        ignore_index=True,
    )
    billing.billing_tables(
        lines,
        imported,
        crosswalk,
        vendor=vendor,
        exported=exported,
        currency=options.currency,
        fx_rates=read_fx_rates(options.fx_rates),
        first_month=_month(options.first_month, "--from"),
        last_month=_month(options.through, "--through"),
    )


def _interviews(vendor, files, to, options, imported) -> None:
    read = ats.greenhouse_ratings if vendor == "greenhouse-scorecards" else ats.lever_ratings
    ratings = pd.concat([read(f, imported) for f in files], ignore_index=True)
    existing = to / "leader_candidates.csv"
    known = set(read_raw(existing)["candidate_id"].astype(str)) if existing.is_file() else set()
    ats.interview_tables(
        ratings, imported, attribute_map=ats.read_attribute_map(options.attributes), known=known
    )


def run_import(vendor: str, files: list[Path], to: Path, options: ImportOptions = ImportOptions()):
    """Read the export, build the contract's tables, and write them into `to`.

    Returns (Imported, [Written]). Raises DataError (nothing written) on any problem.
    """
    spec = _check_inputs(vendor, files, to, options)
    crosswalk = Crosswalk.read(options.account_map or to / "account_map.csv")
    imported = Imported(vendor, tuple(files), rows_in=0)
    if spec.kind == "events":
        _import_events(vendor, files, to, options, imported, crosswalk)
        return imported, []
    if spec.kind == "interviews":
        _interviews(vendor, files, to, options, imported)
    else:
        overrides = parse_overrides(options.overrides, spec.preset)
        frames = [read_export(f, spec.preset, overrides, imported) for f in files]
        imported.rows_in = sum(len(f) + f.attrs["footer"] for f in frames)
        read = {"date_format": options.date_format, "decimal": options.decimal}
        if spec.kind == "billing":
            _billing(vendor, frames, options, imported, crosswalk)
        elif spec.kind == "deals":
            stages = STAGES[spec.system] | (crm.read_stage_map(options.stages) if options.stages else {})
            fx_rates = read_fx_rates(options.fx_rates)
            imported.tables["opportunities"] = pd.concat(
                [
                    crm.opportunities(
                        f,
                        imported,
                        crosswalk,
                        system=spec.system,
                        stages=stages,
                        currency=options.currency,
                        fx_rates=fx_rates,
                        **read,
                    )
                    for f in frames
                ],
                ignore_index=True,
            )
        else:
            imported.tables["accounts"] = pd.concat(
                [crm.accounts(f, imported, crosswalk, system=spec.system, **read) for f in frames],
                ignore_index=True,
            )
    to.mkdir(parents=True, exist_ok=True)
    written: list[Written] = write_all(plan_writes(to, imported.tables, force=options.force))
    accounts = to / "accounts.csv"
    if (
        spec.kind != "interviews"
        and accounts.is_file()
        and "employee_count" not in read_raw(accounts).columns
    ):
        imported.notes.append(
            "accounts.csv has no employee_count yet: import your CRM's accounts (salesforce-accounts or "
            "hubspot-companies) into the same folder, or add the column."
        )
    return imported, written


def report(imported: Imported, written: list[Written]) -> str:
    """What an import did, in words: rows in, rows out, rows set aside and why, notes."""
    files = ", ".join(p.name for p in imported.files)
    lines = [f"{imported.vendor}: read {imported.rows_in:,} rows from {files}"]
    lines += [f"  wrote {w}" for w in written]
    lines += [f"  wrote {w}" for w in imported.written]
    lines += [f"  set aside {n:,}: {why}" for n, why in imported.set_aside]
    lines += [f"  note: {note}" for note in imported.notes]
    return "\n".join(lines)
