"""Fees paid online, in the manner of PayGov (the national payment platform).

1. An official asks for the fee: a Payment (reference, amount, purpose) and, through the
   lifecycle, either the dossier waits for the fee while it is processed (request_fee) or,
   once the result is ready, the fee is collected when the result is returned
   (request_fee_on_return, practice: see dossiers.workflow). In the second case the
   electronic result is released to the applicant when the fee is paid.
2. The applicant is redirected to the gateway with the payment's fields signed
   (HMAC-SHA256 over the canonical string, shared secret PAYGOV_SECRET).
3. The gateway calls us back (the browser's return and/or a server-to-server notice)
   with the result, signed the same way. We check the signature, the reference and the
   amount; the first genuine success marks the payment paid and records the fee through
   the lifecycle (record_fee_paid or record_fee_paid_on_return). A repeated callback
   changes nothing; a forged or mismatched one changes nothing and is logged.
Desk payments are still recorded by the desk's "fee paid" action.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules, services
from .errors import InvalidInput, NotAllowedInState, NotFound
from .models import Dossier, Payment
from .models_online import new_reference
from .workflow import Status

log = logging.getLogger(__name__)
SUCCESS = "00"
# The fields the gateway signs in its callback, and the ones we sign in the request.
CALLBACK_FIELDS = ("amount", "merchant", "ref", "status", "txn")
REQUEST_FIELDS = ("amount", "merchant", "purpose", "ref", "return_url")


def canonical(fields: dict, names) -> str:
    """name=value pairs in name order, joined by '&' (values as given, not URL-encoded)."""
    return "&".join(f"{name}={fields.get(name, '')}" for name in sorted(names))


def sign(fields: dict, names) -> str:
    secret = settings.PAYGOV_SECRET.encode()
    return hmac.new(secret, canonical(fields, names).encode(), hashlib.sha256).hexdigest()


def online_payment_enabled() -> bool:
    return bool(settings.PAYGOV_URL and settings.PAYGOV_SECRET)


# --- asking for the fee -------------------------------------------------------------------


def _amount(raw) -> Decimal:
    try:
        amount = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Số tiền phải là số nguyên dương (đồng).")) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.to_integral_value():
        raise InvalidInput(_("Số tiền phải là số nguyên dương (đồng)."))
    return amount


# The lifecycle action that asks for the fee, and the one that records it paid, by status:
# while processing the dossier waits for the fee; once the result is ready the fee is
# collected when the result is returned [practice] (dossiers.workflow).
REQUEST_ACTION = {Status.PROCESSING: "request_fee", Status.RESULT_READY: "request_fee_on_return"}
PAID_ACTION = {
    Status.AWAITING_FEE: "record_fee_paid",
    Status.RESULT_READY: "record_fee_paid_on_return",
}


def request_action(dossier: Dossier) -> str | None:
    """The action that asks for the fee in the dossier's status, if any."""
    return REQUEST_ACTION.get(dossier.status)


