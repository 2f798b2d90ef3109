"""Every change to a dossier: intake, the lifecycle actions, the applicant's rating.

Each service runs in one transaction, locks the dossier row it changes, writes one
immutable DossierEvent and its outbox row (same transaction), and kicks the after-commit
side effects once (dossiers.dispatch). Refusals raise the types of dossiers.errors
(NotFound, NotPermitted, NotAllowedInState, InvalidInput) with a Vietnamese message that
pages and the API show; who may act for which agency is dossiers.rules'.

`actor=None` means the system itself (demo loader, management commands, citizen
submissions): no permission is checked. Views always pass request.user.
"""

from __future__ import annotations

import inspect
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hanoi_cchc.dbretry import replayable
from procedures.access import scope_for
from procedures.models import Agency, Channel, Procedure

from . import dispatch, lifecycle, notifications, rules, worklist_search
from .codes import sequence_day
from .errors import InvalidInput, NotAllowedInState, NotFound, NotPermitted
from .models import Dossier, DossierEvent
from .notifications.choices import NotifyChoice
from .outbox import outbox_add
from .workflow import ACTIONS, Action, Status, check_transition

APPLICANT_FIELDS = {
    "kind": "applicant_kind",
    "name": "applicant_name",
    "id_number": "applicant_id_number",
    "phone": "applicant_phone",
    "email": "applicant_email",
    "address": "applicant_address",
    # Which messages the applicant accepts (issue 13); empty means both, the default.
    "notify": "applicant_notify",
}
ONLINE_CHANNELS = frozenset({Channel.ONLINE, Channel.DVCQG})


# --- helpers ---------------------------------------------------------------------------


def _real_actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _check_can(actor, permission: str, agency_ids: list[int | None]) -> int | None:
    """Return the agency the actor acts for, or raise NotPermitted if no role allows it."""
    candidates = [a for a in dict.fromkeys(agency_ids) if a is not None]
    if actor is None:
        return candidates[0] if candidates else None
    scope = scope_for(actor)
    for agency_id in candidates:
        if scope.can(permission, agency_id):
            return agency_id
    raise NotPermitted(
        _("Tài khoản của bạn không có quyền thực hiện thao tác này đối với hồ sơ của cơ quan này.")
    )


def _record(
    dossier: Dossier,
    *,
    actor,
    action: str,
    at: datetime,
    from_status: str,
    agency_id: int | None,
    note: str = "",
    due_before: datetime | None = None,
    data: dict | None = None,
    permission: str = "",
) -> DossierEvent:
    """Write the history row and its outbox row; schedule the after-commit kick.

    The one function that writes history rows. `permission`: what the action needed; the
    role the actor held for it at `agency_id` is recorded (data["role"]), so the timeline
    shows who acted in the role they acted in.
    """
    data = dict(data or {})
    if permission and actor is not None and _real_actor(actor) is not None:
        role = rules.role_acted(scope_for(actor), permission, agency_id)
        if role:
            data["role"] = role
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        actor=_real_actor(actor),
        agency_id=agency_id,
        action=action,
        from_status=from_status,
        to_status=dossier.status,
        note=note,
        due_before=due_before,
        due_after=dossier.due_at,
        data=data,
    )
    outbox_add(event)
    # A new outbox row means DVCQG is behind again until dossiers.sync delivers it.
    if dossier.sync_state not in {Dossier.SyncState.PENDING, Dossier.SyncState.NOT_REQUIRED}:
        Dossier.objects.filter(pk=dossier.pk).update(sync_state=Dossier.SyncState.PENDING)
        dossier.sync_state = Dossier.SyncState.PENDING
    dispatch.after_commit(dossier.pk)
    # The applicant's SMS / e-mail, same transaction; never fails the change (issue 13).
    notifications.enqueue_for_event(event)
    return event


