"""The scenario library: companies shaped unlike our samples, each with a planted truth.

The samples plant the forms the analyses assume, so they cannot show a failure. Each module here
declares scenarios for one question — data-generating processes with planted truths and the
verdict correct for each — and `make calibrate` measures every verdict's error rates and every
interval's coverage over them (table in docs/methods.md). A new analysis or a new claim comes with
its scenarios, registered in `MODULES`.
"""

from __future__ import annotations

import importlib

from playbook.samples.scenarios.base import Company, Scenario, Target

# The modules that declare scenarios (each has SCENARIOS: a tuple of Scenario).
MODULES: tuple[str, ...] = ("timing", "penetration", "enterprise_demand", "stake", "leaders")


def all_scenarios() -> dict[str, Scenario]:
    """Every scenario of the library, by name, in the order the modules declare them."""
    found: dict[str, Scenario] = {}
    for module in MODULES:
        for scenario in importlib.import_module(f"playbook.samples.scenarios.{module}").SCENARIOS:
            if scenario.name in found:
                raise ValueError(f"two scenarios are named {scenario.name!r}")
            found[scenario.name] = scenario
    return found


__all__ = ["Company", "Scenario", "Target", "all_scenarios", "MODULES"]
