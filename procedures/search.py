"""Diacritics- and case-insensitive search over the procedure catalogue.

Vietnamese users often type without tone marks (``cap giay phep xay dung``), with either
spelling of i/y (``đăng kí``) and with hyphens or punctuation (``ket-hon``); the catalogue
stores a folded copy of each procedure's name and codes in ``Procedure.search_text`` (kept
up to date by ``services.procedure_save``), and the query is folded the same way. Plain
``LIKE``/``contains`` lookups are used so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

# đ/Đ are letters of their own, not d + a combining mark: NFD leaves them alone.
_EXTRA_FOLD = str.maketrans({"đ": "d", "Đ": "d"})
_SPACES = re.compile(r"\s+")
_CODE_QUERY = re.compile(r"^\d\.[\d.]*[\w.]*$")
_MAX_WORDS = 12
# Hyphens, slashes, quotes, brackets, dashes…: "ket-hon", "kết hôn," and "(kết hôn)" are the
# same words. Letters, digits, spaces and dots between digits ("1.000060", "Nghị định 63.2010")
# stay.
_PUNCTUATION = re.compile(r"_|(?<!\d)\.|\.(?!\d)|[^\w\s.]")
# Syllables whose only vowel is a final i or y are spelt both ways (kí/ký, lí/lý, mĩ/mỹ, sĩ/sỹ,
# tỉ/tỷ, hi/hy, qui/quy): the official spelling varies by text and era, users type either.
# Only those syllables are merged; "tay" and "tai" stay apart.
_I_OR_Y = re.compile(r"\b(qu|[bcdghklmnpqrstvx]h?)[iy]\b")


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse whitespace."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA_FOLD))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def fold_words(text: str) -> str:
    """fold(), then punctuation as spaces and the i/y spellings of a syllable as one (→ i)."""
    folded = _PUNCTUATION.sub(" ", fold(text))
    return _I_OR_Y.sub(r"\1i", _SPACES.sub(" ", folded).strip())


def search_text_for(*, name: str, national_code: str, local_code: str = "") -> str:
    """The value stored in Procedure.search_text: the folded name first, then the codes."""
    return " ".join(
        part for part in (fold_words(name), national_code.lower(), local_code.lower()) if part
    )


def search_procedures(queryset: QuerySet, query: str) -> QuerySet:
    """Filter and rank ``queryset`` by ``query``.

    Rank 0: the name starts with the phrase; 1: the phrase appears in the name; 2: every word
    appears; 3: only a national or local code matches. Ties: the folded name (Đ sorts with D).
    """
    phrase = fold(query)[:200]
    if not _CODE_QUERY.match(phrase):
        phrase = fold_words(phrase)
    if not phrase:
        return queryset
    words = phrase.split(" ")[:_MAX_WORDS]
    all_words = Q()
    for word in words:
        all_words &= Q(search_text__contains=word)
    code_match = Q(national_code__startswith=phrase) | Q(local_code__istartswith=phrase)
    if _CODE_QUERY.match(phrase):
        # "1.000178" or "1.001234.000.00.00.h26": also a substring of a local code.
        code_match |= Q(local_code__icontains=phrase)
    return (
        queryset.filter(all_words | code_match)
        .annotate(
            search_rank=Case(
                When(search_text__startswith=phrase, then=Value(0)),
                # search_text also holds the codes: a code hit is not a phrase in the name.
                When(code_match, then=Value(3)),
                When(search_text__contains=phrase, then=Value(1)),
                When(all_words, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("search_rank", "search_text", "national_code")
    )
