"""Interview scorecards from the applicant tracking system into `leader_candidates` and
`interview_scores` (the four attributes of a sales leader: `LEADER_ATTRIBUTES`).

- `greenhouse-scorecards`: the Harvest API's scorecards as JSON (`GET /v3/scorecards`; v1 and v2
  retire on 31 August 2026), saved as the list the endpoint returns (pages concatenated), an
  object holding it under "scorecards" or "data", or JSON lines. A scorecard has an id,
  candidate_id, the interview (interview_step {id, name}), the interviewer {id, name},
  submitted_at, updated_at and `attributes` [{name, type, note, rating}] (the focus attributes
  of the interview kit; https://developers.greenhouse.io/harvest.html#scorecards). Flat ids
  (interviewer_id, interview_step_id) are read as well. Ratings: definitely_not 1, no 2, mixed 3,
  yes 4, strong_yes 5; no_decision is no rating (set aside and counted).
- `lever-feedback`: the Lever API's feedback forms (`GET /opportunities/:id/feedback`, saved as
  returned: {"data": [forms]}; https://hire.lever.co/developer/documentation#feedback). A form
  names its interviewer (`user`), interview, template and times (createdAt, completedAt,
  deletedAt) but not its opportunity, so save each opportunity's forms as `<opportunity id>.json`
  (the file name is the candidate id; an `opportunity` field, when present, wins). Rated fields:
  the overall `score-system` ("4 - Strong Hire", "3 - Hire", "2 - No Hire", "1 - Strong No Hire"),
  `score` fields (1-4) and the skills of `scorecard` fields (each scored 1-4), read on the
  four-point scale 4, 3, 2, 1 -> 5, 4, 2, 1 (no middle point, as Lever has none). `yes-no` fields
  are thumbs only and are set aside; deleted forms are set aside.

The company's own focus attributes (Greenhouse) or field and skill names (Lever) map to the four
attributes with `--attributes FILE`, a YAML {their name: attribute}; names are compared ignoring
case, and a name that is already one of the four maps to itself. Every rated name the map does
not cover is listed in the report with its number of ratings, and set aside.

A scorecard submitted again for the same candidate, interviewer and interview replaces the earlier
one (the latest submission wins; the earlier ones are set aside and counted). The ratings one
interviewer gives one candidate on one attribute (several focus attributes mapped to it, or
several interviews) are averaged. Names of candidates are not in either export: a new candidate
is named "Candidate <id>" (said in the report); a name already in leader_candidates.csv is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from playbook.data.contract import LEADER_ATTRIBUTES
from playbook.data.errors import DataError, Problem, did_you_mean, problem
from playbook.imports.read import Imported

GREENHOUSE_RATINGS = {"definitely_not": 1.0, "no": 2.0, "mixed": 3.0, "yes": 4.0, "strong_yes": 5.0}
NO_DECISION = "no_decision"
# Lever's four-point scale onto our five points: no middle point, the two ends kept.
LEVER_SCALE = {4: 5.0, 3: 4.0, 2: 2.0, 1: 1.0}
THUMBS_ONLY = ("yes-no",)
COLUMNS = ("candidate_id", "interviewer", "interview", "submitted", "where", "name", "score", "note", "kind")


def read_attribute_map(path: Path | None) -> dict[str, str]:
    """--attributes FILE: {their attribute name: one of LEADER_ATTRIBUTES}, keys folded to lower case."""
    if path is None:
        return {}
    import yaml

    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError([Problem(str(path), None, f"cannot be read as YAML ({exc})")]) from None
    if not isinstance(spec, dict):
        raise DataError([Problem(str(path), None, "must map your attribute names to ours")])
    bad = [
        Problem(
            path.name,
            str(theirs),
            f"maps to {ours!r}, which is not one of {', '.join(LEADER_ATTRIBUTES)}"
            f"{did_you_mean(str(ours), LEADER_ATTRIBUTES)}",
        )
        for theirs, ours in spec.items()
        if ours not in LEADER_ATTRIBUTES
    ]
    if bad:
        raise DataError(bad)
    return {str(k).strip().casefold(): str(v) for k, v in spec.items()}


def _load_json(path: Path, keys: tuple[str, ...]) -> list[dict]:
    """The records of a JSON export: a list, an object holding one under `keys`, or JSON lines."""
    body = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in body.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise DataError([Problem(path.name, None, f"is not JSON or JSON lines ({exc})")]) from None
    if isinstance(data, dict):
        data = next((data[k] for k in keys if isinstance(data.get(k), list)), [data])
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise DataError([Problem(path.name, None, "must hold a list of records (objects)")])
    return data


def _person(record: dict, *keys: str) -> str | None:
    """A person's name, else their id, from the first of `keys` the record has."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, dict):
            found = value.get("name") or value.get("id")
            if found not in (None, ""):
                return str(found)
        elif value not in (None, ""):
            return str(value)
    return None


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def greenhouse_ratings(path: Path, imported: Imported) -> pd.DataFrame:
    """One row per attribute rating: candidate_id, interviewer, interview, submitted, name,
    score (NaN for no_decision), note, where."""
    rows = []
    cards = _load_json(path, ("scorecards", "data", "items"))
    imported.rows_in += len(cards)
    for n, card in enumerate(cards, start=1):
        step = card.get("interview_step")
        common = {
            "candidate_id": _text(card.get("candidate_id") or (card.get("candidate") or {}).get("id")),
            "interviewer": _person(card, "interviewer", "interviewer_id", "submitted_by"),
            "interview": _text(
                (step or {}).get("id") if isinstance(step, dict) else card.get("interview_step_id")
            )
            or _text(card.get("interview")),
            "submitted": card.get("submitted_at") or card.get("updated_at") or card.get("created_at"),
            "where": f"scorecard {n} (id {card.get('id')})",
        }
        for attribute in card.get("attributes") or []:
            rating = str(attribute.get("rating") or NO_DECISION).strip().lower()
            if rating != NO_DECISION and rating not in GREENHOUSE_RATINGS:
                raise DataError(
                    [
                        problem(
                            path.name,
                            "attributes.rating",
                            f"must be one of {', '.join([*GREENHOUSE_RATINGS, NO_DECISION])}",
                            [common["where"]],
                            [rating],
                        )
                    ]
                )
            rows.append(
                common
                | {
                    "name": _text(attribute.get("name")),
                    "score": GREENHOUSE_RATINGS.get(rating, float("nan")),
                    "note": _text(attribute.get("note")),
                    "kind": "rating",
                }
            )
    return pd.DataFrame(rows, columns=[*COLUMNS])


