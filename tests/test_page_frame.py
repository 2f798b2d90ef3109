import pytest
from django.conf import settings

from tests.auth import login


def test_pages_are_vietnamese_even_when_the_browser_prefers_english(client, db):
    response = client.get("/thu-tuc/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert "Thủ tục hành chính" in response.content.decode()


def test_the_language_switch_chooses_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    assert response.status_code == 302
    response = client.get("/thu-tuc/")
    assert response.headers["Content-Language"] == "en"


@pytest.mark.skipif(
    not (settings.BASE_DIR / "locale/en/LC_MESSAGES/django.mo").exists(),
    reason="English catalogues are not compiled (no msgfmt)",
)
def test_the_page_frame_is_translated_in_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"})
    page = client.get("/thu-tuc/").content.decode()
    assert "HANOI PEOPLE&#x27;S COMMITTEE" in page or "HANOI PEOPLE'S COMMITTEE" in page
    assert "Officials&#x27; login" in page or "Officials' login" in page
    assert "UBND THÀNH PHỐ HÀ NỘI" not in page


def test_the_intake_menu_shows_only_to_those_who_may_receive(client, desk_a, specialist_a):
    login(client, desk_a)
    assert "/ho-so/tiep-nhan/" in client.get("/thu-tuc/").content.decode()
    login(client, specialist_a)
    page = client.get("/thu-tuc/").content.decode()
    assert "/ho-so/tiep-nhan/" not in page and "/ho-so/" in page
