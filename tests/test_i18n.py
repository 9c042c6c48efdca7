"""Languages: the catalogue keeps up with the code, every msgid is translated with the same fields and
the glossary's terms, notes read in Chinese, and numbers and dates take each language's format.

The catalogue tests are generic: they extract the msgids the code uses today (`babel.cfg`), so they
keep working, and keep failing until translated, as the board pack gains sentences.
"""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playbook import PROJECT_ROOT
from playbook.data.cut import SetAside
from playbook.data.notes import Note
from playbook.runner import translations
from playbook.views import formatting, i18n
from playbook.views import notes as words

OTHER_LANGUAGES = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]
CJK = re.compile(r"[\u4e00-\u9fff]")
GLOSSARY = PROJECT_ROOT / "docs" / "translation.md"


@pytest.fixture(scope="module")
def template():
    return translations.extracted()


def _ids(catalogue) -> set:
    return {m.id for m in catalogue if m.id}


def _first(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def fields(text: str) -> list[tuple[str, str]]:
    """The {field:format} placeholders of a template, sorted (literal {{braces}} are not fields)."""
    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


# --- the catalogue against the code


def test_the_extraction_finds_the_notes_words(template):
    ids = _ids(template)
    assert len(ids) >= len(words.TEXTS)
    assert words.TEXTS["competing_risks"]({"dated": 0}) in ids  # a template chosen by a callable
    assert words.CHANGE_LABELS._table["arr"] in ids  # a Words table's entry


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_msgid_the_code_uses_is_in_the_catalogue(template, language):
    missing = sorted(map(_first, _ids(template) - _ids(i18n.catalogue(language))))
    assert not missing, f"run `make translations` and translate in {i18n.catalogue_path(language)}: {missing}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_entry_is_translated(language):
    todo = translations.untranslated(i18n.catalogue(language))
    assert not todo, f"untranslated or fuzzy in {i18n.catalogue_path(language)}: {todo}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_no_entry_the_code_no_longer_uses(template, language):
    stale = sorted(map(_first, _ids(i18n.catalogue(language)) - _ids(template)))
    assert not stale, f"run `make translations` to drop msgids no code uses: {stale}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_translations_keep_their_msgids_fields(language):
    wrong = []
    for message in i18n.catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if fields(text) != fields(ids[0]):
                wrong.append((ids[0], text))
    assert not wrong, wrong


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_catalogue_is_as_make_translations_writes_it(template, language):
    path = i18n.catalogue_path(language)
    regenerated = translations.po_bytes(
        translations.updated(translations.read_catalogue(path, language), template)
    )
    assert regenerated == path.read_bytes(), f"run `make translations` ({path} is not as it writes it)"


def test_a_new_msgid_is_found_and_reported_missing(tmp_path):
    (tmp_path / "playbook" / "views").mkdir(parents=True)
    (tmp_path / "playbook" / "runner" / "templates").mkdir(parents=True)
    (tmp_path / "playbook" / "views" / "probe.py").write_text(
        'from playbook.views.i18n import _, ngettext\nA = _("Sell to the top 20 accounts first")\n'
        'B = ngettext("{n} account", "{n} accounts", 3)\n'
    )
    (tmp_path / "playbook" / "runner" / "templates" / "probe.html.j2").write_text(
        '<h1>{{ _("What would change the answer") }}</h1>{% trans %}Next steps{% endtrans %}'
    )
    found = _ids(translations.extracted(root=tmp_path, mapping=PROJECT_ROOT / "babel.cfg"))
    assert found == {
        "Sell to the top 20 accounts first",
        ("{n} account", "{n} accounts"),
        "What would change the answer",
        "Next steps",
    }
    catalogue = translations.updated(
        translations.read_catalogue(tmp_path / "none.po", "zh-CN"), translations.extracted(root=tmp_path)
    )
    assert sorted(translations.untranslated(catalogue)) == sorted(map(_first, found))


# --- the glossary


def glossary() -> list[tuple[str, str]]:
    """(English regex, Chinese term) rows of docs/translation.md's glossary table."""
    rows = []
    for line in GLOSSARY.read_text().split("## Glossary", 1)[1].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`").replace("\\|", "|"), cells[1]))
    return rows


def glossary_breaches(catalogue, terms) -> list[str]:
    """Entries whose msgid (fields left out) names a glossary term their translation does not use."""
    found = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        english = re.sub(r"\{[^{}]*\}", "", _first(message.id))
        chinese = message.string if isinstance(message.string, str) else "".join(message.string)
        for pattern, term in terms:
            if re.search(rf"\b(?:{pattern})\b", english, re.IGNORECASE) and term not in chinese:
                found.append(f"{_first(message.id)!r}: {pattern} -> {term}")
    return found


def test_the_glossary_is_read():
    terms = dict(glossary())
    assert terms["top-down"] == "自上而下" and terms["penetration"] == "渗透率" and len(terms) >= 20


def test_translations_use_the_glossarys_terms():
    assert glossary_breaches(i18n.catalogue("zh-CN"), glossary()) == []


def test_a_term_translated_otherwise_is_caught():
    from babel.messages.catalog import Catalog

    planted = Catalog(locale="zh_CN")
    planted.add("the historical top-down win rate", "历史上的自顶向下成交比例")
    assert len(glossary_breaches(planted, glossary())) == 2  # top-down, win rate


# --- the words at run time


def test_english_is_the_msgid_and_unknown_words_stay_english():
    assert i18n.active_language() == "en"
    no_amounts = "Opportunities have no amount: nothing can be at stake."
    assert i18n._(no_amounts) == no_amounts
    with i18n.use_language("zh-CN"):
        assert i18n._(no_amounts) == "商机（opportunities）没有金额：无法计算涉及的金额。"
        assert i18n._("a sentence no catalogue has") == "a sentence no catalogue has"
    assert i18n.active_language() == "en"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match=r"'fr'.*choose one of \('en', 'zh-CN'\)"):
        i18n.set_language("fr")


def test_ngettext_picks_the_form(monkeypatch):
    assert i18n.ngettext("{n} account", "{n} accounts", 1) == "{n} account"
    assert i18n.ngettext("{n} account", "{n} accounts", 2) == "{n} accounts"
    from babel.messages.catalog import Catalog

    planted = Catalog(locale="zh_CN")  # Plural-Forms: nplurals=1; plural=0
    planted.add(("{n} account", "{n} accounts"), ("{n} 个账户",))
    monkeypatch.setattr(i18n, "catalogue", lambda _language: planted)
    with i18n.use_language("zh-CN"):
        assert {i18n.ngettext("{n} account", "{n} accounts", n) for n in (1, 2, 5)} == {"{n} 个账户"}


def _planted_values(template: str) -> dict:
    planted = {"percent": 0.284, "money": 243_900.0, "count": 1234, "number": 12.5, "list": ["SSO", "RBAC"]}
    planted["signal"] = "departments"  # a penetration signal, worded by views.notes.SIGNAL_WORDS
    return {name: planted.get(spec, f"<{name}>") for name, spec in fields(template)}


CALLABLE_CASES = {
    "missing_table": [{"table": t} for t in ("account_arr", "account_map", "events", "arr_events", "users")],
    "decoded_as": [{"file": "a.csv", "encoding": "cp1252", "declared": d} for d in (True, False)],
    "historical_win_rate_untimed": [{"dated": d, "closed": 31} for d in (0, 2)],
    "competing_risks": [{"dated": d, "won": 45, "lost": 120} for d in (0, 2)],
    "competing_risks_by_usage_band": [{"dated": d, "won": 45, "lost": 120} for d in (0, 2)],
    "level_shift": [
        {"month": "2026-08", "size": 0.28, "source": s, "kind": k}
        for s, k in [("declared", "acquisition"), ("declared", "divestiture"), ("declared", "price_change")]
        + [("declared", "other"), ("detected", None)]
    ],
    "forecast_untrusted": [
        {"covered": 15, "cases": 32, "p_value": 0.001, "odds": 1000, "says": says}
        for says in ("early", "approaching")
    ],
}


def every_note() -> list[Note]:
    notes = []
    for code, template in words.TEXTS.items():
        cases = CALLABLE_CASES[code] if callable(template) else [_planted_values(template)]
        notes += [Note(code, **values) for values in cases]
    return notes


def test_every_callable_template_has_its_cases():
    assert {c for c, t in words.TEXTS.items() if callable(t)} == set(CALLABLE_CASES)


@pytest.mark.parametrize("note", every_note(), ids=lambda n: n.code)
def test_every_note_reads_in_chinese(note):
    english = words.note_text(note)
    with i18n.use_language("zh-CN"):
        chinese = words.note_text(note)
    assert chinese != english and CJK.search(chinese), chinese
    assert "{" not in chinese.replace("{encoding: ...}", "")  # every field filled
    for planted in ("SSO", "1,234", "28%", "<"):
        if planted in english:
            assert planted in chinese, (planted, chinese)


def test_the_word_tables_read_in_the_active_language():
    tables = (words.DEMAND_REASONS, words.OUTSIDE_REASONS, words.SET_ASIDE_RULES, words.MODELS)
    with i18n.use_language("zh-CN"):
        assert all(CJK.search(table[code]) for table in tables for code in table)
        assert words.set_aside_text(SetAside(table="users", rule="events_after", rows=1200)) == (
            "users：1,200 行，未计入分析日期之后的事件"
        )
        assert words.change_text("ready_accounts", [], ["A1", "A2"]) == "就绪账户：无 → A1和A2"
    assert words.DEMAND_REASONS["source_missing"] == "requests carry no source: who asks is unknown"


# --- numbers and dates


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(finite, st.sampled_from(["USD", "EUR", "GBP", "JPY", "CHF"]))
def test_english_money_is_the_house_style(value, currency):
    assert i18n.format_money(value, currency) == formatting.money(value, currency)


@given(st.floats(min_value=-50, max_value=50, allow_nan=False), st.integers(0, 2))
def test_percentages_read_the_same_digits_in_every_language(value, digits):
    english = i18n.format_percent(value, digits=digits)
    assert english == formatting.percent(value, digits=digits)
    with i18n.use_language("zh-CN"):
        assert i18n.format_percent(value, digits=digits) == english


@given(st.integers(-(10**12), 10**12), finite)
def test_counts_and_decimals_match_pythons_grouping(n, value):
    assert i18n.format_count(n) == f"{n:,}"
    assert i18n.format_number(value, digits=2) == f"{value:,.2f}"


@pytest.mark.parametrize(
    "value, currency, text",
    [
        (24_500_000, "USD", "2450万美元"),
        (20_000_000, "USD", "2000万美元"),  # the article's translation: 2000万美元至3000万美元
        (243_900, "EUR", "24.4万欧元"),
        (8_300_000_000, "CNY", "83亿人民币"),
        (950, "USD", "950美元"),
        (-1_500_000, "USD", "-150万美元"),
    ],
)
def test_chinese_money_reads_in_wan_and_yi_with_the_currency(value, currency, text):
    with i18n.use_language("zh-CN"):
        assert i18n.format_money(value, currency) == text
        assert i18n.format_money(None, currency) == "n/a"


def test_dates_months_and_lists_by_language():
    day = dt.date(2026, 9, 30)
    assert (i18n.format_date(day), i18n.format_month(day)) == ("September 30, 2026", "Sep 2026")
    assert i18n.format_items(["SSO", "RBAC", "audit log"]) == "SSO, RBAC, audit log"
    with i18n.use_language("zh-CN"):
        assert (i18n.format_date(day), i18n.format_month(day)) == ("2026年9月30日", "2026年9月")
        assert i18n.format_items(["SSO", "RBAC", "审计日志"]) == "SSO、RBAC和审计日志"
