"""Delivering new-SOTA alerts from the outbox: webhook (Slack, Discord), e-mail over SMTP, a Prefect event, the console.

Records and their outbox rows are written with the load (`warehouse.sota_detect`); delivery runs after the commit:

    report = deliver_pending(con, {"team-slack": WebhookChannel(url), "mail": EmailChannel(...)}, now)

Each pending row is sent, then marked delivered by a statement committed on its own, so a delivered row is never picked
up again. A send that fails keeps its row pending with the attempt counted and the error (secrets masked) for the
next run. A crash between sending and marking can repeat one send: every message carries the record's stable
`alert_id` and a per-channel `delivery_id` (also the e-mail's Message-ID) so that a receiver can drop the repeat.

`build_channel` makes a channel from its `[[alerts.channels]]` entry, resolving its secrets at that moment; a channel
that cannot be built (a missing environment variable) becomes one whose every send fails with that reason, so its
rows wait with the error while the other channels deliver.

Everything in a message comes from leaderboards on the web, so it is treated as untrusted text: control characters
and line breaks are removed everywhere, and each format escapes what its reader would interpret (Slack's `<>&`
markup, Discord's markdown and mentions; the e-mail is plain text with header-safe lines).
"""
from __future__ import annotations

import base64
import logging
import re
import smtplib
import ssl
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol, TextIO
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

import duckdb
import requests

from flows.config import ChannelConfig, ConfigError, resolve_secret
from pipelines.http import USER_AGENT, redact_secrets
from warehouse.errors import WarehouseError
from warehouse.statements import dict_rows, in_transaction, run
from warehouse.sota_detect import Record

# Stable namespace for per-channel delivery ids: uuid5(namespace, alert_id + channel) is the same on every retry.
_DELIVERY_NAMESPACE = uuid.UUID("6f1c52e4-3b0e-4c55-9f3a-5a0b8f1d2e77")
_ERROR_LIMIT = 500


class DeliveryError(Exception):
    """A send that did not go through; the message is one line and names no secret."""


class DeliveryInTransactionError(WarehouseError):
    """Delivery was asked for inside an open transaction: it must run after the load commits."""


@dataclass(frozen=True)
class Alert:
    """One outbox row to send: a record, to one channel."""

    outbox_id: int
    channel: str
    attempts: int  # attempts made before this one
    record: Record

    @property
    def alert_id(self) -> str:
        return self.record.alert_id

    @property
    def delivery_id(self) -> str:
        """Stable for this record on this channel: an idempotency key (and a Prefect event id, being a UUID)."""
        return str(uuid.uuid5(_DELIVERY_NAMESPACE, f"{self.record.alert_id}/{self.channel}"))


class Channel(Protocol):
    def send(self, alert: Alert) -> None:
        """Deliver or raise (any exception counts as a failed attempt)."""

    # Optional: `secrets() -> Sequence[str]`, strings that must never appear in an error kept in the outbox or
    # logged (deliver_pending masks them along with URL query values, URL credentials and password=... pairs).


# ---------------------------------------------------------------------------------------------------- the message

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")


