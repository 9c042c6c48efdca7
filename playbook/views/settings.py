"""How the outputs show people: the one setting the views own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from playbook.data.settings import Settings, setting


@dataclass(frozen=True, kw_only=True)
class ViewSettings(Settings):
    """How outputs show people (users, candidates, interviewers)."""

    GROUP: ClassVar[str] = "how the outputs show people"

    show_pii: bool = setting(
        False, kind="bool", help="show people's names and emails (users, candidates, interviewers)"
    )
