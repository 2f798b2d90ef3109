"""The shared DossierFactory traits build consistent dossiers."""

from django.utils import timezone

from dossiers.models import Apology, Rating, Transfer
from dossiers.workflow import Status, Timeliness

from .factories import DossierFactory


def test_default_dossier_is_received_with_a_code_and_a_future_due_time(db):
    dossier = DossierFactory()
    assert dossier.status == Status.RECEIVED
    assert dossier.code.startswith(dossier.agency.identifier_code + "-")
    assert dossier.due_at > dossier.received_at
    assert dossier.events.count() == 1


def test_traits_give_the_promised_states(db):
    assert DossierFactory(overdue=True).is_overdue
    assert not DossierFactory().is_overdue
    assert DossierFactory(settled=True).returned_at < timezone.now()
    late = DossierFactory(late=True)
    assert (late.status, late.timeliness) == (Status.RETURNED, Timeliness.LATE)
    assert DossierFactory(on_time=True).timeliness == Timeliness.ON_TIME
    assert DossierFactory(settled=True).timeliness == Timeliness.EARLY
    submitted = DossierFactory(submitted=True)
    assert submitted.code is None and submitted.due_at is None
    transferred = DossierFactory(transferred=True)
    assert transferred.current_agency != transferred.agency
    assert Transfer.objects.filter(dossier=transferred).exists()
    extended = DossierFactory(extended=True)
    assert Apology.objects.get(dossier=extended).new_due_at == extended.due_at
    rated = DossierFactory(rated=True)
    assert Rating.objects.get(dossier=rated).overall == 4
    assert DossierFactory(supplement=True).supplements.count() == 1
