"""Selectors: who sees which dossier, the worklist, overdue, and the public lookups."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers import selectors
from dossiers.errors import NotFound
from dossiers.models import Dossier
from dossiers.workflow import Status

from .factories import DossierFactory


@pytest.fixture
def two_agencies(agency_a, agency_b):
    return DossierFactory(agency=agency_a), DossierFactory(agency=agency_b)


def test_an_official_sees_only_the_dossiers_of_their_agency(two_agencies, desk_a, desk_b):
    of_a, of_b = two_agencies
    assert list(selectors.dossiers_visible_to(desk_a)) == [of_a]
    assert list(selectors.dossiers_visible_to(desk_b)) == [of_b]
    with pytest.raises(NotFound):
        selectors.access_dossier(desk_a, of_b.pk)
    assert selectors.access_dossier(desk_a, of_a.pk) == of_a


def test_inspectors_and_superusers_see_every_dossier(two_agencies, inspector, sysadmin):
    assert set(selectors.dossiers_visible_to(inspector)) == set(two_agencies)
    assert set(selectors.dossiers_visible_to(sysadmin)) == set(two_agencies)


def test_outsiders_and_anonymous_users_see_nothing(two_agencies, outsider):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.dossiers_visible_to(outsider).exists()
    assert not selectors.dossiers_visible_to(AnonymousUser()).exists()
    with pytest.raises(NotFound):
        selectors.access_dossier(outsider, two_agencies[0].pk)


def test_garbage_ids_are_not_found_rather_than_errors(desk_a):
    with pytest.raises(NotFound):
        selectors.access_dossier(desk_a, "1 OR 1=1")


@pytest.mark.parametrize("id_list_max", [5000, 0], ids=["id list", "union fallback"])
def test_a_transferred_dossier_is_seen_by_both_agencies_once(
    agency_a, agency_b, desk_a, desk_b, monkeypatch, id_list_max
):
    monkeypatch.setattr(selectors, "TRANSFER_ID_LIST_MAX", id_list_max)
    from dossiers.models import Transfer

    dossier = DossierFactory(agency=agency_a, transferred=True)
    # The factory transfers to a third agency; add a second transfer, to B, now returned.
    Transfer.objects.create(
        dossier=dossier,
        from_agency=agency_a,
        to_agency=agency_b,
        sent_at=timezone.now() - timedelta(days=1),
        returned_at=timezone.now(),
        limit_value=2,
        limit_unit="working_days",
        due_at=timezone.now() + timedelta(days=1),
    )
    Transfer.objects.create(
        dossier=dossier,
        from_agency=agency_a,
        to_agency=agency_b,
        sent_at=timezone.now(),
        limit_value=2,
        limit_unit="working_days",
        due_at=timezone.now() + timedelta(days=2),
    )
    other = DossierFactory(agency=agency_a)
    assert set(selectors.dossiers_visible_to(desk_a)) == {dossier, other}
    assert list(selectors.dossiers_visible_to(desk_b)) == [dossier]


def test_the_worklist_lists_open_dossiers_soonest_due_first(agency_a, desk_a):
    later = DossierFactory(agency=agency_a, due_at=timezone.now() + timedelta(days=5))
    sooner = DossierFactory(agency=agency_a, due_at=timezone.now() + timedelta(days=1))
    overdue = DossierFactory(agency=agency_a, overdue=True)
    waiting = DossierFactory(agency=agency_a, submitted=True)
    DossierFactory(agency=agency_a, settled=True)
    DossierFactory(agency=agency_a, refused=True)
    assert list(selectors.worklist(desk_a)) == [overdue, sooner, later, waiting]
    assert list(selectors.worklist(desk_a, overdue=True)) == [overdue]
    assert list(selectors.worklist(desk_a, overdue=False)) == [sooner, later, waiting]
    assert list(selectors.worklist(desk_a, due_within_days=2)) == [overdue, sooner]
    assert list(selectors.worklist(desk_a, status=Status.SUBMITTED)) == [waiting]
    assert list(selectors.worklist(desk_a, procedure=later.procedure)) == [later]
    assert list(selectors.worklist(desk_a, field=sooner.field_id)) == [sooner]


def test_overdue_is_derived_from_status_and_due_time(agency_a):
    overdue = DossierFactory(agency=agency_a, overdue=True)
    waiting_for_applicant = DossierFactory(
        agency=agency_a, supplement=True, due_at=timezone.now() - timedelta(days=1)
    )
    late_but_settled = DossierFactory(agency=agency_a, late=True)
    flags = dict(selectors.with_overdue(Dossier.objects.all()).values_list("pk", "overdue_flag"))
    assert flags == {overdue.pk: True, waiting_for_applicant.pk: False, late_but_settled.pk: False}
    assert overdue.is_overdue
    assert not waiting_for_applicant.is_overdue and not late_but_settled.is_overdue


def test_the_public_lookup_finds_a_dossier_by_its_code_only(agency_a):
    dossier = DossierFactory(agency=agency_a)
    assert selectors.lookup_public(dossier.code) == dossier
    assert selectors.lookup_public(f"  {dossier.code} ") == dossier
    assert selectors.lookup_public("000.01.01.H26-210101-9999") is None
    assert selectors.lookup_public("") is None
    assert selectors.lookup_public(None) is None


def test_the_secret_is_the_last_four_digits_of_the_phone_or_id_number(agency_a):
    dossier = DossierFactory(
        agency=agency_a, applicant_phone="0912 345 678", applicant_id_number="001190012345"
    )
    assert selectors.lookup_with_secret(dossier.code, "5678") == dossier
    assert selectors.lookup_with_secret(dossier.code, "2345") == dossier
    assert selectors.lookup_with_secret(dossier.code, "0000") is None
    assert selectors.lookup_with_secret(dossier.code, "") is None
    assert selectors.lookup_with_secret(dossier.code, "45678") is None
    assert selectors.lookup_with_secret("nope", "5678") is None


def test_an_applicant_without_phone_or_id_cannot_be_matched_by_an_empty_secret(agency_a):
    dossier = DossierFactory(agency=agency_a, applicant_phone="", applicant_id_number="")
    assert selectors.lookup_with_secret(dossier.code, "") is None
    assert selectors.lookup_with_secret(dossier.code, "\x00no-phone") is None
