"""What each workflow action does to a locked dossier, beyond its change of status.

Called only by dossiers.services, inside its transaction and after the status and the
actor's permission were checked. Each handler mutates the dossier (the service saves it),
creates the action's own rows (SupplementRequest, Transfer, Apology) and returns the data
stored on the history row; a "note" key is prepended to the row's note. A rule of law that
forbids the action raises NotAllowedInState; bad input raises InvalidInput (dossiers.errors).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from procedures.models import Agency, TimeUnit

from . import clock, rules, worklist_search
from .codes import assign_code
from .errors import InvalidInput, NotAllowedInState
from .models import Apology, Dossier, SupplementRequest, Transfer


def _required(text, message: str) -> str:
    text = str(text or "").strip()
    if not text:
        raise InvalidInput(message)
    return text


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


open_transfer = rules.open_transfer


# --- intake ----------------------------------------------------------------------------


def check_receivable(dossier: Dossier, *, at: datetime) -> None:
    """What receiving needs (Decree 61/2018 art. 18): the procedure in force that day, every
    mandatory document actually received, and an applicant who can follow the dossier."""
    lapse = rules.procedure_lapse(dossier.procedure, rules.local_date(at))
    if lapse:
        raise NotAllowedInState(lapse, fields={"procedure": [lapse]})
    missing = rules.missing_documents(dossier.procedure, dossier.documents)
    if missing:
        message = _(
            "Hồ sơ còn thiếu giấy tờ bắt buộc: %(names)s. Hãy nhận đủ, hoặc hướng dẫn bổ sung "
            "(Mẫu 02)."
        ) % {"names": "; ".join(d.name for d in missing)}
        raise InvalidInput(message, fields={"documents": [message]})
    applicant = {
        "name": dossier.applicant_name,
        "phone": dossier.applicant_phone,
        "id_number": dossier.applicant_id_number,
    }
    errors = rules.applicant_errors(applicant, receiving=True)
    if errors:
        raise InvalidInput(
            _("Thông tin người nộp chưa hợp lệ."),
            fields={"applicant": errors},
        )


def accept(
    dossier: Dossier, *, at: datetime, assign: Callable[..., tuple[str, date, int]] = assign_code
) -> dict:
    """Accept the dossier: code, the limit for its channel (or the case chosen), the due time.

    Circular 01/2018 art. 19 (code); Decree 61/2018 art. 18 (paper dossiers received after
    the cut-off count from the next working day: rules.cutoff_applies by channel).
    `assign`: where the number comes from; the demo loader (dossiers.demo_play) passes its
    in-memory sequence, which follows codes.format_code and the same per-day rule.
    """
    check_receivable(dossier, at=at)
    value, unit = clock.limit_for(dossier.procedure, dossier.channel, dossier.limit_case)
    code, day, number = assign(agency=dossier.agency, received_at=at)
    due = clock.compute(
        agency=dossier.agency,
        start=at,
        value=value,
        unit=unit,
        apply_cutoff=rules.cutoff_applies(dossier.channel),
    )
    dossier.code, dossier.sequence_day, dossier.sequence = code, day, number
    worklist_search.fill(dossier)
    dossier.received_at = at
    dossier.clock_started_at = due.clock_started_at
    dossier.limit_value, dossier.limit_unit = value, unit
    dossier.due_at, dossier.due_explanation = due.due_at, due.explanation
    data = {"code": code, "limit": f"{value} {unit}"}
    if dossier.limit_case:
        data["case"] = dossier.limit_case
    return data


def _accept_action(dossier: Dossier, *, actor, at: datetime, documents=None, case=None) -> dict:
    """Receive an online or previously incomplete dossier.

    `documents`: what the applicant has handed in now (a dossier guided with form 02 comes
    back with the missing papers). The dossier records every document actually received,
    and is not received with a mandatory one missing (Decree 61/2018 art. 18).
    """
    if documents:
        known = {str(d.get("name")) for d in dossier.documents}
        dossier.documents = [
            *dossier.documents,
            *(dict(d) for d in documents if str(d.get("name")) not in known),
        ]
    if case is not None:
        dossier.limit_case = str(case or "").strip()
    data = accept(dossier, at=at)
    # The guidance given at intake is answered.
    dossier.supplements.filter(at_intake=True, received_at__isnull=True).update(received_at=at)
    if documents:
        data["documents_received"] = [str(d.get("name")) for d in documents]
    return data


def _guide_incomplete(dossier: Dossier, *, actor, at: datetime, content: str) -> dict:
    """Form 02 at intake: what is missing, told once and fully (Decree 61/2018 art. 18)."""
    content = _required(content, _("Cần ghi đầy đủ các giấy tờ còn thiếu (Mẫu 02)."))
    SupplementRequest.objects.create(
        dossier=dossier,
        requested_at=at,
        requested_by=clock_actor(actor),
        content=content,
        at_intake=True,
    )
    return {"note": content}


def _refuse_intake(dossier: Dossier, *, actor, at: datetime, reason: str) -> dict:
    """Form 03: refusal to receive, with the reason."""
    reason = _required(reason, _("Cần ghi rõ lý do từ chối tiếp nhận (Mẫu 03)."))
    dossier.closed_at = at
    return {"note": reason}


def clock_actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- processing ------------------------------------------------------------------------


def _nothing(dossier: Dossier, *, actor, at: datetime) -> dict:
    return {}


def _request_supplement(dossier: Dossier, *, actor, at: datetime, content: str) -> dict:
    """Ask for a supplement after appraisal (Decree 61/2018 art. 19(4)).

    Once, fully, and within procedure.supplement_request_days working days of receipt (3
    unless the procedure's own law allows longer). Restart rule: the period starts again
    when the complete dossier arrives; pause rule: the clock stops until then.
    """
    content = _required(content, _("Cần ghi đầy đủ nội dung yêu cầu bổ sung (Mẫu 02)."))
    refusal = rules.supplement_refusal(dossier, at)
    if refusal:
        raise NotAllowedInState(refusal)
    elapsed = clock.working_days_since(dossier.clock_started_at or dossier.received_at, at)
    SupplementRequest.objects.create(
        dossier=dossier, requested_at=at, requested_by=clock_actor(actor), content=content
    )
    rule = settings.SUPPLEMENT_CLOCK_RULE
    if rule == "pause":
        dossier.paused_at = at
    return {"note": content, "rule": rule, "working_days_after_receipt": elapsed}


def _receive_supplement(dossier: Dossier, *, actor, at: datetime, channel: str = "") -> dict:
    """The complete dossier arrives: restart the period from zero, or resume the clock.

    `channel`: how the papers came (default: the dossier's channel). Papers that arrive
    after the cut-off through a channel it covers count from the next working day, as at
    intake (rules.cutoff_applies): an online supplement at 16:30 does not.
    """
    channel = channel or dossier.channel
    request = (
        dossier.supplements.filter(at_intake=False, received_at__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    if request is not None:
        request.received_at = at
        request.save(update_fields=["received_at"])
    rule = settings.SUPPLEMENT_CLOCK_RULE
    if rule == "pause" and dossier.paused_at is not None and dossier.due_at is not None:
        due = clock.shift_for_pause(
            agency=dossier.current_agency,
            due_at=dossier.due_at,
            unit=dossier.limit_unit,
            paused_at=dossier.paused_at,
            resumed_at=at,
        )
        dossier.paused_at = None
    else:
        # Decree 61/2018 art. 19(4): the period counts again from the complete dossier.
        # A new appointment given by an apology is superseded by the restarted period.
        due = clock.compute(
            agency=dossier.agency,
            start=at,
            value=dossier.limit_value,
            unit=dossier.limit_unit,
            apply_cutoff=rules.cutoff_applies(channel),
        )
        dossier.clock_started_at = due.clock_started_at
        rule = "restart"
    dossier.due_at, dossier.due_explanation = due.due_at, {**due.explanation, "rule": rule}
    return {"rule": rule, "channel": channel}


def _request_fee(dossier: Dossier, *, actor, at: datetime, fee_amount) -> dict:
    try:
        amount = Decimal(str(fee_amount))
    except (InvalidOperation, ValueError):
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount != amount.to_integral_value():
        raise InvalidInput(_("Số tiền phí, lệ phí phải là số nguyên không âm (đồng)."))
    dossier.fee_amount = amount
    return {"fee_amount": str(amount)}


def _record_fee_paid(dossier: Dossier, *, actor, at: datetime, online: bool = False) -> dict:
    """The fee paid: at the desk (an official records it) or online (the gateway's signed
    callback, dossiers.payments; the applicant paid, recorded on the row as such)."""
    dossier.fee_paid_at = at
    data = {"fee_amount": str(dossier.fee_amount) if dossier.fee_amount is not None else None}
    return {**data, "paid_online": True} if online else data


def _request_fee_on_return(dossier: Dossier, *, actor, at: datetime, fee_amount) -> dict:
    """The fee asked for once the result is ready [practice]; the status stays."""
    refusal = rules.fee_request_refusal(dossier, at)
    if refusal:
        raise NotAllowedInState(refusal)
    return _request_fee(dossier, actor=actor, at=at, fee_amount=fee_amount)


def _record_fee_paid_on_return(
    dossier: Dossier, *, actor, at: datetime, online: bool = False
) -> dict:
    refusal = rules.fee_paid_refusal(dossier, at)
    if refusal:
        raise NotAllowedInState(refusal)
    return _record_fee_paid(dossier, actor=actor, at=at, online=online)


def _transfer(
    dossier: Dossier, *, actor, at: datetime, to_agency_id, limit_value, limit_unit
) -> dict:
    """Hand the dossier to a coordinating agency with its own sub-deadline (art. 21)."""
    try:
        to_agency = Agency.objects.get(pk=to_agency_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(_("Không tìm thấy cơ quan phối hợp.")) from None
    if not to_agency.is_valid_on(rules.local_date(at)):
        raise NotAllowedInState(_("Cơ quan phối hợp không còn hoạt động."))
    if to_agency.pk == dossier.current_agency_id:
        raise InvalidInput(_("Không thể chuyển hồ sơ cho chính cơ quan đang xử lý."))
    if limit_unit not in TimeUnit.values:
        raise InvalidInput(_("Đơn vị thời hạn không hợp lệ."))
    try:
        value = Decimal(str(limit_value))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise InvalidInput(_("Thời hạn của cơ quan phối hợp phải lớn hơn 0."))
    due = clock.compute(agency=to_agency, start=at, value=value, unit=limit_unit)
    transfer = Transfer.objects.create(
        dossier=dossier,
        from_agency_id=dossier.current_agency_id,
        to_agency=to_agency,
        sent_at=at,
        limit_value=value,
        limit_unit=limit_unit,
        due_at=due.due_at,
    )
    dossier.current_agency = to_agency
    return {
        "transfer_id": transfer.pk,
        "to_agency": to_agency.identifier_code,
        "limit": f"{value} {limit_unit}",
        "transfer_due_at": _iso(due.due_at),
        "explanation": due.explanation,
    }


def _transfer_back(dossier: Dossier, *, actor, at: datetime) -> dict:
    """The coordinating agency hands the dossier back; its part is judged on its own due."""
    transfer = open_transfer(dossier)
    if transfer is None:
        raise NotAllowedInState(_("Không có lượt chuyển cơ quan phối hợp nào đang mở."))
    transfer.returned_at = at
    transfer.timeliness = rules.timeliness(at, transfer.due_at)
    transfer.save(update_fields=["returned_at", "timeliness"])
    dossier.current_agency_id = transfer.from_agency_id
    return {"transfer_id": transfer.pk, "transfer_timeliness": transfer.timeliness}


def _apologize(dossier: Dossier, *, actor, at: datetime, reason: str, new_due_at) -> dict:
    """Form 04: apology with a new appointment (Decree 61/2018 art. 19(5)).

    The window and the bound of the new appointment are dossiers.rules' (apology_refusal,
    new_due_refusal); only the competent agency apologises (rules.acting_agencies). The new
    appointment is what timeliness is judged against afterwards [practice].
    """
    reason = _required(reason, _("Cần ghi rõ lý do chậm trả kết quả (Mẫu 04)."))
    refusal = rules.apology_refusal(dossier, at)
    if refusal:
        raise NotAllowedInState(refusal)
    if isinstance(new_due_at, date) and not isinstance(new_due_at, datetime):
        new_due_at = clock.end_of_office_day(new_due_at, dossier.agency)
    if not isinstance(new_due_at, datetime):
        raise InvalidInput(_("Cần chọn ngày hẹn trả kết quả mới."))
    refusal = rules.new_due_refusal(dossier, new_due_at)
    if refusal:
        raise InvalidInput(refusal, fields={"new_due_at": [refusal]})
    Apology.objects.create(
        dossier=dossier,
        created_at=at,
        created_by=clock_actor(actor),
        reason=reason,
        old_due_at=dossier.due_at,
        new_due_at=new_due_at,
    )
    dossier.due_explanation = {
        "rule": "apology",
        "old_due_at": _iso(dossier.due_at),
        "new_due_at": _iso(new_due_at),
        "previous": dossier.due_explanation,
    }
    dossier.due_at = new_due_at
    dossier.extended = True
    return {"note": reason, "new_due_at": _iso(new_due_at)}


def _refuse(dossier: Dossier, *, actor, at: datetime, reason: str) -> dict:
    """Refusal after appraisal, with the reason; no timeliness (counted apart)."""
    reason = _required(reason, _("Cần ghi rõ lý do từ chối giải quyết."))
    dossier.closed_at = at
    dossier.paused_at = None
    return {"note": reason}


def _withdraw(dossier: Dossier, *, actor, at: datetime) -> dict:
    dossier.closed_at = at
    dossier.paused_at = None
    return {}


def _suspend(dossier: Dossier, *, actor, at: datetime, reason: str) -> dict:
    """Pausing work on a dossier needs its ground (the legal basis or the fact that stops
    the work), written on the history row like every refusal's reason (issue 14)."""
    reason = _required(reason, _("Cần ghi rõ lý do (căn cứ) tạm dừng giải quyết hồ sơ."))
    # The legal period keeps running while suspended: no rule of Decree 61 stops it.
    return {"note": reason}


def _assign(dossier: Dossier, *, actor, at: datetime, assignee_id) -> dict:
    """The leader names the specialist who processes the dossier (internal processing)."""
    from django.contrib.auth import get_user_model

    from procedures.models import Membership

    User = get_user_model()  # noqa: N806
    try:
        assignee = User.objects.get(pk=int(assignee_id), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(
            _("Không tìm thấy cán bộ được giao."), fields={"assignee_id": ["?"]}
        ) from None
    processes = Membership.objects.filter(
        user=assignee,
        agency_id=dossier.current_agency_id,
        role__in=[Membership.Role.SPECIALIST, Membership.Role.LEADER],
    ).exists()
    if not processes:
        raise InvalidInput(
            _("Cán bộ được giao phải là chuyên viên hoặc lãnh đạo của cơ quan đang xử lý hồ sơ."),
            fields={"assignee_id": ["?"]},
        )
    dossier.assignee = assignee
    dossier.signed_off_at = None  # a new assignment needs its own sign-off
    return {"assignee_id": assignee.pk, "assignee": rules.person_name(assignee)}


def _sign_off(dossier: Dossier, *, actor, at: datetime) -> dict:
    """The leader approves the result prepared by the specialist (recorded in history)."""
    if dossier.signed_off_at is not None:
        raise NotAllowedInState(_("Kết quả đã được lãnh đạo phê duyệt."))
    dossier.signed_off_at = at
    return {}


def _is_leader_of(actor, agency_id) -> bool:
    """actor None is the system itself (demo loader, commands): not checked."""
    from procedures.access import scope_for

    return actor is None or scope_for(actor).can("decide", agency_id)


def _mark_result_ready(dossier: Dossier, *, actor, at: datetime) -> dict:
    """The result exists: timeliness is fixed now (Circular 01/2018 indicator 1).

    Where the procedure needs the leader's decision (catalogue flag, on by default), the
    result is ready only once a leader has signed it off; a leader marking it ready signs
    it off in the same step (recorded on the history row).
    """
    data = {}
    if dossier.procedure.needs_leader_decision and dossier.signed_off_at is None:
        if not _is_leader_of(actor, dossier.current_agency_id):
            raise NotAllowedInState(
                _(
                    "Kết quả cần được lãnh đạo phê duyệt trước khi chuyển trả (thủ tục này cần "
                    "quyết định của lãnh đạo)."
                )
            )
        dossier.signed_off_at = at
        data["signed_off"] = True
    dossier.result_ready_at = at
    dossier.timeliness = rules.timeliness(at, dossier.due_at)
    return {**data, "timeliness": dossier.timeliness}


def _return_result(dossier: Dossier, *, actor, at: datetime) -> dict:
    # Early return is allowed and encouraged (DOMAIN §5); a fee asked for at the return
    # is collected first [practice].
    refusal = rules.return_refusal(dossier, at)
    if refusal:
        raise NotAllowedInState(refusal)
    dossier.returned_at = at
    dossier.closed_at = at
    return {}


HANDLERS: dict[str, Callable[..., dict]] = {
    "accept": _accept_action,
    "guide_incomplete": _guide_incomplete,
    "refuse_intake": _refuse_intake,
    "start_processing": _nothing,
    "assign": _assign,
    "sign_off": _sign_off,
    "request_supplement": _request_supplement,
    "receive_supplement": _receive_supplement,
    "request_fee": _request_fee,
    "record_fee_paid": _record_fee_paid,
    "request_fee_on_return": _request_fee_on_return,
    "record_fee_paid_on_return": _record_fee_paid_on_return,
    "transfer": _transfer,
    "transfer_back": _transfer_back,
    "suspend": _suspend,
    "resume": _nothing,
    "apologize": _apologize,
    "refuse": _refuse,
    "withdraw": _withdraw,
    "mark_result_ready": _mark_result_ready,
    "return_result": _return_result,
}
