"""The dossier rules, each written once: who acts for which agency, overdue, timeliness,
the apology window and the supplement window.

Pages, the API, serializers, admin, the indicators (ORM and SQL) and the services all ask
this module; nothing else restates a rule. The statuses and the map of transitions are in
dossiers.workflow; how each action changes a dossier is in dossiers.lifecycle; the deadline
arithmetic is in dossiers.calendar (through dossiers.clock).

Decree 61/2018 (NĐ 61/2018/NĐ-CP) and Circular 01/2018 (TT 01/2018/TT-VPCP) are cited
next to each rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hanoi_cchc.names import display_name

from .workflow import (
    ACTIONS,
    CLOCK_RUNNING_STATUSES,
    OPEN_STATUSES,
    Action,
    Status,
    Timeliness,
)

# Open statuses whose legal clock is stopped: waiting for the applicant's supplement
# (Decree 61/2018 art. 19(4)). Such a dossier is never overdue on a stale due time.
CLOCK_STOPPED_STATUSES = OPEN_STATUSES - CLOCK_RUNNING_STATUSES


def local_tz() -> ZoneInfo:
    """Hanoi time, the one time zone of every date rule (settings.TIME_ZONE)."""
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime):
    return moment.astimezone(local_tz()).date()


# --- overdue ---------------------------------------------------------------------------


def is_overdue(dossier, now: datetime | None = None) -> bool:
    """Open, clock running and past its due time now (DOMAIN §6). Derived, never stored."""
    now = now or timezone.now()
    return (
        dossier.status in CLOCK_RUNNING_STATUSES
        and dossier.due_at is not None
        and dossier.due_at < now
    )


def overdue_q(now: datetime | None = None) -> Q:
    """is_overdue as a query condition."""
    return Q(status__in=CLOCK_RUNNING_STATUSES, due_at__lt=now or timezone.now())


def overdue_if_open_q(at: datetime, *, status_field: str, due_field: str) -> Q:
    """Overdue at `at`, for a dossier already known to be open then (the indicators decide
    "open at a month's end" from dates and ask this of its status and due time as they
    stood): its clock was not stopped and its due time had passed."""
    return ~clock_stopped_q(status_field) & Q(**{f"{due_field}__lt": at})


def overdue_if_open_sql(status: str, due: str, at: str) -> str:
    """overdue_if_open_q as an SQL condition over the given expressions (raw SQL builders)."""
    return f"(NOT {clock_stopped_sql(status)} AND {due} < {at})"


def clock_stopped_q(status_field: str = "status") -> Q:
    """The dossiers whose clock is stopped now (waiting for the applicant)."""
    return Q(**{f"{status_field}__in": CLOCK_STOPPED_STATUSES})


def clock_stopped_sql(column: str = "status") -> str:
    """clock_stopped_q as an SQL condition on `column` (for the raw SQL builders)."""
    values = ", ".join(f"'{s}'" for s in sorted(CLOCK_STOPPED_STATUSES))
    return f"({column} IN ({values}))"


# --- timeliness ------------------------------------------------------------------------


def timeliness(done_at: datetime | None, due_at: datetime | None) -> str:
    """Early, on time or late, compared at *date* granularity in Hanoi time.

    Circular 01/2018 indicator 1 and the monthly reports compare the day the result is ready
    with the appointment day, not the minute: a result ready on the appointment day is on
    time whatever the hour, one ready the day before is early. No due time: on time.
    """
    if due_at is None:
        return Timeliness.ON_TIME
    if done_at is None:
        return ""
    done_day, due_day = local_date(done_at), local_date(due_at)
    if done_day < due_day:
        return Timeliness.EARLY
    if done_day == due_day:
        return Timeliness.ON_TIME
    return Timeliness.LATE


# --- who acts for which agency ---------------------------------------------------------


def open_transfer(dossier):
    """The hand-off to a coordinating agency not yet returned, if any."""
    return dossier.transfers.filter(returned_at__isnull=True).order_by("-sent_at", "-id").first()


def acting_agencies(action: Action, dossier) -> list[int]:
    """Which agencies' roles may perform `action` on `dossier`, in order of preference.

    - The one-stop desk of the receiving agency receives, collects and returns even while
      another agency holds the dossier (Decree 61/2018 art. 18, 20); so may the agency
      holding it now.
    - The apology (form 04) is the competent agency's, the one that received the dossier
      and gave the appointment (art. 19(5)): never the coordinating agency's.
    - A transfer comes back sent by the coordinating agency, or taken back by the agency
      that sent it (art. 21): the *open* transfer's sender, not every past sender.
    - Processing and decisions belong to the agency holding the dossier.
    """
    if action.permission in {"receive", "return"}:
        candidates = [dossier.agency_id, dossier.current_agency_id]
    elif action.name == "apologize":
        candidates = [dossier.agency_id]
    elif action.name == "transfer_back":
        transfer = open_transfer(dossier)
        candidates = [dossier.current_agency_id, transfer.from_agency_id if transfer else None]
    else:
        candidates = [dossier.current_agency_id]
    return [a for a in dict.fromkeys(candidates) if a is not None]


def acting_agency(scope, action: Action, dossier) -> int | None:
    """The agency the user (by `scope`) would act for, or None when no role allows it."""
    for agency_id in acting_agencies(action, dossier):
        if scope.can(action.permission, agency_id):
            return agency_id
    return None


# --- the apology window ----------------------------------------------------------------


def apology_latest_new_due(dossier) -> datetime | None:
    """The latest new appointment an apology may give, or None when unbounded.

    Decree 61/2018 art. 19(5) sets no figure, but an appointment with no bound (9999-12-31
    was accepted) takes a dossier out of the on-time figures forever. The bound is the
    setting APOLOGY_MAX_FACTOR times the dossier's own limit, counted again from the current
    due time in the limit's unit (default 1: no more than the limit once more); 0 disables it.
    """
    from . import clock

    factor = Decimal(str(getattr(settings, "APOLOGY_MAX_FACTOR", 1)))
    if factor <= 0 or dossier.due_at is None or not dossier.limit_value:
        return None
    due = clock.compute(
        agency=dossier.agency,
        start=dossier.due_at,
        value=Decimal(dossier.limit_value) * factor,
        unit=dossier.limit_unit,
        apply_cutoff=False,
    )
    return due.due_at


def apology_refusal(dossier, now: datetime | None = None) -> str | None:
    """Why form 04 cannot be made now for this dossier, or None while it can.

    Once only (Apology is one-to-one), and at least one day before the due DATE counted in
    Hanoi dates (Decree 61/2018 art. 19(5)): an apology on the eve of the appointment day
    is in time whatever the hour.
    """
    if getattr(dossier, "apology", None) is not None:
        return _("Hồ sơ đã được xin lỗi và hẹn lại một lần; chỉ được hẹn lại một lần.")
    if dossier.due_at is None:
        return _("Hồ sơ chưa có hạn trả kết quả.")
    today = local_date(now or timezone.now())
    if today > local_date(dossier.due_at) - timedelta(days=1):
        return _(
            "Phiếu xin lỗi và hẹn lại phải gửi chậm nhất 01 ngày trước hạn trả kết quả "
            "(Nghị định 61/2018, Điều 19)."
        )
    return None


def new_due_refusal(dossier, new_due_at: datetime) -> str | None:
    """Why `new_due_at` cannot be the apology's new appointment, or None."""
    from . import clock

    if new_due_at <= dossier.due_at:
        return _("Ngày hẹn mới phải sau hạn trả kết quả hiện tại.")
    if not clock.is_working_day(new_due_at):
        return _("Ngày hẹn mới phải là ngày làm việc.")
    latest = apology_latest_new_due(dossier)
    if latest is not None and local_date(new_due_at) > local_date(latest):
        return _(
            "Ngày hẹn mới không được sau %(latest)s (không quá thêm một lần thời hạn giải "
            "quyết của thủ tục)."
        ) % {"latest": local_date(latest).strftime("%d/%m/%Y")}
    return None


