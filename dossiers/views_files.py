"""Serving dossier files, and the officials' file and fee actions (issue 13).

Files are never behind a public URL: each response comes from here after the access
check (an official through selectors.access_dossier, the applicant through the signed
proof of code + secret), as an attachment the browser will not sniff into a page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import documents, payments, selectors
from .errors import DomainError
from .forms_online import AttachForm, PaymentRequestForm
from .views_officials import official_required
from .workflow import TransitionNotAllowed


def file_response(row) -> FileResponse:
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("file missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Even opened directly, the file may run nothing and embed nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@official_required
def official_file(request, file_id: int):
    return file_response(documents.access_file_official(request.user, file_id))


def _back(dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.code or dossier.pk])


def _errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@official_required
@require_POST
def attach(request, pk: int):
    """A desk scan of a paper document, or the electronic result."""
    dossier = selectors.access_dossier(request.user, pk)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_back(dossier))
    kind = form.cleaned_data["kind"]
    try:
        allowed = documents.RESULT_TYPES if kind == documents.Kind.RESULT else None
        upload = documents.check_upload(form.cleaned_data["file"], allowed=allowed)
        documents.file_attach(
            actor=request.user,
            dossier_id=dossier.pk,
            kind=kind,
            upload=upload,
            title=form.cleaned_data["title"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(dossier))
    messages.success(request, _("Đã đính kèm tệp vào hồ sơ."))
    return redirect(_back(dossier))


@official_required
@require_POST
def fee_request(request, pk: int):
    """Ask for the fee, payable online (and still at the desk)."""
    dossier = selectors.access_dossier(request.user, pk)
    form = PaymentRequestForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(_back(dossier))
    try:
        payments.payment_request(
            actor=request.user,
            dossier_id=dossier.pk,
            amount=form.cleaned_data["amount"],
            purpose=form.cleaned_data["purpose"],
        )
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi yêu cầu nộp phí, lệ phí cho người nộp hồ sơ."))
    return redirect(_back(dossier))
