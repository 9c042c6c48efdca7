"""Salesforce and HubSpot exports into `opportunities` and `accounts`.

- Salesforce: the Data Export service or Data Loader writes each object with its API field names
  (Opportunity: Id, AccountId, StageName, Amount, CloseDate, CreatedDate, IsClosed, IsWon —
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm;
  Account: Id, Name, NumberOfEmployees, Industry, BillingCountry, CreatedDate —
  https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm).
  A report export uses field labels instead ("Opportunity ID", "Stage", "Close Date"...): both
  are in the preset. The outcome comes from IsClosed/IsWon when exported, else from the stage
  label (the standard stages are known; yours go in a --stages file).
- HubSpot: Records → Export of a deals or companies view (column headers are property labels:
  "Record ID", "Deal Stage", "Close Date", "Create Date", "Amount", "Associated Company IDs
  (Primary)"; https://knowledge.hubspot.com/import-and-export/export-records). The default sales
  pipeline's stages are known (https://knowledge.hubspot.com/object-settings/set-up-and-customize-pipelines).

A deal's CloseDate is when it closed if it is closed, and its expected close date if it is open.

As downloaded:
- A report's footer (Grand Totals, the confidentiality notice, the copyright) is set aside with
  its lines (`read.py`); Salesforce ids are matched in their 18-character form (`ids.py`).
- Records a Data Loader "Export All" holds after deletion (IsDeleted = true) are set aside.
- Amounts: a multi-currency org's report shows each amount in the deal's currency
  ("EUR 18,000.00") and, when the report has it, "Amount (converted)" in the corporate currency
  (https://help.salesforce.com/s/articleView?id=000382314); HubSpot has "Amount in company
  currency". The converted column is used when present; otherwise amounts in a currency other
  than --currency are converted at the rate of their close month from --fx-rates, and without a
  rate they are an error. An amount without a currency is taken to be in --currency.
- An account's domain comes from HubSpot's "Company Domain Name" or Salesforce's Website
  (scheme, "www." and any path dropped).
"""

from __future__ import annotations

import pandas as pd

from playbook.data.errors import DataError, Problem
from playbook.imports.fx import missing_rate, rates
from playbook.imports.ids import Crosswalk, canonical_ids
from playbook.imports.numbers import amounts, numbers
from playbook.imports.read import Imported, Preset, booleans, dates, first_id, text, where

SALESFORCE_OPPORTUNITIES = Preset(
    "salesforce-opportunities",
    "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/"
    "sforce_api_objects_opportunity.htm",
    {
        "opportunity_id": ("Id", "Opportunity ID", "ID"),
        "account_id": ("AccountId", "Account ID"),
        "stage": ("StageName", "Stage"),
        "amount": ("Amount",),
        "currency": ("CurrencyIsoCode", "Amount Currency", "Opportunity Currency"),
        "amount_converted": ("Amount (converted)", "ConvertedAmount"),
        "amount_converted_currency": ("Amount (converted) Currency",),
        "is_deleted": ("IsDeleted", "Deleted"),
        "close_date": ("CloseDate", "Close Date"),
        "created": ("CreatedDate", "Created Date"),
        "is_closed": ("IsClosed", "Closed"),
        "is_won": ("IsWon", "Won"),
        "loss_reason": ("Loss_Reason__c", "Loss Reason", "Reason Lost"),
    },
    required=("opportunity_id", "account_id", "close_date", "created"),
)
SALESFORCE_ACCOUNTS = Preset(
    "salesforce-accounts",
    "https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/"
    "sforce_api_objects_account.htm",
    {
        "account_id": ("Id", "Account ID", "ID"),
        "account_name": ("Name", "Account Name"),
        "employee_count": ("NumberOfEmployees", "Employees"),
        "industry": ("Industry",),
        "country": ("BillingCountry", "Billing Country", "ShippingCountry"),
        "domain": ("Website",),
        "is_deleted": ("IsDeleted", "Deleted"),
        "created_at": ("CreatedDate", "Created Date"),
        "plan": ("Plan__c",),
        "seats": ("Seats__c",),
        "arr": ("ARR__c",),
    },
    required=("account_id", "account_name"),
)
HUBSPOT_DEALS = Preset(
    "hubspot-deals",
    "https://knowledge.hubspot.com/import-and-export/export-records",
    {
        "opportunity_id": ("Record ID", "Deal ID", "hs_object_id"),
        "account_id": ("Associated Company IDs (Primary)", "Associated Company IDs", "Associated Company ID"),
        "stage": ("Deal Stage", "dealstage"),
        "amount": ("Amount", "amount"),
        "currency": ("Currency", "deal_currency_code"),
        "amount_converted": ("Amount in company currency", "amount_in_home_currency"),
        "close_date": ("Close Date", "closedate"),
        "created": ("Create Date", "createdate"),
        "is_closed": ("Is Closed", "hs_is_closed"),
        "is_won": ("Is Closed Won", "hs_is_closed_won"),
        "loss_reason": ("Closed Lost Reason", "closed_lost_reason"),
    },
    required=("opportunity_id", "account_id", "created"),
)
HUBSPOT_COMPANIES = Preset(
    "hubspot-companies",
    "https://knowledge.hubspot.com/import-and-export/export-records",
    {
        "account_id": ("Record ID", "Company ID", "hs_object_id"),
        "account_name": ("Company name", "Name", "name"),
        "domain": ("Company Domain Name", "domain"),
        "employee_count": ("Number of Employees", "numberofemployees"),
        "industry": ("Industry", "industry"),
        "country": ("Country/Region", "Country", "country"),
        "created_at": ("Create Date", "createdate"),
        "plan": ("Plan",),
        "seats": ("Seats",),
        "arr": ("Annual Recurring Revenue", "ARR"),
    },
    required=("account_id", "account_name"),
)