def payment_request(*, actor, dossier_id, amount, purpose: str) -> Payment:
    """Ask the applicant to pay a fee: the lifecycle's request_fee (while processing) or
    request_fee_on_return (result ready), plus a Payment row. Side effects: the history
    row, the applicant's fee message (outbox), a superseded pending payment cancelled.

    The permission and the state are the lifecycle's (services.dossier_transition).
    """
    amount = _amount(amount)
    purpose = (purpose or "").strip()[:255] or _("Phí, lệ phí giải quyết thủ tục hành chính")
    with transaction.atomic():
        try:
            current = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
        except (Dossier.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Không tìm thấy hồ sơ.")) from None
        at, reference = timezone.now(), new_reference("PAY")
        dossier = services.dossier_transition(
            actor=actor,
            dossier_id=current.pk,
            # Not askable in this status: request_fee refuses with the workflow's message.
            action=request_action(current) or "request_fee",
            fee_amount=amount,
            at=at,
            # The history row names the payment it opens (and so the one it supersedes).
            note=_("%(purpose)s, mã thanh toán %(ref)s.") % {"purpose": purpose, "ref": reference},
        )
        # An earlier request not paid is superseded by this one.
        dossier.payments.filter(state=Payment.State.PENDING).update(state=Payment.State.CANCELLED)
        return Payment.objects.create(
            dossier=dossier,
            reference=reference,
            amount=amount,
            purpose=purpose,
            created_at=at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def dossier_action(*, actor, dossier_id, action: str, note: str = "", **params) -> Dossier:
    """An official's action from the dossier page or the API. Asking for a fee always goes
    through payment_request, so the applicant has a payment to make online whichever way the
    fee was asked; every other action is the lifecycle's."""
    if action in REQUEST_ACTION.values():
        payment = payment_request(
            actor=actor, dossier_id=dossier_id, amount=params.get("fee_amount"), purpose=note
        )
        return payment.dossier
    return services.dossier_transition(
        actor=actor, dossier_id=dossier_id, action=action, note=note, **params
    )


def payable(dossier: Dossier) -> Payment | None:
    """The payment the applicant can make now, if any."""
    if dossier.status != Status.AWAITING_FEE and not (
        dossier.status == Status.RESULT_READY and rules.fee_outstanding(dossier)
    ):
        return None
    return dossier.payments.filter(state=Payment.State.PENDING).order_by("-created_at").first()


def gateway_url(payment: Payment, *, return_url: str) -> str:
    """Where to send the applicant: the gateway with our signed request."""
    fields = {
        "amount": str(payment.amount),
        "merchant": settings.PAYGOV_MERCHANT,
        "purpose": payment.purpose,
        "ref": payment.reference,
        "return_url": return_url,
    }
    fields["sig"] = sign(fields, REQUEST_FIELDS)
    return f"{settings.PAYGOV_URL}?{urlencode(fields)}"


# --- the callback -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    payment: Payment | None
    # "paid" (this callback paid it), "repeat" (already paid, nothing changed),
    # "failed" (genuine, the gateway reports no payment), "rejected" (forged or mismatched).
    result: str


def _reject(reason: str, data: dict, client: str) -> Outcome:
    # The whole callback (no secret in it) for the audit trail; nothing is changed.
    log.warning("payment callback rejected (%s) from %s: %r", reason, client, data)
    return Outcome(None, "rejected")


def payment_callback(data, *, client: str = "") -> Outcome:
    """Apply one gateway callback. Never raises on bad input; idempotent."""
    fields = {name: str(data.get(name, "")) for name in (*CALLBACK_FIELDS, "sig")}
    if not online_payment_enabled():
        return _reject("online payment not configured", fields, client)
    expected = sign(fields, CALLBACK_FIELDS)
    if not hmac.compare_digest(expected.encode(), fields["sig"].encode()):
        return _reject("bad signature", fields, client)
    if fields["merchant"] != settings.PAYGOV_MERCHANT:
        return _reject("other merchant", fields, client)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(reference=fields["ref"])
            .select_related("dossier")
            .first()
        )
        if payment is None:
            return _reject("unknown reference", fields, client)
        try:
            amount = Decimal(fields["amount"])
        except InvalidOperation:
            return _reject("bad amount", fields, client)
        if amount != payment.amount:
            return _reject("amount differs", fields, client)
        if payment.state == Payment.State.PAID:
            if payment.gateway_txn != fields["txn"]:
                log.warning("payment %s reported paid again by txn %s", payment, fields["txn"])
            return Outcome(payment, "repeat")
        if fields["status"] != SUCCESS or not fields["txn"]:
            return Outcome(payment, "failed")
        if payment.state == Payment.State.CANCELLED:
            # Money arrived for a superseded request: keep it visible for a refund.
            log.warning("payment %s paid after it was cancelled", payment)
        now = timezone.now()
        payment.state = Payment.State.PAID
        payment.paid_at = now
        payment.gateway_txn = fields["txn"]
        payment.gateway_data = {k: v for k, v in fields.items() if k != "sig"}
        try:
            with transaction.atomic():
                payment.save()
        except IntegrityError:
            return _reject("transaction id already used", fields, client)
        dossier = payment.dossier
        action = PAID_ACTION.get(dossier.status)
        if action and dossier.fee_amount == payment.amount:
            try:
                services.dossier_transition(
                    actor=None,
                    dossier_id=dossier.pk,
                    action=action,
                    at=now,
                    online=True,
                    note=_("Thanh toán trực tuyến, mã %(ref)s.") % {"ref": payment.reference},
                )
            except NotAllowedInState as exc:  # e.g. the desk recorded it a moment ago
                log.warning("fee of %s not recorded on the dossier: %s", payment, exc.message)
    return Outcome(payment, "paid")


def receipt_for(dossier_id: int, reference: str) -> Payment:
    payment = (
        Payment.objects.select_related("dossier", "dossier__procedure", "dossier__agency")
        .filter(dossier_id=dossier_id, reference=(reference or "").strip())
        .first()
    )
    if payment is None or payment.state != Payment.State.PAID:
        raise NotFound(_("Không tìm thấy biên lai."))
    return payment


def ensure_payable(dossier: Dossier) -> Payment:
    payment = payable(dossier)
    if payment is None or not online_payment_enabled():
        raise NotAllowedInState(_("Hồ sơ không có khoản phí chờ thanh toán trực tuyến."))
    return payment


# --- Decision 766 figures ------------------------------------------------------------------


def payment_terms() -> tuple[dict, dict]:
    """Annotations and aggregates: dossiers whose fee was paid, and of those paid online."""
    online = Payment.objects.filter(dossier=OuterRef("pk"), state=Payment.State.PAID)
    paid = Q(fee_paid_at__isnull=False)
    return {"_online": Exists(online)}, {
        "fee_paid": Count("pk", filter=paid),
        "fee_paid_online": Count("pk", filter=paid & Q(_online=True)),
    }


def payment_figures(dossiers: QuerySet) -> dict[str, int]:
    """Dossiers whose fee was paid, and of those paid online (one SQL statement)."""
    annotations, aggregates = payment_terms()
    return dossiers.annotate(**annotations).aggregate(**aggregates)
