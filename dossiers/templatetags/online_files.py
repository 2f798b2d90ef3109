"""The files and payments panel of the officials' dossier page (one include there)."""

from __future__ import annotations

from django import template

from procedures.access import scope_for

from .. import documents, payments, rules
from ..forms_online import AttachForm, PaymentRequestForm
from ..models import DossierFile
from ..workflow import Status

register = template.Library()


@register.inclusion_tag("dossiers/online/_panel.html", takes_context=True)
def online_panel(context, dossier):
    scope = scope_for(context["request"].user)
    desk = any(scope.can("receive", a) for a in (dossier.agency_id, dossier.current_agency_id))
    specialist = scope.can("process", dossier.current_agency_id)
    kinds = []
    if desk and dossier.status not in {Status.INTAKE_REFUSED, Status.WITHDRAWN}:
        kinds.append((DossierFile.Kind.SCAN, DossierFile.Kind.SCAN.label))
    if specialist and dossier.status in documents.OPEN_FOR_RESULT:
        kinds.append((DossierFile.Kind.RESULT, DossierFile.Kind.RESULT.label))
    attach_form = None
    if kinds:
        attach_form = AttachForm(initial={"kind": kinds[-1][0]})
        attach_form.fields["kind"].choices = kinds
    # The fee is asked while processing (the specialist) or when the result is returned
    # (the desk): whichever action the workflow offers this user now (dossiers.payments).
    fee_form = None
    fee_action = payments.request_action(dossier)
    if fee_action and any(a.name == fee_action for a in rules.actions_for(scope, dossier)):
        fee_form = PaymentRequestForm(initial={"amount": dossier.procedure.fee or None})
    return {
        "dossier": dossier,
        "files": list(documents.files_of(dossier)),
        # A payment is only ever asked with a fee (request_fee): no fee, no query.
        "payments": list(dossier.payments.order_by("created_at"))
        if dossier.fee_amount is not None
        else [],
        "attach_form": attach_form,
        "fee_form": fee_form,
        "csrf_token": context.get("csrf_token"),
    }
