"""The citizen's status lookup and satisfaction rating (no login).

With the code alone: status, appointment and the agency handling it, nothing personal.
With the code and the last four digits of the applicant's phone or ID number: the whole
timeline (agencies and roles, never officials' names) and the deadline explanation.
An unknown code and a wrong secret get the same answer; both are rate-limited per client
and per code.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import DomainError
from .forms import LookupForm, RatingForm
from .models import Rating
from .ratelimit import client_ip, hit
from .views_common import explanation, is_overdue, timeline
from .workflow import Status

SESSION_KEY = "dossier_lookup_verified"
# How long a correct secret keeps the full view open in this browser.
VERIFIED_SECONDS = 30 * 60
NOT_FOUND = gettext_lazy(
    "Không tìm thấy hồ sơ khớp với thông tin đã nhập. Vui lòng kiểm tra lại mã hồ sơ và 4 số cuối."
)


def _limit(name: str, default: tuple[int, int]) -> tuple[int, int]:
    return getattr(settings, "DOSSIER_LOOKUP_LIMITS", {}).get(name, default)


def _allowed(request, code: str, *, with_secret: bool) -> bool:
    """Per client IP always; per code when a secret is tried (guessing 4 digits)."""
    ip = client_ip(request)
    limit, window = _limit("ip", (60, 600))
    if not hit("lookup-ip", ip, limit=limit, window=window):
        return False
    if with_secret:
        limit, window = _limit("secret_ip", (10, 600))
        if not hit("lookup-secret-ip", ip, limit=limit, window=window):
            return False
        limit, window = _limit("secret_code", (5, 900))
        if not hit("lookup-secret-code", code, limit=limit, window=window):
            return False
    return True


def _too_many(request):
    return render(request, "dossiers/lookup_429.html", status=429)


def _verified(request, code: str) -> bool:
    seen = request.session.get(SESSION_KEY, {})
    return code in seen and time.time() - seen[code] < VERIFIED_SECONDS


def _remember(request, code: str) -> None:
    now = time.time()
    seen = {
        c: t for c, t in request.session.get(SESSION_KEY, {}).items() if now - t < VERIFIED_SECONDS
    }
    seen[code] = now
    # A shared computer at a service centre: keep only the last few dossiers.
    request.session[SESSION_KEY] = dict(sorted(seen.items(), key=lambda kv: kv[1])[-5:])


def _url(code: str) -> str:
    return f"{reverse('dossiers:lookup')}?{urlencode({'ma': code})}"


@never_cache
def lookup(request):
    if request.method == "POST":
        return _lookup_secret(request)
    form = LookupForm(request.GET or None)
    context = {"form": form}
    if request.GET and form.is_valid():
        code = form.cleaned_data["ma"]
        if not _allowed(request, code, with_secret=False):
            return _too_many(request)
        dossier = selectors.lookup_public(code)
        if dossier is None:
            context["not_found"] = _(
                "Không tìm thấy hồ sơ có mã %(code)s. Vui lòng kiểm tra lại mã trên Giấy "
                "tiếp nhận hồ sơ và hẹn trả kết quả."
            ) % {"code": code}
        else:
            context.update(_public_context(dossier))
            if _verified(request, code):
                context.update(_full_context(dossier))
    return render(request, "dossiers/lookup.html", context)


def _lookup_secret(request):
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "dossiers/lookup.html", {"form": form})
    code, secret = form.cleaned_data["ma"], form.cleaned_data["secret"]
    if not secret:
        return redirect(_url(code))
    if not _allowed(request, code, with_secret=True):
        return _too_many(request)
    dossier = selectors.lookup_with_secret(code, secret)
    if dossier is None:
        # Same page, same words, same status for an unknown code and a wrong secret.
        return render(
            request,
            "dossiers/lookup.html",
            {"form": LookupForm(initial={"ma": code}), "secret_failed": NOT_FOUND},
        )
    _remember(request, code)
    return redirect(_url(code))


def _public_context(dossier) -> dict:
    """What the code alone entitles anyone to: no names, no contact details."""
    return {
        "dossier": dossier,
        "public": {
            "code": dossier.code,
            "procedure": dossier.procedure.name,
            "status": dossier.get_status_display(),
            "status_value": dossier.status,
            "received_at": dossier.received_at,
            "due_at": dossier.due_at,
            "stage": dossier.current_agency.name,
            "returned_at": dossier.returned_at,
            "overdue": is_overdue(dossier),
        },
    }


def _full_context(dossier) -> dict:
    rated = hasattr(dossier, "rating")
    can_rate = dossier.status == Status.RETURNED and not rated
    return {
        "verified": True,
        "timeline": timeline(selectors.history(dossier), public=True),
        "explanation": explanation(dossier),
        "transfers": dossier.transfers.select_related("to_agency").order_by("sent_at"),
        "rated": rated,
        "rating_form": RatingForm() if can_rate else None,
        "rating_levels": Rating.LEVELS,
    }


@require_POST
def rate(request):
    code = request.POST.get("ma", "").strip().upper()[:60]
    back = _url(code) if code else reverse("dossiers:lookup")
    if not code or not _verified(request, code):
        messages.error(
            request,
            _(
                "Vui lòng nhập mã hồ sơ và 4 số cuối điện thoại hoặc số định danh "
                "trước khi đánh giá."
            ),
        )
        return redirect(back)
    dossier = selectors.lookup_public(code)
    if dossier is None:
        return redirect(back)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng chọn mức đánh giá cho tất cả các tiêu chí."))
        return redirect(back)
    try:
        services.dossier_rate(
            dossier_id=dossier.pk, levels=form.levels(), comment=form.cleaned_data["comment"]
        )
    except DomainError as exc:
        messages.warning(request, exc.message)
        return redirect(back)
    messages.success(request, _("Cảm ơn Ông/Bà đã đánh giá mức độ hài lòng."))
    return redirect(back)