def plain(text: object) -> str:
    """One line of text: control characters and line breaks become spaces (no header or log-line injection)."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", str(text))).strip()


def _number(value: float) -> str:
    return f"{value:.10g}"


def _with_unit(value: float, unit: str | None) -> str:
    return _number(value) + ("%" if unit == "percent" else "")


def _margin(record: Record) -> str:
    text = _number(record.margin) + (" points" if record.unit == "percent" else "")
    return text + (" (lower is better)" if record.direction == "lower" else "")


def _safe_url(url: str | None) -> str | None:
    """A paper link only if it is a plain http(s) URL: anything else is dropped rather than shown."""
    if not url:
        return None
    url = url.strip()
    if _CONTROL.search(url) or " " in url or not re.match(r"(?i)^https?://[^/\s]+", url):
        return None
    return url


def benchmark_name(record: Record) -> str:
    return f"{plain(record.task)} / {plain(record.dataset)} / {plain(record.metric)}"


def _paper(record: Record) -> str:
    parts = [plain(record.paper_title)] if record.paper_title else []
    if record.published_on:
        parts.append(record.published_on.isoformat())
    return f" ({', '.join(parts)})" if parts else ""


def alert_line(record: Record) -> str:
    """The alert in one plain line: benchmark, new best (model, value, paper, date), previous best, margin, link."""
    line = (
        f"New SOTA on {benchmark_name(record)}: {plain(record.model)} {_with_unit(record.value, record.unit)}"
        f"{_paper(record)} beats {plain(record.previous_model)} {_with_unit(record.previous_value, record.unit)}"
        f" by {_margin(record)}"
    )
    url = _safe_url(record.paper_url)
    return f"{line} {url}" if url else line


def alert_text(record: Record) -> str:
    """The same facts as plain text over several lines, for e-mail."""
    url = _safe_url(record.paper_url)
    lines = [
        f"New state of the art on {benchmark_name(record)}",
        "",
        f"New best:      {plain(record.model)}: {_with_unit(record.value, record.unit)}",
        f"Paper:         {plain(record.paper_title) if record.paper_title else '(not given)'}",
        f"Published:     {record.published_on.isoformat() if record.published_on else '(date unknown)'}",
        f"Link:          {url or '(none)'}",
        f"Previous best: {plain(record.previous_model)}: {_with_unit(record.previous_value, record.unit)}",
        f"Margin:        {_margin(record)}",
        "",
        f"Detected {record.detected_at:%Y-%m-%d %H:%M} UTC in snapshot {record.snapshot_id}.",
        f"Alert id: {record.alert_id}",
    ]
    return "\n".join(lines) + "\n"


def slack_text(record: Record) -> str:
    # Slack reads <...> as links and mentions (<!channel> pages everyone); &, < and > are its only escapes.
    return alert_line(record).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|\[\]<>])")
_DISCORD_LIMIT = 2000


def discord_content(record: Record) -> str:
    # Markdown in a model name or title must not render (masked links, code blocks); mentions are also switched off
    # by allowed_mentions in the payload. The URL goes last and unescaped so that Discord still links it.
    url = _safe_url(record.paper_url)
    line = alert_line(record)
    if url:
        line = line[: -len(url) - 1]
    content = _DISCORD_MARKDOWN.sub(r"\\\1", line)
    if url:
        content = f"{content} <{url}>"
    return content if len(content) <= _DISCORD_LIMIT else content[: _DISCORD_LIMIT - 1] + "…"


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def record_json(record: Record) -> dict:
    return {key: _jsonable(value) for key, value in asdict(record).items()}


def webhook_payload(alert: Alert) -> dict:
    """The webhook body: `text` (Slack), `content` (Discord), and the record itself for automations."""
    return {
        "text": slack_text(alert.record),
        "content": discord_content(alert.record),
        "allowed_mentions": {"parse": []},
        "alert_id": alert.alert_id,
        "delivery_id": alert.delivery_id,
        "benchmark": {"task": alert.record.task, "dataset": alert.record.dataset, "metric": alert.record.metric},
        "record": record_json(alert.record),
    }


# ---------------------------------------------------------------------------------------------------- secrets

_URL_QUERY_VALUE = re.compile(r"([?&;][^=&#\s'\"]*=)[^&#\s'\"]+")
_PASSWORD_PAIR = re.compile(r"(?i)\b(pass(?:word|wd)?|secret|token|api[_-]?key)(\s*[=:]\s*)[^\s,;&'\"]+")


def mask_secrets(text: str, secrets: Sequence[str] = ()) -> str:
    """`text` with the given secrets, every URL query value, URL credentials and `password=...` pairs masked.

    Stricter than the fetch errors' `redact_secrets` (which it applies first, for the credentials): a webhook URL is
    a secret whole, so every query value goes, not only those named like a token."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _URL_QUERY_VALUE.sub(r"\1***", redact_secrets(text))
    return _PASSWORD_PAIR.sub(r"\1\2***", text)


