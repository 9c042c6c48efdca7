"""Load a company's exports and enforce the data contract (docs/data-contract.md).

`load_dataset` reads a folder, maps column names, validates every rule, cuts the data at the
analysis date and derives user activity from raw events. The loader imports pandera and DuckDB,
so it is imported on first use: a notebook that reads a run's stored results never pays for it.
"""

from playbook.data.contract import LEADER_ATTRIBUTES, TABLES
from playbook.data.errors import DataError, Problem

__all__ = ["TABLES", "LEADER_ATTRIBUTES", "DataError", "Problem", "Dataset", "load_dataset"]


def __getattr__(name: str):
    if name in ("Dataset", "load_dataset"):
        from playbook.data import load

        return getattr(load, name)
    raise AttributeError(f"module 'playbook.data' has no attribute {name!r}")
