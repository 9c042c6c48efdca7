"""Each setting is declared once: in its layer's settings class, read everywhere else.

The settings classes compose `Params` by name, so no two may declare the same field; a function
that takes a setting as a keyword argument must default to the declared value; and the runner's
wiring derives what each section needs from the section functions' signatures.
"""

from __future__ import annotations

import inspect
from dataclasses import MISSING, fields

import pytest

from playbook.analyses import (
    compensation,
    enterprise_demand,
    leaders,
    overview,
    pay_sensitivity,
    penetration,
    ready_range,
    signal_choice,
    timing,
    tipping_point,
    win_curve,
)
from playbook.data import load
from playbook.runner import results
from playbook.runner.params import SETTINGS, Params

MODULES = (
    timing,
    penetration,
    tipping_point,
    signal_choice,
    ready_range,
    win_curve,
    enterprise_demand,
    leaders,
    compensation,
    pay_sensitivity,
    overview,
    load,
)


def declared() -> dict[str, object]:
    """Every setting's name and its declared default."""
    return {f.name: f.default for cls in SETTINGS for f in cls.own_fields()}


def test_no_two_settings_classes_share_a_name():
    names = [f.name for cls in SETTINGS for f in cls.own_fields()]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert set(names) == set(Params.names())  # and Params is exactly their union


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_keyword_defaults_are_the_declared_settings(module):
    """A function's default for a setting it takes by name equals the declaration (`assess_*` and
    the functions they call), so changing one default changes it everywhere."""
    settings = declared()
    checked = 0
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if function.__module__ != module.__name__:
            continue
        for parameter in inspect.signature(function).parameters.values():
            if parameter.name in settings and parameter.default is not inspect.Parameter.empty:
                assert parameter.default == settings[parameter.name], f"{name}({parameter.name}=...)"
                checked += 1
    assert checked or module in (win_curve,), f"{module.__name__} takes no setting by name"


def test_team_defaults_are_the_declared_settings():
    settings = declared()
    for f in fields(compensation.Team):
        if f.name in settings:
            assert f.default == settings[f.name], f.name


def test_every_setting_has_a_default_and_a_meaning():
    for cls in SETTINGS:
        for f in cls.own_fields():
            assert f.default is not MISSING and f.metadata["help"], f"{cls.__name__}.{f.name}"


def test_the_runner_derives_needs_from_signatures():
    assert results.needs("overview") == ("timing", "penetration", "enterprise_demand")
    assert results.with_needs(["enterprise_demand"]) == ["account_usage", "penetration", "enterprise_demand"]
    assert results.with_needs(["compensation"]) == ["compensation"]
    with pytest.raises(ValueError, match="unknown section 'vibes'"):
        results.with_needs(["vibes"])


def test_arguments_of_passes_only_the_settings_a_function_names():
    params = Params(approach_months=7, alpha=0.01)
    taken = params.arguments_of(timing.assess_timing)
    # alpha gates the forecast by its own backtest
    assert taken == {"alpha": 0.01, "approach_months": 7, "band_high": 30e6, "band_low": 20e6, "seed": 0}
    # as_of is the dataset's analysis date, never the parameters file's text
    assert "as_of" not in params.arguments_of(penetration.assess_penetration)
