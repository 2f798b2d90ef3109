"""Read replica for the indicator pages (issue 9: the scale-out path).

When DATABASE_REPLICA_URL is set, the reads of the city and agency dashboards, the public
disclosure and the indicators API go to the "replica" alias; everything else (and every
write) stays on "default". Reads are sent to the replica only inside `replica_reads()`
(the views opt in with @use_replica), never inside a transaction on the primary: a service
that writes statistics and then reads them back must see its own writes, which a replica
that lags behind would not show.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reads = contextvars.ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Within this block, reads that may go to the replica do (when one is configured)."""
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


def use_replica(view):
    """Decorator: a read-only view whose queries may be served by the replica."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reads.get() or not replica_configured():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # read your own writes
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary; never migrated itself
