"""Who asks for enterprise features: customers directly, or our sales team on their behalf?

At Zendesk the requests were not driven by sales (a16z, Dec 2020): customers forced enterprise
features on the company as their accounts grew. So the Zendesk test asks where *the size gradient*
comes from, not only who files most requests: sales reps who work the largest accounts log enterprise
requests there, and that alone makes enterprise requests grow with seats. Two figures answer it:

- the customers' own gradient: customers' enterprise requests per doubling of seats over customers'
  core requests per doubling (one count model, `size_effect.size_effects`), beside the gradient of
  the enterprise requests sales logged (against the same customer core baseline);
- the share of enterprise requests that came from customers, with an interval from a bootstrap of
  whole accounts (an account's requests come from the same people).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playbook.analyses.outcome import rounded
from playbook.analyses.settings import CommonSettings
from playbook.analyses.size_effect import SizeEffect, count_requests, size_effects

CUSTOMER_SOURCES = ("support", "community", "self_serve")
SALES_SOURCE = "sales"
MIN_REQUESTS = 10  # of each kind, to fit a size model


@dataclass(frozen=True, kw_only=True)
class CustomerShare:
    """The share of enterprise requests that came from customers (not sales), with a 95% interval
    from a bootstrap of whole accounts (an account's requests come from the same people)."""

    share: float
    ci: tuple[float, float]
    n_requests: int
    n_accounts: int

    def to_dict(self) -> dict:
        return {
            "share": rounded(self.share),
            "ci": [rounded(self.ci[0]), rounded(self.ci[1])],
            "n_requests": self.n_requests,
            "n_accounts": self.n_accounts,
        }


def customer_driven_share(
    requests: pd.DataFrame,
    enterprise: pd.Series,
    *,
    n_boot: int = CommonSettings.n_boot,
    seed=CommonSettings.seed,
) -> CustomerShare | None:
    """Share of enterprise requests from customers directly, with a cluster bootstrap by account."""
    if "source" not in requests:
        return None
    rows = requests.loc[enterprise.to_numpy(), ["account_id", "source"]].dropna(subset=["source"])
    if rows.empty:
        return None
    per_account = rows.assign(customer=rows["source"].isin(CUSTOMER_SOURCES)).groupby("account_id")[
        "customer"
    ]
    customers, totals = per_account.sum().to_numpy(float), per_account.size().to_numpy(float)
    picks = np.random.default_rng(seed).integers(0, len(totals), size=(n_boot, len(totals)))
    shares = customers[picks].sum(axis=1) / totals[picks].sum(axis=1)
    low, high = np.quantile(shares, [0.025, 0.975])
    return CustomerShare(
        share=float(customers.sum() / totals.sum()),
        ci=(float(low), float(high)),
        n_requests=len(rows),
        n_accounts=len(totals),
    )


@dataclass(frozen=True, kw_only=True)
class SourceGradients:
    """The size gradient by source, against customers' core requests (one model).

    `customer`: customers' enterprise requests per doubling of seats, over customers' core requests
    per doubling (its `ratio`: the Zendesk test). `sales`: the enterprise requests sales logged,
    over the same baseline; None when sales logged fewer than `MIN_REQUESTS`. `left_out`: requests
    in neither (core requests sales logged, requests without a source).
    """

    customer: SizeEffect
    sales: SizeEffect | None
    left_out: int

    def to_dict(self) -> dict:
        return {
            "customer": self.customer.to_dict(),
            "sales": None if self.sales is None else self.sales.to_dict(),
            "requests_left_out": self.left_out,
        }


def request_kind(requests: pd.DataFrame, enterprise: pd.Series) -> pd.Series:
    """Each request's kind in the by-source model: `customer` (a customer's enterprise request),
    `sales` (an enterprise request sales logged), `core` (a customer's core request), or None
    (a core request sales logged, or a request without a known source)."""
    source = requests["source"]
    customer = source.isin(CUSTOMER_SOURCES).to_numpy()
    sales = (source == SALES_SOURCE).to_numpy()
    is_enterprise = enterprise.to_numpy()
    kind = np.select(
        [is_enterprise & customer, is_enterprise & sales, ~is_enterprise & customer],
        ["customer", "sales", "core"],
        default="",
    )
    return pd.Series(kind, index=requests.index).replace("", None)


def gradients_by_source(
    periods: pd.DataFrame, requests: pd.DataFrame, enterprise: pd.Series
) -> SourceGradients | None:
    """The customers' and the sales team's size gradients (see `SourceGradients`); None without a
    source column, or with fewer than `MIN_REQUESTS` customer requests of a kind."""
    if "source" not in requests:
        return None
    kind = request_kind(requests, enterprise)
    counted = count_requests(periods, requests, kind)
    n = {
        k: int(counted[f"{k}_requests"].sum()) if f"{k}_requests" in counted else 0
        for k in ("customer", "sales", "core")
    }
    if min(n["customer"], n["core"]) < MIN_REQUESTS:
        return None
    kinds = ("customer", "sales") if n["sales"] >= MIN_REQUESTS else ("customer",)
    fitted = size_effects(counted, kinds)
    return SourceGradients(
        customer=fitted["customer"],
        sales=fitted.get("sales"),
        left_out=int(kind.isna().sum()),
    )
