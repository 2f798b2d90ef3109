"""Fixtures of the DVCQG sync tests: the fake portal and dossiers with outbox rows."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from dossiers.models import Dossier, OutboxMessage
from tests.factories import AgencyFactory, ProcedureFactory
from tests.fake_dvcqg import FakeDVCQG

_seq = itertools.count(1)


@pytest.fixture
def fake_dvcqg(settings):
    fake = FakeDVCQG().start()
    settings.DVCQG_ENDPOINT = fake.url
    settings.DVCQG_ACK_ENDPOINT = fake.ack_url
    settings.DVCQG_TIMEOUT = 2
    settings.DVCQG_RETRY_BASE_SECONDS = 1
    settings.DVCQG_RETRY_MAX_SECONDS = 4
    yield fake
    fake.stop()


@pytest.fixture
def make_dossier(db):
    """A received dossier built with the ORM, plus `messages` outbox rows in order."""
    agency = AgencyFactory()
    procedure = ProcedureFactory()

    def make(messages: int = 1) -> Dossier:
        now = timezone.now()
        dossier = Dossier.objects.create(
            procedure=procedure,
            field_id=procedure.field_id,
            agency=agency,
            current_agency=agency,
            channel="desk",
            status="received",
            applicant_name="Nguyễn Văn A",
            submitted_at=now,
            received_at=now,
        )
        for _ in range(messages):
            add_message(dossier)
        return dossier

    return make


def add_message(dossier: Dossier) -> OutboxMessage:
    n = next(_seq)
    return OutboxMessage.objects.create(
        dossier=dossier,
        kind="update",
        payload={"n": n, "status": dossier.status},
        dedup_key=f"{dossier.pk}:t{n}",
    )
