"""The English UI is fully English (issue 14): every string the code marks for translation has
a real English entry.

`makemessages` extracts the msgids from a copy of the sources (templates, Python) into a
temporary directory; each one must have a non-empty, non-fuzzy msgstr in one of the English
catalogues Django merges at run time (locale/en and <app>/locale/en). A string added to a
template or to the code without its English entry fails here, naming the file it comes from.
"""

import os
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.po_catalogue import english_catalogue, read_po

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", ".git", "locale", "static", "bench", "__pycache__"}


def english_po_files() -> list[Path]:
    return sorted(
        p
        for p in ROOT.glob("**/locale/en/LC_MESSAGES/django.po")
        if SKIP_DIRS.isdisjoint(p.relative_to(ROOT).parts[:-4])
    )


def extracted_messages(tmp_path: Path):
    """Every msgid of the code, as makemessages finds it, from a copy of the sources."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda _dir, names: [
            n for n in names if n in SKIP_DIRS or n.endswith((".mo", ".po", ".pyc"))
        ],
    )
    (copy / "locale").mkdir()
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=["en"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(cwd)
    return read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")


def test_the_catalogue_reader_sees_fuzzy_empty_and_obsolete(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        'msgctxt "thao tác"\nmsgid "Tiếp nhận"\nmsgstr "Receive"\n\n'
        '#, fuzzy\nmsgid "Thao tác"\nmsgstr "Action"\n\n'
        'msgid ""\n"Hai "\n"dòng"\nmsgstr ""\n\n'
        '#~ msgid "Cũ"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    merged = english_catalogue([po])
    assert merged[("thao tác", "Tiếp nhận")].translated
    assert not merged[(None, "Thao tác")].translated  # fuzzy
    assert not merged[(None, "Hai dòng")].translated  # empty
    assert (None, "Cũ") not in merged  # obsolete


def test_every_translatable_string_has_an_english_entry(tmp_path):
    catalogue = english_catalogue(english_po_files())
    missing = {
        f"{e.msgid!r} (context {e.context!r}) from {', '.join(e.references[:2])}"
        for e in extracted_messages(tmp_path)
        if not (e.key in catalogue and catalogue[e.key].translated)
    }
    assert len(catalogue) > 500
    assert sorted(missing) == []


# Templates whose Vietnamese is deliberately not translatable, with the reason.
PLAIN_TEMPLATES = {
    "templates/500.html": "static, no template tags (it must render when everything else "
    "fails); it carries both languages",
}
_VIETNAMESE_LETTER = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
_NOT_TEXT = [
    re.compile(
        r"(?s)\{%\s*(blocktrans|blocktranslate)\b.*?\{%\s*end(blocktrans|blocktranslate)\s*%\}"
    ),
    re.compile(r"(?s)\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"),
    re.compile(r"(?s)\{#.*?#\}"),
    re.compile(r"(?s)<!--.*?-->"),
    re.compile(r"(?s)\{%.*?%\}"),  # {% translate "…" %} and every other tag
    re.compile(r"(?s)\{\{.*?\}\}"),
]


def untranslatable_vietnamese(template: str) -> list[str]:
    """Lines of a template with Vietnamese outside {% translate %} / {% blocktranslate %}."""
    for pattern in _NOT_TEXT:
        template = pattern.sub(" ", template)
    return [line.strip() for line in template.splitlines() if _VIETNAMESE_LETTER.search(line)]


def test_the_template_check_sees_text_outside_translate():
    assert untranslatable_vietnamese('<h2>{% translate "Thao tác" %}</h2>{# ghi chú #}') == []
    assert untranslatable_vietnamese("<h2>Thao tác</h2>\n<p>{{ hồ_sơ }}</p>") == [
        "<h2>Thao tác</h2>"
    ]


def test_no_template_has_vietnamese_outside_translate():
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    found = {}
    for path in templates:
        name = str(path.relative_to(ROOT))
        if name in PLAIN_TEMPLATES or name.startswith((".venv", "node_modules")):
            continue
        lines = untranslatable_vietnamese(path.read_text(encoding="utf-8"))
        if lines:
            found[name] = lines
    assert len(templates) > 30
    assert found == {}


def test_one_msgid_has_one_english_in_all_catalogues():
    """Django merges the catalogues into one: a msgid translated differently in two of them
    shows one of the two everywhere ("ngày" as "days" on a date column). A word with two
    meanings needs a context (pgettext)."""
    english: dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]] = {}
    for path in english_po_files():
        for entry in read_po(path):
            if not entry.obsolete and entry.translated:
                where = str(path.relative_to(ROOT).parents[2])
                english.setdefault(entry.key, {}).setdefault(tuple(entry.msgstr), []).append(where)
    assert {key: found for key, found in english.items() if len(found) > 1} == {}
