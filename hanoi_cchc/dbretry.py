"""Queries survive a dropped PostgreSQL connection where a replay is safe (issue 12, fault
drill "PostgreSQL connections dropped").

Django's CONN_HEALTH_CHECKS replaces a dead persistent connection at the first query of a
request, but a connection terminated later in the request (a database restart, a pooler
recycling it, pg_terminate_backend) failed the next query with "server closed the
connection unexpectedly" and the request answered 500. In the drill this happened after
an intake had committed: the client saw an error for a dossier that existed.

A statement that failed because the connection was lost is run once more on a new
connection only when nothing can have been applied by it or before it:
- outside `atomic()` (autocommit), a read: a write may have committed before the reply
  was lost, so it is not repeated;
- inside `atomic()`, the first statement of the transaction (psycopg2 reported no open
  transaction before it): the implicit BEGIN died with the connection, nothing committed,
  and Django's transaction state (no savepoint yet) stays valid on the new connection.
Later in a transaction the statement is not replayed (half a transaction cannot be): it
raises TransactionLost instead. The transaction died with the connection, so nothing of it
was applied, and a caller that owns the whole transaction may run it again from the start:
`replayable` does that once, for the services that write and for the API's idempotent
requests. A COMMIT that loses its connection is not a statement of ours (Django commits on
the raw connection): its outcome is unknown, it stays an error and is never replayed.
"""

from __future__ import annotations

import contextlib
import functools
import logging

from django.db import InterfaceError, OperationalError
from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver

log = logging.getLogger(__name__)

_READS = ("select", "with", "show")
_IDLE = 0  # psycopg2.extensions.TRANSACTION_STATUS_IDLE


class TransactionLost(OperationalError):
    """The connection died in the middle of a transaction: nothing of it was applied."""


def replayable(func):
    """Run func once more, from the start, if its transaction was lost with the connection.

    Only where func owns the whole transaction (no atomic block is open when it is called):
    inside an outer transaction the outer owner decides.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if default_connection.in_atomic_block:
            return func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except TransactionLost:
            log.warning("database connection lost mid-transaction; running it again")
            default_connection.close()
            return func(*args, **kwargs)

    return wrapper


def _lost(raw) -> bool:
    return raw is None or bool(getattr(raw, "closed", 0))


def _reconnect(connection, *, autocommit: bool) -> None:
    """A new raw connection under the same DatabaseWrapper, keeping Django's state."""
    old = connection.connection
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    connection._configure_connection(raw)  # time zone (and role), as Django's connect()
    raw.autocommit = autocommit
    connection.connection = raw
    connection.errors_occurred = False
    with contextlib.suppress(Exception):
        old.close()


def retry_on_lost_connection(execute, sql, params, many, context):
    connection, cursor = context["connection"], context["cursor"]
    raw = connection.connection
    try:
        autocommit = raw.autocommit
        status = raw.get_transaction_status()
    except Exception:  # already unusable: let the statement report it
        autocommit, status = None, None
    try:
        return execute(sql, params, many, context)
    except (OperationalError, InterfaceError) as exc:
        if autocommit is None or not _lost(connection.connection):
            raise
        if not autocommit and status != _IDLE:
            # Mid-transaction: the whole transaction is gone; its owner may run it again.
            raise TransactionLost(*exc.args) from exc
        if many or getattr(cursor.cursor, "name", None):  # server-side cursor: server state
            raise
        is_read = str(sql).lstrip().lower().startswith(_READS)
        if autocommit and not is_read:
            raise
        log.warning("database connection lost; replaying a statement on a new connection")
        _reconnect(connection, autocommit=autocommit)
        cursor.cursor = connection.create_cursor()
        return execute(sql, params, many, context)


@receiver(connection_created, dispatch_uid="ops_retry_on_lost_connection")
def install(sender, connection, **kwargs):
    if connection.vendor != "postgresql":
        return
    if retry_on_lost_connection not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, retry_on_lost_connection)