def _lock(dossier_id) -> Dossier:
    try:
        return (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "agency", "current_agency")
            .get(pk=dossier_id)
        )
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Không tìm thấy hồ sơ.")) from None


@replayable
def dossier_record_files(
    *,
    actor,
    dossier: Dossier,
    files: list,
    at: datetime,
    note: str,
    agency_id: int | None,
    permission: str = "",
) -> DossierEvent:
    """History row for files added to a dossier (the status does not change): who, when,
    why (the note) and which files. Side effects: the outbox row and kick of every event.

    Called by dossiers.documents inside the transaction that stored the files, with the
    dossier locked; actor None is the applicant (proved by code + secret) or the system.
    """
    return _record(
        dossier,
        actor=actor,
        action="add_files",
        at=at,
        from_status=dossier.status,
        agency_id=agency_id,
        note=note,
        due_before=dossier.due_at,
        data={
            "files": [
                {"id": f.pk, "kind": f.kind, "name": f.original_name, "sha256": f.sha256}
                for f in files
            ]
        },
        permission=permission,
    )


def _new_dossier(
    *,
    procedure: Procedure,
    agency: Agency,
    channel: str,
    applicant: dict,
    documents: list[dict],
    status: str,
    submitted_at: datetime,
    actor,
) -> Dossier:
    """The new dossier, checked and built in memory; the caller saves it once."""
    if channel not in Channel.values:
        raise InvalidInput(_("Kênh nộp hồ sơ không hợp lệ."), fields={"channel": ["?"]})
    # Units dissolved or merged (e.g. the district level on 1 July 2025) receive nothing.
    if not agency.is_valid_on(sequence_day(submitted_at)):
        raise NotAllowedInState(_("Cơ quan này không còn hoạt động vào ngày tiếp nhận."))
    if procedure.status != Procedure.Status.PUBLISHED:
        raise NotAllowedInState(_("Thủ tục này không còn được công bố, không thể nhận hồ sơ."))
    # A procedure linked to its competent agencies is received only by them (one query in
    # the usual case: the agency is linked).
    if not procedure.agencies.filter(pk=agency.pk).exists() and procedure.agencies.exists():
        raise InvalidInput(_("Cơ quan này không thực hiện thủ tục đã chọn."))
    unknown = set(applicant) - set(APPLICANT_FIELDS)
    if unknown:
        raise InvalidInput(
            _("Thông tin người nộp không hợp lệ: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
        )
    errors = rules.applicant_errors(applicant, receiving=False)
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields={"applicant": errors})
    values = {APPLICANT_FIELDS[k]: str(v or "").strip() for k, v in applicant.items()}
    values["applicant_name"] = " ".join(values["applicant_name"].split())
    values["applicant_phone"] = rules.normalise_phone(values.get("applicant_phone", ""))
    values["applicant_id_number"] = rules.normalise_id_number(values.get("applicant_id_number", ""))
    values["applicant_kind"] = values.get("applicant_kind") or Dossier.ApplicantKind.PERSON
    values["applicant_notify"] = values.get("applicant_notify") or NotifyChoice.ALL
    if values["applicant_notify"] not in NotifyChoice.values:
        raise InvalidInput(
            _("Lựa chọn nhận thông báo không hợp lệ."), fields={"applicant_notify": ["?"]}
        )
    dossier = Dossier(
        procedure=procedure,
        field_id=procedure.field_id,
        agency=agency,
        current_agency=agency,
        channel=channel,
        status=status,
        documents=[dict(d) for d in documents or []],
        submitted_at=submitted_at,
        created_by=_real_actor(actor),
        **values,
    )
    worklist_search.fill(dossier)  # the search box's columns (the code is added on accept)
    return dossier


# --- intake ----------------------------------------------------------------------------


