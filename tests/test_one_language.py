"""One language per page (issue 14): no English on a Vietnamese page, for every role.

The scan reads each page's visible text (not scripts, styles, attributes or code) and looks
for a short list of English words that have no business on a Vietnamese page.

The other direction: on every page in English, no text from the templates or the code has a
Vietnamese letter. Data (agency, procedure, person names, dossier content, legal citations) is
told apart by its value: every text stored in the database is removed from the page's text
first; what is left with a Vietnamese letter is an untranslated string.
"""

import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.pages import NOT_PAGES, demo_site, pages_by_role, route_names

ENGLISH = re.compile(
    r"\b(the|and|of|Add|Change|Delete|Save|Show|Hide|counts|Please|correct|errors?|Access|"
    r"attempts?|Token|Tokens|Auth|Axes|Welcome|Receive|copies|procedures?|Search|Filter|"
    r"Home|View|History|Log|logs|password|User|Users|Created|Username|Login|Logout|Today|"
    r"Select|selected|action|Clear|Choose|Skip|link|Enabled|Disabled|Group|Groups)\b"
)
_HIDDEN = re.compile(r"(?is)<(script|style|code|pre|template)\b[^>]*>.*?</\1>")
_TAG = re.compile(r"(?s)<[^>]+>")


def visible_text(page: str) -> str:
    return html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page)))


def english_words(page: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH.finditer(visible_text(page))})


def test_the_scan_catches_english_and_ignores_scripts():
    assert english_words("<p>Show counts</p>") == ["Show", "counts"]
    assert english_words("<script>var the = 1;</script><p>Thủ tục</p>") == []


def test_every_route_is_in_the_inventory(db):
    demo_site(procedures=5, dossiers=5)
    covered = {name for pages in pages_by_role().values() for name, _url in pages}
    assert route_names() - covered - set(NOT_PAGES) == set()


@pytest.mark.django_db
def test_vietnamese_pages_have_no_english_words():
    from django.contrib.auth import get_user_model

    from tests.auth import login

    demo_site()
    found, opened = {}, 0
    for username, pages in pages_by_role().items():
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        if username:
            login(client, get_user_model().objects.get(username=username))
        for _name, url in pages:
            with translation.override("vi"):
                response = client.get(url)
            if response.status_code != 200 or "html" not in response["Content-Type"]:
                continue
            opened += 1
            words = english_words(response.content.decode())
            if words:
                found[f"{username or 'anonymous'} {url}"] = words
    assert opened > 60
    assert found == {}


def test_names_read_in_vietnamese_order_in_the_admin_and_the_api(client, sysadmin):
    from hanoi_cchc.names import display_name
    from tests.auth import login

    sysadmin.last_name, sysadmin.first_name = "Nguyễn Thị", "Lan"
    sysadmin.save()
    assert display_name(sysadmin) == "Nguyễn Thị Lan"
    login(client, sysadmin)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert "<strong>Nguyễn Thị Lan</strong>" in response.content.decode()


def test_the_verb_and_the_figure_have_their_own_english(settings):
    from django.utils.translation import gettext, pgettext

    with translation.override("en"):
        verb, figure = pgettext("thao tác", "Tiếp nhận"), gettext("Tiếp nhận")
    if verb == "Tiếp nhận":
        pytest.skip("English catalogues not compiled (make messages)")
    assert (verb, figure) == ("Receive", "Received")


def test_the_admin_link_is_only_offered_to_who_can_use_the_admin(client, inspector, sysadmin):
    from tests.auth import login

    inspector.is_staff = True  # staff without a single admin permission
    inspector.save()
    login(client, inspector)
    assert b'href="/admin/"' not in client.get("/thu-tuc/").content
    login(client, sysadmin)
    assert b'href="/admin/"' in client.get("/thu-tuc/").content


# --- The other direction: no Vietnamese on an English page -------------------------------

# A letter only Vietnamese writes (the Latin letters with Vietnamese diacritics, đ).
VIETNAMESE_LETTER = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
_UI_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Not UI text even on an English page: a legal document's number ("Decision 766/QĐ-TTg",
# "61/2018/NĐ-CP") and Vietnamese quoted as such (“hồ sơ nộp ngày …”).
_DOCUMENT_NUMBER = re.compile(r"\b\d+/(?:\d{4}/)?[0-9A-ZĐ][0-9A-Za-zĐđ]*(?:-[0-9A-Za-zĐđ]+)*")
_QUOTED = re.compile(r"“[^”]*”")


class _UiText(HTMLParser):
    """Visible text nodes and the UI attributes of a page (not scripts, styles, code)."""

    _SKIP = {"script", "style", "code", "pre", "template"}
    _VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in _UI_ATTRIBUTES and value:
                self.texts.append(value)
        if tag not in self._VOID:
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data):
        if not self._SKIP.intersection(self._stack) and data.strip():
            self.texts.append(" ".join(data.split()))


