"""The citizen's online pages: submit with documents, then follow, supplement, pay, download.

No login: the applicant proves access with the code (or the online reference, before the
desk gives a code) and the last four digits of the phone or ID number; the proof is then
kept in a signed short-lived cookie (dossiers.applicant). Rate-limited like the lookup.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from procedures.models import Procedure

from . import applicant, documents, payments, selectors
from .errors import DomainError
from .forms_online import AccessForm, OnlineSubmitForm, SupplementForm
from .models import Dossier, Payment
from .ratelimit import client_ip, hit
from .views_common import timeline
from .views_files import file_response
from .workflow import TransitionNotAllowed


def _procedure(national_code: str) -> Procedure:
    procedure = get_object_or_404(
        Procedure, national_code=national_code, status=Procedure.Status.PUBLISHED
    )
    if procedure.online_mode == Procedure.OnlineMode.NONE:
        raise Http404("not offered online")
    return procedure


def _too_many(request):
    return render(request, "dossiers/lookup_429.html", status=429)


def _granted(request) -> Dossier:
    dossier_id = applicant.granted_dossier_id(request)
    if dossier_id is None:
        raise Http404("no verified dossier")
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "current_agency")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        raise Http404("no verified dossier")
    return dossier


@never_cache
def submit(request, national_code: str):
    procedure = _procedure(national_code)
    form = OnlineSubmitForm(procedure, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        limit, window = getattr(settings, "DOSSIER_LOOKUP_LIMITS", {}).get(
            "online_submit", (20, 3600)
        )
        if not hit("online-submit", client_ip(request), limit=limit, window=window):
            return _too_many(request)
        files, failed = [], False
        for doc, bound in form.document_fields():
            upload = form.cleaned_data.get(bound.name)
            if not upload:
                continue
            try:
                files.append((doc, documents.check_upload(upload)))
            except DomainError as exc:
                form.add_error(bound.name, exc.message)
                failed = True
        if not failed:
            try:
                dossier, submission = documents.online_submit(
                    procedure=procedure,
                    agency=form.cleaned_data["agency"],
                    applicant=form.applicant(),
                    files=files,
                )
            except (DomainError, TransitionNotAllowed) as exc:
                form.add_error(None, exc.message)
            else:
                response = render(
                    request,
                    "dossiers/citizen/submitted.html",
                    {
                        "dossier": dossier,
                        "submission": submission,
                        "secret": applicant.last4(dossier.applicant_phone),
                    },
                )
                applicant.grant(response, dossier)
                return response
        status = 400
    else:
        status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dossiers/citizen/submit.html",
        {"procedure": procedure, "form": form, "max_mb": documents.max_mb()},
        status=status,
    )


@never_cache
def access(request):
    form = AccessForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        ref = form.cleaned_data["ref"]
        ip = client_ip(request)
        if not (
            hit("lookup-secret-ip", ip, limit=10, window=600)
            and hit("lookup-secret-code", ref, limit=5, window=900)
        ):
            return _too_many(request)
        dossier = applicant.verify(ref, form.cleaned_data["secret"])
        if dossier is not None:
            response = redirect("dossiers:online_mine")
            applicant.grant(response, dossier)
            return response
        failed = True
    return render(
        request,
        "dossiers/citizen/access.html",
        {"form": form, "failed": failed},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def mine(request):
    dossier_id = applicant.granted_dossier_id(request)
    if dossier_id is None:
        return redirect("dossiers:online_access")
    dossier = _granted(request)
    files = list(documents.files_of(dossier))
    return render(
        request,
        "dossiers/citizen/dossier.html",
        {
            "dossier": dossier,
            "reference": getattr(getattr(dossier, "online_submission", None), "reference", ""),
            "files": [f for f in files if f.kind != documents.Kind.RESULT],
            "results": [f for f in files if f.kind == documents.Kind.RESULT],
            "result_held": documents.result_held(dossier),
            "supplement_form": SupplementForm()
            if dossier.status in documents.OPEN_FOR_SUPPLEMENT
            else None,
            "supplements": dossier.supplements.order_by("requested_at"),
            "payable": payments.payable(dossier) if payments.online_payment_enabled() else None,
            "paid": dossier.payments.filter(state=Payment.State.PAID),
            "timeline": timeline(selectors.history(dossier), public=True),
        },
    )


@require_POST
def supplement(request):
    dossier = _granted(request)
    form = SupplementForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn ít nhất một tệp bổ sung."))
        return redirect("dossiers:online_mine")
    try:
        uploads = [documents.check_upload(f) for f in form.files_given()]
        documents.files_add_supplement(dossier_id=dossier.pk, uploads=uploads)
    except (DomainError, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi hồ sơ bổ sung. Cơ quan sẽ tiếp tục giải quyết."))
    return redirect("dossiers:online_mine")


def applicant_file(request, file_id: int):
    dossier = _granted(request)
    try:
        row = documents.access_file_applicant(dossier, file_id)
    except DomainError as exc:  # the result waits for the fee: say so on the dossier page
        messages.warning(request, exc.message)
        return redirect("dossiers:online_mine")
    return file_response(row)


@never_cache
def pay(request):
    """Send the applicant to the gateway. A link (GET), not a form: it changes nothing
    here, and a CSP form-action of 'self' would stop a form redirected to the gateway."""
    dossier = _granted(request)
    try:
        payment = payments.ensure_payable(dossier)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:online_mine")
    return_url = request.build_absolute_uri(reverse("dossiers:online_paygov"))
    return redirect(payments.gateway_url(payment, return_url=return_url))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def paygov_callback(request):
    """The gateway's answer: the browser's return (GET) or its server notice (POST)."""
    data = request.POST if request.method == "POST" else request.GET
    outcome = payments.payment_callback(data, client=client_ip(request))
    if request.method == "POST":
        ok = outcome.result in {"paid", "repeat", "failed"}
        return HttpResponse(
            "OK" if ok else "REJECTED", status=200 if ok else 400, content_type="text/plain"
        )
    if outcome.result == "rejected":
        return render(request, "dossiers/citizen/payment_failed.html", status=400)
    if outcome.result == "failed":
        messages.warning(request, _("Giao dịch chưa thành công. Ông/Bà có thể thanh toán lại."))
        return redirect("dossiers:online_mine")
    return redirect("dossiers:online_receipt", reference=outcome.payment.reference)


@never_cache
def receipt(request, reference: str):
    dossier = _granted(request)
    try:
        payment = payments.receipt_for(dossier.pk, reference)
    except DomainError:
        raise Http404("no receipt") from None
    return render(
        request, "dossiers/citizen/receipt.html", {"payment": payment, "dossier": dossier}
    )


@require_POST
def leave(request):
    response = redirect("dossiers:online_access")
    applicant.revoke(response)
    return response
