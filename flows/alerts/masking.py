"""Keeping a channel's secrets (a webhook URL, an SMTP password) out of everything kept or shown: the outbox's errors,
the command's output and what the HTTP libraries log while a send runs.

A channel names its secrets (`url_secrets`, `secret_forms`, `base64_forms` give every form in which one may come
back: URL-quoted, repr-escaped, base64 as it went over the wire); `mask_secrets` replaces them, and whatever looks
like a credential in a URL or a `password=...` pair, with `***`.
"""
from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

from pipelines.http import redact_secrets

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


def url_origin(url: str) -> str:
    """scheme://host[:port] only: webhook tokens live in the path (Slack, Discord) as often as in the query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


# ---------------------------------------------------------------------------------------------------- logs


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
def secrets_masked_in_logs(secrets: Sequence[str], loggers: Sequence[str] = _HTTP_LOGGERS) -> Iterator[None]:
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