# Reference data the code writes (migrations, load_indicator_demo) with its text marked for
# translation: shown translated outside the admin (which edits it as stored), so the rows
# whose text is a msgid are not data there.
REFERENCE_MODELS = {"indicators.scoregroup", "indicators.scoreindicator", "indicators.target"}


def _data_strings(*, reference: bool) -> list[str]:
    """Every text value stored in the database (agency, procedure, person names, dossier
    content, legal citations...) and every person's display name: what a page may show in
    Vietnamese whatever its language. Longest first, so the longest match is removed first."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import models

    from hanoi_cchc.names import display_name

    values: set[str] = set()
    code_text = set() if reference else _msgids()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        found: set[str] = set()
        for row in model._default_manager.values_list(*fields):
            for value in row:
                _collect(value, found)
        if model._meta.label_lower in REFERENCE_MODELS:
            found -= code_text
        values |= found
    values.update(display_name(u) for u in get_user_model().objects.all())
    values = {" ".join(v.split()) for v in values}
    return sorted((v for v in values if VIETNAMESE_LETTER.search(v)), key=len, reverse=True)


def _msgids() -> set[str]:
    from pathlib import Path

    from tests.po_catalogue import english_catalogue

    root = Path(settings.BASE_DIR)
    files = [
        root / "locale/en/LC_MESSAGES/django.po",
        *root.glob("*/locale/en/LC_MESSAGES/django.po"),
    ]
    return {msgid for _context, msgid in english_catalogue(files)}


def _collect(value, values: set[str]) -> None:
    if isinstance(value, str):
        values.add(value)
        for line in value.splitlines():
            values.add(line)
            values.update(part.strip() for part in line.split(";"))
    elif isinstance(value, dict):
        values.add(json.dumps(value, ensure_ascii=False))  # as the admin shows a JSON field
        for item in value.values():
            _collect(item, values)
    elif isinstance(value, list):
        for item in value:
            _collect(item, values)


def vietnamese_ui_text(page: str, data: list[str]) -> list[str]:
    """The text of the page, data removed, that still has a Vietnamese letter."""
    parser = _UiText()
    parser.feed(page)
    found = set()
    exact = set(data)
    for text in parser.texts:
        if not VIETNAMESE_LETTER.search(text) or text in exact:
            continue
        rest = text
        for value in data:
            # a single word only as a whole text: it could be a word of an untranslated sentence
            if " " in value and value in rest:
                rest = rest.replace(value, " ")
                if not VIETNAMESE_LETTER.search(rest):
                    break
        rest = _QUOTED.sub(" ", _DOCUMENT_NUMBER.sub(" ", rest))
        if VIETNAMESE_LETTER.search(rest) and not _cut_data(text, data):
            found.add(text)
    return sorted(found)


def _cut_data(text: str, data: list[str]) -> bool:
    """A long value cut short for a table column ("Chứng thực bản sao từ bản chính…")."""
    text = text.rstrip("…. ")
    return len(text) >= 40 and any(text in value for value in data)


def test_the_english_scan_catches_vietnamese_ui_and_ignores_data():
    page = (
        '<h2>Thao tác</h2><p title="Hạn trả">Agency: Ủy ban nhân dân xã X</p><script>"Tác"</script>'
    )
    assert vietnamese_ui_text(page, ["Ủy ban nhân dân xã X"]) == ["Hạn trả", "Thao tác"]
    assert vietnamese_ui_text("<td>Nguyễn Văn A, Mẫu 02</td>", ["Nguyễn Văn A"]) == [
        "Nguyễn Văn A, Mẫu 02"
    ]


@pytest.mark.django_db
def test_english_pages_have_no_vietnamese_ui_text():
    from django.contrib.auth import get_user_model

    from tests.auth import login

    _compiled_catalogues()
    demo_site()
    data, stored = _data_strings(reference=False), _data_strings(reference=True)
    found, opened = {}, 0
    for username, pages in pages_by_role().items():
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if username:
            login(client, get_user_model().objects.get(username=username))
        for _name, url in pages:
            with translation.override("en"):
                response = client.get(url)
            if response.status_code != 200 or "html" not in response["Content-Type"]:
                continue
            opened += 1
            page = response.content.decode()
            texts = vietnamese_ui_text(page, stored if url.startswith("/admin/") else data)
            if texts:
                found[f"{username or 'anonymous'} {url}"] = texts
    assert opened > 60
    assert found == {}


def _compiled_catalogues() -> None:
    """Compile the .po files (as `make messages` does) when a .mo is missing or older."""
    from pathlib import Path

    from django.core.management import call_command
    from django.utils.translation import trans_real

    root = Path(settings.BASE_DIR)
    catalogues = [
        *root.glob("locale/*/LC_MESSAGES/django.po"),
        *root.glob("*/locale/*/LC_MESSAGES/django.po"),
    ]
    stale = [
        po
        for po in catalogues
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0)
        trans_real._translations = {}
        trans_real._default = None
