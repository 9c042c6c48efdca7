"""Load a company's exports and enforce the data contract (DESIGN.md)."""
from playbook.data.contract import LEADER_ATTRIBUTES, TABLES
from playbook.data.errors import DataError, Problem
from playbook.data.load import Dataset, load_dataset

__all__ = ["TABLES", "LEADER_ATTRIBUTES", "DataError", "Problem", "Dataset", "load_dataset"]
