"""Running the playbook: parameters, computing results once, executing and rendering notebooks,
the board pack, comparing runs, and the command line.

Modules are imported where they are used: a notebook kernel imports `runner.notebook` only.
"""