# --- the supplement window -------------------------------------------------------------


def supplement_refusal(dossier, now: datetime | None = None) -> str | None:
    """Why a supplement can no longer be asked after appraisal, or None while it can.

    Once, fully, and within procedure.supplement_request_days working days of receipt (3
    unless the procedure's own law allows longer; Decree 61/2018 art. 19(4)), counted from
    the day the dossier counts as received: a paper dossier handed in after the cut-off is
    received the next working day (art. 18), and so is its window.
    """
    from . import clock

    if dossier.supplements.filter(at_intake=False).exists():
        return _("Hồ sơ đã được yêu cầu bổ sung một lần; chỉ được yêu cầu bổ sung một lần.")
    start = dossier.clock_started_at or dossier.received_at
    if start is None:
        return None
    limit = dossier.procedure.supplement_request_days
    elapsed = clock.working_days_since(start, now or timezone.now())
    if elapsed > limit:
        return _(
            "Đã quá %(limit)s ngày làm việc kể từ ngày tiếp nhận (đã %(elapsed)s ngày): "
            "không được yêu cầu bổ sung hồ sơ (Nghị định 61/2018, Điều 19)."
        ) % {"limit": limit, "elapsed": elapsed}
    return None


# --- intake: the applicant, the papers, the procedure in force, the cut-off -----------

ID_RE = re.compile(r"^(\d{9}|\d{12})$")
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")


