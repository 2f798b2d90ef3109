import io
from datetime import date

import pytest
from django.core.management import call_command

from procedures.demo import DEMO_PASSWORD
from procedures.models import Agency, Field, Membership, Procedure, RequiredDocument
from procedures.services import agencies_load, procedure_save, procedure_upsert

pytestmark = pytest.mark.django_db


def test_a_change_through_the_service_writes_a_history_row_with_who_and_why(
    building_permit, sysadmin
):
    before = building_permit.history.count()
    building_permit.fee = 100000
    procedure_save(procedure=building_permit, user=sysadmin, reason="Nghị quyết mới về lệ phí")
    latest = building_permit.history.first()
    assert building_permit.history.count() == before + 1
    assert latest.fee == 100000
    assert latest.history_user == sysadmin
    assert latest.history_change_reason == "Nghị quyết mới về lệ phí"


def test_an_upsert_with_the_same_values_writes_no_history(building_permit):
    before = building_permit.history.count()
    values = {"name": building_permit.name, "fee": building_permit.fee}
    _, outcome = procedure_upsert(national_code=building_permit.national_code, values=values)
    assert outcome == "unchanged"
    assert building_permit.history.count() == before


def test_agencies_load_gives_the_2025_geography_and_is_idempotent():
    first = agencies_load()
    assert first.created == Agency.objects.count()
    assert Agency.objects.filter(level="district", valid_to="2025-06-30").count() == 30
    communes = Agency.objects.filter(level="commune", valid_from="2025-07-01")
    assert communes.count() == 126
    assert communes.filter(unit_type="phuong").count() == 51
    assert communes.filter(unit_type="xa").count() == 75
    hoan_kiem = communes.get(gso_code="00070")
    assert hoan_kiem.name == "Ủy ban nhân dân phường Hoàn Kiếm"
    assert hoan_kiem.identifier_code.endswith(".H26")
    merged = Agency.objects.get(name="Sở Kế hoạch và Đầu tư")
    assert merged.successor.name == "Sở Tài chính"
    second = agencies_load()
    assert (second.created, second.updated) == (0, 0)


def test_load_demo_is_idempotent_and_reports_progress():
    out = io.StringIO()
    call_command("load_demo", "--limit", "40", "--dossiers", "0", stdout=out)
    assert "40 mới" in out.getvalue()
    counts = (
        Procedure.objects.count(),
        Field.objects.count(),
        RequiredDocument.objects.count(),
        Procedure.history.count(),
        Procedure.agencies.through.objects.count(),
    )
    out = io.StringIO()
    call_command("load_demo", "--limit", "40", stdout=out)
    assert "0 mới, 0 cập nhật, 40 không đổi" in out.getvalue()
    assert counts == (
        Procedure.objects.count(),
        Field.objects.count(),
        RequiredDocument.objects.count(),
        Procedure.history.count(),
        Procedure.agencies.through.objects.count(),
    )
    assert counts[0] == 40


def test_the_full_demo_catalogue_is_big_and_varied_enough():
    import csv

    from procedures.services import DATA_DIR

    with open(DATA_DIR / "demo_procedures.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 300
    assert len({r["field"] for r in rows}) >= 15
    assert {r["unit"] for r in rows} == {"w", "c", "h", "m"}


def test_ensure_demo_users_prints_logins_and_is_idempotent():
    out = io.StringIO()
    call_command("ensure_demo_users", stdout=out)
    call_command("ensure_demo_users", stdout=io.StringIO())
    text = out.getvalue()
    for login in ("admin", "motcua", "chuyenvien", "lanhdao", "thanhtra"):
        assert login in text
    assert DEMO_PASSWORD in text
    assert Membership.objects.count() == 4
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="motcua").check_password(DEMO_PASSWORD)


def test_granting_a_role_and_closing_an_agency_leave_history(desk_a, agency_a):
    membership = Membership.objects.get(user=desk_a)
    assert membership.history.first().history_type == "+"
    agency_a.valid_to = date(2025, 6, 30)
    agency_a.save()
    assert agency_a.history.count() == 2


def test_a_second_ensure_demo_users_keeps_passwords_and_sessions(client):
    from django.contrib.auth import get_user_model

    call_command("ensure_demo_users", stdout=io.StringIO())
    user = get_user_model().objects.get(username="motcua")
    user.set_password("my-own-secret-1")
    user.save()
    client.force_login(user)
    session_hash = client.session["_auth_user_hash"]
    out = io.StringIO()
    call_command("ensure_demo_users", stdout=out)
    user.refresh_from_db()
    assert user.check_password("my-own-secret-1")
    assert user.get_session_auth_hash() == session_hash
    assert "(đã đổi)" in out.getvalue()
    call_command("ensure_demo_users", "--reset-passwords", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
