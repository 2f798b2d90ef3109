"""The Celery app. Tasks live in each app's tasks.py and are discovered automatically.

Workers must survive a broker outage on their own (issue 12): see `_guard_restore_unacked`
below, the broker settings in settings.py ("ops" block) and the supervision in `make worker`.
"""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hanoi_cchc.settings")

log = logging.getLogger(__name__)


def _guard_restore_unacked() -> None:
    """Keep a Redis outage from killing the worker in kombu's `QoS.restore_unacked`.

    kombu (5.7.0, the newest release; the code path is unchanged since 3.x, see kombu
    issues 582 and 970) restores a channel's unacknowledged messages when the channel is
    closed. When the broker drops, the consumer first collects the connection (which sets
    `transport.client = None` and drops the channel's pool) and then closes the task
    channel; rebuilding the pool reads `connection.client.hostname` and raises
    AttributeError, which Celery treats as an unrecoverable error and the worker exits
    (1 outage in 7 in the attack report: only when a message was in flight).

    Skipping the restore loses nothing: with ack emulation the messages stay in Redis's
    `unacked` hash until acknowledged, and every consumer's `restore_visible` puts them
    back on their queue after `visibility_timeout`. Our tasks are idempotent and the
    outbox sweep re-kicks whatever is still due, so a late or repeated delivery is harmless.
    """
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.QoS.restore_unacked
    if getattr(original, "_hanoi_guarded", False):
        return

    def restore_unacked(self, client=None):
        channel = self.channel
        connection = getattr(channel, "connection", None)
        if client is None and (connection is None or connection.client is None):
            log.warning(
                "broker connection already closed: %d unacked message(s) left to "
                "visibility_timeout redelivery",
                len(self._delivered),
            )
            self._delivered.clear()
            return None
        try:
            return original(self, client)
        except (AttributeError, *channel.connection_errors) as exc:
            # Same outcome as above, reached from another path (the broker went away
            # while restoring): the messages are still in the unacked hash.
            log.warning("could not restore unacked messages now (%r): left to redelivery", exc)
            self._delivered.clear()
            return None

    restore_unacked._hanoi_guarded = True
    kombu_redis.QoS.restore_unacked = restore_unacked


_guard_restore_unacked()

app = Celery("hanoi_cchc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages inside an app that hold their own tasks.py.
app.autodiscover_tasks(["dossiers.notifications"])
