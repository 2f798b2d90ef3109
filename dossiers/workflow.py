"""Dossier statuses and the one map of allowed transitions.

Statuses follow the practice of Vietnamese one-stop systems (DOMAIN §5); the legal article
that justifies each edge stands beside it. A transition not in the map raises
NotAllowedInState (dossiers.errors), which pages and the API show as a message (409).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .errors import InvalidInput, NotAllowedInState


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp trực tuyến, chờ tiếp nhận")
    INCOMPLETE = "incomplete", _("Hướng dẫn bổ sung khi tiếp nhận")
    INTAKE_REFUSED = "intake_refused", _("Từ chối tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    PROCESSING = "processing", _("Đang giải quyết")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Chờ bổ sung hồ sơ")
    AWAITING_FEE = "awaiting_fee", _("Chờ nộp phí, lệ phí")
    TRANSFERRED = "transferred", _("Đang chuyển cơ quan phối hợp")
    SUSPENDED = "suspended", _("Tạm dừng")
    RESULT_READY = "result_ready", _("Đã có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    WITHDRAWN = "withdrawn", _("Công dân rút hồ sơ")


# Statuses in which the legal clock may run and a dossier can be overdue.
OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_FEE,
        Status.TRANSFERRED,
        Status.SUSPENDED,
    }
)
# Settled: the result exists (timeliness is fixed at RESULT_READY).
SETTLED_STATUSES = frozenset({Status.RESULT_READY, Status.RETURNED})
# Never accepted: no code, no deadline.
NOT_ACCEPTED_STATUSES = frozenset({Status.SUBMITTED, Status.INCOMPLETE, Status.INTAKE_REFUSED})
CLOSED_STATUSES = frozenset({Status.RETURNED, Status.REFUSED, Status.WITHDRAWN})
# Open statuses whose clock runs, so the dossier can be *overdue* (due_at < now). While the
# applicant is asked for a supplement the agency's period does not run (Decree 61/2018
# art. 19(4): it restarts, or under the pause rule it is stopped), so that status is out.
# Overdue is derived (dossiers.rules.overdue_q), never stored.
CLOCK_RUNNING_STATUSES = OPEN_STATUSES - {Status.SUPPLEMENT_REQUESTED}
# What officials still have to act on: waiting for acceptance, open, or result not yet
# returned (the worklist; partial indexes of Dossier cover exactly these).
WORKLIST_STATUSES = frozenset(Status.values) - CLOSED_STATUSES - {Status.INTAKE_REFUSED}


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class TransitionNotAllowed(NotAllowedInState):
    """A lifecycle action that the dossier's status (or the law) does not allow (409).

    Kept as the name older code catches; new code raises the types of dossiers.errors.
    """


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    # None: the status does not change (e.g. an apology only moves the due date).
    target: str | None
    # Which permission of procedures.access.ROLE_ACTIONS the action needs.
    permission: str
    legal_basis: str = ""


def _a(name, label, sources, target, permission, legal_basis=""):
    return Action(name, label, frozenset(sources), target, permission, legal_basis)


S = Status
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        # Intake (Decree 61/2018 art. 18; Circular 01/2018 forms 01-03).
        _a(
            "accept",
            # The verb ("Receive"); the bare msgid is the figure in charts ("Received").
            pgettext_lazy("thao tác", "Tiếp nhận"),
            [S.SUBMITTED, S.INCOMPLETE],
            S.RECEIVED,
            "receive",
            "NĐ 61/2018 Điều 18",
        ),
        _a(
            "guide_incomplete",
            _("Hướng dẫn bổ sung (Mẫu 02)"),
            [S.SUBMITTED],
            S.INCOMPLETE,
            "receive",
            "NĐ 61/2018 Điều 18; TT 01/2018 Mẫu 02",
        ),
        _a(
            "refuse_intake",
            _("Từ chối tiếp nhận (Mẫu 03)"),
            [S.SUBMITTED, S.INCOMPLETE],
            S.INTAKE_REFUSED,
            "receive",
            "TT 01/2018 Mẫu 03",
        ),
        # Processing.
        _a("start_processing", _("Chuyển xử lý"), [S.RECEIVED], S.PROCESSING, "process"),
        # Internal processing: the leader names the specialist, and where the procedure
        # needs the leader's decision signs off the result before it is ready.
        _a(
            "assign",
            _("Giao chuyên viên xử lý"),
            [S.RECEIVED, S.PROCESSING],
            S.PROCESSING,
            "decide",
        ),
        _a("sign_off", _("Lãnh đạo phê duyệt kết quả"), [S.PROCESSING], None, "decide"),
        _a(
            "request_supplement",
            _("Yêu cầu bổ sung (Mẫu 02)"),
            [S.RECEIVED, S.PROCESSING],
            S.SUPPLEMENT_REQUESTED,
            "process",
            "NĐ 61/2018 Điều 19 khoản 4",
        ),
        _a(
            "receive_supplement",
            _("Nhận hồ sơ bổ sung"),
            [S.SUPPLEMENT_REQUESTED],
            S.PROCESSING,
            "receive",
            "NĐ 61/2018 Điều 19 khoản 4",
        ),
        _a("request_fee", _("Yêu cầu nộp phí, lệ phí"), [S.PROCESSING], S.AWAITING_FEE, "process"),
        _a("record_fee_paid", _("Xác nhận đã nộp phí"), [S.AWAITING_FEE], S.PROCESSING, "receive"),
        # Fees collected when the result is returned [practice]: one-stop desks take the fee
        # either at intake or when they hand over the result (DOMAIN §5 lists "waiting for
        # fee payment" before the result; provincial systems also ask for it once the result
        # is ready). The status stays "result ready"; the result is returned (and its
        # electronic copy released to the applicant) only once the fee is paid
        # (dossiers.rules.fee_outstanding). The desk returns results under Decree 61/2018
        # art. 20 [law; the article on fees not checked].
        _a(
            "request_fee_on_return",
            _("Yêu cầu nộp phí, lệ phí khi trả kết quả"),
            [S.RESULT_READY],
            None,
            "return",
            "Thực tiễn thu phí, lệ phí khi trả kết quả; NĐ 61/2018 Điều 20",
        ),
        _a(
            "record_fee_paid_on_return",
            _("Xác nhận đã nộp phí khi trả kết quả"),
            [S.RESULT_READY],
            None,
            "return",
            "Thực tiễn thu phí, lệ phí khi trả kết quả; NĐ 61/2018 Điều 20",
        ),
        _a(
            "transfer",
            _("Chuyển cơ quan phối hợp"),
            [S.PROCESSING],
            S.TRANSFERRED,
            "process",
            "NĐ 61/2018 Điều 21 (liên thông)",
        ),
        _a(
            "transfer_back",
            _("Nhận lại từ cơ quan phối hợp"),
            [S.TRANSFERRED],
            S.PROCESSING,
            "process",
            "NĐ 61/2018 Điều 21",
        ),
        _a("suspend", _("Tạm dừng"), [S.PROCESSING], S.SUSPENDED, "decide"),
        _a("resume", _("Tiếp tục xử lý"), [S.SUSPENDED], S.PROCESSING, "decide"),
        _a(
            "apologize",
            _("Xin lỗi và hẹn lại (Mẫu 04)"),
            [S.RECEIVED, S.PROCESSING, S.TRANSFERRED, S.AWAITING_FEE, S.SUSPENDED],
            None,
            "process",
            "NĐ 61/2018 Điều 19 khoản 5; TT 01/2018 Mẫu 04",
        ),
        # Also when the applicant never brings the supplement, or after a suspension. Not
        # while transferred: a coordinating agency contributes its part (art. 21) and the
        # competent agency takes the dossier back before it refuses.
        _a(
            "refuse",
            _("Từ chối giải quyết"),
            [
                S.RECEIVED,
                S.PROCESSING,
                S.SUPPLEMENT_REQUESTED,
                S.AWAITING_FEE,
                S.SUSPENDED,
            ],
            S.REFUSED,
            "decide",
            "NĐ 61/2018 Điều 19",
        ),
        _a(
            "withdraw",
            _("Công dân rút hồ sơ"),
            [
                S.SUBMITTED,
                S.INCOMPLETE,
                S.RECEIVED,
                S.PROCESSING,
                S.SUPPLEMENT_REQUESTED,
                S.AWAITING_FEE,
                S.SUSPENDED,
            ],
            S.WITHDRAWN,
            "receive",
        ),
        _a(
            "mark_result_ready",
            _("Có kết quả"),
            [S.RECEIVED, S.PROCESSING],
            S.RESULT_READY,
            "process",
            "TT 01/2018 chỉ số 1",
        ),
        _a(
            "return_result",
            _("Trả kết quả"),
            [S.RESULT_READY],
            S.RETURNED,
            "return",
            "NĐ 61/2018 Điều 20",
        ),
    ]
}


def get_action(name: str) -> Action:
    try:
        return ACTIONS[name]
    except KeyError:
        raise InvalidInput(_("Thao tác không tồn tại: %(name)s") % {"name": name}) from None


def check_transition(action_name: str, status: str) -> Action:
    """Return the action if it is allowed from status, else raise TransitionNotAllowed."""
    action = get_action(action_name)
    if status not in action.sources:
        raise TransitionNotAllowed(
            _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": action.label, "status": Status(status).label}
        )
    return action


def allowed_actions(status: str) -> list[Action]:
    return [a for a in ACTIONS.values() if status in a.sources]