@replayable
def dossier_receive(
    *,
    actor,
    procedure: Procedure,
    agency: Agency,
    channel: str,
    applicant: dict,
    documents: list[dict],
    received_at: datetime | None = None,
    note: str = "",
    case: str = "",
) -> Dossier:
    """Receive a complete dossier (form 01): code, due time, history, outbox, kick.

    The dossier is checked and built in memory and written once (one INSERT); its history
    row and outbox row are serialised from that same object, with no read back.
    """
    at = received_at or timezone.now()
    with transaction.atomic():
        agency_id = _check_can(actor, "receive", [agency.pk])
        dossier = _new_dossier(
            procedure=procedure,
            agency=agency,
            channel=channel,
            applicant=applicant,
            documents=documents,
            status=Status.SUBMITTED,
            submitted_at=at,
            actor=actor,
        )
        dossier.limit_case = (case or "").strip()
        data = lifecycle.accept(dossier, at=at)
        dossier.status = Status.RECEIVED
        dossier.save(force_insert=True)
        _record(
            dossier,
            actor=actor,
            action="receive",
            at=at,
            from_status="",
            agency_id=agency_id,
            note=note,
            data=data,
            permission="receive",
        )
    return dossier


@replayable
def dossier_submit_online(
    *,
    procedure: Procedure,
    agency: Agency,
    channel: str,
    applicant: dict,
    documents: list[dict],
    submitted_at: datetime | None = None,
    actor=None,
) -> Dossier:
    """An online submission, waiting for the desk to accept it (no code, no deadline yet)."""
    if channel not in ONLINE_CHANNELS:
        raise InvalidInput(_("Hồ sơ nộp trực tuyến phải qua Cổng DVC."))
    at = submitted_at or timezone.now()
    lapse = rules.procedure_lapse(procedure, rules.local_date(at))
    if lapse:
        raise NotAllowedInState(lapse, fields={"procedure": [lapse]})
    with transaction.atomic():
        dossier = _new_dossier(
            procedure=procedure,
            agency=agency,
            channel=channel,
            applicant=applicant,
            documents=documents,
            status=Status.SUBMITTED,
            submitted_at=at,
            actor=actor,
        )
        dossier.save(force_insert=True)
        _record(
            dossier,
            actor=actor,
            action="submit_online",
            at=at,
            from_status="",
            agency_id=agency.pk,
        )
    return dossier


def _intake_refusal(
    *, action: str, actor, procedure, agency, channel, applicant, documents, dossier_id, params, at
) -> Dossier:
    if dossier_id is not None:
        return dossier_transition(
            actor=actor, dossier_id=dossier_id, action=action, at=at, **params
        )
    at = at or timezone.now()
    with transaction.atomic():
        agency_id = _check_can(actor, "receive", [agency.pk])
        dossier = _new_dossier(
            procedure=procedure,
            agency=agency,
            channel=channel,
            applicant=applicant,
            documents=documents,
            status=Status.SUBMITTED,
            submitted_at=at,
            actor=actor,
        )
        act = ACTIONS[action]
        # Form 02 creates its SupplementRequest row: the dossier must exist first.
        dossier.save(force_insert=True)
        data = lifecycle.HANDLERS[action](dossier, actor=actor, at=at, **params)
        dossier.status = act.target
        dossier.save()
        _record(
            dossier,
            actor=actor,
            action=action,
            at=at,
            from_status="",
            agency_id=agency_id,
            note=data.pop("note", ""),
            data=data,
            permission="receive",
        )
    return dossier


@replayable
def dossier_guide_incomplete(
    *,
    actor,
    procedure,
    agency,
    channel,
    applicant,
    documents,
    missing: str,
    dossier_id=None,
    at: datetime | None = None,
) -> Dossier:
    """Form 02 at intake: tell once and fully what is missing; no code (Decree 61 art. 18)."""
    return _intake_refusal(
        action="guide_incomplete",
        actor=actor,
        procedure=procedure,
        agency=agency,
        channel=channel,
        applicant=applicant,
        documents=documents,
        dossier_id=dossier_id,
        params={"content": missing},
        at=at,
    )


