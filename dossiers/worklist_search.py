"""The officials' search box over dossiers: code (whole or its last part), applicant name
without diacritics, last digits of the phone or ID number (issue 10 item 2).

Four search columns on the dossier, written with the applicant and the code
(`fill`, called by services._new_dossier and lifecycle.accept) and backfilled for older rows
(`backfill`, the `backfill_dossier_search` command):

- `search_name`: the applicant name folded as the catalogue folds it
  (procedures.search.fold_words: lower case, no diacritics, đ → d, ký = kí). Found from its
  start: "nguyen van an" finds "Nguyễn Văn An".
- `search_code_rev`: the code after its agency part, reversed ("000.01.00.H26-241128-0001"
  → "1000-821142"): its last digits and its last parts are a prefix of it.
- `search_phone_rev`, `search_id_rev`: the digits of the phone and the ID number, reversed,
  so their last digits are a prefix.

B-tree indexes with varchar_pattern_ops (migration 0010_hot_search_indexes) serve the
prefix searches: the name and the code led by the receiving and by the current agency (the
official's scope, the same two columns as selectors._worklist_base), the phone and the ID
number alone (four digits select ~1 in 10,000 of the city's dossiers). A trigram index over
one text of all four (issue 10, first version) cost every intake a GIN insert and still
read millions of index entries for a common name at 5 million dossiers (8 s p95).
"""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from procedures.search import fold, fold_words

MAX_QUERY = 100
_DIGITS = re.compile(r"^[0-9\s.]+$")
# The code's last parts as typed: "0001", "241128-0001".
_CODE_TAIL = re.compile(r"^[0-9]+(-[0-9]+)*$")
# A whole code: "000.01.00.H26-241128-0001" (case-insensitive).
_WHOLE_CODE = re.compile(r"^[0-9a-z.]+-[0-9]{6}-[0-9]{4,}$", re.IGNORECASE)
# What a typed name may hold once folded; anything else ("%", "_", "|", quotes) matches
# no name rather than being dropped ("l%" is not "l").
_NAME = re.compile(r"^[a-z0-9 .,-]+$")
NAME_MAX = 255
SEARCH_FIELDS = ("search_name", "search_code_rev", "search_phone_rev", "search_id_rev")


def _digits(value) -> str:
    return re.sub(r"[^0-9]", "", value or "")


def code_tail(code: str | None) -> str:
    """The code after its agency part: "241128-0001" (the whole code if it has no "-")."""
    return (code or "").split("-", 1)[-1]


def search_values(*, name, code, phone, id_number) -> dict[str, str]:
    """The search columns of a dossier with these applicant details and code."""
    return {
        "search_name": fold_words(name or "")[:NAME_MAX],
        "search_code_rev": code_tail(code)[::-1].lower(),
        "search_phone_rev": _digits(phone)[::-1],
        "search_id_rev": _digits(id_number)[::-1],
    }


def fill(dossier) -> None:
    """Set the dossier's search columns from its applicant and code (not saved here)."""
    values = search_values(
        name=dossier.applicant_name,
        code=dossier.code,
        phone=dossier.applicant_phone,
        id_number=dossier.applicant_id_number,
    )
    for field, value in values.items():
        setattr(dossier, field, value)


def condition(query: str, agency_ids=None) -> Q | None:
    """The condition matching `query`, or None for no search (too short or empty).

    `agency_ids`: the official's agencies (None: every agency). The name and code arms
    carry them so that each arm can use its agency-led index.

    Digits (3 or more, spaces and dots ignored): the end of the code, phone or ID number.
    A code or its last parts ("241128-0001"). Anything else, folded: the start of the
    applicant's name. Input that can be neither matches nothing.
    """
    text = (query or "").strip()[:MAX_QUERY]
    if not text or "\x00" in text:
        return None
    if _DIGITS.match(text):
        digits = re.sub(r"[\s.]", "", text)
        if len(digits) < 3:
            return None
        reversed_digits = digits[::-1]
        return (
            _scoped("search_code_rev", reversed_digits, agency_ids)
            | Q(search_phone_rev__startswith=reversed_digits)
            | Q(search_id_rev__startswith=reversed_digits)
        )
    if _WHOLE_CODE.match(text):
        return Q(code=text.upper())
    if _CODE_TAIL.match(text):
        return _scoped("search_code_rev", text[::-1], agency_ids)
    folded = fold(text)
    if len(folded) < 2:
        return None
    if not _NAME.match(folded):
        return Q(pk__in=[])
    return _scoped("search_name", fold_words(text), agency_ids)


def _scoped(field: str, prefix: str, agency_ids) -> Q:
    match = Q(**{f"{field}__startswith": prefix})
    if agency_ids is None:
        return match
    ids = sorted(agency_ids)
    return Q(agency_id__in=ids, **{f"{field}__startswith": prefix}) | Q(
        current_agency_id__in=ids, **{f"{field}__startswith": prefix}
    )


def search(queryset: QuerySet, query: str, *, agency_ids=None) -> QuerySet:
    """`queryset` narrowed to the dossiers matching `query` (see `condition`)."""
    found = condition(query, agency_ids)
    return queryset if found is None else queryset.filter(found)


# --- backfill (rows written before the columns existed) ---------------------------------


def backfill(*, batch: int = 5000, log=None, model=None) -> int:
    """Fill the search columns of dossiers that lack them, `batch` rows per transaction.

    Walks the primary key so that each batch is an index range; safe to stop and re-run
    (only rows whose search_name is NULL are touched). Returns the rows filled. `model`:
    the migration's historical Dossier.
    """
    from .models import Dossier

    model = model or Dossier
    filled, last = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.filter(pk__gt=last, search_name__isnull=True)
                .order_by("pk")
                .values_list(
                    "pk", "applicant_name", "code", "applicant_phone", "applicant_id_number"
                )[:batch]
            )
            if not rows:
                return filled
            _write(
                model,
                [
                    (pk, search_values(name=name, code=code, phone=phone, id_number=id_number))
                    for pk, name, code, phone, id_number in rows
                ],
            )
        filled += len(rows)
        last = rows[-1][0]
        if log:
            log(filled, last)


def _write(model, rows: list[tuple[int, dict]]) -> None:
    if connection.vendor != "postgresql":
        for pk, values in rows:
            model.objects.filter(pk=pk).update(**values)
        return
    table = model._meta.db_table
    columns = ", ".join(f"{field} = v.{field}" for field in SEARCH_FIELDS)
    # One UPDATE per batch from parallel arrays (no per-row round trip).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} AS d SET {columns}
                FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
                     AS v(id, {", ".join(SEARCH_FIELDS)})
                WHERE d.id = v.id""",  # noqa: S608 (table and column names are ours)
            [[pk for pk, _ in rows]] + [[values[f] for _, values in rows] for f in SEARCH_FIELDS],
        )