def normalise_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "")


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def applicant_errors(applicant: dict, *, receiving: bool) -> dict[str, list[str]]:
    """Per-field errors of an applicant, the desk form's and the API's alike.

    The citizen's full lookup is secured by the last 4 digits of the phone or the ID
    number, so a received dossier needs at least one of them, well formed.
    """
    errors: dict[str, list[str]] = {}
    name = " ".join(str(applicant.get("name") or "").split())
    if len(name) < 2:
        errors["name"] = [_("Cần nhập họ tên người nộp hồ sơ.")]
    id_number = normalise_id_number(str(applicant.get("id_number") or ""))
    if id_number and not ID_RE.match(id_number):
        errors["id_number"] = [_("Số định danh / CCCD gồm 12 chữ số (CMND cũ: 9 chữ số).")]
    phone = normalise_phone(str(applicant.get("phone") or ""))
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [_("Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0 hoặc +84).")]
    if receiving and not (phone or id_number) and not errors.keys() & {"phone", "id_number"}:
        errors["phone"] = [
            _("Cần ít nhất số điện thoại hoặc số định danh để người nộp tra cứu hồ sơ.")
        ]
    return errors


def missing_documents(procedure, documents: list[dict]) -> list:
    """The procedure's mandatory documents not among `documents` (matched by name)."""
    received = {str(d.get("name") or "").strip() for d in documents or []}
    return [d for d in procedure.required_documents.all() if d.mandatory and d.name not in received]


def procedure_lapse(procedure, day) -> str | None:
    """Why `procedure` cannot be received on `day` (outside its validity), or None.

    A procedure abolished or replaced by a later decision no longer applies; the desk is
    told which procedure replaces it, when the catalogue knows.
    """
    if procedure.is_valid_on(day):
        return None
    if procedure.valid_from and day < procedure.valid_from:
        return _("Thủ tục này chỉ có hiệu lực từ ngày %(day)s.") % {
            "day": procedure.valid_from.strftime("%d/%m/%Y")
        }
    successor = procedure.successor
    if successor is not None:
        return _(
            "Thủ tục này hết hiệu lực từ ngày %(day)s; hãy tiếp nhận theo thủ tục thay thế: "
            "%(code)s – %(name)s."
        ) % {
            "day": (procedure.valid_to + timedelta(days=1)).strftime("%d/%m/%Y"),
            "code": successor.national_code,
            "name": successor.name,
        }
    return _("Thủ tục này hết hiệu lực từ ngày %(day)s.") % {
        "day": (procedure.valid_to + timedelta(days=1)).strftime("%d/%m/%Y")
    }


def cutoff_applies(channel: str) -> bool:
    """Whether papers received through `channel` after the cut-off count from the next
    working day (Decree 61/2018 art. 18 speaks of papers received at the desk; which
    channels it covers is the setting RECEIPT_CUTOFF_CHANNELS). The one rule for every
    receipt of papers: intake, acceptance of an online dossier, and supplements."""
    return channel in settings.RECEIPT_CUTOFF_CHANNELS


# --- people ---------------------------------------------------------------------------


def person_name(user) -> str:
    """A person's name in Vietnamese order, family name first: hanoi_cchc.names."""
    return display_name(user)


# The role recorded for an action, when the actor holds several where they act: the most
# specific role that grants the permission.
ROLE_PREFERENCE = ("specialist", "desk", "leader")


def role_acted(scope, permission: str, agency_id: int | None) -> str:
    """The role (procedures Membership.Role) in which the user acted for `agency_id`."""
    from procedures.access import ROLE_ACTIONS

    if agency_id is None:
        return ""
    roles = scope.roles_by_agency.get(agency_id, frozenset())
    for role in ROLE_PREFERENCE:
        if role in roles and permission in ROLE_ACTIONS[role]:
            return role
    return ""


# --- what a user may do now ------------------------------------------------------------

# --- fees collected when the result is returned ------------------------------------------


def fee_outstanding(dossier) -> bool:
    """A fee was asked for and is not paid yet (neither online nor at the desk).

    While it is, the result is not handed over: the desk does not return it and the
    applicant's download of the electronic result waits [practice: fees collected when the
    result is returned, see dossiers.workflow request_fee_on_return].
    """
    return bool(dossier.fee_amount) and dossier.fee_paid_at is None


def fee_request_refusal(dossier, now: datetime | None = None) -> str | None:
    """Why the fee may not be asked for when the result is returned, or None."""
    if dossier.fee_paid_at is not None:
        return _("Người nộp hồ sơ đã nộp phí, lệ phí cho hồ sơ này.")
    return None


def fee_paid_refusal(dossier, now: datetime | None = None) -> str | None:
    """Why a fee payment may not be recorded at the return of the result, or None."""
    if not fee_outstanding(dossier):
        return _("Hồ sơ không có khoản phí, lệ phí chờ nộp.")
    return None


