"""Params: one typed, checked parameter set, from which the YAML example and every notebook's
parameters cell derive, and which every notebook of a run receives whole."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from playbook import PROJECT_ROOT
from playbook.runner.cli import main
from playbook.runner.params import Params, ParamsError, example_params_yaml, notebook_cell
from playbook.runner.refresh import parameters_cell
from playbook.runner.schedule import available_notebooks


def test_defaults_are_valid_and_every_parameter_is_documented():
    params = Params()
    assert params.band_low == 20e6 and params.min_customer_share == 0.5
    for name in Params.names():
        assert f"\n{name}: " in "\n" + example_params_yaml()
        assert re.search(rf"^{name} = .+  # \S", notebook_cell(), re.M), name


@pytest.mark.parametrize(
    "values, message",
    [
        ({"band_low": 40e6}, "'band_low' (4e+07) must be below 'band_high'"),
        (
            {"pipeline_signal": "vibes"},
            "'pipeline_signal' must be one of auto, employee_penetration, departments, seats",
        ),
        ({"n_boot": 10}, "'n_boot' must be at least 500"),
        ({"min_customer_share": 1.5}, "'min_customer_share' must be at most 1"),
        ({"approach_months": 2.5}, "'approach_months' must be a whole number"),
        ({"show_pii": "yes"}, "'show_pii' must be true or false"),
        ({"as_of": "last week"}, "'as_of' must be a date YYYY-MM-DD"),
        ({"weights": {"charisma": 1}}, "unknown attribute(s) in weights: ['charisma']"),
        ({"custom_plans": [{"name": "x", "base_share": 2}]}, "base_share must be between 0 and 1"),
        ({"bandlow": 1}, "unknown parameter 'bandlow' (did you mean 'band_low'?)"),
        ({"results_file": "x"}, "'results_file' cannot be set here"),
    ],
)
def test_bad_values_name_the_source_and_the_parameter(values, message):
    with pytest.raises(ParamsError) as caught:
        Params.from_mapping(values, source="my.yaml")
    assert str(caught.value).startswith("my.yaml: ") and message in str(caught.value)


def test_yaml_dates_and_files(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("as_of: 2025-09-30\nband_low: 10000000\n")
    params = Params.from_yaml(path)
    assert params.as_of == "2025-09-30" and params.changed() == {
        "as_of": "2025-09-30",
        "band_low": 10_000_000,
    }
    path.write_text("- a list\n")
    with pytest.raises(ParamsError, match="must be a mapping"):
        Params.from_yaml(path)
    with pytest.raises(ParamsError, match="not found"):
        Params.from_yaml(tmp_path / "missing.yaml")
    assert Params.from_yaml(None) == Params()


def test_example_parameters_file_is_generated_from_params(capsys):
    assert main(["params"]) == 0
    assert (
        capsys.readouterr().out == (PROJECT_ROOT / "params.example.yaml").read_text() == example_params_yaml()
    )


@pytest.mark.parametrize("path", available_notebooks(), ids=lambda p: p.stem)
def test_every_notebook_carries_the_full_parameters_cell(path):
    cell = parameters_cell(nbformat.read(path, as_version=4))
    assert cell is not None and cell.source == notebook_cell()


def test_a_notebook_namespace_gives_params():
    namespace = {"data_dir": None, "results_file": None, "n_quarters": 4, "unrelated": 1}
    assert Params.from_namespace(namespace) == Params(n_quarters=4)
    with pytest.raises(ParamsError, match="the parameters cell: parameter 'n_quarters' must be at least 1"):
        Params.from_namespace({"n_quarters": 0})


def test_every_notebook_of_a_run_gets_the_same_parameters(tmp_path):
    """Regression: the runner passed each notebook only the parameters its cell declared, so with
    n_quarters 4 the overview's pay paragraph said 'after 8 quarters' and section 04 'after 4'."""
    params = tmp_path / "p.yaml"
    params.write_text("n_quarters: 4\n")
    only = ["--only", "overview", "--only", "leaders"]
    assert main(["run", "--params", str(params), "--out", str(tmp_path / "out"), *only]) == 0
    folder = next((tmp_path / "out").glob("run-*"))
    for name in ("00_overview", "04_leaders"):
        html = (folder / f"{name}.html").read_text()
        assert "averaged over 4 simulated quarters" in html and "8 simulated quarters" not in html, name
        notebook = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        injected = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert "n_quarters = 4" in injected.source
        assert all(f"{p} = " in injected.source for p in Params.names())  # the full set, in every notebook
    summary = json.loads((folder / "summary.json").read_text())
    assert "averaged over 4 simulated quarters" in summary["compensation"]["headline"]


def test_the_overview_and_section_03_agree_on_who_drives_demand(tmp_path):
    """Regression: with min_customer_share 0.9 section 03 said customer-driven (a hard-coded 0.5)
    while the overview said the prerequisite was not met."""
    params = tmp_path / "p.yaml"
    params.write_text("min_customer_share: 0.9\n")
    only = ["--only", "overview", "--only", "enterprise_demand"]
    assert main(["run", "--params", str(params), "--out", str(tmp_path / "out"), *only]) == 0
    folder = next((tmp_path / "out").glob("run-*"))
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["enterprise_demand"]["verdict"] == "sales-driven"
    reason = next(r for r in summary["overview"]["reasons"] if r["key"] == "customer_driven")
    assert reason["met"] is False and summary["overview"]["verdict"] == "not_yet"
    demand_page = (folder / "03_enterprise_demand.html").read_text()
    assert "sales-driven" in demand_page and "customer-driven</code>" not in demand_page
