"""What a notebook calls first: its parameters, checked, and the results it shows.

In a run, the runner has computed every section once and passes `results_file`; a notebook
opened on its own (JupyterLab, `make lab`) loads the data and computes the sections it shows
with the same function, so its output is the same either way.
"""

from __future__ import annotations

from playbook.data.locate import resolve_data_dir
from playbook.runner.params import Params, ParamsError
from playbook.runner.results import Results, assess_all, read_results


def params_and_results(namespace: dict, *sections: str) -> tuple[Params, Results]:
    """The parameters cell's values as Params, and the results of `sections`.

    `namespace` is the notebook's `globals()`: its parameters cell, with what papermill injected.
    """
    params = Params.from_namespace(namespace)
    results_file = namespace.get("results_file")
    if results_file:
        results = read_results(results_file)
        if results.params != params:
            raise ParamsError(
                "the run's stored results were computed with other parameters than this notebook's"
            )
        return params, results
    # Imported here: loading data needs pandera and DuckDB, which a notebook in a run never uses.
    from playbook.data import load_dataset

    dataset = load_dataset(
        resolve_data_dir(namespace.get("data_dir")),
        as_of=params.as_of,
        active_window_days=params.active_window_days,
    )
    return params, assess_all(dataset, params, sections)
