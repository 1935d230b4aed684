"""The channels an alert goes out on: a webhook (Slack, Discord, any receiver), e-mail over SMTP, a Prefect event and
the console, and `build_channel`, which makes one from its `[[alerts.channels]]` entry.

A channel's `send` delivers one alert or raises; `secrets()` names what must never appear in an error about it.
`build_channel` resolves a channel's secrets at that moment; a channel that cannot be built (a missing environment
variable) becomes an `UnavailableChannel` whose every send fails with that reason, so its rows wait with the error
while the other channels deliver.
"""
from __future__ import annotations

import re
import smtplib
import ssl
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol, TextIO

import requests

from flows.alerts.errors import DeliveryError, describe_error
from flows.alerts.masking import (
    base64_forms,
    mask_secrets,
    secret_forms,
    secrets_masked_in_logs,
    url_origin,
    url_secrets,
)
from flows.alerts.messages import (
    CONTROL_CHARACTERS,
    EVENT_NAME,
    Alert,
    alert_line,
    alert_text,
    clip,
    email_subject,
    event_payload,
    event_related,
    event_resource,
    plain,
    webhook_payload,
)
from flows.config import ChannelConfig, ConfigError, resolve_secret
from pipelines.http import USER_AGENT


class Channel(Protocol):
    def send(self, alert: Alert) -> None:
        """Deliver or raise (any exception counts as a failed attempt)."""

    # Optional: `secrets() -> Sequence[str]`, strings that must never appear in an error kept in the outbox or
    # logged (deliver_pending masks them along with URL query values, URL credentials and password=... pairs).


@dataclass
class WebhookChannel:
    """POST the JSON payload to a URL (a Slack or Discord incoming webhook, or any receiver); 2xx is delivered."""

    url: str
    timeout: float = 10.0
    session: requests.Session | None = None

    def secrets(self) -> Sequence[str]:
        return url_secrets(self.url)

    def send(self, alert: Alert) -> None:
        where = f"webhook {url_origin(self.url)}"
        secrets = self.secrets()
        try:
            with secrets_masked_in_logs(secrets):
                response = (self.session or requests).post(
                    self.url,
                    json=webhook_payload(alert),
                    headers={"User-Agent": USER_AGENT, "Idempotency-Key": alert.delivery_id},
                    timeout=(min(5.0, self.timeout), self.timeout),
                    # A webhook answers where it is asked; following a redirect would re-send the body elsewhere.
                    allow_redirects=False,
                )
        except requests.RequestException as error:
            raise DeliveryError(f"{where}: {type(error).__name__}: {_innermost(error)}") from None
        with response:
            if 200 <= response.status_code < 300:
                return
            # Masked before it is cut: a token cut in two would no longer match the one to mask.
            body = clip(mask_secrets(plain(response.text), secrets), 200) if response.content else ""
            raise DeliveryError(f"{where}: HTTP {response.status_code}" + (f" {body}" if body else ""))


def _innermost(error: BaseException) -> str:
    # requests wraps the socket error several times; the innermost says what happened (refused, timed out).
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    return plain(str(error)) or type(error).__name__


@dataclass
class EmailChannel:
    """Send a plain-text e-mail through an SMTP server; with `starttls` the session is encrypted or nothing is sent."""

    host: str
    port: int
    sender: str
    recipients: Sequence[str]
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    ssl_context: ssl.SSLContext | None = None  # default: the system's trusted CAs, hostname checked

    def __post_init__(self) -> None:
        if isinstance(self.recipients, str):
            self.recipients = [self.recipients]
        addresses = [self.sender, *self.recipients]
        if not self.recipients or any(CONTROL_CHARACTERS.search(a or "") or not a or "@" not in a for a in addresses):
            raise ValueError("an e-mail channel needs a sender and at least one recipient, as plain addresses")

    def secrets(self) -> Sequence[str]:
        """The password, and the password as AUTH PLAIN ("\\0user\\0password") and AUTH LOGIN put it on the wire,
        base64-encoded: a server may repeat what it was sent."""
        if not self.password:
            return []
        user = self.username or ""
        wire = [*base64_forms(f"\0{user}\0{self.password}"), *base64_forms(self.password)]
        return list(dict.fromkeys([*secret_forms(self.password), *wire]))

    def message(self, alert: Alert) -> EmailMessage:
        record = alert.record
        message = EmailMessage()
        message["Subject"] = email_subject(record)
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = format_datetime(record.detected_at.replace(tzinfo=UTC), usegmt=True)
        # The same Message-ID on every retry: a repeat after a crash is recognisable as the same message.
        message["Message-ID"] = f"<{alert.delivery_id}@sotawatch>"
        message["X-Sotawatch-Alert-Id"] = alert.alert_id
        message.set_content(alert_text(record))
        return message

    def send(self, alert: Alert) -> None:
        where = f"email via {self.host}:{self.port}"
        message = self.message(alert)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    # Raises SMTPNotSupportedError when the server does not offer it: never fall back to plain text.
                    smtp.starttls(context=self.ssl_context or ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                # Some recipients refused but others accepted: sending again would repeat it to those who got it,
                # so this counts as delivered (smtplib raises when every recipient is refused).
                smtp.send_message(message, from_addr=self.sender, to_addrs=list(self.recipients))
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"{where}: {describe_error(error)}") from None