@replayable
def dossier_refuse_intake(
    *,
    actor,
    procedure,
    agency,
    channel,
    applicant,
    documents,
    reason: str,
    dossier_id=None,
    at: datetime | None = None,
) -> Dossier:
    """Form 03: refuse to receive, with the reason; no code, closed."""
    return _intake_refusal(
        action="refuse_intake",
        actor=actor,
        procedure=procedure,
        agency=agency,
        channel=channel,
        applicant=applicant,
        documents=documents,
        dossier_id=dossier_id,
        params={"reason": reason},
        at=at,
    )


INTAKE_OUTCOMES = ("receive", "guide_incomplete", "refuse_intake")


@replayable
def dossier_intake(
    *,
    actor,
    outcome: str,
    procedure: Procedure,
    agency: Agency,
    channel: str,
    applicant: dict,
    documents: list[dict],
    case: str = "",
    note: str = "",
    missing: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> Dossier:
    """The desk's one decision at intake, for the page and the API alike (Decree 61/2018
    art. 18): receive (form 01), guide to complete the papers (form 02) or refuse (form 03).
    """
    common = {
        "actor": actor,
        "procedure": procedure,
        "agency": agency,
        "channel": channel,
        "applicant": applicant,
        "documents": documents,
    }
    if outcome == "guide_incomplete":
        return dossier_guide_incomplete(**common, missing=missing, at=at)
    if outcome == "refuse_intake":
        return dossier_refuse_intake(**common, reason=reason, at=at)
    if outcome != "receive":
        raise InvalidInput(_("Kết quả tiếp nhận không hợp lệ."), fields={"outcome": [str(outcome)]})
    return dossier_receive(**common, note=note, case=case, received_at=at)


# --- the lifecycle ---------------------------------------------------------------------


def _check_params(action: Action, params: dict) -> None:
    """Unknown parameters are a programming error; missing ones are the user's to fix."""
    signature = inspect.signature(lifecycle.HANDLERS[action.name])
    accepted = {
        name
        for name, p in signature.parameters.items()
        if p.kind == inspect.Parameter.KEYWORD_ONLY and name not in {"actor", "at"}
    }
    unknown = set(params) - accepted
    if unknown:
        raise TypeError(f"action {action.name} takes no {', '.join(sorted(unknown))}")
    missing = sorted(
        name
        for name in accepted
        if signature.parameters[name].default is inspect.Parameter.empty and name not in params
    )
    if missing:
        raise InvalidInput(
            _("Thiếu thông tin cho thao tác “%(action)s”: %(fields)s.")
            % {"action": action.label, "fields": ", ".join(missing)}
        )


@replayable
def dossier_transition(
    *, actor, dossier_id, action: str, note: str = "", at: datetime | None = None, **params
) -> Dossier:
    """Apply one workflow action: status, clock, history row, outbox row, kick."""
    at = at or timezone.now()
    with transaction.atomic():
        dossier = _lock(dossier_id)
        act = check_transition(action, dossier.status)
        agency_id = _check_can(actor, act.permission, rules.acting_agencies(act, dossier))
        _check_params(act, params)
        from_status, due_before = dossier.status, dossier.due_at
        data = lifecycle.HANDLERS[action](dossier, actor=actor, at=at, **params)
        extra_note = data.pop("note", "")
        if act.target is not None:
            dossier.status = act.target
        dossier.save()
        _record(
            dossier,
            actor=actor,
            action=action,
            at=at,
            from_status=from_status,
            agency_id=agency_id,
            note="\n".join(n for n in (extra_note, note.strip()) if n),
            due_before=due_before,
            data=data,
            permission=act.permission,
        )
    return dossier


# The applicant's rating lives in dossiers.rating (same transaction and history rules).
from .rating import RATING_FIELDS, dossier_rate  # noqa: E402, F401