def _lever_value(field: dict) -> list[tuple[str | None, object, str | None]]:
    """(name, rating on Lever's 1-4 scale, comment) for each rating a form field holds."""
    kind, value = field.get("type"), field.get("value")
    if kind == "score-system":
        head = str(value).split("-", 1)[0].strip() if value not in (None, "") else ""
        return [(_text(field.get("text")), int(head) if head.isdigit() else value, None)]
    if kind == "score":
        return [(_text(field.get("text")), value, None)]
    if kind == "scorecard":
        skills = field.get("scores") or []
        out = []
        for i, given in enumerate(value or []):
            name = skills[i].get("text") if i < len(skills) and isinstance(skills[i], dict) else None
            given = given if isinstance(given, dict) else {"score": given}
            out.append((_text(name), given.get("score"), _text(given.get("comment"))))
        return out
    return []


def lever_ratings(path: Path, imported: Imported) -> pd.DataFrame:
    """One row per rating of one feedback file (as greenhouse_ratings)."""
    rows, deleted = [], 0
    forms = _load_json(path, ("data",))
    imported.rows_in += len(forms)
    for n, form in enumerate(forms, start=1):
        if form.get("deletedAt") not in (None, ""):
            deleted += 1
            continue
        common = {
            "candidate_id": _text(form.get("opportunity") or form.get("opportunityId")) or path.stem,
            "interviewer": _person(form, "user"),
            "interview": _text(form.get("interview")) or _text(form.get("baseTemplateId")),
            "submitted": form.get("completedAt") or form.get("updatedAt") or form.get("createdAt"),
            "where": f"form {n} (id {form.get('id')})",
        }
        for field in form.get("fields") or []:
            if field.get("type") in THUMBS_ONLY and field.get("value") not in (None, ""):
                rows.append(common | {"name": _text(field.get("text")), "score": None, "kind": "thumbs"})
                continue
            for name, rating, comment in _lever_value(field):
                if rating in (None, ""):
                    continue
                if rating not in LEVER_SCALE:
                    raise DataError(
                        [
                            problem(
                                path.name,
                                f"fields[{field.get('text')!r}].value",
                                "must be a rating from 1 to 4 ('4 - Strong Hire' ... '1 - Strong No Hire')",
                                [common["where"]],
                                [str(rating)],
                            )
                        ]
                    )
                rows.append(
                    common | {"name": name, "score": LEVER_SCALE[rating], "note": comment, "kind": "rating"}
                )
    imported.aside(deleted, f"deleted feedback forms ({path.name})")
    return pd.DataFrame(rows, columns=[*COLUMNS])


