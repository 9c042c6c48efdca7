"""Imports: a company's exports from billing, CRM, product analytics and the ATS into the data contract.

`playbook import VENDOR FILE... --to DIR` (runner/cli.py) calls `vendors.run_import`. This layer
reads vendor files and writes contract tables; it imports only the data layer.
"""

# The exports `playbook import` reads, by name: `vendors.VENDORS` holds how (a test keeps the two
# alike). Listed here so the command line names them without importing the readers (1.2 s).
VENDOR_NAMES = (
    "stripe-subscriptions",
    "stripe-invoices",
    "salesforce-opportunities",
    "salesforce-accounts",
    "hubspot-deals",
    "hubspot-companies",
    "segment",
    "amplitude",
    "mixpanel",
    "greenhouse-scorecards",
    "lever-feedback",
)
