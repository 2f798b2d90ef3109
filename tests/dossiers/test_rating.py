"""The applicant's satisfaction rating (Decree 61/2018 art. 31): once, after the secret."""

import pytest

from dossiers.models import Rating
from tests.dossiers.factories import DossierFactory

pytestmark = pytest.mark.django_db
URL = "/ho-so/tra-cuu/"
RATE = "/ho-so/tra-cuu/danh-gia/"
LEVELS = {"time": 5, "contacts": 4, "information": 4, "attitude": 5, "result": 5, "overall": 5}


@pytest.fixture(autouse=True)
def fresh_limits(settings, request):
    # A private in-memory cache per test (see test_lookup.py).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def returned(agency_a):
    return DossierFactory(agency=agency_a, settled=True, applicant_phone="0911222333")


def verify(client, dossier):
    response = client.post(URL, {"ma": dossier.code, "secret": "2333"})
    assert response.status_code == 302


def test_a_returned_dossier_can_be_rated_once_after_giving_the_secret(client, returned):
    verify(client, returned)
    page = client.get(URL, {"ma": returned.code}).content.decode()
    assert "Đánh giá mức độ hài lòng" in page and "Thái độ cán bộ" in page
    response = client.post(
        RATE, {"ma": returned.code, **LEVELS, "comment": "Nhanh, gọn"}, follow=True
    )
    assert "Cảm ơn" in response.content.decode()
    rating = Rating.objects.get(dossier=returned)
    assert rating.attitude == 5 and rating.comment == "Nhanh, gọn"


def test_a_second_rating_gets_a_clear_message(client, returned):
    verify(client, returned)
    client.post(RATE, {"ma": returned.code, **LEVELS})
    response = client.post(RATE, {"ma": returned.code, **LEVELS, "time": 1}, follow=True)
    assert "đã được đánh giá" in response.content.decode()
    assert Rating.objects.get(dossier=returned).time == 5


def test_rating_without_the_secret_is_refused(client, returned):
    response = client.post(RATE, {"ma": returned.code, **LEVELS}, follow=True)
    assert "4 số cuối" in response.content.decode()
    assert not Rating.objects.exists()


def test_an_open_dossier_cannot_be_rated(client, agency_a):
    dossier = DossierFactory(agency=agency_a, applicant_phone="0911222333")
    verify(client, dossier)
    page = client.get(URL, {"ma": dossier.code}).content.decode()
    assert "Gửi đánh giá" not in page
    response = client.post(RATE, {"ma": dossier.code, **LEVELS}, follow=True)
    assert "đã trả kết quả" in response.content.decode()
    assert not Rating.objects.exists()


def test_an_incomplete_rating_asks_for_every_criterion(client, returned):
    verify(client, returned)
    response = client.post(RATE, {"ma": returned.code, "time": 5}, follow=True)
    assert "tất cả các tiêu chí" in response.content.decode()
    assert not Rating.objects.exists()
