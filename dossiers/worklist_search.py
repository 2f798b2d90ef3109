"""The officials' search box over dossiers: code (whole or its last part), applicant name
without diacritics, last digits of the phone or ID number (issue 10 item 2).

One text per dossier, `dossier_haystack(name, code, phone, id_number)`:
"<folded name>|<code>|<phone digits>|<id number digits>|", lower case. On PostgreSQL it is
an IMMUTABLE SQL function (migration 0005_hot_worklist_search) with a pg_trgm GIN index on it, so a
LIKE '%…%' on it is an index search; on SQLite the same function is registered from
Python (`haystack`) when a connection opens. The folding is the catalogue's own
(procedures.search.fold) in Python and the unaccent extension in PostgreSQL; a test
compares the two over every Vietnamese letter.
"""

from __future__ import annotations

import re

from django.db.models import CharField, F, Func, QuerySet

from procedures.search import fold

MAX_QUERY = 100
_DIGITS = re.compile(r"^[\d\s.]+$")


def haystack(name, code, phone, id_number) -> str:
    """The Python twin of the SQL function dossier_haystack (SQLite, and the test)."""
    return "|".join(
        [fold(name or ""), (code or "").lower(), _digits(phone), _digits(id_number), ""]
    )


def _digits(value) -> str:
    # ASCII digits only, as the SQL function's [^0-9] (phones are typed "0912 345 678").
    return re.sub(r"[^0-9]", "", value or "")


class Haystack(Func):
    function = "dossier_haystack"
    output_field = CharField()

    def __init__(self):
        super().__init__(
            F("applicant_name"), F("code"), F("applicant_phone"), F("applicant_id_number")
        )


def pattern_for(query: str) -> str | None:
    """The substring of the haystack that `query` must match, or None for no search.

    Digits (3 or more, spaces and dots ignored): the end of the code, phone or ID number.
    Anything else, folded: a phrase of the applicant name ("nguyen van an" finds
    "Nguyễn Văn An") or a part of the code ("210108-0001", or the whole code).
    """
    text = (query or "").strip()[:MAX_QUERY]
    if not text or "\x00" in text:
        return None
    if _DIGITS.match(text):
        digits = re.sub(r"[\s.]", "", text)
        return f"{digits}|" if len(digits) >= 3 else None
    folded = fold(text)
    if "|" in folded or len(folded) < 2:
        return None
    # A code or a part of it (the name part of the haystack holds no "-").
    return folded


def search(queryset: QuerySet, query: str) -> QuerySet:
    """`queryset` narrowed to the dossiers matching `query` (see pattern_for)."""
    pattern = pattern_for(query)
    if pattern is None:
        return queryset
    return queryset.alias(haystack=Haystack()).filter(haystack__contains=pattern)


def register_sqlite(sender, connection, **kwargs) -> None:
    """connection_created receiver: the SQL function on SQLite, from Python."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("dossier_haystack", 4, haystack, deterministic=True)
