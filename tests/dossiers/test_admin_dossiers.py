"""The dossier admin: search, filters, read-only state and history, scoped querysets."""

import pytest
from django.contrib.auth.models import Permission

from dossiers.workflow import Status
from tests.dossiers.factories import DossierFactory

from .fixtures_desk import login

pytestmark = pytest.mark.django_db
LIST = "/admin/dossiers/dossier/"


@pytest.fixture
def staff_a(desk_a):
    desk_a.is_staff = True
    desk_a.save()
    desk_a.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_dossier", "change_dossier"])
    )
    return desk_a


def test_superusers_find_a_dossier_by_code_name_or_phone(client, sysadmin, agency_a):
    dossier = DossierFactory(
        agency=agency_a, applicant_name="Phạm Minh Tuấn", applicant_phone="0977000111"
    )
    other = DossierFactory(agency=agency_a, applicant_name="Đỗ Thu Hà")
    login(client, sysadmin)
    for query in (dossier.code, "Phạm Minh", "0977000111"):
        page = client.get(LIST, {"q": query}).content.decode()
        assert dossier.code in page and other.code not in page, query


def test_the_overdue_and_timeliness_filters_work(client, sysadmin, agency_a):
    late = DossierFactory(agency=agency_a, overdue=True)
    fine = DossierFactory(agency=agency_a)
    login(client, sysadmin)
    page = client.get(LIST, {"qua_han": "yes"}).content.decode()
    assert late.code in page and fine.code not in page
    returned_late = DossierFactory(agency=agency_a, late=True)
    page = client.get(LIST, {"tien_do": "late"}).content.decode()
    assert returned_late.code in page and late.code not in page


def test_staff_see_only_their_agencys_dossiers(client, staff_a, agency_a, agency_b):
    mine = DossierFactory(agency=agency_a)
    theirs = DossierFactory(agency=agency_b)
    login(client, staff_a)
    page = client.get(LIST).content.decode()
    assert mine.code in page and theirs.code not in page
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code in (302, 404)


def test_state_is_read_only_and_history_cannot_be_edited(client, sysadmin, agency_a):
    dossier = DossierFactory(agency=agency_a)
    login(client, sysadmin)
    page = client.get(f"{LIST}{dossier.pk}/change/").content.decode()
    assert 'name="status"' not in page and 'name="due_at_0"' not in page
    assert 'name="events-0-note"' not in page
    # Applicant data too: an edit here would skip the history row and the DVCQG outbox.
    assert 'name="applicant_name"' not in page and 'name="applicant_phone"' not in page
    assert dossier.applicant_name in page
    assert client.get(f"{LIST}add/").status_code == 403


def test_admin_actions_go_through_the_workflow(client, sysadmin, agency_a):
    received = DossierFactory(agency=agency_a)
    returned = DossierFactory(agency=agency_a, settled=True)
    login(client, sysadmin)
    response = client.post(
        LIST,
        {"action": "do_start_processing", "_selected_action": [received.pk, returned.pk]},
        follow=True,
    )
    received.refresh_from_db()
    returned.refresh_from_db()
    assert received.status == Status.PROCESSING
    assert received.events.filter(action="start_processing", actor=sysadmin).exists()
    assert returned.status == Status.RETURNED
    assert "Không thể" in response.content.decode()
