"""Running the playbook: parameters, computing results once, executing and rendering notebooks,
the board pack, comparing runs, and the command line.

Modules are imported where they are used: a notebook kernel imports `runner.notebook` only.
"""

import sys

# jsonschema (imported by nbformat) loads rfc3987_syntax when it is installed, which compiles a
# grammar at import (1.3 s of a run's CPU) to check the "iri" string format no notebook schema
# uses. Marked absent, jsonschema skips that one check (its documented fallback).
sys.modules.setdefault("rfc3987_syntax", None)