# Standard stage labels and what they mean for a deal (labels compared case-insensitively).
SALESFORCE_STAGES = {
    "prospecting": "open",
    "qualification": "open",
    "needs analysis": "open",
    "value proposition": "open",
    "id. decision makers": "open",
    "perception analysis": "open",
    "proposal/price quote": "open",
    "negotiation/review": "open",
    "closed won": "won",
    "closed lost": "lost",
}
HUBSPOT_STAGES = {
    "appointment scheduled": "open",
    "qualified to buy": "open",
    "presentation scheduled": "open",
    "decision maker bought-in": "open",
    "contract sent": "open",
    "closed won": "won",
    "closed lost": "lost",
    # the internal values a property-name export carries
    "appointmentscheduled": "open",
    "qualifiedtobuy": "open",
    "presentationscheduled": "open",
    "decisionmakerboughtin": "open",
    "contractsent": "open",
    "closedwon": "won",
    "closedlost": "lost",
}
OUTCOMES = ("won", "lost", "open")


def read_stage_map(path) -> dict[str, str]:
    """A --stages YAML file: {your stage label: won | lost | open}."""
    import yaml

    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), None, f"cannot be read as YAML ({exc})")]) from None
    bad = (
        {str(k): v for k, v in spec.items() if str(v).lower() not in OUTCOMES}
        if isinstance(spec, dict)
        else {}
    )
    if not isinstance(spec, dict) or bad:
        raise DataError(
            [Problem(str(path), None, f"must map stage labels to won, lost or open (not: {bad or spec!r})")]
        )
    return {str(k).strip().lower(): str(v).lower() for k, v in spec.items()}


def _outcomes(frame: pd.DataFrame, stages: dict[str, str], file: str) -> pd.Series:
    """won / lost / open from IsClosed + IsWon when exported, else from the stage label."""
    closed, won = booleans(frame, "is_closed"), booleans(frame, "is_won")
    by_flags = pd.Series(pd.NA, index=frame.index, dtype="object")
    if closed.notna().any():
        by_flags = closed.map({False: "open", True: "lost"}).where(
            ~(closed.fillna(False) & won.fillna(False)), "won"
        )
    elif won.notna().any() and won.any():
        by_flags = won.map({True: "won"})  # won is known; the rest need their stage
    stage = text(frame, "stage")
    by_stage = stage.str.lower().map(stages)
    outcome = by_flags.where(by_flags.notna(), by_stage)
    unknown = outcome.isna()
    if unknown.any():
        labels = stage[unknown].fillna("(empty)").value_counts()
        shown = ", ".join(f"'{label}' ({n} deals)" for label, n in labels.items())
        column = frame.attrs["columns"].get("stage", "stage")
        raise DataError(
            [
                Problem(
                    file,
                    column,
                    f"has stage labels whose outcome is unknown: {shown}; map each to won, lost or open in a "
                    "YAML file and pass it with --stages",
                )
            ]
        )
    return outcome.astype(str)


def _not_deleted(frame: pd.DataFrame, imported: Imported) -> pd.DataFrame:
    """Records a Data Loader "Export All" holds after deletion are set aside."""
    deleted = booleans(frame, "is_deleted").fillna(False).astype(bool)
    imported.aside(int(deleted.sum()), "deleted records (IsDeleted = true)")
    return frame[~deleted]


