"""Messages to applicants (SMS and e-mail) and morning reminders to officials (issue 13).

enqueue.py    which event says what to whom; written in the change's transaction
render.py     templates and their placeholders; defaults.py the Vietnamese texts
phones.py     Vietnamese mobile numbers in one form
delivery.py   sending, in order, with retries (the pattern of dossiers.sync)
reminders.py  the officials' morning digest
tasks.py      Celery tasks and the beat sweep
"""

from __future__ import annotations


def enqueue_for_event(event):
    """See dossiers.notifications.enqueue.enqueue_for_event (imported late: models)."""
    from .enqueue import enqueue_for_event as enqueue

    return enqueue(event)