@dataclass
class ConsoleChannel:
    """Print one line per alert (to stdout unless told otherwise)."""

    stream: TextIO | None = None

    def secrets(self) -> Sequence[str]:
        return ()

    def send(self, alert: Alert) -> None:
        print(f"sotawatch: {alert_line(alert.record)}", file=self.stream or sys.stdout, flush=True)


@dataclass
class PrefectEventChannel:
    """Emit `sota.record.new` to Prefect (the server or Cloud the run talks to), for automations to route.

    The resource is the benchmark; the model is a related resource; the payload carries the alert line and the
    record. The event id is the alert's stable `delivery_id`: Prefect keeps one event per id, so a send repeated after
    a crash is dropped there. Inside a flow run Prefect also relates the event to the run. The event goes through
    Prefect's events worker, which is flushed before `send` returns; emission turned off (no API to send to) is an
    error, so the row stays pending rather than being marked delivered for nothing.
    """

    event: str = EVENT_NAME

    def secrets(self) -> Sequence[str]:
        return ()

    def send(self, alert: Alert) -> None:
        from prefect.events import emit_event
        from prefect.events.worker import EventsWorker

        record = alert.record
        emitted = emit_event(
            self.event,
            resource=event_resource(record),
            related=event_related(record),
            payload=event_payload(alert),
            id=uuid.UUID(alert.delivery_id),
            # when the record was made, not when this try sends it: a retried event describes the same moment
            occurred=record.detected_at.replace(tzinfo=UTC) if record.detected_at.tzinfo is None
            else record.detected_at,
        )
        if emitted is None:
            raise DeliveryError("prefect event: Prefect is not emitting events here (no API to send them to)")
        EventsWorker.instance().wait_until_empty()


@dataclass
class UnavailableChannel:
    """Stands for a configured channel that could not be built this run: every send fails with the reason."""

    reason: str

    def secrets(self) -> Sequence[str]:
        return ()

    def send(self, alert: Alert) -> None:
        raise DeliveryError(self.reason)


# ---------------------------------------------------------------------------------------------------- from the config


def build_channel(config: ChannelConfig, *, stream: TextIO | None = None) -> Channel:
    """The channel an `[[alerts.channels]]` entry describes, its secrets read now; raises ConfigError (one line)."""
    settings, what = config.settings, config.describe()
    if config.kind == "webhook":
        url = resolve_secret(settings["url"], what=f"{what} url")
        if not re.match(r"(?i)^https?://[^/\s]+", url):
            # the URL is a secret: say what is wrong with it, not what it is
            raise ConfigError(f"{what}: the url must be an http(s) URL")
        return WebhookChannel(url, timeout=float(settings.get("timeout", 10.0)))
    if config.kind == "email":
        password = settings.get("password")
        try:
            return EmailChannel(
                host=settings["host"],
                port=int(settings["port"]),
                sender=settings["from"],
                recipients=list(settings["to"]),
                starttls=bool(settings["starttls"]),
                username=settings.get("username"),
                password=resolve_secret(password, what=f"{what} password") if password else None,
                timeout=float(settings.get("timeout", 10.0)),
            )
        except ValueError as error:
            if isinstance(error, ConfigError):
                raise
            raise ConfigError(f"{what}: {error}") from None
    if config.kind == "prefect-event":
        return PrefectEventChannel()
    if config.kind == "console":
        return ConsoleChannel(stream)
    raise ConfigError(f"{what}: unknown kind")


def build_channels(configs: Sequence[ChannelConfig], *, stream: TextIO | None = None) -> dict[str, Channel]:
    """Every enabled channel by name; one that cannot be built is an `UnavailableChannel` with the reason."""
    channels: dict[str, Channel] = {}
    for config in configs:
        if not config.enabled:
            continue
        try:
            channels[config.name] = build_channel(config, stream=stream)
        except ConfigError as error:
            channels[config.name] = UnavailableChannel(str(error))
    return channels
