"""kombu's Redis transport restores a closed channel's unacknowledged messages; when the
broker connection was already collected (what the worker does when Redis drops) this
raised AttributeError and killed the worker (issue 12). With the guard the channel closes
and the message stays in Redis's unacked set for redelivery. A private redis-server only."""

from __future__ import annotations

import shutil

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue

import hanoi_cchc.celery  # noqa: F401 - installs the guard
from tests.faults.stack import OwnRedis

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]


@pytest.fixture
def redis(tmp_path):
    own = OwnRedis(tmp_path)
    own.start()
    yield own
    own.kill()


def _consume_one(redis, name):
    conn = Connection(redis.url)
    channel = conn.channel()
    queue = Queue(name, Exchange(name), name)
    Producer(channel).publish({"n": 1}, exchange=queue.exchange, routing_key=name,
                              declare=[queue])  # fmt: skip
    got = []
    Consumer(channel, queue, callbacks=[lambda body, message: got.append(message)]).consume()
    conn.drain_events(timeout=5)
    assert len(got) == 1 and len(channel.qos._delivered) == 1
    return conn, channel, got[0]


def _unacked(redis) -> int:
    with Connection(redis.url) as other:
        return other.default_channel.client.hlen("unacked")


def test_a_task_finishing_after_its_connection_was_collected_does_not_crash_the_ack(redis):
    conn, channel, message = _consume_one(redis, "guard-ack")
    # What the consumer leaves behind after a connection error, while the task still runs.
    conn.transport.client = None
    channel._disconnect_pools()
    channel.connection = None
    channel.qos.ack(message.delivery_tag)  # raised AttributeError: ... no attribute 'client'
    assert _unacked(redis) == 1  # redelivered after the visibility timeout


def test_closing_a_channel_after_its_connection_was_collected_keeps_the_message(redis):
    conn = Connection(redis.url)
    channel = conn.channel()
    queue = Queue("guard", Exchange("guard"), "guard")
    Producer(channel).publish({"n": 1}, exchange=queue.exchange, routing_key="guard",
                              declare=[queue])  # fmt: skip
    got = []
    Consumer(channel, queue, callbacks=[lambda body, message: got.append(body)]).consume()
    conn.drain_events(timeout=5)
    assert got == [{"n": 1}] and len(channel.qos._delivered) == 1
    # The order of the worker's clean-up after a connection error.
    conn.transport.client = None
    channel._disconnect_pools()
    channel.close()  # raised AttributeError: 'NoneType' object has no attribute 'hostname'
    with Connection(redis.url) as other:
        client = other.default_channel.client
        assert client.hlen("unacked") == 1  # still there for redelivery
