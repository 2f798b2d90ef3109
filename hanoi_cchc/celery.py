"""The Celery app. Tasks live in each app's tasks.py and are discovered automatically.

Workers must survive a broker outage on their own (issue 12): see `_guard_closed_channel`
below, the broker settings in settings.py ("ops" block) and the supervision in
`make worker` (bin/supervise).
"""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hanoi_cchc.settings")

log = logging.getLogger(__name__)


def _guard_closed_channel() -> None:
    """Keep a Redis outage from killing the worker in kombu's Redis `QoS`.

    kombu (5.7.0, the newest release; the code path is unchanged since 3.x, see kombu
    issues 582 and 970) talks to Redis from a channel's QoS to restore unacknowledged
    messages when the channel closes, and to acknowledge a task when it finishes. When the
    broker drops, the consumer collects the connection (`transport.client = None`, the
    channel's pool dropped, later `channel.connection = None`); a restore or an ack that
    comes after that rebuilds the pool from the missing connection and raises
    AttributeError ('NoneType' object has no attribute 'hostname' / 'client'), which Celery
    treats as unrecoverable: the worker exits (1 outage in 7 in the attack report; the
    Redis fault drill hit the ack path of a task that finished during an outage).

    Skipping the Redis side loses nothing: with ack emulation the message stays in Redis's
    `unacked` hash and `restore_visible` puts it back on its queue after
    `visibility_timeout`. Our tasks are idempotent and the outbox sweep re-kicks whatever is
    still due, so a late or repeated run is harmless.
    """
    from kombu.transport import redis as kombu_redis
    from kombu.transport import virtual

    qos = kombu_redis.QoS
    if getattr(qos, "_hanoi_guarded", False):
        return
    restore_unacked, ack, reject = qos.restore_unacked, qos.ack, qos.reject

    def closed(channel) -> bool:
        connection = getattr(channel, "connection", None)
        return connection is None or connection.client is None

    def guarded_restore_unacked(self, client=None):
        if client is None and closed(self.channel):
            log.warning(
                "broker connection closed: %d unacked message(s) left to redelivery",
                len(self._delivered),
            )
            self._delivered.clear()
            return None
        try:
            return restore_unacked(self, client)
        except (AttributeError, *self.channel.connection_errors) as exc:
            # The broker went away while restoring: the messages are still in Redis.
            log.warning("could not restore unacked messages now (%r): left to redelivery", exc)
            self._delivered.clear()
            return None

    def guarded_ack(self, delivery_tag):
        if closed(self.channel):
            log.warning("broker connection closed: ack of %s left to redelivery", delivery_tag)
            return virtual.QoS.ack(self, delivery_tag)  # forget it here; Redis keeps it
        return ack(self, delivery_tag)

    def guarded_reject(self, delivery_tag, requeue=False):
        if closed(self.channel):
            log.warning("broker connection closed: reject of %s left to redelivery", delivery_tag)
            return virtual.QoS.ack(self, delivery_tag)
        return reject(self, delivery_tag, requeue=requeue)

    qos.restore_unacked = guarded_restore_unacked
    qos.ack = guarded_ack
    qos.reject = guarded_reject
    qos._hanoi_guarded = True


_guard_closed_channel()

app = Celery("hanoi_cchc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages inside an app that hold their own tasks.py.
app.autodiscover_tasks(["dossiers.notifications"])
