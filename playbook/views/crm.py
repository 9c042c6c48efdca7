"""The ready list, shaped so a CRM imports it as it is: `ready_accounts.csv` and `ready_contacts.csv`.

Both files are written for Salesforce's Data Import Wizard and HubSpot's importer (the field
mappings are in docs/imports.md):

- UTF-8 with a byte-order mark, so Excel on Windows reads accents and the masked emails' "•";
  RFC 4180 with CRLF line ends, so a line break inside a cell stays inside it; one header row of
  plain labels. Text cells a spreadsheet would run as a formula (starting with = + - @, tab or
  carriage return) get a leading apostrophe, as OWASP advises against CSV injection.
- Percentages are 0-100 (a CRM percent field takes 37.5 for 37.5%), dates ISO (YYYY-MM-DD),
  money in the run's currency, named in its own column, with the analysis date on every row.
- Each account carries the ids a CRM matches on: its Salesforce account id (18 characters) and
  HubSpot record id from `account_map`, and its web domain (`accounts.domain`, HubSpot's company
  key), as well as our own account id.
- `ready_contacts.csv` has one row per power user of a ready account (the Dropbox practice: the
  ten most active users of each), instead of a cell listing them. Emails are masked unless
  `show_pii: true`: a masked address is for reading, and importing contacts needs the real ones.

**Tier** sorts the list for a sales team: accounts ranked by expected value, A the first ones that
together hold half of the list's expected value, B those that bring it to 80%, C the rest (a
Pareto cut; an account without an expected value has no tier). It changes no verdict and no
account's place on the list.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from playbook.analyses.outcome import Skipped
from playbook.analyses.penetration import PenetrationResult
from playbook.views.formatting import spreadsheet_safe
from playbook.views.penetration import SIGNAL_LABELS, adjusted_p_text, signal_value
from playbook.views.people import mask_email

TIER_SHARES = (("A", 0.5), ("B", 0.8))  # the share of expected value held before an account's own
ACCOUNT_COLUMNS = (
    "Rank",
    "Tier",
    "Account Name",
    "Domain",
    "Country",
    "Employees",
    "Salesforce Account ID",
    "HubSpot Record ID",
    "Account ID",
    "Signal",
    "Signal Value",
    "Threshold",
    "Win Probability (%)",
    "Deal Size",
    "Expected Value",
    "Currency",
    "Power Users",
    "Reason",
    "Analysis Date",
)
CONTACT_COLUMNS = (
    "Email",
    "User ID",
    "Department",
    "Title",
    "Rank in Account",
    "Events (28 days)",
    "Active Days (28 days)",
    "Account Name",
    "Domain",
    "Salesforce Account ID",
    "HubSpot Record ID",
    "Account ID",
)


def tiers(expected_value: pd.Series) -> pd.Series:
    """A, B or C for each account of a list ranked by expected value (see the module's rule)."""
    value = expected_value.astype(float)
    total = value.sum(skipna=True)
    if not total > 0:
        return pd.Series("", index=value.index, dtype=object)
    held_before = (value.fillna(0).cumsum() - value.fillna(0)) / total
    tier = np.select([held_before < share for _, share in TIER_SHARES], [t for t, _ in TIER_SHARES], "C")
    return pd.Series(tier, index=value.index, dtype=object).where(value.notna(), "")


def _ready(result: PenetrationResult | Skipped) -> pd.DataFrame | None:
    if isinstance(result, Skipped) or not result.claimed or result.ready.empty:
        return None
    return result.ready


def _crm_ids(account_ids: pd.Series, accounts, account_map) -> pd.DataFrame:
    """Per account: its Salesforce and HubSpot ids (account_map) and its domain (accounts)."""
    out = pd.DataFrame(index=account_ids.index)
    for label, column, table in (
        ("Salesforce Account ID", "salesforce_id", account_map),
        ("HubSpot Record ID", "hubspot_id", account_map),
        ("Domain", "domain", accounts),
    ):
        known = (
            table.dropna(subset=[column]).drop_duplicates("account_id").set_index("account_id")[column]
            if table is not None and column in table
            else pd.Series(dtype=object)
        )
        out[label] = account_ids.map(known).astype(object).where(lambda s: s.notna(), "")
    return out


def _percent_or_value(signal: str, value: float) -> float:
    return round(100 * value, 2) if signal == "employee_penetration" else round(float(value), 2)


def ready_accounts_table(
    result: PenetrationResult | Skipped,
    *,
    accounts: pd.DataFrame | None,
    account_map: pd.DataFrame | None,
    currency: str,
) -> pd.DataFrame:
    """ready_accounts.csv: one row per ready account, best expected value first (header only when
    there is no threshold of our own or no ready account)."""
    ready = _ready(result)
    if ready is None:
        return pd.DataFrame(columns=list(ACCOUNT_COLUMNS))
    t = result.threshold
    label = SIGNAL_LABELS[t.signal].split(" (")[0]
    reason = (
        f"{label} at or above our threshold of {signal_value(t.signal, t.threshold)} "
        f"({adjusted_p_text(t.p_adjusted, t.adjusted_for)}); no won or open top-down deal"
    )
    users = result.power_users
    table = pd.DataFrame(
        {
            "Rank": np.arange(1, len(ready) + 1),
            "Tier": tiers(ready["expected_value"]),
            "Account Name": ready.get("account_name", ""),
            "Country": ready.get("country", pd.Series("", index=ready.index)).fillna(""),
            "Employees": ready["employee_count"].round().astype("Int64"),
            "Account ID": ready["account_id"],
            "Signal": label + (" (%)" if t.signal == "employee_penetration" else ""),
            "Signal Value": [_percent_or_value(t.signal, v) for v in ready[t.signal]],
            "Threshold": _percent_or_value(t.signal, t.threshold),
            "Win Probability (%)": (100 * ready["win_probability"]).round(1),
            "Deal Size": ready["deal_size"].round(2),
            "Expected Value": ready["expected_value"].round(2),
            "Currency": currency.upper(),
            "Power Users": ready["account_id"].map(users.groupby("account_id").size()).fillna(0).astype(int),
            "Reason": [f"{signal_value(t.signal, v)}: {reason}" for v in ready[t.signal]],
            "Analysis Date": f"{result.as_of:%Y-%m-%d}",
        }
    )
    table = table.join(_crm_ids(table["Account ID"], accounts, account_map))
    return table[list(ACCOUNT_COLUMNS)].map(spreadsheet_safe)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series("", index=frame.index, dtype=object)


def ready_contacts_table(
    result: PenetrationResult | Skipped,
    *,
    accounts: pd.DataFrame | None,
    account_map: pd.DataFrame | None,
    show_pii: bool = False,
) -> pd.DataFrame:
    """ready_contacts.csv: one row per power user of a ready account, accounts in the order of
    ready_accounts.csv and users by activity (emails masked unless `show_pii`)."""
    ready = _ready(result)
    if ready is None:
        return pd.DataFrame(columns=list(CONTACT_COLUMNS))
    order = pd.Series(np.arange(len(ready)), index=ready["account_id"])
    users = result.power_users[result.power_users["account_id"].isin(order.index)]
    users = users.assign(_order=users["account_id"].map(order)).sort_values("_order", kind="stable")
    email = _column(users, "email")
    names = ready.set_index("account_id").get("account_name", pd.Series(dtype=object))
    table = pd.DataFrame(
        {
            "Email": email if show_pii else email.map(lambda e: mask_email(e) if e != "" else ""),
            "User ID": users["user_id"],
            "Department": _column(users, "department").fillna(""),
            "Title": _column(users, "title").fillna(""),
            "Rank in Account": users.groupby("account_id").cumcount() + 1,
            "Events (28 days)": _column(users, "events_28d"),
            "Active Days (28 days)": _column(users, "active_days_28d"),
            "Account Name": users["account_id"].map(names),
            "Account ID": users["account_id"],
        }
    )
    table = table.join(_crm_ids(table["Account ID"], accounts, account_map))
    return table[list(CONTACT_COLUMNS)].reset_index(drop=True).map(spreadsheet_safe)


def crm_csv(table: pd.DataFrame) -> str:
    """A CRM import file's text: a byte-order mark, then RFC 4180 with CRLF line ends (write it as
    UTF-8 with newline='')."""
    return "\ufeff" + table.to_csv(index=False, lineterminator="\r\n")
