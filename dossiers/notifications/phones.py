"""Vietnamese mobile numbers in one form: +84 followed by nine digits.

Written as 0912 345 678, 0912.345.678, +84 912 345 678 or 84912345678 at the desk, they
are all the same subscriber; the SMS gateway gets one form. Mobile numbers have ten digits
with the leading 0 since the 2018 renumbering (prefixes 03, 05, 07, 08, 09, Decision
798/QĐ-BTTTT); landlines (02x) cannot receive SMS, so they are not valid here.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"^[35789]\d{8}$")


def normalise_phone(raw: str) -> str | None:
    """'+84912345678' for any way of writing a Vietnamese mobile number, else None."""
    value = _SEPARATORS.sub("", raw or "")
    if value.startswith("+84"):
        national = value[3:]
    elif value.startswith("0084"):
        national = value[4:]
    elif value.startswith("84") and len(value) == 11:
        national = value[2:]
    elif value.startswith("0"):
        national = value[1:]
    else:
        return None
    # "+84 0912…" happens too: the trunk 0 after the country code is dropped.
    if len(national) == 10 and national.startswith("0"):
        national = national[1:]
    return f"+84{national}" if _MOBILE.match(national) else None
