"""The citizen's status lookup and satisfaction rating (no login).

With the code alone: status, appointment and the agency handling it, nothing personal.
With the code and the last four digits of the applicant's phone or ID number: the whole
timeline (agencies and roles, never officials' names) and the deadline explanation.
An unknown code and a wrong secret get the same answer; both are rate-limited per client
and per code.
"""

from __future__ import annotations

import hashlib
import json
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

from hanoi_cchc.bodylimit import small_body

from . import rules, selectors, services
from .errors import DomainError
from .forms import LookupForm, RatingForm
from .models import Rating
from .ratelimit import Rule, check, client_ip
from .views_common import explanation, is_overdue, timeline
from .workflow import Status

# The browser's proof of a correct secret: a signed cookie, no session row for a citizen.
# It holds, per code (hashed), when the secret was last given; nothing personal.
COOKIE = "tra_cuu"
COOKIE_SALT = "dossiers.lookup.verified"
# How long a correct secret keeps the full view open in this browser.
VERIFIED_SECONDS = 30 * 60
# How long a browser that once gave the right secret is exempt from the per-code ceiling.
KNOWN_SECONDS = 365 * 24 * 3600
# A shared computer at a service centre: keep only the last few dossiers.
COOKIE_CODES = 5
NOT_FOUND = gettext_lazy(
    "Không tìm thấy hồ sơ khớp với thông tin đã nhập. Vui lòng kiểm tra lại mã hồ sơ và 4 số cuối."
)

# (limit, window in seconds); settings.DOSSIER_LOOKUP_LIMITS overrides any of them.
#
# The secret is the last 4 digits of the phone OR of the ID number: a guess matches with
# probability at most 2/10,000. The per-code ceiling admits at most 20 tries in any
# 30 days from all clients together, so at most 13 × 20 = 260 a year: the chance that
# anyone guesses a given code's secret within a year is at most
# 1 − (1 − 0.0002)^260 ≈ 5.1 % (≈ 0.4 % over a dossier's usual month), whatever the
# number of addresses used. Each client is held to 5 tries per code per 15 minutes and
# 10 per day, so one stranger needs two days to fill a code's ceiling; and a browser that
# has given the right secret before (signed cookie) is exempt from the ceiling, so a
# stranger cannot lock a citizen out of their own dossier. Status by code alone is never
# limited per code.
DEFAULT_LIMITS = {
    "ip": (60, 600),  # any lookup, per client
    "secret_ip": (20, 3600),  # secret tries per client, all codes (scanning)
    "secret_ip_code": (5, 900),  # secret tries per client and code (a citizen's typos)
    "secret_ip_code_day": (10, 86400),
    "secret_code": (20, 30 * 86400),  # ceiling per code, all clients
}


def _rule(name: str, ident: str) -> Rule:
    limit, window = getattr(settings, "DOSSIER_LOOKUP_LIMITS", {}).get(name, DEFAULT_LIMITS[name])
    return Rule(f"lookup-{name}", ident, limit, window)


def _allowed(request, code: str, *, with_secret: bool, known: bool = False) -> bool:
    """Per client always; per client and code, and per code, when a secret is tried.

    One rate-limit check (one Redis round trip) whatever the number of rules.
    """
    ip = client_ip(request)
    rules = [_rule("ip", ip)]
    if with_secret:
        pair = f"{ip} {code}"
        rules += [
            _rule("secret_ip", ip),
            _rule("secret_ip_code", pair),
            _rule("secret_ip_code_day", pair),
            None if known else _rule("secret_code", code),
        ]
    return check(*rules) is None


def _too_many(request):
    return render(request, "dossiers/lookup_429.html", status=429)


def _code_key(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def _seen(request) -> dict[str, float]:
    """{hashed code: when its secret was last given} from the signed cookie."""
    raw = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT, max_age=KNOWN_SECONDS)
    try:
        seen = json.loads(raw) if raw else {}
        return {str(k): float(v) for k, v in seen.items()} if isinstance(seen, dict) else {}
    except (ValueError, TypeError, AttributeError):
        return {}


def _verified(request, code: str) -> bool:
    at = _seen(request).get(_code_key(code))
    return at is not None and 0 <= time.time() - at < VERIFIED_SECONDS


def _known(request, code: str) -> bool:
    at = _seen(request).get(_code_key(code))
    return at is not None and 0 <= time.time() - at < KNOWN_SECONDS


def _remember(request, response, code: str) -> None:
    seen = _seen(request)
    seen[_code_key(code)] = int(time.time())
    kept = dict(sorted(seen.items(), key=lambda kv: kv[1])[-COOKIE_CODES:])
    response.set_signed_cookie(
        COOKIE,
        json.dumps(kept, separators=(",", ":")),
        salt=COOKIE_SALT,
        max_age=KNOWN_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _url(code: str) -> str:
    return f"{reverse('dossiers:lookup')}?{urlencode({'ma': code})}"


@small_body()
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
    if not _allowed(request, code, with_secret=True, known=_known(request, code)):
        return _too_many(request)
    dossier = selectors.lookup_with_secret(code, secret)
    if dossier is None:
        # Same page, same words, same status for an unknown code and a wrong secret.
        return render(
            request,
            "dossiers/lookup.html",
            {"form": LookupForm(initial={"ma": code}), "secret_failed": NOT_FOUND},
        )
    response = redirect(_url(code))
    _remember(request, response, code)
    return response


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
            # Waiting for the applicant's papers: the old appointment no longer holds
            # (Decree 61/2018 art. 19(4)), so the page says the period is stopped instead.
            "stopped": dossier.status in rules.CLOCK_STOPPED_STATUSES,
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


# A 2,000-character Vietnamese comment is up to ~18 KB once form-encoded.
@small_body(32 * 1024)
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
