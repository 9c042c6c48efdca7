"""The documentation: a README that is a front door, links that resolve, the make targets that
CONTRIBUTING.md names, and every figures block in docs/ produced by `make figures`."""

from __future__ import annotations

import importlib.util
import re

import pytest

from playbook import PROJECT_ROOT
from tests import stated

README = PROJECT_ROOT / "README.md"
CONTRIBUTING = PROJECT_ROOT / "CONTRIBUTING.md"
PAGES = [README, CONTRIBUTING, *sorted(stated.DOCS.glob("*.md"))]
REFERENCE = ("data-contract", "imports", "engines", "outputs", "methods", "performance", "workshop")
MAX_README_LINES, MAX_CELL = 200, 200


def test_the_readme_is_a_front_door():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; the reference goes in docs/"
    cells = [cell.strip() for line in lines if line.startswith("|") for cell in line.strip("|").split("|")]
    assert cells and max(map(len, cells)) <= MAX_CELL, max(cells, key=len)


def test_the_readme_links_every_reference_page():
    text = README.read_text(encoding="utf-8")
    for page in REFERENCE:
        assert f"](docs/{page}.md" in text, page
    assert "](CONTRIBUTING.md)" in text


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve(page):
    """Every link to a file of the project names one that exists, and its #anchor a heading in it."""
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name} links to {target}"
        if fragment:
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
            assert fragment in {anchor(h) for h in headings}, f"{page.name} links to {target}"


def test_the_anchor_rule_matches_githubs():
    assert anchor("The sample companies") == "the-sample-companies"
    assert anchor("summary.json, field by field") == "summaryjson-field-by-field"
    assert anchor("Other warehouses: BigQuery, Snowflake, Trino, ... (untested)") == (
        "other-warehouses-bigquery-snowflake-trino--untested"
    )


def makefile_targets() -> set[str]:
    text = (PROJECT_ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.M))


def test_contributing_names_only_make_targets_that_exist():
    named = set(re.findall(r"`make ([a-z][a-z-]*)", CONTRIBUTING.read_text(encoding="utf-8")))
    assert {"test", "notebooks", "figures", "bench"} <= named
    assert named <= makefile_targets(), named - makefile_targets()


def test_contributing_states_the_commit_rule():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    assert "at most 72 characters" in text and "The body" in text


def figures_script():
    spec = importlib.util.spec_from_file_location("figures", PROJECT_ROOT / "benchmarks" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_figures_block_is_written_by_make_figures():
    """Each block in docs/ has its generator in benchmarks/figures.py, and holds a table."""
    blocks = stated.blocks()
    assert set(blocks) == set(figures_script().FIGURES)
    for name in blocks:
        assert len(stated.table(name)) >= 2, name


def test_a_block_is_replaced_alone():
    text = (
        "a\n<!-- figures:one -->\n| x |\n|---|\n| 1 |\n<!-- /figures -->\n"
        "b\n<!-- figures:two -->\n| y |\n<!-- /figures -->\n"
    )
    replaced = stated.with_body(text, "one", "| x |\n|---|\n| 2 |\n")
    assert replaced == text.replace("| 1 |", "| 2 |")
    with pytest.raises(ValueError, match="one figures:three block, found 0"):
        stated.with_body(text, "three", "")


def test_the_data_contract_page_lists_the_contract():
    """docs/data-contract.md's table names every table of `playbook.data.contract` with exactly its
    required and optional columns (allowed values in parentheses are not columns)."""
    from playbook.data.contract import TABLES

    text = (stated.DOCS / "data-contract.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]

    def names(cell: str) -> list[str]:
        return re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", cell))

    documented = {}
    for line in rows:
        cells = line.strip().strip("|").split("|")
        if len(cells) == 4:
            table, _, required, optional = cells
            documented[names(table)[0]] = (names(required), names(optional))
    assert set(documented) == set(TABLES)
    for name, table in TABLES.items():
        required = [c.name for c in table.columns if c.required]
        optional = [c.name for c in table.columns if not c.required]
        assert documented[name] == (required, optional), name
        assert table.required == ("(required)" in next(r for r in rows if r.startswith(f"| `{name}`"))), name
