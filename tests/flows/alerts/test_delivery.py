"""Delivering the outbox: channels fail alone, rows for channels not configured wait, a cap on attempts gives a row
up, and nothing is sent inside the load's transaction. Real loads into a real DuckDB file; the webhook is the
loopback server.
"""
from __future__ import annotations

import io

import pytest

from flows.alerts import (
    ConsoleChannel,
    DeliveryInTransactionError,
    WebhookChannel,
    deliver_pending,
    outbox,
    pending_alerts,
)
from tests.flows.alerts.queued import LATER, NOW, outbox_state, posts, queue_one_record
from tests.support.http_server import Reply, serve


def test_channels_fail_alone_and_unconfigured_channels_wait(db, tmp_path):
    queue_one_record(db, tmp_path, ["hook", "console", "pager"])
    printed = io.StringIO()
    with serve() as receiver:
        receiver.route("/hook", [Reply(503)])
        channels = {"hook": WebhookChannel(receiver.url("/hook")), "console": ConsoleChannel(printed)}
        report = deliver_pending(db, channels, LATER)
    assert [a.channel for a in report.delivered] == ["console"]
    assert [a.channel for a, _ in report.failed] == ["hook"]
    assert [a.channel for a in report.unconfigured] == ["pager"]
    states = [row[:3] for row in outbox_state(db)]
    assert states == [("hook", "pending", 1), ("console", "delivered", 1), ("pager", "pending", 0)]
    assert printed.getvalue().count("\n") == 1
    assert printed.getvalue().startswith("sotawatch: New SOTA on Image Classification / ImageNet / Top 1 Accuracy")
    assert report.summary() == "alerts: 1 delivered, 1 failed, 1 waiting for channels not configured"
    assert [row["channel"] for row in outbox(db, pending_only=True)] == ["pager", "hook"]
    assert len(outbox(db)) == 3


def test_with_a_cap_on_attempts_a_row_is_given_up(db, tmp_path):
    queue_one_record(db, tmp_path, ["hook"])
    with serve() as receiver:
        receiver.route("/hook", [Reply(500)])
        channels = {"hook": WebhookChannel(receiver.url("/hook"))}
        deliver_pending(db, channels, NOW, max_attempts=2)
        second = deliver_pending(db, channels, NOW, max_attempts=2)
        third = deliver_pending(db, channels, NOW, max_attempts=2)
        assert len(second.gave_up) == 1 and third.failed == [] and len(posts(receiver)) == 2
    assert outbox_state(db)[0][:3] == ("hook", "failed", 2)
    assert pending_alerts(db) == []


def test_delivery_waits_for_the_commit(db, tmp_path):
    queue_one_record(db, tmp_path, ["console"])
    db.execute("BEGIN TRANSACTION")
    try:
        with pytest.raises(DeliveryInTransactionError):
            deliver_pending(db, {"console": ConsoleChannel(io.StringIO())}, NOW)
    finally:
        db.execute("ROLLBACK")
    assert outbox_state(db)[0][:3] == ("console", "pending", 0)
