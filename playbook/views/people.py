"""How people are shown: masked unless `show_pii` is set (users, candidates, interviewers)."""

from __future__ import annotations

import pandas as pd


def mask_email(email: object) -> str:
    """'ada.lopez@acme.example' -> 'a•••@acme.example' (a person's address is not shown)."""
    if not isinstance(email, str) or "@" not in email:
        return "•••"
    local, domain = email.split("@", 1)
    return f"{local[:1]}•••@{domain}"


def candidate_names(candidates: pd.DataFrame, *, show_pii: bool = False) -> dict[str, str]:
    """How candidates are shown: 'Candidate C1', or with their name when show_pii is set."""
    if not show_pii or "name" not in candidates:
        return {c: f"Candidate {c}" for c in candidates["candidate_id"]}
    return {c: f"{n} ({c})" for c, n in zip(candidates["candidate_id"], candidates["name"], strict=True)}


def interviewer_names(interviewers, *, show_pii: bool = False) -> dict[str, str]:
    """How interviewers are shown: 'Interviewer 1', 2, ... in alphabetical order, or by name."""
    panel = sorted(set(interviewers))
    return {who: (who if show_pii else f"Interviewer {n}") for n, who in enumerate(panel, start=1)}