def secret_forms(secret: str) -> list[str]:
    """`secret` as it may come back in an error: itself, URL-quoted, and as a Python (bytes) repr escapes it."""
    if not secret:
        return []
    return [
        secret, quote(secret, safe=""), quote(secret), quote_plus(secret),
        repr(secret)[1:-1], repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
    ]


def base64_forms(text: str) -> list[str]:
    """`text` base64-encoded (standard and URL-safe), without the `=` padding a receiver may drop."""
    data = text.encode("utf-8", "backslashreplace")
    return [base64.b64encode(data).decode().rstrip("="), base64.urlsafe_b64encode(data).decode().rstrip("=")]


# A path segment that reads as a route's name ("services", "webhooks", "incoming-hooks") rather than a token.
_ROUTE_WORD = re.compile(r"[a-z]+(?:[-_.][a-z]+)*")


def url_secrets(url: str) -> list[str]:
    """What of a webhook URL is secret, in every form it may be repeated: the URL, its path and query, each query
    value (raw and decoded), each path segment that is not a plain route word (Slack's and Discord's tokens live
    there), and the credentials."""
    parts = urlsplit(url)
    found = [url, parts.path, parts.query, parts.password or ""]
    if parts.username and len(parts.username) >= 8:  # a token given as the user name (a short one is a name)
        found.append(parts.username)
    if parts.path not in ("", "/"):
        found.append(parts.path + ("?" + parts.query if parts.query else ""))
    for pair in re.split(r"[&;]", parts.query):
        found.append(pair.partition("=")[2])  # the value as it was written (still percent-encoded)
    found += [value for _, value in parse_qsl(parts.query, keep_blank_values=False)]
    for segment in parts.path.split("/"):
        decoded = unquote(segment)
        if len(decoded) >= 8 and not _ROUTE_WORD.fullmatch(decoded):
            found += [segment, decoded]
    return list(dict.fromkeys(form for secret in found if secret for form in secret_forms(secret)))


