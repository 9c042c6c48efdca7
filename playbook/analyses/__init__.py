"""The analyses: pure functions on DataFrames that return frozen results.

One module per question: `timing`, `penetration` (the tipping point), `accounts` (the accounts
behind it: ready, premature, abroad), `demand` (enterprise demand), `leaders`, `compensation`,
and `readiness` (the overview's verdict from the others). Every result has a `verdict`, decided
here with its thresholds as parameters, and a `to_dict()` that summary.json uses.

Nothing here reads a file, draws a chart or writes words for a person: that is `views/`.
"""
