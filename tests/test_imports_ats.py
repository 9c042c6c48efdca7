"""`playbook import greenhouse-scorecards | lever-feedback`: interview scorecards from the ATS into
leader_candidates and interview_scores (playbook/imports/ats.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from playbook import PROJECT_ROOT
from playbook.data import DataError
from playbook.data.contract import LEADER_ATTRIBUTES, TABLES
from playbook.data.parse import read_table
from playbook.imports.ats import GREENHOUSE_RATINGS, LEVER_SCALE
from playbook.imports.vendors import ImportOptions, report, run_import
from playbook.runner.cli import main

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "vendors"
GREENHOUSE = FIXTURES / "greenhouse_scorecards_v3.json"
LEVER = FIXTURES / "250d8f03-738a-4bba-a671-8a3d73477145.json"


def imported(vendor: str, files, to: Path, **options):
    got, written = run_import(vendor, [Path(f) for f in files], to, ImportOptions(**options))
    return got, report(got, written)


def scores(folder: Path) -> dict[tuple[str, str, str], float]:
    table = pd.read_csv(folder / "interview_scores.csv", dtype={"candidate_id": str})
    return {
        (c, i, a): s for c, i, a, s in table[["candidate_id", "interviewer", "attribute", "score"]].values
    }


def test_greenhouse_ratings_follow_the_stated_map():
    """definitely_not, no, yes, strong_yes -> 1, 2, 4, 5 (mixed, Greenhouse's middle rating, 3)."""
    assert {k: GREENHOUSE_RATINGS[k] for k in ("definitely_not", "no", "yes", "strong_yes")} == {
        "definitely_not": 1,
        "no": 2,
        "yes": 4,
        "strong_yes": 5,
    }
    assert GREENHOUSE_RATINGS["mixed"] == 3 and "no_decision" not in GREENHOUSE_RATINGS
    assert LEVER_SCALE == {4: 5, 3: 4, 2: 2, 1: 1}  # '4 - Strong Hire' ... '1 - Strong No Hire'


def test_greenhouse_scorecards(tmp_path):
    _, text = imported(
        "greenhouse-scorecards", [GREENHOUSE], tmp_path, attributes=FIXTURES / "greenhouse_attributes.yaml"
    )
    assert scores(tmp_path) == {
        # Priya's screen: 'Data fluency' (strong_yes) and 'SQL and modelling' (yes) both map to
        # analytical_technical and are averaged; enterprise was no_decision.
        ("40100001", "Priya Shah", "collaborative"): 4.0,
        ("40100001", "Priya Shah", "analytical_technical"): 4.5,
        ("40100001", "Priya Shah", "long_term_relationships"): 3.0,
        # Tom's panel scorecard was submitted again: the later one (7003) wins over 7002.
        ("40100001", "Tom Becker", "collaborative"): 2.0,
        ("40100001", "Tom Becker", "analytical_technical"): 4.0,
        ("40100001", "Tom Becker", "long_term_relationships"): 4.0,
        ("40100001", "Tom Becker", "enterprise_experience"): 5.0,
        # Priya rated Data fluency in two interviews (no, then yes): averaged.
        ("40100002", "Priya Shah", "collaborative"): 5.0,
        ("40100002", "Priya Shah", "analytical_technical"): 3.0,
        ("40100002", "Priya Shah", "long_term_relationships"): 4.0,
        ("40100002", "Priya Shah", "enterprise_experience"): 4.0,
        ("40100002", "Tom Becker", "collaborative"): 4.0,
        ("40100002", "Tom Becker", "analytical_technical"): 3.0,
        ("40100002", "Tom Becker", "long_term_relationships"): 5.0,
        ("40100002", "Tom Becker", "enterprise_experience"): 3.0,
    }
    assert "read 6 rows from greenhouse_scorecards_v3.json" in text
    assert "set aside 1: earlier submissions of a scorecard submitted again" in text
    assert "set aside 1: ratings of no decision" in text
    assert "set aside 2: ratings of attributes the --attributes map does not cover" in text
    assert "'Communication' (1)" in text and "'Executive presence' (1)" in text
    evidence = pd.read_csv(tmp_path / "interview_scores.csv", dtype=str).set_index(
        ["candidate_id", "interviewer"]
    )
    assert (
        "Built the pipeline model in SQL himself"
        in evidence.loc[("40100001", "Priya Shah"), "evidence"].tolist()
    )
    candidates = pd.read_csv(tmp_path / "leader_candidates.csv", dtype=str)
    assert candidates["name"].tolist() == ["Candidate 40100001", "Candidate 40100002"]
    for table in ("interview_scores", "leader_candidates"):
        frame, problems = read_table(TABLES[table], tmp_path / f"{table}.csv", None, False)
        assert problems == [] and len(frame)  # the contract accepts what was written


def test_names_already_in_leader_candidates_are_kept(tmp_path):
    (tmp_path / "leader_candidates.csv").write_text(
        "candidate_id,name,sales_background\n40100001,Dana Reyes,inside\n"
    )
    _, text = imported(
        "greenhouse-scorecards", [GREENHOUSE], tmp_path, attributes=FIXTURES / "greenhouse_attributes.yaml"
    )
    candidates = pd.read_csv(tmp_path / "leader_candidates.csv", dtype=str).set_index("candidate_id")
    assert candidates.loc["40100001", "name"] == "Dana Reyes"
    assert candidates.loc["40100001", "sales_background"] == "inside"
    assert candidates.loc["40100002", "name"] == "Candidate 40100002"
    assert "1 candidates are named 'Candidate <id>'" in text


def test_without_an_attribute_map_the_error_lists_the_names_found(tmp_path, capsys):
    args = ["import", "greenhouse-scorecards", str(GREENHOUSE), "--to", str(tmp_path / "out")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "has no rating of the four attributes" in err and "--attributes" in err
    assert "Data fluency" in err and "Nothing was written." in err
    assert not (tmp_path / "out").exists()


def test_attribute_names_that_are_ours_need_no_map(tmp_path):
    cards = json.loads(GREENHOUSE.read_text())
    for card in cards:
        for attribute in card["attributes"]:
            attribute["name"] = {"Data fluency": "Analytical technical"}.get(
                attribute["name"], attribute["name"]
            )
    export = tmp_path / "scorecards.json"
    export.write_text(json.dumps({"scorecards": cards}))
    _, text = imported("greenhouse-scorecards", [export], tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "interview_scores.csv")
    assert set(table["attribute"]) == {"analytical_technical"}
    assert "'Brings product & engineering along'" in text  # listed as not mapped


def test_a_map_to_something_else_than_the_four_attributes_is_an_error(tmp_path):
    bad = tmp_path / "attributes.yaml"
    bad.write_text("Data fluency: analytical\n")
    with pytest.raises(
        DataError, match="maps to 'analytical', which is not one of .*did you mean 'analytical_technical'"
    ):
        imported("greenhouse-scorecards", [GREENHOUSE], tmp_path / "out", attributes=bad)


def test_an_unknown_rating_is_an_error_naming_the_scorecard(tmp_path):
    cards = json.loads(GREENHOUSE.read_text())
    cards[3]["attributes"][1]["rating"] = "maybe"
    export = tmp_path / "scorecards.json"
    export.write_text(json.dumps(cards))
    with pytest.raises(
        DataError, match=r"must be one of definitely_not, .* — scorecard 4 \(id 7004\) \('maybe'\)"
    ):
        imported(
            "greenhouse-scorecards",
            [export],
            tmp_path / "out",
            attributes=FIXTURES / "greenhouse_attributes.yaml",
        )


def test_lever_feedback_forms(tmp_path):
    _, text = imported("lever-feedback", [LEVER], tmp_path, attributes=FIXTURES / "lever_attributes.yaml")
    opportunity = LEVER.stem
    first, second = "a0afa6f7-7bb5-4ff6-93c3-e215fbcf3b2e", "412f5bf5-1509-4916-ba5b-8b16a5c3ce6d"
    assert scores(tmp_path) == {
        # The second submission of the onsite form wins: skills 4, 3, 3, 2 -> 5, 4, 4, 2.
        (opportunity, first, "collaborative"): 5.0,
        (opportunity, first, "analytical_technical"): 4.0,
        (opportunity, first, "long_term_relationships"): 4.0,
        (opportunity, first, "enterprise_experience"): 2.0,
        # 'Collaboration' (score 1 -> 1) and the skill (3 -> 4) are averaged; an empty score is no rating.
        (opportunity, second, "collaborative"): 2.5,
        (opportunity, second, "analytical_technical"): 5.0,
        (opportunity, second, "enterprise_experience"): 4.0,
    }
    assert set(pd.read_csv(tmp_path / "interview_scores.csv")["attribute"]) <= set(LEADER_ATTRIBUTES)
    assert "set aside 1: deleted feedback forms" in text
    assert "set aside 1: earlier submissions of a scorecard submitted again" in text
    assert "set aside 1: thumbs-only ratings" in text
    assert "'Rating' (2)" in text  # the overall rating is not one of the four attributes here
