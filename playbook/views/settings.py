"""How the outputs show what the analyses found: language, the company's name, people, paper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from playbook.data.settings import Settings, setting
from playbook.views.i18n import LANGUAGES

PAPERS = ("A4", "Letter")


@dataclass(frozen=True, kw_only=True)
class ViewSettings(Settings):
    """The board pack and the notebooks: language, the company's name, people, paper."""

    GROUP: ClassVar[str] = "how the outputs show it"

    language: str = setting(
        "en", kind="text", choices=LANGUAGES, help="language of the board pack and the slides"
    )
    company_name: str | None = setting(
        None,
        kind="text",
        help="the company's name on every page and slide (None: the data folder's name, said to be one)",
    )
    confidentiality: str | None = setting(
        None, kind="text", help="a line printed on every page and slide, e.g. 'Confidential: board only'"
    )
    paper: str = setting("A4", kind="text", choices=PAPERS, help="paper size of board.pdf")
    show_pii: bool = setting(
        False, kind="bool", help="show people's names and emails (users, candidates, interviewers)"
    )
