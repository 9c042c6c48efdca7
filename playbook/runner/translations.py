"""Keep the message catalogues in step with the code: `make translations`.

Extracts every msgid the views and the templates use (`_()`, `N_()`, `ngettext()`, `{% trans %}`;
where: `babel.cfg`) and merges them into each language's .po file: a new msgid arrives with an empty
translation (the tests then fail until it is translated), a msgid the code no longer uses is
dropped, and existing translations are kept as they are — never guessed from a similar msgid
(no fuzzy matching). The files carry no timestamps, so the same code gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from playbook import PROJECT_ROOT, __version__
from playbook.views import i18n

MAPPING = PROJECT_ROOT / "babel.cfg"
# A fixed date in the header: the catalogue's bytes depend on its messages only.
FIXED_DATE = dt.datetime(2020, 12, 4, tzinfo=dt.UTC)
PROJECT = "playbook"
WIDTH = 100
TRANSLATOR_HEADER = "the playbook's developers"
HEADER = """\
# The playbook's words in {language_name}: notes, reasons, labels and the board pack.
# Terminology: docs/translation.md (a glossary after the source article's Chinese translation).
# `make translations` adds the msgids the code gained; the tests fail on any left untranslated.
#"""


def extracted(root: Path = PROJECT_ROOT, mapping: Path = MAPPING) -> Catalog:
    """Every msgid the code under `root` uses, by `mapping`, with the files that use it."""
    with mapping.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, filename=str(mapping))
    template = Catalog(project=PROJECT, creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=DEFAULT_KEYWORDS, comment_tags=("Translators:",)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read_catalogue(path: Path, language: str) -> Catalog:
    """A language's committed .po file, or an empty catalogue for a new language."""
    locale = i18n.LOCALE_NAMES[language]
    if not path.exists():
        return Catalog(
            locale=locale,
            domain=i18n.DOMAIN,
            header_comment=HEADER.format(language_name=i18n.babel_locale(language).english_name),
            project=PROJECT,
            version=__version__,
            creation_date=FIXED_DATE,
            revision_date=FIXED_DATE,
            last_translator=TRANSLATOR_HEADER,
            language_team=f"{language} (docs/translation.md)",
            fuzzy=False,
        )
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=i18n.DOMAIN)


def updated(catalogue: Catalog, template: Catalog) -> Catalog:
    """`catalogue` with the msgids of `template`: new ones untranslated, unused ones dropped."""
    catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalogue.revision_date = FIXED_DATE
    return catalogue


def po_bytes(catalogue: Catalog) -> bytes:
    """The .po file's bytes: files named without line numbers (moving code changes nothing), no
    obsolete entries."""
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=WIDTH, ignore_obsolete=True, include_lineno=False)
    return buffer.getvalue()


def untranslated(catalogue: Catalog) -> list[str]:
    """The msgids of a catalogue without a usable translation (empty, partly empty or fuzzy)."""
    missing = []
    for message in catalogue:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    """Update every language's catalogue from the code; say what still needs translating."""
    template = extracted()
    languages = argv or [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]
    for language in languages:
        path = i18n.catalogue_path(language)
        catalogue = updated(read_catalogue(path, language), template)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_bytes(catalogue))
        todo = untranslated(catalogue)
        print(f"{path.relative_to(PROJECT_ROOT)}: {len(template)} messages, {len(todo)} to translate")
        for msgid in todo:
            print(f"  to translate: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
