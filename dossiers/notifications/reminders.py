"""The officials' morning digest: dossiers due within one working day, and overdue ones.

Each working morning (REMINDER_TIME, beat) every specialist and leader gets one digest of
the open dossiers of their scope (the worklist: received or held by their agencies) that
are overdue or due by the end of the next working day; by e-mail, and as a banner on the
worklist for the rest of the day. Never on a day off of the edited working calendar
(dossiers.calendar_store), so nobody is paged on Tết. One ReminderDigest per official and
day: running the job twice sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Membership

from .. import selectors
from ..calendar_store import get_calendar
from ..codes import local_tz
from ..workflow import CLOCK_RUNNING_STATUSES
from .models import ReminderDigest

log = logging.getLogger(__name__)

# Roles that act on dossiers and are reminded (the desk only receives and returns).
REMINDED_ROLES = (Membership.Role.SPECIALIST, Membership.Role.LEADER)
# Dossiers listed by name in one digest; the counts cover all of them.
MAX_ITEMS = 30


def is_reminder_day(day: date) -> bool:
    return get_calendar().is_working_day(day)


def horizon(day: date) -> datetime:
    """The end of the next working day after `day`: "due within one working day"."""
    next_day = get_calendar().next_working_day(day)
    return datetime.combine(next_day + timedelta(days=1), time.min, tzinfo=local_tz())


def officials_to_remind():
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__role__in=REMINDED_ROLES)
        .distinct()
        .order_by("pk")
    )


def _item(dossier, now: datetime) -> dict:
    return {
        "id": dossier.pk,
        "code": dossier.code or "",
        "procedure": dossier.procedure.name,
        "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        "overdue": bool(dossier.due_at and dossier.due_at < now),
    }


def digest_build(*, user, day: date, now: datetime | None = None) -> ReminderDigest:
    """The user's digest for `day`, computed once (the existing row if already made)."""
    existing = ReminderDigest.objects.filter(user=user, day=day).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    base = selectors.worklist(user, now=now).filter(status__in=CLOCK_RUNNING_STATUSES)
    overdue = base.filter(due_at__lt=now)
    due_soon = base.filter(due_at__gte=now, due_at__lt=horizon(day))
    counts = {"overdue": overdue.count(), "due_soon": due_soon.count()}
    listed = list(overdue[:MAX_ITEMS]) + list(due_soon[: max(0, MAX_ITEMS - counts["overdue"])])
    try:
        with transaction.atomic():
            return ReminderDigest.objects.create(
                user=user, day=day, items=[_item(d, now) for d in listed], **counts
            )
    except IntegrityError:  # another run made it meanwhile
        return ReminderDigest.objects.get(user=user, day=day)


def _when(value: str | None) -> str:
    if not value:
        return "—"
    return f"{datetime.fromisoformat(value).astimezone(local_tz()):%H:%M %d/%m/%Y}"


def digest_email(digest: ReminderDigest) -> EmailMessage:
    worklist = f"{settings.SITE_URL}{reverse('dossiers:worklist')}"
    lines = [
        _("Kính gửi %(name)s,") % {"name": digest.user.get_full_name() or digest.user.username},
        "",
        _(
            "Hồ sơ cần xử lý ngày %(day)s: %(overdue)s hồ sơ quá hạn, %(soon)s hồ sơ đến hạn "
            "trong 01 ngày làm việc."
        )
        % {"day": f"{digest.day:%d/%m/%Y}", "overdue": digest.overdue, "soon": digest.due_soon},
        "",
    ]
    for item in digest.items:
        flag = _("QUÁ HẠN") if item["overdue"] else _("sắp đến hạn")
        lines.append(
            f"- {item['code'] or '#' + str(item['id'])} · {item['procedure']} · "
            f"{_('hạn')} {_when(item['due_at'])} · {flag}"
        )
    if digest.overdue + digest.due_soon > len(digest.items):
        lines.append(_("… và các hồ sơ khác trong danh sách hồ sơ."))
    lines += ["", _("Danh sách hồ sơ: %(url)s") % {"url": worklist}]
    return EmailMessage(
        subject=_("Nhắc việc %(day)s: %(overdue)s hồ sơ quá hạn, %(soon)s hồ sơ sắp đến hạn")
        % {"day": f"{digest.day:%d/%m/%Y}", "overdue": digest.overdue, "soon": digest.due_soon},
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.user.email],
    )


def digest_send(*, digest_id: int) -> bool:
    """E-mail one digest if it lists anything and was not sent yet; True when sent.

    Side effects: the e-mail; ReminderDigest.emailed_at / attempts / last_error.
    """
    digest = ReminderDigest.objects.select_related("user").get(pk=digest_id)
    if digest.emailed_at or not digest.user.email or not (digest.overdue + digest.due_soon):
        return False
    try:
        connection = get_connection(fail_silently=False)
        connection.send_messages([digest_email(digest)])
    except Exception as exc:  # SMTP down: the sweep tries again today
        ReminderDigest.objects.filter(pk=digest.pk).update(
            attempts=digest.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        log.warning("reminder %s for %s not sent: %s", digest.pk, digest.user_id, exc)
        return False
    ReminderDigest.objects.filter(pk=digest.pk).update(
        emailed_at=timezone.now(), attempts=digest.attempts + 1, last_error=""
    )
    return True


def reminders_run(*, now: datetime | None = None) -> dict:
    """The morning job: build and send every official's digest, unless today is a day off."""
    now = now or timezone.now()
    day = now.astimezone(local_tz()).date()
    if not is_reminder_day(day):
        return {"day": day.isoformat(), "skipped": "day off", "sent": 0}
    sent = built = 0
    for user in officials_to_remind().iterator():
        digest = digest_build(user=user, day=day, now=now)
        built += 1
        sent += digest_send(digest_id=digest.pk)
    return {"day": day.isoformat(), "digests": built, "sent": sent}


def unsent_today(*, now: datetime | None = None, max_attempts: int = 10) -> list[int]:
    """Digests of today with something to say whose e-mail has not gone yet (for the sweep)."""
    now = now or timezone.now()
    day = now.astimezone(local_tz()).date()
    # Failed once, or built long ago and never tried (the worker died mid-run); not one the
    # morning run is still working through.
    tried_or_stale = Q(attempts__gt=0) | Q(created_at__lt=now - timedelta(minutes=15))
    return list(
        ReminderDigest.objects.filter(tried_or_stale, day=day, emailed_at__isnull=True)
        .filter(Q(overdue__gt=0) | Q(due_soon__gt=0), attempts__lt=max_attempts)
        .exclude(user__email="")
        .values_list("pk", flat=True)[:500]
    )


def todays_digest(user) -> ReminderDigest | None:
    """The user's digest of today, for the worklist banner (one indexed lookup)."""
    if not getattr(user, "is_authenticated", False):
        return None
    # Only the reminded roles have digests: the desk's worklist costs no query for this.
    from procedures.access import scope_for

    roles = set().union(*scope_for(user).roles_by_agency.values())
    if not roles & set(REMINDED_ROLES) and not user.is_superuser:
        return None
    day = timezone.now().astimezone(local_tz()).date()
    return ReminderDigest.objects.filter(user=user, day=day).first()
