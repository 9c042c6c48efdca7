"""`playbook import SOURCE FILE... --to DIR`: one vendor export into the data contract's tables."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from playbook.data.errors import DataError, Problem, did_you_mean
from playbook.data.parse import read_raw
from playbook.imports import analytics, billing, crm
from playbook.imports.ids import Crosswalk
from playbook.imports.read import Imported, Preset, parse_overrides, read_export
from playbook.imports.write import Written, plan_writes, write_all


@dataclass(frozen=True)
class Vendor:
    preset: Preset | None
    kind: str  # billing, deals, accounts or events
    system: str  # the account_map column it maps through


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
}
STAGES = {"salesforce": crm.SALESFORCE_STAGES, "hubspot": crm.HUBSPOT_STAGES}


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
    group: str | None = None
    date_format: str | None = None
    amounts: str | None = None  # cents or units (billing)


def _month(value: str | None, option: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).to_period("M").to_timestamp()
    except (ValueError, TypeError):
        raise DataError([Problem(option, None, f"must be a month (YYYY-MM), got {value!r}")]) from None


def read_fx_rates(path: Path | None) -> pd.DataFrame | None:
    """fx_rates: month, currency, rate (units of the target currency per unit of `currency`)."""
    if path is None:
        return None
    raw = read_raw(path)
    missing = [c for c in ("month", "currency", "rate") if c not in raw]
    if missing:
        raise DataError(
            [
                Problem(path.name, c, "required column is missing (fx_rates: month, currency, rate)")
                for c in missing
            ]
        )
    month = (
        pd.to_datetime(raw["month"], format="ISO8601", errors="coerce").dt.to_period("M").dt.to_timestamp()
    )
    rate = pd.to_numeric(raw["rate"], errors="coerce")
    bad = month.isna() | rate.isna() | (rate <= 0)
    if bad.any():
        rows = [f"line {i + 2}" for i in bad[bad].index[:5]]
        raise DataError(
            [
                Problem(
                    path.name,
                    None,
                    f"needs a month (YYYY-MM) and a positive rate on every line: {', '.join(rows)}",
                )
            ]
        )
    return pd.DataFrame({"month": month, "currency": raw["currency"].str.upper().str.strip(), "rate": rate})


def _check_inputs(source: str, files: list[Path], to: Path) -> Vendor:
    if source not in VENDORS:
        raise DataError(
            [
                Problem(
                    "import",
                    source,
                    f"is not a source{did_you_mean(source, VENDORS)}; sources: {', '.join(VENDORS)}",
                )
            ]
        )
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise DataError([Problem(str(f), None, "does not exist") for f in missing])
    if to.exists() and not to.is_dir():
        raise DataError([Problem(str(to), None, "is not a folder")])
    return VENDORS[source]


def _events_target(to: Path, source: str, force: bool) -> Path:
    flat = [p.name for p in (to / "events.csv", to / "events.parquet") if p.is_file()]
    if flat:
        raise DataError(
            [
                Problem(
                    flat[0],
                    None,
                    f"exists: the import writes events/{source}.parquet, and the playbook would read both; "
                    f"move {flat[0]} into events/ or remove it",
                )
            ]
        )
    target = to / "events" / f"{source}.parquet"
    if target.exists() and not force:
        raise DataError([Problem(f"events/{target.name}", None, "exists: pass --force to replace it")])
    return target


def run_import(source: str, files: list[Path], to: Path, options: ImportOptions = ImportOptions()):
    """Read the export, build the contract's tables, and write them into `to`.

    Returns (Imported, [Written]). Raises DataError (nothing written) on any problem.
    """
    spec = _check_inputs(source, files, to)
    crosswalk = Crosswalk.read(options.account_map or to / "account_map.csv")
    imported = Imported(source, tuple(files), rows_in=0)
    if spec.kind == "events":
        overrides = dict(pair.split("=", 1) for pair in options.overrides if "=" in pair)
        to.mkdir(parents=True, exist_ok=True)
        target = _events_target(to, source, options.force)
        target.parent.mkdir(exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{source}-", suffix=".parquet", dir=target.parent)
        os.close(handle)
        try:
            rows = analytics.import_events(
                source, files, Path(temp), imported, crosswalk, group=options.group, overrides=overrides
            )
            os.replace(temp, target)
            imported.written.append(f"events/{target.name}: {rows:,} rows")
        finally:
            Path(temp).unlink(missing_ok=True)
        return imported, []

    overrides = parse_overrides(options.overrides, spec.preset)
    frames = [read_export(f, spec.preset, overrides) for f in files]  # each keeps its own line numbers
    imported.rows_in = sum(len(f) for f in frames)
    if spec.kind == "billing":
        amounts = options.amounts or ("cents" if source == "stripe-invoices" else "units")
        if amounts not in ("cents", "units"):
            raise DataError([Problem("--amounts", amounts, "must be cents or units")])
        lines = pd.concat(
            [
                billing.invoice_lines(f, imported, date_format=options.date_format, amounts_in=amounts)
                if source == "stripe-invoices"
                else billing.subscription_lines(f, imported, date_format=options.date_format)
                for f in frames
            ],
            ignore_index=True,
        )
        billing.billing_tables(
            lines,
            imported,
            crosswalk,
            currency=options.currency,
            fx_rates=read_fx_rates(options.fx_rates),
            first_month=_month(options.first_month, "--from"),
            last_month=_month(options.through, "--through"),
        )
    elif spec.kind == "deals":
        stages = STAGES[spec.system] | (crm.read_stage_map(options.stages) if options.stages else {})
        imported.tables["opportunities"] = pd.concat(
            [
                crm.opportunities(
                    f, imported, crosswalk, system=spec.system, stages=stages, date_format=options.date_format
                )
                for f in frames
            ],
            ignore_index=True,
        )
    else:
        imported.tables["accounts"] = pd.concat(
            [
                crm.accounts(f, imported, crosswalk, system=spec.system, date_format=options.date_format)
                for f in frames
            ],
            ignore_index=True,
        )
    to.mkdir(parents=True, exist_ok=True)
    written: list[Written] = write_all(plan_writes(to, imported.tables, force=options.force))
    accounts = to / "accounts.csv"
    if accounts.is_file() and "employee_count" not in read_raw(accounts).columns:
        imported.notes.append(
            "accounts.csv has no employee_count yet: import your CRM's accounts (salesforce-accounts or "
            "hubspot-companies) into the same folder, or add the column."
        )
    return imported, written


def report(imported: Imported, written: list[Written]) -> str:
    """What an import did, in words: rows in, rows out, rows set aside and why, notes."""
    files = ", ".join(p.name for p in imported.files)
    lines = [f"{imported.source}: read {imported.rows_in:,} rows from {files}"]
    lines += [f"  wrote {w}" for w in written]
    lines += [f"  wrote {w}" for w in imported.written]
    lines += [f"  set aside {n:,}: {why}" for n, why in imported.set_aside]
    lines += [f"  note: {note}" for note in imported.notes]
    return "\n".join(lines)
