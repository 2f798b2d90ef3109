"""Reads of dossiers, always scoped by the user asking (procedures.access.scope_for).

An official sees a dossier when one of their agencies received it, holds it now, or was
sent it for coordination; inspectors and superusers see the whole city; anyone else sees
nothing here (citizens use the public lookups at the bottom, which show only what the
code, or the code and a secret, entitle them to).
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import BooleanField as BooleanFieldType
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from hanoi_cchc.edges import parse_id
from procedures.access import scope_for

from . import worklist_search
from .errors import NotFound
from .models import Dossier, Transfer
from .rules import actions_for, overdue_q
from .workflow import CLOCK_RUNNING_STATUSES, WORKLIST_STATUSES, Action

# Above this many handed-back dossiers, visibility through transfers uses a UNION subquery.
TRANSFER_ID_LIST_MAX = 5000


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
    agency_ids = sorted(scope.agency_ids or ())
    if not agency_ids:
        return dossiers.none()
    by_column = Q(agency_id__in=agency_ids) | Q(current_agency_id__in=agency_ids)
    # Dossiers sent to us for coordination and handed back (while here, current_agency
    # covers them). An OR with a subquery would make PostgreSQL scan every dossier, so the
    # ids are fetched first and OR-ed as a list: three index scans combined (BitmapOr). Past
    # a few thousand ids a UNION of the three id lists is used instead.
    handed_back = (
        Transfer.objects.filter(to_agency_id__in=agency_ids, returned_at__isnull=False)
        .values_list("dossier_id", flat=True)
        .distinct()
    )
    listed = list(handed_back[: TRANSFER_ID_LIST_MAX + 1])
    if len(listed) <= TRANSFER_ID_LIST_MAX:
        return (
            dossiers.filter(by_column | Q(pk__in=listed)) if listed else dossiers.filter(by_column)
        )
    ids = (
        Dossier.objects.filter(agency_id__in=agency_ids)
        .values("pk")
        .union(
            Dossier.objects.filter(current_agency_id__in=agency_ids).values("pk"),
            Transfer.objects.filter(to_agency_id__in=agency_ids).values("dossier_id"),
        )
    )
    return dossiers.filter(pk__in=ids)


def _worklist_base(user) -> QuerySet:
    """Dossiers the user's agencies must act on: received by them or held by them now.

    Narrower than dossiers_visible_to on purpose: a coordinating agency that has handed a
    dossier back only keeps read access. Two plain columns let PostgreSQL combine the
    partial "open" indexes (BitmapOr) instead of scanning every dossier of the agency.
    """
    scope = scope_for(user)
    if scope.all_agencies:
        return Dossier.objects.all()
    agency_ids = sorted(scope.agency_ids or ())
    if not agency_ids:
        return Dossier.objects.none()
    return Dossier.objects.filter(Q(agency_id__in=agency_ids) | Q(current_agency_id__in=agency_ids))


class Access(NamedTuple):
    """What a user may see of one dossier and do to it now."""

    dossier: Dossier
    actions: list[Action]

    @property
    def action_names(self) -> list[str]:
        return [a.name for a in self.actions]


def dossier_access(user, dossier_id) -> Access:
    """The dossier the user may see and the actions they may take on it now.

    The one answer to "may this user see / do this" for the page, the API and the
    serializer (dossiers.rules.actions_for decides the actions). NotFound when out of scope.
    """
    dossier = access_dossier(user, dossier_id)
    return Access(dossier, actions_for(scope_for(user), dossier))


def access_dossier(user, dossier_id, *, for_update: bool = False) -> Dossier:
    """The dossier if the user may see it, else NotFound (its existence is not revealed)."""
    queryset = dossiers_visible_to(user).select_related(
        "procedure", "field", "agency", "current_agency"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        # parse_id: '١٢' is not dossier 12, '²' and 10^20 are no dossier at all.
        return queryset.get(pk=parse_id(dossier_id) or 0)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Không tìm thấy hồ sơ.")) from None


def worklist(
    user,
    *,
    status: str | None = None,
    procedure=None,
    field=None,
    due_within_days: int | None = None,
    overdue: bool | None = None,
    search: str | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """The user's dossiers still to act on, soonest due first (no due time last).

    Without `status`: everything not closed (online submissions waiting for acceptance
    included). `procedure` and `field` take an instance or an id. `search`: the officials'
    search box (dossiers.worklist_search), within the same scope and conditions.
    """
    now = now or timezone.now()
    queryset = _worklist_base(user).select_related("procedure", "agency", "current_agency")
    if status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=sorted(WORKLIST_STATUSES))
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
    if search:
        scope = scope_for(user)
        agency_ids = None if scope.all_agencies else scope.agency_ids or ()
        queryset = worklist_search.search(queryset, search, agency_ids=agency_ids)
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
    # The public page shows the procedure and the current agency: two joins, no ORDER BY
    # (code is unique), nothing else on the hot path (issue 10).
    found = list(
        Dossier.objects.select_related("procedure", "current_agency").filter(code=code)[:1]
    )
    return found[0] if found else None


def _last4(value: str) -> str:
    # ASCII digits only: str.isdigit() also accepts "²" and other scripts' digits.
    digits = "".join(ch for ch in value or "" if ch in "0123456789")
    return digits[-4:] if len(digits) >= 4 else ""


def lookup_with_secret(code: str, secret: str) -> Dossier | None:
    """The dossier when `secret` is the last 4 digits of the applicant's phone or ID number.

    Compared in constant time, and a missing dossier costs the same comparisons, so
    response times do not reveal which codes exist.
    """
    secret = (secret or "").strip()
    code = (code or "").strip()
    # Only the columns the check needs, no joins, no ORDER BY (code is unique): this is the
    # hot path of the citizen lookup (bench/RESULTS.md), and the page it redirects to loads
    # the dossier again through lookup_public.
    found = (
        list(
            Dossier.objects.filter(code=code).only(
                "pk", "code", "applicant_phone", "applicant_id_number"
            )[:1]
        )
        if code
        else []
    )
    dossier = found[0] if found else None
    phone = _last4(dossier.applicant_phone) if dossier else ""
    id_number = _last4(dossier.applicant_id_number) if dossier else ""
    given = secret.encode()
    # Never match an empty secret against an empty phone: use a value no input can equal.
    by_phone = hmac.compare_digest(given, (phone or "\x00no-phone").encode())
    by_id = hmac.compare_digest(given, (id_number or "\x00no-id").encode())
    if dossier is not None and len(secret) == 4 and (by_phone or by_id):
        return dossier
    return None
