"""The pins: environment.yml carries the same versions as constraints.txt, for every dependency."""

from __future__ import annotations

import re
import tomllib

import yaml

from playbook import PROJECT_ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def lock() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version
    return pins


def conda_pins() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        for item in dep["pip"] if isinstance(dep, dict) else [dep]:
            name, _, version = item.replace("=", " ", 1).replace("=", "").partition(" ")
            pins[_name(name)] = version.strip()
    return pins


def test_environment_yml_pins_match_the_lock():
    locked, conda = lock(), conda_pins()
    assert conda.pop("python").startswith("3.11")
    conda.pop("pip")
    assert {n: locked.get(n) for n in conda} == conda


def test_every_declared_dependency_is_locked_and_in_environment_yml():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    declared |= {_name(r) for extra in project["optional-dependencies"].values() for r in extra}
    assert declared <= set(lock()), declared - set(lock())
    assert declared <= set(conda_pins()), declared - set(conda_pins())


def test_the_lock_pins_exact_versions():
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", v) for v in lock().values())
