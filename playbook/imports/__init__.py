"""Imports: a company's exports from billing, CRM, product analytics and the ATS into the data contract.

`playbook import VENDOR FILE... --to DIR` (runner/cli.py) calls `vendors.run_import`. This layer
reads vendor files and writes contract tables; it imports only the data layer.
"""
