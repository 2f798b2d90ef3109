"""Presentation helpers shared by the officials' pages, the public lookup and the PDF forms.

Nothing here writes or scopes: callers pass a dossier they were allowed to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules
from .errors import InvalidInput, NotAllowedInState
from .workflow import ACTIONS, OPEN_STATUSES, Status, Timeliness

# The refusals a user can correct on the form in front of them (state or input): views
# show their message there; the other domain errors are mapped by dossiers.middleware.
CORRECTABLE = (NotAllowedInState, InvalidInput)

# Who acts, by the permission an action needs (procedures.access.ROLE_ACTIONS). The public
# sees the agency and this role, never an official's name.
ROLE_BY_PERMISSION = {
    "receive": _("Bộ phận Tiếp nhận và Trả kết quả"),
    "return": _("Bộ phận Tiếp nhận và Trả kết quả"),
    "process": _("Chuyên viên xử lý"),
    "decide": _("Lãnh đạo cơ quan"),
}
# Events written by intake services that are not workflow actions.
EXTRA_ACTIONS = {  # (the history names an event; "Nộp hồ sơ trực tuyến" alone is the button)
    "receive": (_("Tiếp nhận hồ sơ"), "receive"),
    "submit_online": (pgettext_lazy("sự kiện", "Nộp hồ sơ trực tuyến"), None),
    "submit": (pgettext_lazy("sự kiện", "Nộp hồ sơ trực tuyến"), None),
    "rate": (_("Đánh giá mức độ hài lòng"), None),
    # Files stored with the dossier (issue 13): the role is the one recorded on the row
    # (desk scan, electronic result); without one, the applicant sent them online.
    "add_files": (_("Thêm tệp vào hồ sơ"), None),
    # The system re-dated the dossier after a change of the working calendar.
    "redate": (_("Tính lại hạn do điều chỉnh lịch làm việc"), "system"),
}
# Actions whose note is addressed to the applicant and may be shown on the public page.
PUBLIC_NOTE_ACTIONS = frozenset(
    {"guide_incomplete", "refuse_intake", "request_supplement", "apologize", "refuse"}
)


def action_label(name: str) -> str:
    if name in ACTIONS:
        return str(ACTIONS[name].label)
    if name in EXTRA_ACTIONS:
        return str(EXTRA_ACTIONS[name][0])
    return name


def action_role(name: str) -> str:
    permission = ACTIONS[name].permission if name in ACTIONS else None
    if permission is None and name in EXTRA_ACTIONS:
        permission = EXTRA_ACTIONS[name][1]
    if permission is None:
        return str(_("Người nộp hồ sơ")) if name in EXTRA_ACTIONS else ""
    return str(ROLE_BY_PERMISSION.get(permission, ""))


def event_role(event) -> str:
    """The role the actor acted in (recorded on the row since issue 11), else the role
    the action usually belongs to (older rows)."""
    from procedures.models import Membership

    data = event.data if isinstance(event.data, dict) else {}
    role = data.get("role")
    if role in Membership.Role.values:
        return str(Membership.Role(role).label)
    if data.get("paid_online"):  # recorded by the gateway's callback: the applicant paid
        return str(_("Người nộp hồ sơ (thanh toán trực tuyến)"))
    return action_role(event.action)


def status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value or ""


def judge(at: datetime | None, due: datetime | None) -> str:
    """dossiers.rules.timeliness, blank when either moment is missing (printed forms)."""
    return rules.timeliness(at, due) if at and due else ""


def timeliness_label(value: str) -> str:
    try:
        return str(Timeliness(value).label)
    except ValueError:
        return ""


@dataclass
class TimelineRow:
    at: datetime
    action: str
    label: str
    from_status: str
    to_status: str
    agency: str
    role: str
    actor: str  # empty on public pages
    note: str
    due_before: datetime | None
    due_after: datetime | None

    @property
    def due_changed(self) -> bool:
        return self.due_after is not None and self.due_after != self.due_before


def timeline(events, *, public: bool) -> list[TimelineRow]:
    """History rows in order; on public pages without names and with only notes for them."""
    rows = []
    for event in events:
        actor = ""
        if not public and event.actor_id:
            actor = rules.person_name(event.actor)
        note = event.note
        if public and event.action not in PUBLIC_NOTE_ACTIONS:
            note = ""
        rows.append(
            TimelineRow(
                at=event.at,
                action=event.action,
                label=action_label(event.action),
                from_status=status_label(event.from_status),
                to_status=status_label(event.to_status),
                agency=event.agency.name if event.agency_id else "",
                role=event_role(event),
                actor=actor,
                note=note,
                due_before=event.due_before,
                due_after=event.due_after,
            )
        )
    return rows


# The citations dossiers.calendar stores with a due time (Vietnamese), as the page shows them.
LAW_CITATIONS = {
    "Bộ luật Dân sự 2015, Điều 147, 148": _("Bộ luật Dân sự 2015, Điều 147, 148"),
    "Nghị định 61/2018/NĐ-CP, Điều 18": _("Nghị định 61/2018/NĐ-CP, Điều 18"),
}

RULE_LABELS = {
    "working_days_from_next_day": _(
        "Tính theo ngày làm việc, bắt đầu từ ngày làm việc tiếp theo ngày tiếp nhận"
    ),
    "working_hours_from_receipt": _("Tính theo giờ làm việc, từ thời điểm tiếp nhận"),
    "calendar_days_next_working_day_if_off": _(
        "Tính theo ngày; nếu ngày cuối là ngày nghỉ thì hết hạn vào ngày làm việc tiếp theo"
    ),
    "months_next_working_day_if_off": _(
        "Tính theo tháng; nếu ngày cuối là ngày nghỉ thì hết hạn vào ngày làm việc tiếp theo"
    ),
    "apology_new_appointment": _("Hẹn lại ngày trả kết quả (Mẫu 04), chỉ được hẹn lại một lần"),
    "apology": _("Hẹn lại ngày trả kết quả (Mẫu 04), chỉ được hẹn lại một lần"),
    "restart": _(
        "Tính lại từ đầu kể từ khi nhận đủ hồ sơ bổ sung (Nghị định 61/2018, Điều 19 khoản 4)"
    ),
    "pause": _("Thời gian chờ bổ sung hồ sơ không tính vào thời hạn giải quyết"),
    "supplement_pause": _("Thời gian chờ bổ sung hồ sơ không tính vào thời hạn giải quyết"),
}


def _when(value) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _day(value) -> str:
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def explanation(dossier) -> dict:
    return explanation_of(dossier.due_explanation)


def _moment(value):
    try:
        return timezone.localtime(datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return None


def _long_day(value) -> str:
    """A date with its weekday, in the reader's language (Django's date formats)."""
    from django.utils import formats

    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return formats.date_format(day, "l, d/m/Y")


UNIT_LABELS = {
    "working_days": _("ngày làm việc"),
    "calendar_days": _("ngày (tính cả ngày nghỉ)"),
    "working_hours": _("giờ làm việc"),
    "months": _("tháng (tính cả ngày nghỉ)"),
}
WEEKEND_REASONS = {"Thứ Bảy": _("Thứ Bảy"), "Chủ nhật": _("Chủ nhật")}


def fact_lines(raw: dict) -> list[str]:
    """The explanation's sentences, written now in the reader's language from the facts
    the engine stored (received_at, start_reason, cutoff, unit, value, first/nominal/last
    day, skipped counts, due_at). Empty when the facts are missing (older rows)."""
    received, due = _moment(raw.get("received_at")), _moment(raw.get("due_at"))
    unit = raw.get("unit")
    if received is None or due is None or unit not in UNIT_LABELS:
        return []
    lines = [
        str(_("Tiếp nhận lúc %(time)s ngày %(day)s."))
        % {"time": received.strftime("%H:%M"), "day": _long_day(received.date().isoformat())}
    ]
    if raw.get("start_reason") == "after_cutoff":
        lines.append(
            str(
                _(
                    "Tiếp nhận sau %(cutoff)s: tính từ ngày làm việc tiếp theo (Nghị định "
                    "61/2018/NĐ-CP, Điều 18)."
                )
            )
            % {"cutoff": str(raw.get("cutoff") or "")[:5]}
        )
    value = str(raw.get("value") or "").removesuffix(".0")
    period = {"value": value, "unit": str(UNIT_LABELS[unit])}
    if unit == "working_hours":
        start = _moment(raw.get("start")) or received
        lines.append(
            str(_("Thời hạn %(value)s %(unit)s, tính từ %(start)s, chỉ trong giờ làm việc."))
            % {**period, "start": start.strftime("%H:%M %d/%m/%Y")}
        )
    elif raw.get("first_day"):
        lines.append(
            str(_("Thời hạn %(value)s %(unit)s, bắt đầu từ %(first)s."))
            % {**period, "first": _long_day(raw["first_day"])}
        )
    nominal, last = raw.get("nominal_last_day"), raw.get("last_day")
    if nominal and last and nominal != last:
        lines.append(
            str(
                _(
                    "Ngày cuối theo lịch (%(nominal)s) là ngày nghỉ: thời hạn kết thúc vào ngày "
                    "làm việc tiếp theo (Bộ luật Dân sự 2015, Điều 148)."
                )
            )
            % {"nominal": _long_day(nominal)}
        )
    weekend, other = raw.get("skipped_weekend_days") or 0, raw.get("skipped_other_days") or 0
    if unit == "working_days" and (weekend or other):
        lines.append(
            str(_("Không tính %(weekend)s ngày nghỉ cuối tuần và %(other)s ngày nghỉ lễ, Tết."))
            % {"weekend": weekend, "other": other}
        )
    change = raw.get("calendar_change")
    if isinstance(change, dict) and change.get("date"):
        lines.append(
            str(_("Hạn được tính lại do lịch làm việc ngày %(day)s được điều chỉnh."))
            % {"day": _long_day(change["date"])}
        )
    lines.append(
        str(_("Hạn trả kết quả: %(time)s ngày %(day)s."))
        % {"time": due.strftime("%H:%M"), "day": _long_day(due.date().isoformat())}
    )
    return lines


def explanation_of(raw) -> dict:
    """The deadline engine's JSON explanation (dossiers.calendar), ready for templates.

    The engine stores facts (rule code, moments, unit, counts, skipped days, legal basis);
    the sentences are written here, at display time, in the reader's language (fact_lines).
    Rows stored before that carry Vietnamese sentences ("lines"), shown as they are.
    Anything unknown is ignored, never shown raw.
    """
    raw = raw or {}
    if not isinstance(raw, dict):
        return {"rule": "", "lines": [str(raw)], "skipped": [], "law": []}
    rule = raw.get("rule") or ""
    skipped = []
    for item in raw.get("skipped") or []:
        if isinstance(item, dict):
            reason = item.get("reason", "")
            reason = str(WEEKEND_REASONS.get(reason, reason))
            skipped.append({"date": _day(item.get("date", "")), "reason": reason})
        else:
            skipped.append({"date": _day(item), "reason": ""})
    law = raw.get("law") or []
    if isinstance(law, str):
        law = [law]
    lines = fact_lines(raw) or raw.get("lines") or []
    if isinstance(lines, str):
        lines = [lines]
    previous = raw.get("previous")
    if rule == "apology" and isinstance(previous, dict):
        # An apology keeps the earlier explanation: show the move, then how it was counted.
        moved = str(_("Hạn trả %(old)s được hẹn lại thành %(new)s.")) % {
            "old": _when(raw.get("old_due_at")),
            "new": _when(raw.get("new_due_at")),
        }
        earlier = explanation_of(previous)
        lines = [moved, *earlier["lines"]]
        skipped = skipped or earlier["skipped"]
        law = law or earlier["law"]
    return {
        "rule": str(RULE_LABELS.get(rule, "")),
        "lines": [str(line) for line in lines],
        "skipped": skipped,
        "law": [str(LAW_CITATIONS.get(x, x)) for x in law],
        "weekend_days": raw.get("skipped_weekend_days"),
    }


# The one overdue rule (also Dossier.is_overdue and rules.overdue_q for queries).
is_overdue = rules.is_overdue


def days_left(dossier, now: datetime | None = None, calendar=None) -> int | None:
    """Days until the due date in the unit of the dossier's limit: working days for
    working-day (and working-hour) limits, calendar days otherwise; negative when overdue.

    None without a running deadline: no due time, closed, or the clock stopped while the
    dossier waits for the applicant's supplement (rules.CLOCK_STOPPED_STATUSES), whose due
    time is replaced when the papers arrive. Pass `calendar` (calendar_store.get_calendar)
    when presenting many rows.
    """
    if dossier.due_at is None or dossier.status not in OPEN_STATUSES:
        return None
    if dossier.status in rules.CLOCK_STOPPED_STATUSES:
        return None
    today = rules.local_date(now or timezone.now())
    due_day = rules.local_date(dossier.due_at)
    if dossier.limit_unit in {"working_days", "working_hours"}:
        if calendar is None:
            from .calendar_store import get_calendar

            calendar = get_calendar()
        if due_day >= today:
            return calendar.count_working_days(today, due_day)
        return -calendar.count_working_days(due_day, today)
    return (due_day - today).days


@dataclass
class Deadline:
    """What a page says about a dossier's deadline now."""

    overdue: bool
    # Waiting for the applicant: the period is stopped and restarts (or resumes) when the
    # complete papers arrive (Decree 61/2018 art. 19(4)).
    stopped: bool
    left: int | None
    working: bool  # `left` counts working days

    @property
    def unit_label(self) -> str:
        return (
            str(_("ngày làm việc"))
            if self.working
            else str(pgettext_lazy("đơn vị thời hạn", "ngày"))
        )


def deadline(dossier, now: datetime | None = None, calendar=None) -> Deadline:
    """The deadline as pages show it (officials' detail, worklist, public lookup)."""
    return Deadline(
        overdue=rules.is_overdue(dossier, now),
        stopped=dossier.status in rules.CLOCK_STOPPED_STATUSES,
        left=days_left(dossier, now, calendar),
        working=dossier.limit_unit in {"working_days", "working_hours"},
    )
