"""The outbox: what DVCQG must learn about a dossier, written with the change itself.

A row is added in the same transaction as the DossierEvent it reports, so a change that
commits is never lost to the sync and a rolled-back change is never sent. Delivery (in
order per dossier, de-duplicated by dedup_key) belongs to dossiers.sync / dossiers.tasks.
"""

from __future__ import annotations

from datetime import datetime

from procedures.models import Agency

from .models import DEMO_EMAIL_SUFFIX, Dossier, DossierEvent, OutboxMessage

# The first event a dossier has: DVCQG creates its record; every later one updates it.
CREATE_ACTIONS = frozenset({"receive", "submit_online", "guide_incomplete", "refuse_intake"})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _agency_code(dossier: Dossier, agency_id: int | None) -> str | None:
    # The event's agency is nearly always one the dossier has loaded already.
    if agency_id is None:
        return None
    for agency in (dossier.agency, dossier.current_agency):
        if agency.pk == agency_id:
            return agency.identifier_code
    return Agency.objects.values_list("identifier_code", flat=True).get(pk=agency_id)


def build_payload(dossier: Dossier, event: DossierEvent) -> dict:
    """The state DVCQG needs after this event (JSON-serialisable)."""
    return {
        "code": dossier.code,
        "dossier_id": dossier.pk,
        "procedure": dossier.procedure.national_code,
        "agency": dossier.agency.identifier_code,
        "current_agency": dossier.current_agency.identifier_code,
        "channel": dossier.channel,
        "status": dossier.status,
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "result_ready_at": _iso(dossier.result_ready_at),
        "returned_at": _iso(dossier.returned_at),
        "timeliness": dossier.timeliness or None,
        "applicant_name": dossier.applicant_name,
        "event": {
            "id": event.pk,
            "action": event.action,
            "at": _iso(event.at),
            "from_status": event.from_status or None,
            "to_status": event.to_status or None,
            "agency": _agency_code(dossier, event.agency_id),
            "note": event.note,
            "due_before": _iso(event.due_before),
            "due_after": _iso(event.due_after),
        },
    }


def outbox_message(event: DossierEvent, payload: dict | None = None) -> OutboxMessage:
    """The outbox row for `event`, unsaved. `payload`: the state taken right after the event,
    for a bulk writer (dossiers.demo) whose dossier has moved on before the rows are saved."""
    dossier = event.dossier
    return OutboxMessage(
        dossier=dossier,
        event=event,
        kind="create" if event.action in CREATE_ACTIONS else "update",
        payload=payload if payload is not None else build_payload(dossier, event),
        dedup_key=f"{dossier.pk}:{event.pk}",
        # A demo dossier's later changes stay demo data too: DVCQG never had the dossier.
        demo=dossier.applicant_email.endswith(DEMO_EMAIL_SUFFIX),
    )


def outbox_add(event: DossierEvent) -> OutboxMessage:
    """Queue the event for DVCQG. Call inside the transaction that wrote the event."""
    message = outbox_message(event)
    message.save(force_insert=True)
    return message
