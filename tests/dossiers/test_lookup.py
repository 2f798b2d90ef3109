"""The citizen's status lookup: what the code alone shows, what the secret adds, limits."""

import pytest
from django.urls import reverse

from dossiers.models import DossierEvent
from dossiers.workflow import Status

from . import fixtures_desk as fx

procedure_a = fx.procedure_a
received_dossier = fx.received_dossier

pytestmark = pytest.mark.django_db
URL = "/ho-so/tra-cuu/"


@pytest.fixture(autouse=True)
def fresh_limits(settings, request):
    # A private in-memory cache per test: counters never leak between tests, and the
    # shared Redis of CI (also Celery's broker) is never flushed.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
    from dossiers import ratelimit

    ratelimit.reset_local()
    yield
    ratelimit.reset_local()


def test_the_lookup_lives_at_the_public_address():
    assert reverse("dossiers:lookup") == URL


def test_the_code_alone_shows_status_appointment_and_agency_but_nothing_personal(
    client, received_dossier
):
    response = client.get(URL, {"ma": received_dossier.code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Đã tiếp nhận" in page and "15/01/2021" in page and "UBND phường Hoàn Kiếm" in page
    for personal in ("Trần Thị Hồng Nhung", "0912345678", "001190012345", "Hàng Bạc"):
        assert personal not in page
    assert "Quá trình xử lý" not in page


def test_while_papers_are_awaited_the_citizen_sees_a_stopped_period_not_a_past_date(
    client, received_dossier
):
    # The appointment of 15/01/2021 is long past; the clock is stopped, not overdue.
    received_dossier.status = Status.SUPPLEMENT_REQUESTED
    received_dossier.save(update_fields=["status"])
    page = client.get(URL, {"ma": received_dossier.code}).content.decode()
    assert "deadline-stopped" in page
    assert "15/01/2021" not in page.split("Ngày hẹn trả kết quả")[1].split("</dd>")[0]
    assert "Đã quá hạn" not in page


def test_the_code_is_matched_whatever_the_case(client, received_dossier):
    page = client.get(URL, {"ma": received_dossier.code.lower()}).content.decode()
    assert "Đã tiếp nhận" in page


def test_an_unknown_code_says_so_plainly(client, db):
    page = client.get(URL, {"ma": "000.00.00.H26-210101-9999"}).content.decode()
    assert "Không tìm thấy hồ sơ có mã" in page


def test_the_secret_opens_the_timeline_without_officials_names(client, received_dossier, desk_a):
    DossierEvent.objects.create(
        dossier=received_dossier,
        at=received_dossier.received_at,
        actor=desk_a,
        agency=received_dossier.agency,
        action="request_supplement",
        from_status=Status.RECEIVED,
        to_status=Status.SUPPLEMENT_REQUESTED,
        note="Bổ sung bản sao giấy chứng sinh",
    )
    response = client.post(URL, {"ma": received_dossier.code, "secret": "5678"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Quá trình xử lý" in page and "Bổ sung bản sao giấy chứng sinh" in page
    assert "Bộ phận Tiếp nhận và Trả kết quả" in page and "Chuyên viên xử lý" in page
    assert "Thứ Bảy" in page  # the deadline explanation
    assert "Nguyễn" not in page and desk_a.username not in page
    assert "0912345678" not in page and "Trần Thị Hồng Nhung" not in page


def test_the_last_four_digits_of_the_id_number_work_too(client, received_dossier):
    response = client.post(URL, {"ma": received_dossier.code, "secret": "2345"})
    assert response.status_code == 302


def test_a_wrong_secret_and_an_unknown_code_get_the_same_answer(client, received_dossier):
    wrong = client.post(URL, {"ma": received_dossier.code, "secret": "0000"})
    unknown = client.post(URL, {"ma": "000.00.00.H26-210101-9999", "secret": "5678"})
    assert wrong.status_code == unknown.status_code == 200

    def answer(response):
        page = response.content.decode()
        return page[page.index('role="alert"') :][:300]

    assert answer(wrong) == answer(unknown)
    assert "Trần Thị Hồng Nhung" not in wrong.content.decode()


def test_guessing_the_secret_is_stopped_per_code(client, received_dossier, settings):
    settings.DOSSIER_LOOKUP_LIMITS = {"secret_code": (3, 900), "secret_ip": (100, 600)}
    for _ in range(3):
        client.post(URL, {"ma": received_dossier.code, "secret": "0000"})
    response = client.post(URL, {"ma": received_dossier.code, "secret": "5678"})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()


def test_lookups_are_limited_per_client_address(client, received_dossier, settings):
    settings.DOSSIER_LOOKUP_LIMITS = {"ip": (2, 600)}
    for _ in range(2):
        assert client.get(URL, {"ma": received_dossier.code}).status_code == 200
    assert client.get(URL, {"ma": received_dossier.code}).status_code == 429
    other = client.get(URL, {"ma": received_dossier.code}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_the_lookup_keeps_working_and_limiting_when_the_cache_is_down(
    client, received_dossier, monkeypatch, caplog, settings
):
    from dossiers import ratelimit

    def down():
        raise ConnectionError("redis down")

    monkeypatch.setattr(ratelimit, "_redis_client", down)
    settings.DOSSIER_LOOKUP_LIMITS = {"ip": (2, 600)}
    response = client.get(URL, {"ma": received_dossier.code})
    assert response.status_code == 200 and "Đã tiếp nhận" in response.content.decode()
    assert "rate limit cache unavailable" in caplog.text
    assert client.get(URL, {"ma": received_dossier.code}).status_code == 200
    # Not "fail open": the in-process limiter holds the line.
    assert client.get(URL, {"ma": received_dossier.code}).status_code == 429


def test_a_garbled_code_is_a_form_error_not_a_crash(client, db):
    response = client.get(URL, {"ma": "x" * 500})
    assert response.status_code == 200
    response = client.post(URL, {"ma": "abc", "secret": "12"})
    assert response.status_code == 200
