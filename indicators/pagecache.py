"""Rendered tables of the dashboards and the disclosure, cached per statistics version.

The figures come from roll-ups (a few hundred rows, whatever the number of dossiers), but
rendering the ranking of ~200 agencies, the charts and the disclosure tables costs tens of
milliseconds of Python per request: at 20 requests a second that is the whole machine. So
the views pass those figures as lazy values and the templates wrap them in
`{% cache %}` blocks keyed by `stamp()`: a hit renders nothing and queries nothing.

The stamp changes whenever a figure can: every write of the roll-ups, every month closed
and every restatement bumps the version (after commit), and the stamp also carries the
latest live city row so a write that missed its bump (another process, a flushed cache)
still shows. Fragments expire after TTL so catalogue names and levels follow edits.
"""

from __future__ import annotations

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.utils.functional import SimpleLazyObject

VERSION_KEY = "indicators:stats-version"
TTL = 300  # seconds; the figures themselves are invalidated by the stamp


def bump() -> None:
    """A new statistics version now and again once the current transaction commits.

    Now: so a reader never reuses a fragment of the old version (a fragment rendered before
    the commit is keyed by the in-between version, which the commit retires).
    """
    cache.set(VERSION_KEY, uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid4().hex, None))


def _version() -> str:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, uuid4().hex, None)
        value = cache.get(VERSION_KEY) or "none"
    return value


def stamp() -> str:
    """The cache-key part of every figure fragment (one query on ≈ 1 row a month)."""
    from .closing import closed_through
    from .models import CityMonthStat

    latest = CityMonthStat.objects.filter(published=False).aggregate(
        at=Max("computed_at"), n=Count("id")
    )
    at = latest["at"].timestamp() if latest["at"] else 0
    return f"{_version()}-{closed_through()}-{at}-{latest['n']}"


def lazy(fn):
    """A value computed only if a template renders it (on a fragment-cache miss)."""
    return SimpleLazyObject(fn)


def scope_key(agency_ids) -> str:
    """Cache-key part of a user's dashboard scope (None = every agency)."""
    if agency_ids is None:
        return "all"
    return ".".join(str(i) for i in sorted(agency_ids)) or "none"