def deal_amounts(
    frame: pd.DataFrame, close: pd.Series, *, currency: str, fx_rates: pd.DataFrame | None, decimal
) -> pd.Series:
    """Each deal's amount in `currency`: the export's converted amount when it has one, else its
    amount converted at the close month's declared rate (see the module's notes)."""
    use = "amount_converted" if "amount_converted" in frame else "amount"
    value, code = amounts(frame, use, decimal=decimal)
    code_column = {"amount": "currency", "amount_converted": "amount_converted_currency"}[use]
    code = text(frame, code_column).str.upper().fillna(code).fillna(currency.upper())
    rate = rates(code, close, target=currency, fx_rates=fx_rates)
    missing = value.notna() & rate.isna()
    if missing.any():
        shown = [f"{c} {v:,.2f}" for c, v in zip(code[missing], value[missing], strict=True)]
        raise missing_rate(
            frame.attrs["file"],
            frame.attrs["columns"][use],
            where(frame, missing),
            shown,
            target=currency,
            fx_given=fx_rates is not None,
            converted_column="Amount (converted)" if use == "amount" else None,
        )
    return value * rate


def opportunities(
    frame: pd.DataFrame,
    imported: Imported,
    crosswalk: Crosswalk,
    *,
    system: str,
    stages: dict[str, str],
    date_format: str | None,
    currency: str,
    fx_rates: pd.DataFrame | None,
    decimal: str | None,
) -> pd.DataFrame:
    """The contract's opportunities from a deals export."""
    frame = _not_deleted(frame, imported)
    file = frame.attrs["file"]
    outcome = _outcomes(frame, stages, file)
    close = dates(frame, "close_date", date_format=date_format)
    account = canonical_ids(first_id(text(frame, "account_id")), system)
    no_account = account.isna()
    imported.aside(int(no_account.sum()), "deals without an account (company)")
    account_id = crosswalk.account_ids(account, system, imported, what="deals' account ids")
    opened = dates(frame, "created", date_format=date_format, required=True).dt.normalize()
    table = pd.DataFrame(
        {
            "opportunity_id": canonical_ids(text(frame, "opportunity_id"), system),
            "account_id": account_id,
            "opened_at": opened,
            "outcome": outcome,
            "closed_at": close.where(outcome != "open").dt.normalize(),
            "amount": deal_amounts(
                frame, close.fillna(opened), currency=currency, fx_rates=fx_rates, decimal=decimal
            ),
            "loss_reason": text(frame, "loss_reason").where(outcome == "lost"),
            "expected_close_at": close.where(outcome == "open").dt.normalize(),
        }
    )
    keep = table["account_id"].notna()
    closed_without_date = (table["outcome"] != "open") & table["closed_at"].isna() & keep
    if closed_without_date.any():
        imported.notes.append(f"{int(closed_without_date.sum()):,} closed deals have no close date.")
    return table[keep].reset_index(drop=True)


def domains(values: pd.Series) -> pd.Series:
    """'https://www.acme.example/about' -> 'acme.example' (a website as the bare domain a CRM matches)."""
    bare = (
        values.str.lower().str.replace(r"^[a-z]+://", "", regex=True).str.replace(r"^www\.", "", regex=True)
    )
    return bare.str.split(r"[/?#:]", regex=True).str[0].replace("", pd.NA)


def accounts(
    frame: pd.DataFrame,
    imported: Imported,
    crosswalk: Crosswalk,
    *,
    system: str,
    date_format: str | None,
    decimal: str | None,
) -> pd.DataFrame:
    """The contract's accounts from an accounts or companies export."""
    frame = _not_deleted(frame, imported)
    ids = canonical_ids(text(frame, "account_id"), system)
    imported.aside(int(ids.isna().sum()), "accounts without an id")
    account_id = crosswalk.account_ids(ids, system, imported, what="account ids")
    table = pd.DataFrame(
        {
            "account_id": account_id,
            "account_name": text(frame, "account_name"),
            "employee_count": numbers(frame, "employee_count", whole=True, decimal=decimal),
            "industry": text(frame, "industry"),
            "country": text(frame, "country"),
            "domain": domains(text(frame, "domain")),
            "created_at": dates(frame, "created_at", date_format=date_format).dt.normalize(),
        }
    )
    for optional, kind in (("plan", "text"), ("seats", "count"), ("arr", "money")):
        if optional in frame:
            table[optional] = (
                text(frame, optional)
                if kind == "text"
                else numbers(frame, optional, whole=kind == "count", decimal=decimal)
            )
    table = table.dropna(axis=1, how="all").assign(account_id=account_id, account_name=table["account_name"])
    keep = table["account_id"].notna()
    no_size = (
        int((table["employee_count"].isna() & keep).sum()) if "employee_count" in table else int(keep.sum())
    )
    if no_size:
        imported.notes.append(
            f"{no_size:,} accounts have no employee count; the contract needs one for each account "
            "(fill it in the CRM or in accounts.csv)."
        )
    return table[keep].reset_index(drop=True)
