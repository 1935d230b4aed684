"""Delivering new-SOTA alerts from the outbox: webhook (Slack, Discord), e-mail over SMTP, a Prefect event, the console.

Records and their outbox rows are written with the load (`warehouse.sota_detect`); delivery runs after the commit:

    report = deliver_pending(con, {"team-slack": WebhookChannel(url), "mail": EmailChannel(...)}, now)

The package, a module per job (import from `flows.alerts`; the modules are how it is kept, not its interface):
- `messages`: `Alert` and what it says in each format (one line, e-mail, webhook JSON, Prefect event), escaped for
  its reader; `sample_alert` for trying a channel.
- `masking`: a channel's secrets in every form they may come back, masked in errors and in the HTTP libraries' logs.
- `errors`: the delivery errors and the one masked line a failed send leaves in the outbox.
- `channels`: the webhook, e-mail, Prefect event and console channels, and `build_channel(s)` from the config.
- `delivery`: `deliver_pending` (send, then mark each row delivered on its own commit), `pending_alerts`, `outbox`.
"""
from __future__ import annotations

from flows.alerts.channels import (
    Channel,
    ConsoleChannel,
    EmailChannel,
    PrefectEventChannel,
    UnavailableChannel,
    WebhookChannel,
    build_channel,
    build_channels,
)
from flows.alerts.delivery import DeliveryReport, deliver_pending, outbox, pending_alerts
from flows.alerts.errors import DeliveryError, DeliveryInTransactionError
from flows.alerts.masking import base64_forms, mask_secrets, secret_forms, url_origin, url_secrets
from flows.alerts.messages import (
    EVENT_NAME,
    Alert,
    alert_line,
    alert_text,
    benchmark_name,
    benchmark_resource_id,
    discord_content,
    event_payload,
    event_resource,
    plain,
    record_json,
    sample_alert,
    slack_text,
    webhook_payload,
)

__all__ = [
    "EVENT_NAME",
    "Alert",
    "Channel",
    "ConsoleChannel",
    "DeliveryError",
    "DeliveryInTransactionError",
    "DeliveryReport",
    "EmailChannel",
    "PrefectEventChannel",
    "UnavailableChannel",
    "WebhookChannel",
    "alert_line",
    "alert_text",
    "base64_forms",
    "benchmark_name",
    "benchmark_resource_id",
    "build_channel",
    "build_channels",
    "deliver_pending",
    "discord_content",
    "event_payload",
    "event_resource",
    "mask_secrets",
    "outbox",
    "pending_alerts",
    "plain",
    "record_json",
    "sample_alert",
    "secret_forms",
    "slack_text",
    "url_origin",
    "url_secrets",
    "webhook_payload",
]