def return_refusal(dossier, now: datetime | None = None) -> str | None:
    """Why the result may not be returned yet, or None."""
    if fee_outstanding(dossier):
        return _("Người nộp hồ sơ chưa nộp phí, lệ phí: xác nhận đã nộp phí trước khi trả kết quả.")
    return None


# The windows of the law (or of practice) that decide whether an action allowed by the
# status is offered.
WINDOWS = {
    "apologize": apology_refusal,
    "request_fee_on_return": fee_request_refusal,
    "record_fee_paid_on_return": fee_paid_refusal,
    "return_result": return_refusal,
}


def actions_for(scope, dossier, now: datetime | None = None) -> list[Action]:
    """Actions the workflow allows now, the user's roles permit for the acting agency, and
    whose window of the law is open. Pages and the API offer exactly these; the services
    check the same rules again when the action is performed."""
    out = []
    for action in ACTIONS.values():
        if dossier.status not in action.sources:
            continue
        if acting_agency(scope, action, dossier) is None:
            continue
        window = WINDOWS.get(action.name)
        if window is not None and window(dossier, now) is not None:
            continue
        out.append(action)
    return out


# --- who acts next ---------------------------------------------------------------------

# The step that moves each status forward (not the exceptional ones every open status
# allows: refusal, withdrawal, apology). Officials who cannot take it are told who can.
NEXT_ACTIONS: dict[str, tuple[str, ...]] = {
    Status.SUBMITTED: ("accept",),
    Status.INCOMPLETE: ("accept",),
    Status.RECEIVED: ("assign", "start_processing"),
    Status.PROCESSING: ("mark_result_ready",),
    # The desk of the receiving agency records what the applicant brings (art. 19(4)) and
    # the payment of the fee.
    Status.SUPPLEMENT_REQUESTED: ("receive_supplement",),
    Status.AWAITING_FEE: ("record_fee_paid",),
    # The coordinating agency sends it back (art. 21).
    Status.TRANSFERRED: ("transfer_back",),
    Status.SUSPENDED: ("resume",),
    # The desk hands the result over (art. 20).
    Status.RESULT_READY: ("return_result",),
}
# What the applicant must do first, in the statuses that wait for them.
APPLICANT_PARTS = {
    Status.INCOMPLETE: _lazy(
        "Người nộp hồ sơ hoàn thiện hồ sơ theo Phiếu yêu cầu bổ sung (Mẫu 02)."
    ),
    Status.SUPPLEMENT_REQUESTED: _lazy(
        "Người nộp hồ sơ mang giấy tờ bổ sung đến theo Phiếu yêu cầu bổ sung (Mẫu 02)."
    ),
    Status.AWAITING_FEE: _lazy("Người nộp hồ sơ đóng phí, lệ phí."),
    Status.RESULT_READY: _lazy("Người nộp hồ sơ đến nhận kết quả."),
}


@dataclass(frozen=True)
class NextStep:
    """One step that moves a dossier on: an action and the agency whose role takes it, or
    (action None) the applicant's part."""

    action: Action | None
    agency_id: int | None = None
    applicant_part: str = ""


def next_steps(dossier) -> list[NextStep]:
    """Who acts next on the dossier and on what, in order; empty once it is closed.

    In processing, a dossier nobody is assigned to waits for the leader; where the
    procedure needs the leader's decision and the result is not signed off, the leader
    signs it off (the specialist prepares it).
    """
    names = NEXT_ACTIONS.get(dossier.status, ())
    if dossier.status == Status.PROCESSING:
        if dossier.assignee_id is None:
            names = ("assign", "mark_result_ready")
        elif dossier.procedure.needs_leader_decision and dossier.signed_off_at is None:
            names = ("mark_result_ready", "sign_off")
    steps = []
    if dossier.status in APPLICANT_PARTS:
        steps.append(NextStep(None, applicant_part=APPLICANT_PARTS[dossier.status]))
    for name in names:
        action = ACTIONS[name]
        agencies = acting_agencies(action, dossier)
        steps.append(NextStep(action, agencies[0] if agencies else None))
    return steps


__all__ = [
    "CLOCK_STOPPED_STATUSES",
    "Status",
    "acting_agencies",
    "acting_agency",
    "actions_for",
    "apology_latest_new_due",
    "apology_refusal",
    "clock_stopped_q",
    "clock_stopped_sql",
    "fee_outstanding",
    "fee_paid_refusal",
    "fee_request_refusal",
    "is_overdue",
    "local_tz",
    "next_steps",
    "new_due_refusal",
    "open_transfer",
    "overdue_q",
    "return_refusal",
    "supplement_refusal",
    "timeliness",
]
