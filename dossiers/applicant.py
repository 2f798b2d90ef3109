"""The applicant's proof of access (code or online reference + secret), kept signed.

The secret is what the public lookup already uses: the last four digits of the phone or
ID number given at submission (dossiers.selectors.lookup_with_secret). Once verified, the
dossier id travels in a signed, short-lived, HttpOnly cookie (django.core.signing), so the
files, supplement, payment and receipt pages need no session and no second check.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core import signing

from .models import Dossier, OnlineSubmission
from .selectors import lookup_with_secret

COOKIE = "cchc_applicant"
SALT = "dossiers.applicant.access"


def last4(value: str) -> str:
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def verify(ref: str, secret: str) -> Dossier | None:
    """The dossier when ref (its code, or the online reference before it has one) and the
    secret match; None otherwise, with the same comparisons either way."""
    ref = (ref or "").strip().upper()
    dossier = lookup_with_secret(ref, secret)
    if dossier is not None:
        return dossier
    # Not accepted yet: the online reference, checked the same way (constant time).
    row = (
        OnlineSubmission.objects.select_related("dossier").filter(reference=ref).first()
        if ref
        else None
    )
    found = row.dossier if row else None
    given = (secret or "").strip().encode()
    phone = last4(found.applicant_phone) if found else ""
    id_number = last4(found.applicant_id_number) if found else ""
    by_phone = hmac.compare_digest(given, (phone or "\x00no-phone").encode())
    by_id = hmac.compare_digest(given, (id_number or "\x00no-id").encode())
    if found is not None and len(given) == 4 and (by_phone or by_id):
        return found
    return None


def grant(response, dossier: Dossier) -> None:
    """Remember the verified dossier in this browser for APPLICANT_ACCESS_SECONDS."""
    response.set_cookie(
        COOKIE,
        signing.dumps(dossier.pk, salt=SALT),
        max_age=settings.APPLICANT_ACCESS_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
    )


def revoke(response) -> None:
    response.delete_cookie(COOKIE, samesite="Lax")


def granted_dossier_id(request) -> int | None:
    """The dossier this browser proved access to, if the cookie is genuine and fresh."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SALT, max_age=settings.APPLICANT_ACCESS_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    return value if isinstance(value, int) else None
