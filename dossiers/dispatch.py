"""Kick the after-commit side effects of a dossier change.

The work itself is never lost: outbox rows and dossier events are in the database and the
periodic jobs sweep them. A kick only makes it happen sooner, so a broker that is down is
logged, not raised: no request depends on Redis being up.
"""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def _kick(dossier_id: int) -> None:
    # One publish per change: the worker fans out to delivery, statistics and messages
    # (dossiers.tasks.after_change).
    from dossiers.tasks import after_change

    try:
        after_change.delay(dossier_id)
    except Exception:  # broker unreachable: the periodic sweeps will catch up
        log.warning("could not enqueue the kick of dossier %s", dossier_id, exc_info=True)


class _Kick:
    """One dossier's kick, recognisable among the transaction's on-commit callbacks."""

    def __init__(self, dossier_id: int):
        self.dossier_id = dossier_id

    def __call__(self) -> None:
        _kick(self.dossier_id)


def after_commit(dossier_id: int) -> None:
    """Schedule delivery to DVCQG, the statistics update and the applicant's messages once
    the transaction commits.

    Once per dossier and atomic block: several history rows written in the same block share
    one kick (callbacks of other savepoints are theirs: a rolled-back savepoint drops them).
    """
    connection = transaction.get_connection()
    current = set(connection.savepoint_ids)
    if connection.in_atomic_block and any(
        isinstance(entry[1], _Kick) and entry[1].dossier_id == dossier_id and entry[0] == current
        for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_Kick(dossier_id))
