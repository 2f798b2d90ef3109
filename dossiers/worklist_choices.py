"""The worklist's rarely-changing lists, cached per set of agencies (issue 10 item 2).

The procedure and field filters, the agencies the ledger may be printed for, and every
agency's name (the "held by" column) were read, sorted in Vietnamese order and turned into
model instances on every worklist request: most of the page's CPU at city scale
(bench/RESULTS.md). They change when the catalogue does, so they are cached under a
catalogue version that every save or delete of a procedure, field or agency, and every
change of a procedure's agencies, replaces (signal receivers below: they catch the
admin, imports and services alike). A bulk `update()` bypasses signals: TTL bounds
that staleness. With the cache down the lists are read from the database.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import NamedTuple

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from procedures.access import Scope
from procedures.models import Agency, Field, Procedure
from procedures.search import fold

log = logging.getLogger(__name__)

VERSION_KEY = "worklist-choices:version"
TTL = 600
MAX_PROCEDURES = 1000
MAX_LEDGER_AGENCIES = 200


class Choice(NamedTuple):
    """What a filter option needs (the form reads .pk, .name, .national_code)."""

    pk: int
    name: str
    national_code: str = ""
    field_id: int | None = None


class Choices(NamedTuple):
    procedures: list[Choice]
    fields: list[Choice]
    ledger_agencies: list[Choice]
    # Every agency's name by id: a dossier may be held by an agency outside the scope.
    agency_names: dict[int, str]
    procedure_names: dict[int, str]


def _vi_sorted(rows: list[Choice]) -> list[Choice]:
    # Vietnamese reading order: fold() puts "Cấp…" before "Chứng thực…" and Đ beside D.
    return sorted(rows, key=lambda row: (fold(row.name), row.name, row.pk))


def _build(scope: Scope) -> Choices:
    procedures = Procedure.objects.order_by("name")
    agencies = Agency.objects.order_by("name")
    if not scope.all_agencies:
        ids = sorted(scope.agency_ids or ())
        procedures = procedures.filter(agencies__in=ids).distinct()
        agencies = agencies.filter(pk__in=ids)
    procedure_rows = _vi_sorted(
        [
            Choice(pk, name, code, field_id)
            for pk, code, name, field_id in procedures.values_list(
                "pk", "national_code", "name", "field_id"
            )[:MAX_PROCEDURES]
        ]
    )
    fields = Field.objects.all()
    if not scope.all_agencies:
        fields = fields.filter(pk__in={p.field_id for p in procedure_rows})
    field_rows = _vi_sorted([Choice(pk, name) for pk, name in fields.values_list("pk", "name")])
    names = dict(Agency.objects.values_list("pk", "name"))
    ledger = [Choice(pk, names[pk]) for pk in agencies.values_list("pk", flat=True)]
    return Choices(
        procedures=procedure_rows,
        fields=field_rows,
        ledger_agencies=ledger[:MAX_LEDGER_AGENCIES],
        agency_names=names,
        procedure_names={p.pk: p.name for p in procedure_rows},
    )


def _scope_key(scope: Scope, version: str) -> str:
    ident = "all" if scope.all_agencies else ",".join(map(str, sorted(scope.agency_ids or ())))
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return f"worklist-choices:{version}:{digest}"


def choices_for(scope: Scope) -> Choices:
    """The scope's lists, from the cache when the catalogue has not changed since."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            if not cache.add(VERSION_KEY, version, None):
                version = cache.get(VERSION_KEY) or version
        key = _scope_key(scope, version)
        found = cache.get(key)
    except Exception:
        log.warning("worklist choices cache unavailable; reading the catalogue", exc_info=True)
        return _build(scope)
    if found is not None:
        return Choices(*found)
    built = _build(scope)
    try:
        cache.set(key, tuple(built), TTL)
    except Exception:
        log.warning("worklist choices cache unavailable; not stored", exc_info=True)
    return built


def invalidate(**kwargs) -> None:
    """A new catalogue version: every scope's cached lists are rebuilt on next use."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:
        # The change itself must not fail for a cache outage; TTL bounds the staleness.
        log.warning("worklist choices cache unavailable; not invalidated", exc_info=True)


def connect_invalidation() -> None:
    for model in (Procedure, Field, Agency):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"worklist-choices-save-{model}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"worklist-choices-del-{model}")
    m2m_changed.connect(
        invalidate, sender=Procedure.agencies.through, dispatch_uid="worklist-choices-m2m"
    )
