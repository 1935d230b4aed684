"""What an alert says, in each reader's format: the one-line text, the e-mail subject and body, the webhook's JSON
(Slack `text`, Discord `content`), and the Prefect event's resource and payload.

Everything in a message comes from leaderboards on the web, so it is treated as untrusted text: control characters
and line breaks are removed everywhere (`plain`), and each format escapes what its reader would interpret (Slack's
`<>&` markup, Discord's markdown and mentions; the e-mail is plain text with header-safe lines). Pure functions: no
I/O here.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime

from warehouse.sota_detect import Record

# Stable namespace for per-channel delivery ids: uuid5(namespace, alert_id + channel) is the same on every retry.
_DELIVERY_NAMESPACE = uuid.UUID("6f1c52e4-3b0e-4c55-9f3a-5a0b8f1d2e77")


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


# ---------------------------------------------------------------------------------------------------- untrusted text

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")


def plain(text: object) -> str:
    """One line of text: control characters and line breaks become spaces (no header or log-line injection)."""
    return _SPACES.sub(" ", CONTROL_CHARACTERS.sub(" ", str(text))).strip()


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_url(url: str | None) -> str | None:
    """A paper link only if it is a plain http(s) URL: anything else is dropped rather than shown."""
    if not url:
        return None
    url = url.strip()
    if CONTROL_CHARACTERS.search(url) or " " in url or not re.match(r"(?i)^https?://[^/\s]+", url):
        return None
    return url


# ---------------------------------------------------------------------------------------------------- the facts


def _number(value: float) -> str:
    return f"{value:.10g}"


def _with_unit(value: float, unit: str | None) -> str:
    return _number(value) + ("%" if unit == "percent" else "")


def _margin(record: Record) -> str:
    text = _number(record.margin) + (" points" if record.unit == "percent" else "")
    text += " (lower is better)" if record.direction == "lower" else ""
    return text + _in_standard_errors(record)


def _in_standard_errors(record: Record) -> str:
    """", 2.8 standard errors (±1 and ±0.5)" where both bests have one; a word on what is missing where one does."""
    if record.z is not None:
        return (f", {record.z:.1f} standard errors (±{_number(record.stderr)} and ±{_number(record.previous_stderr)})")
    if record.basis == "intervals":
        return ", outside both confidence intervals"
    if record.stderr is not None or record.previous_stderr is not None:
        return ", standard errors not known for both"
    return ""


def benchmark_name(record: Record) -> str:
    return f"{plain(record.task)} / {plain(record.dataset)} / {plain(record.metric)}"


def _paper(record: Record) -> str:
    parts = [plain(record.paper_title)] if record.paper_title else []
    if record.published_on:
        parts.append(record.published_on.isoformat())
    return f" ({', '.join(parts)})" if parts else ""


def _new_best(record: Record) -> str:
    return f"New SOTA on {benchmark_name(record)}: {plain(record.model)} {_with_unit(record.value, record.unit)}"


def alert_line(record: Record) -> str:
    """The alert in one plain line: benchmark, new best (model, value, paper, date), previous best, margin, link."""
    line = (
        f"{_new_best(record)}{_paper(record)} beats {plain(record.previous_model)} "
        f"{_with_unit(record.previous_value, record.unit)} by {_margin(record)}"
    )
    url = _safe_url(record.paper_url)
    return f"{line} {url}" if url else line


# ---------------------------------------------------------------------------------------------------- e-mail


def email_subject(record: Record) -> str:
    """The benchmark and the new best, on one header-safe line."""
    return _new_best(record)


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


# ---------------------------------------------------------------------------------------------------- webhook


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
    return clip(content, _DISCORD_LIMIT)


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


# ---------------------------------------------------------------------------------------------------- Prefect event

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


def event_related(record: Record) -> list[dict[str, str]]:
    """The event's related resources: the model that made the record."""
    return [{
        "prefect.resource.id": f"sotawatch.model.{_slug(record.model)}",
        "prefect.resource.role": "model",
        "prefect.resource.name": plain(record.model),
    }]


def event_payload(alert: Alert) -> dict:
    return {
        "text": alert_line(alert.record),
        "alert_id": alert.alert_id,
        "delivery_id": alert.delivery_id,
        "record": record_json(alert.record),
    }


# ---------------------------------------------------------------------------------------------------- trying a channel


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
