"""Reads of dossiers, always scoped by the user asking (procedures.access.scope_for).

An official sees a dossier when one of their agencies received it, holds it now, or was
sent it for coordination; inspectors and superusers see the whole city; anyone else sees
nothing here (citizens use the public lookups at the bottom, which show only what the
code, or the code and a secret, entitle them to).
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from django.db.models import BooleanField as BooleanFieldType
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from procedures.access import scope_for

from .models import Dossier, Transfer
from .workflow import CLOCK_RUNNING_STATUSES, CLOSED_STATUSES, Status


def overdue_q(now: datetime | None = None) -> Q:
    """Open, clock running, past its due time (DOMAIN §6). Derived, never stored."""
    return Q(status__in=CLOCK_RUNNING_STATUSES, due_at__lt=now or timezone.now())


def with_overdue(queryset: QuerySet, now: datetime | None = None) -> QuerySet:
    """Annotate `overdue_flag` (bool) for SQL filters and exports; instances also have the
    Dossier.is_overdue property."""
    return queryset.annotate(
        overdue_flag=Case(
            When(overdue_q(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanFieldType(),
        )
    )


def dossiers_visible_to(user) -> QuerySet:
    """Every dossier the user may see (no ordering imposed)."""
    scope = scope_for(user)
    dossiers = Dossier.objects.all()
    if scope.all_agencies:
        return dossiers
    agency_ids = scope.agency_ids or frozenset()
    if not agency_ids:
        return dossiers.none()
    # Exists rather than a join: a dossier transferred twice must not appear twice.
    transferred_to_us = Transfer.objects.filter(
        dossier_id=OuterRef("pk"), to_agency_id__in=agency_ids
    )
    return dossiers.filter(
        Q(agency_id__in=agency_ids)
        | Q(current_agency_id__in=agency_ids)
        | Exists(transferred_to_us)
    )


def access_dossier(user, dossier_id, *, for_update: bool = False) -> Dossier:
    """The dossier if the user may see it, else Http404 (its existence is not revealed)."""
    queryset = dossiers_visible_to(user).select_related(
        "procedure", "field", "agency", "current_agency"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=int(dossier_id))
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise Http404("dossier not found") from None


def worklist(
    user,
    *,
    status: str | None = None,
    procedure=None,
    field=None,
    due_within_days: int | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """The user's dossiers still to act on, soonest due first (no due time last).

    Without `status`: everything not closed (online submissions waiting for acceptance
    included). `procedure` and `field` take an instance or an id.
    """
    now = now or timezone.now()
    queryset = dossiers_visible_to(user).select_related("procedure", "agency", "current_agency")
    if status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status__in=CLOSED_STATUSES | {Status.INTAKE_REFUSED})
    if procedure is not None:
        queryset = queryset.filter(procedure_id=getattr(procedure, "pk", procedure))
    if field is not None:
        queryset = queryset.filter(field_id=getattr(field, "pk", field))
    if due_within_days is not None:
        queryset = queryset.filter(
            status__in=CLOCK_RUNNING_STATUSES, due_at__lte=now + timedelta(days=due_within_days)
        )
    if overdue is True:
        queryset = queryset.filter(overdue_q(now))
    elif overdue is False:
        queryset = queryset.exclude(overdue_q(now))
    return queryset.order_by(F("due_at").asc(nulls_last=True), "id")


def history(dossier: Dossier) -> QuerySet:
    """The dossier's events in order, with who and where (form 05)."""
    return dossier.events.select_related("actor", "agency").order_by("at", "id")


# --- public lookups --------------------------------------------------------------------


def lookup_public(code: str) -> Dossier | None:
    """A dossier by its code, for the public progress lookup (status and dates only)."""
    code = (code or "").strip()
    if not code:
        return None
    return (
        Dossier.objects.select_related("procedure", "agency", "current_agency")
        .filter(code=code)
        .first()
    )


def _last4(value: str) -> str:
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def lookup_with_secret(code: str, secret: str) -> Dossier | None:
    """The dossier when `secret` is the last 4 digits of the applicant's phone or ID number.

    Compared in constant time, and a missing dossier costs the same comparisons, so
    response times do not reveal which codes exist.
    """
    secret = (secret or "").strip()
    dossier = lookup_public(code)
    phone = _last4(dossier.applicant_phone) if dossier else ""
    id_number = _last4(dossier.applicant_id_number) if dossier else ""
    given = secret.encode()
    # Never match an empty secret against an empty phone: use a value no input can equal.
    by_phone = hmac.compare_digest(given, (phone or "\x00no-phone").encode())
    by_id = hmac.compare_digest(given, (id_number or "\x00no-id").encode())
    if dossier is not None and len(secret) == 4 and (by_phone or by_id):
        return dossier
    return None
