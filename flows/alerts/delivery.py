"""Delivering the outbox: every pending row is sent on its channel after the load commits, and listed for
`sota alerts list`.

Records and their outbox rows are written with the load (`warehouse.sota_detect.enqueue_alerts`). Each pending row is
sent, then marked delivered by a statement committed on its own, so a delivered row is never picked up again. A send
that fails keeps its row pending with the attempt counted and the error (secrets masked) for the next run. A crash
between sending and marking can repeat one send: every message carries the record's stable `alert_id` and a
per-channel `delivery_id` so that a receiver can drop the repeat.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from flows.alerts.channels import Channel
from flows.alerts.errors import DeliveryInTransactionError, error_line
from flows.alerts.messages import Alert
from warehouse.sota_detect import Record
from warehouse.statements import dict_rows, first_row, in_transaction, run


@dataclass
class DeliveryReport:
    delivered: list[Alert] = field(default_factory=list)
    failed: list[tuple[Alert, str]] = field(default_factory=list)  # (alert, masked error); still pending unless capped
    gave_up: list[Alert] = field(default_factory=list)  # reached max_attempts: now status 'failed'
    unconfigured: list[Alert] = field(default_factory=list)  # no channel of that name this run: left untouched

    def summary(self) -> str:
        if not (self.delivered or self.failed or self.unconfigured):
            return "alerts: nothing to send"
        text = f"alerts: {len(self.delivered)} delivered, {len(self.failed)} failed"
        if self.gave_up:
            text += f" ({len(self.gave_up)} given up)"
        if self.unconfigured:
            text += f", {len(self.unconfigured)} waiting for channels not configured"
        return text


def _refuse_inside_transaction(con: duckdb.DuckDBPyConnection) -> None:
    if in_transaction(con):
        raise DeliveryInTransactionError(
            "alerts are delivered after the load commits, not inside its transaction: call deliver_pending after "
            "COMMIT"
        )


def pending_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    """The outbox rows still to send, oldest first."""
    return [
        Alert(row.pop("outbox_id"), row.pop("channel"), row.pop("attempts"), Record.from_mapping(row))
        for row in dict_rows(con, "outbox_pending")
    ]


def deliver_pending(
    con: duckdb.DuckDBPyConnection,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    max_attempts: int | None = None,
) -> DeliveryReport:
    """Send every pending outbox row whose channel is configured; mark each delivered right after it went out.

    A failure keeps the row pending with attempts + 1 and the masked error; with `max_attempts`, a row whose attempt
    count reaches it becomes `failed` and is not retried. Rows for channels not in `channels` are left as they are.
    Must be called outside any open transaction (it commits after each send).
    """
    if max_attempts is not None and max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    _refuse_inside_transaction(con)
    report = DeliveryReport()
    for alert in pending_alerts(con):
        channel = channels.get(alert.channel)
        if channel is None:
            report.unconfigured.append(alert)
            continue
        try:
            channel.send(alert)
        except Exception as error:  # noqa: BLE001 - any failure of one send is that row's error; the others go on
            message = error_line(error, getattr(channel, "secrets", tuple)())
            # each mark is one statement, so committed on its own (autocommit) as soon as it returns
            run(con, "outbox_mark_attempt_failed",
                {"outbox_id": alert.outbox_id, "error": message, "max_attempts": max_attempts})
            report.failed.append((alert, message))
            if first_row(con, "outbox_status", {"outbox_id": alert.outbox_id})[0] == "failed":
                report.gave_up.append(alert)
            continue
        run(con, "outbox_mark_delivered", {"outbox_id": alert.outbox_id, "now": now})
        report.delivered.append(alert)
    return report


def outbox(con: duckdb.DuckDBPyConnection, *, pending_only: bool = False, limit: int = 100) -> list[dict]:
    """The outbox rows with their records, newest first (for `sota alerts list [--pending]`)."""
    return dict_rows(con, "outbox_list", {"pending_only": pending_only, "limit": limit})
