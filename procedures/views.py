"""Public catalogue pages: no login, read-only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms import CatalogueFilterForm
from .selectors import procedure_catalogue, procedure_public_detail

PAGE_SIZE = 20


def procedure_list(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        if form.is_valid():
            filters = form.cleaned_data
        else:
            # A stale link (deleted field, tampered value) narrows nothing rather than failing.
            messages.warning(request, _("Một số điều kiện lọc không hợp lệ đã được bỏ qua."))
            filters = {k: v for k, v in form.data.items() if k == "q"}
    procedures = procedure_catalogue(user=request.user, filters=filters)
    paginator = Paginator(procedures, PAGE_SIZE)
    page = paginator.get_page(_page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procedures/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for v in filters.values()),
            "today": timezone.localdate(),
        },
    )


def _page_number(raw: str | None) -> int:
    """1 for a missing, non-numeric, zero or negative page; the number otherwise.

    Paginator.get_page sends page 0 or -1 to the *last* page (EmptyPage), which surprised
    users; past the end it still shows the last page.
    """
    try:
        return max(int(raw), 1)
    except (TypeError, ValueError):
        return 1


def procedure_detail(request, national_code: str):
    procedure = procedure_public_detail(national_code=national_code)
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục có mã này."))
    agencies = list(procedure.agencies.all())
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "agencies": agencies,
            "documents": list(procedure.required_documents.all()),
            "time_limits": list(procedure.time_limits.all()),
            # One agency may keep its own cut-off; the page states the common rule.
            "receipt_cutoff": settings.RECEIPT_CUTOFF,
            "expired": procedure.valid_to is not None and procedure.valid_to < timezone.localdate(),
        },
    )
