"""Writing the applicant's messages with the change they report (the outbox pattern).

enqueue_for_event is called by dossiers.services._record for every history row, inside the
change's transaction: the messages commit with the change or not at all, and a change that
commits is never left untold. It decides by the event's action whether there is anything
to say and renders the text now (the dossier as the change left it); the change's
after-commit kick (dossiers.dispatch) starts the delivery. Nothing here may fail or block
the change: an error is logged and the change goes on without its message.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .choices import MsgChannel, NotifyChoice
from .phones import normalise_phone
from .render import KIND_BY_ACTION, fill, shorten, strip_diacritics, templates_for, values_for

log = logging.getLogger(__name__)

_ACCEPTS = {
    NotifyChoice.ALL: {MsgChannel.SMS, MsgChannel.EMAIL},
    NotifyChoice.SMS: {MsgChannel.SMS},
    NotifyChoice.EMAIL: {MsgChannel.EMAIL},
    NotifyChoice.NONE: set(),
}


def _recipient(dossier, channel: str) -> tuple[str, bool] | None:
    """(address, valid) for the channel; None when the applicant gave none."""
    if channel == MsgChannel.SMS:
        raw = (dossier.applicant_phone or "").strip()
        if not raw:
            return None
        phone = normalise_phone(raw)
        return (phone, True) if phone else (raw, False)
    raw = (dossier.applicant_email or "").strip()
    if not raw:
        return None
    try:
        validate_email(raw)
    except ValidationError:
        return raw, False
    return raw, True


def channels_enabled() -> set[str]:
    enabled = set()
    if settings.NOTIFY_ENABLED:
        enabled.add(MsgChannel.EMAIL)
        # Without a gateway there is nowhere to send SMS: no row is written rather than
        # rows that wait forever and flood the applicant once a gateway is configured.
        if settings.SMS_GATEWAY_URL:
            enabled.add(MsgChannel.SMS)
    return enabled


def _build(event) -> list:
    from .models import Notification

    kind = KIND_BY_ACTION.get(event.action)
    if kind is None:
        return []
    dossier = event.dossier
    wanted = _ACCEPTS.get(dossier.applicant_notify, set()) & channels_enabled()
    if not wanted:
        return []
    templates = templates_for(kind)
    values = None
    rows = []
    for channel in sorted(wanted):
        template = templates.get(channel)
        recipient = _recipient(dossier, channel)
        if template is None or recipient is None:
            continue
        address, valid = recipient
        values = values or values_for(dossier, event)
        subject, body = fill(template[0], values), fill(template[1], values)
        if channel == MsgChannel.SMS:
            if settings.SMS_STRIP_DIACRITICS:
                body = strip_diacritics(body)
            body = shorten(body, settings.SMS_MAX_CHARS)
        rows.append(
            Notification(
                dossier=dossier,
                event=event,
                kind=kind,
                channel=channel,
                recipient=address[:254],
                subject=shorten(" ".join(subject.split()), 255),
                body=body,
                state=Notification.State.PENDING if valid else Notification.State.INVALID,
                last_error="" if valid else "invalid recipient",
            )
        )
    return Notification.objects.bulk_create(rows) if rows else []


def enqueue_for_event(event) -> list:
    """The event's messages to the applicant, written now; delivery kicked after commit.

    Side effects: Notification rows (pending, or invalid with the reason). The change's one
    after-commit kick (dossiers.dispatch) starts their delivery; the sweep covers a lost
    kick. Never raises: the change must not fail for a message.
    """
    try:
        # A savepoint: a database error here rolls back our rows only, not the change.
        with transaction.atomic():
            rows = _build(event)
    except Exception:
        log.exception("notifications for event %s (%s) not written", event.pk, event.action)
        return []
    return rows