class _MaskingFilter(logging.Filter):
    """Masks the secrets in a record before any handler sees it (a library logging the URL it was given)."""

    def __init__(self, secrets: Sequence[str]):
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is left to the logging system
            return True
        masked = mask_secrets(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


# The libraries under requests log the request line with the full URL at DEBUG (urllib3.connectionpool), and the URL
# again when a retry is counted (urllib3.util.retry).
_HTTP_LOGGERS = ("urllib3", "urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry",
                 "urllib3.response", "urllib3.poolmanager", "requests")


@contextmanager
def _secrets_masked_in_logs(secrets: Sequence[str], loggers: Sequence[str] = _HTTP_LOGGERS) -> Iterator[None]:
    """While a send runs, mask `secrets` in what the HTTP libraries log (a filter acts on its own logger's records
    only, so each is given one)."""
    masking = _MaskingFilter(secrets)
    attached = [logging.getLogger(name) for name in loggers]
    for logger in attached:
        logger.addFilter(masking)
    try:
        yield
    finally:
        for logger in attached:
            logger.removeFilter(masking)


def url_origin(url: str) -> str:
    """scheme://host[:port] only: webhook tokens live in the path (Slack, Discord) as often as in the query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def _smtp_reply(code: object, reply: object) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}"


def _error_text(error: BaseException) -> str:
    # An SMTP error's str() is the repr of the server's reply bytes, which escapes quotes and backslashes: a password
    # the server repeated would no longer match the one to mask. The reply is shown as the server sent it instead.
    if isinstance(error, smtplib.SMTPResponseException):
        return _smtp_reply(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPRecipientsRefused) and isinstance(error.recipients, dict):
        return "; ".join(
            f"{address}: {_smtp_reply(*reply) if isinstance(reply, tuple) and len(reply) == 2 else reply}"
            for address, reply in error.recipients.items()
        )
    return str(error)


def _describe(error: BaseException) -> str:
    text = plain(_error_text(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _error_line(error: BaseException, secrets: Sequence[str]) -> str:
    text = plain(str(error)) if isinstance(error, DeliveryError) else _describe(error)
    return _clip(mask_secrets(text, secrets), _ERROR_LIMIT)


# ---------------------------------------------------------------------------------------------------- channels


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
            with _secrets_masked_in_logs(secrets):
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
            body = _clip(mask_secrets(plain(response.text), secrets), 200) if response.content else ""
            raise DeliveryError(f"{where}: HTTP {response.status_code}" + (f" {body}" if body else ""))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        if not self.recipients or any(_CONTROL.search(a or "") or not a or "@" not in a for a in addresses):
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
        message["Subject"] = (
            f"New SOTA on {benchmark_name(record)}: {plain(record.model)} {_with_unit(record.value, record.unit)}"
        )
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
            raise DeliveryError(f"{where}: {_describe(error)}") from None


@dataclass
class ConsoleChannel:
    """Print one line per alert (to stdout unless told otherwise)."""

    stream: TextIO | None = None

    def secrets(self) -> Sequence[str]:
        return ()

    def send(self, alert: Alert) -> None:
        print(f"sotawatch: {alert_line(alert.record)}", file=self.stream or sys.stdout, flush=True)


_SLUG = re.compile(r"[^a-z0-9]+")
EVENT_NAME = "sota.record.new"


def _slug(text: str) -> str:
    return _SLUG.sub("-", plain(text).casefold()).strip("-") or "unnamed"


def benchmark_resource_id(record: Record) -> str:
    """The Prefect resource of a benchmark, by name so that automations can match it across warehouses:
    `sotawatch.benchmark.image-classification.imagenet.top-1-accuracy` (match `sotawatch.benchmark.*` for all)."""
    return "sotawatch.benchmark." + ".".join(_slug(part) for part in (record.task, record.dataset, record.metric))


def event_resource(record: Record) -> dict[str, str]:
    return {
        "prefect.resource.id": benchmark_resource_id(record),
        "prefect.resource.name": benchmark_name(record),
        "sotawatch.task": plain(record.task),
        "sotawatch.dataset": plain(record.dataset),
        "sotawatch.metric": plain(record.metric),
    }


def event_payload(alert: Alert) -> dict:
    return {
        "text": alert_line(alert.record),
        "alert_id": alert.alert_id,
        "delivery_id": alert.delivery_id,
        "record": record_json(alert.record),
    }


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
        related = [{
            "prefect.resource.id": f"sotawatch.model.{_slug(record.model)}",
            "prefect.resource.role": "model",
            "prefect.resource.name": plain(record.model),
        }]
        emitted = emit_event(
            self.event,
            resource=event_resource(record),
            related=related,
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


# ---------------------------------------------------------------------------------------------------- delivery


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
            message = _error_line(error, getattr(channel, "secrets", tuple)())
            # each mark is one statement, so committed on its own (autocommit) as soon as it returns
            rows = run(con, "outbox_mark_attempt_failed",
                       {"outbox_id": alert.outbox_id, "error": message, "max_attempts": max_attempts})
            report.failed.append((alert, message))
            if rows and rows[0][0] == "failed":
                report.gave_up.append(alert)
            continue
        run(con, "outbox_mark_delivered", {"outbox_id": alert.outbox_id, "now": now})
        report.delivered.append(alert)
    return report


def outbox(con: duckdb.DuckDBPyConnection, *, pending_only: bool = False, limit: int = 100) -> list[dict]:
    """The outbox rows with their records, newest first (for `sota alerts list [--pending]`)."""
    return dict_rows(con, "outbox_list", {"pending_only": pending_only, "limit": limit})


def sample_alert(channel: str, now: datetime) -> Alert:
    """A made-up alert, clearly labelled, for `sota alerts test --channel NAME`; nothing is read or written."""
    record = Record(
        record_id=0, alert_id=str(uuid.uuid4()), snapshot_id=0, benchmark_id=0,
        task="Test task", dataset="Test dataset (sotawatch test alert)", metric="Accuracy",
        result_id=0, model="Test model B", value=90.5, paper_title="A test alert from sotawatch", paper_url=None,
        published_on=now.date(), previous_result_id=0, previous_model="Test model A", previous_value=90.0,
        margin=0.5, detected_at=now, is_backfill=False, direction="higher", unit="percent",
    )
    return Alert(0, channel, 0, record)