def _timestamps(values: pd.Series) -> pd.Series:
    """ISO-8601 strings (Greenhouse) or Unix milliseconds (Lever) as UTC timestamps."""
    numeric = pd.to_numeric(values, errors="coerce")
    as_ms = pd.to_datetime(numeric.where(numeric > 1e11), unit="ms", errors="coerce")
    iso = pd.to_datetime(values.where(numeric.isna()), format="ISO8601", errors="coerce", utc=True)
    return as_ms.fillna(iso.dt.tz_localize(None))


def interview_tables(
    ratings: pd.DataFrame, imported: Imported, *, attribute_map: dict[str, str], known: set[str]
) -> None:
    """leader_candidates and interview_scores from the ratings of one import (see the module's rules)."""
    vendor = imported.vendor
    no_candidate = ratings["candidate_id"].isna() | ratings["interviewer"].isna()
    imported.aside(int(no_candidate.sum()), "ratings without a candidate or an interviewer id")
    ratings = ratings[~no_candidate].assign(submitted=lambda r: _timestamps(r["submitted"]))
    card = ["candidate_id", "interviewer", "interview"]
    latest = ratings.groupby(card, dropna=False)["submitted"].transform("max")
    replaced = ratings["submitted"].notna() & (ratings["submitted"] < latest)
    earlier = ratings[replaced].drop_duplicates([*card, "where"])
    imported.aside(len(earlier), "earlier submissions of a scorecard submitted again (the latest wins)")
    ratings = ratings[~replaced]

    thumbs = ratings["kind"] == "thumbs"
    imported.aside(int(thumbs.sum()), "thumbs-only ratings (yes/no fields: no point on the scale)")
    undecided = (ratings["kind"] == "rating") & ratings["score"].isna()
    imported.aside(int(undecided.sum()), "ratings of no decision (no_decision)")
    ratings = ratings[~thumbs & ~undecided]

    folded = ratings["name"].fillna("").str.strip().str.casefold()
    ours = {a.casefold(): a for a in LEADER_ATTRIBUTES} | {
        a.replace("_", " ").casefold(): a for a in LEADER_ATTRIBUTES
    }
    attribute = folded.map(ours | attribute_map)  # the company's map wins
    unmapped = ratings.loc[attribute.isna(), "name"].fillna("(unnamed)").value_counts()
    if len(unmapped):
        shown = ", ".join(f"'{name}' ({n})" for name, n in unmapped.items())
        imported.aside(
            int(unmapped.sum()),
            f"ratings of attributes the --attributes map does not cover, one of the four or none: {shown}",
        )
    ratings = ratings.assign(attribute=attribute)[attribute.notna()]
    if ratings.empty:
        raise DataError(
            [
                Problem(
                    ", ".join(p.name for p in imported.files),
                    None,
                    f"has no rating of the four attributes ({', '.join(LEADER_ATTRIBUTES)}): map your "
                    f"attribute names to them in a YAML file and pass it with --attributes "
                    f"(names found: {', '.join(unmapped.index[:12]) or 'none'})",
                )
            ]
        )
    scores = (
        ratings.groupby(["candidate_id", "interviewer", "attribute"], as_index=False)
        .agg(score=("score", "mean"), evidence=("note", lambda n: "; ".join(n.dropna().unique()) or None))
        .sort_values(["candidate_id", "interviewer", "attribute"], ignore_index=True)
    )
    imported.tables["interview_scores"] = scores
    candidates = pd.DataFrame({"candidate_id": sorted(scores["candidate_id"].unique())})
    new = ~candidates["candidate_id"].isin(known)
    candidates["name"] = ("Candidate " + candidates["candidate_id"]).where(new)
    if new.any():
        imported.notes.append(
            f"{int(new.sum())} candidates are named 'Candidate <id>': {vendor} does not export names; "
            "put them in leader_candidates.csv (with sales_background and years_enterprise if known)."
        )
    imported.tables["leader_candidates"] = candidates
