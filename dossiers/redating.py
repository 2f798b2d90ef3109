"""Re-dating open dossiers when the working calendar changes after their receipt.

A day off added (or a working day restored) between a dossier's clock start and its due
date changes the legal due time (Decree 61/2018 art. 18-19 count working days). The
administrator decides (setting CALENDAR_CHANGE_REDATES): re-date the open dossiers
concerned, each with a history row and a new explanation, or leave them and be told how
many were concerned and why they were not moved.

Not re-dated even when the setting is on, because their due time no longer derives from
the calendar alone: an apology's new appointment (chosen by the agency, form 04) and a due
time shifted under the pause rule. Those are counted as "kept" for the administrator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import clock, rules
from .models import Dossier
from .workflow import CLOCK_RUNNING_STATUSES


@dataclass
class RedateResult:
    redated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # concerned, not moved (and why: see doc)
    unchanged: int = 0


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=rules.local_tz())


def concerned(day: date):
    """Open dossiers with a running clock whose counting period contains `day`."""
    return Dossier.objects.filter(
        status__in=CLOCK_RUNNING_STATUSES,
        clock_started_at__lt=_start_of(day + timedelta(days=1)),
        due_at__gte=_start_of(day),
    ).select_related("agency", "current_agency", "procedure")


def redate_for_calendar_change(*, actor, day: date, decision: str = "") -> RedateResult:
    """Re-date (or count) the open dossiers a calendar change on `day` concerns."""
    from .services import _lock, _record

    result = RedateResult()
    redate = getattr(settings, "CALENDAR_CHANGE_REDATES", True)
    for dossier in concerned(day).iterator():
        label = dossier.code or str(dossier.pk)
        moved_by_hand = dossier.extended or (dossier.due_explanation or {}).get("rule") in {
            "apology",
            "supplement_pause",
        }
        if not redate or moved_by_hand or not dossier.limit_value:
            result.kept.append(label)
            continue
        with transaction.atomic():
            locked = _lock(dossier.pk)
            due = clock.compute(
                agency=locked.agency,
                start=locked.clock_started_at,
                value=locked.limit_value,
                unit=locked.limit_unit,
                apply_cutoff=False,  # the start already is after the cut-off rule
            )
            if due.due_at == locked.due_at:
                result.unchanged += 1
                continue
            due_before = locked.due_at
            locked.due_at = due.due_at
            locked.due_explanation = {
                **due.explanation,
                "calendar_change": {"date": day.isoformat(), "decision": decision},
            }
            locked.save(update_fields=["due_at", "due_explanation", "updated_at"])
            _record(
                locked,
                actor=actor,
                action="redate",
                at=timezone.now(),
                from_status=locked.status,
                agency_id=None,
                note=decision,
                due_before=due_before,
                data={"calendar_date": day.isoformat(), "decision": decision},
            )
            result.redated.append(label)
    return result
