"""What a failed send says: the delivery errors, and the one masked line a failure leaves in the outbox and the output.
"""
from __future__ import annotations

import smtplib
from collections.abc import Sequence

from flows.alerts.masking import mask_secrets
from flows.alerts.messages import clip, plain
from warehouse.errors import WarehouseError

_ERROR_LIMIT = 500


class DeliveryError(Exception):
    """A send that did not go through; the message is one line and names no secret."""


class DeliveryInTransactionError(WarehouseError):
    """Delivery was asked for inside an open transaction: it must run after the load commits."""


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


def describe_error(error: BaseException) -> str:
    """`Type: text` on one line (not yet masked)."""
    text = plain(_error_text(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def error_line(error: BaseException, secrets: Sequence[str]) -> str:
    """The line kept in the outbox for a failed send: described, the channel's secrets masked, clipped."""
    text = plain(str(error)) if isinstance(error, DeliveryError) else describe_error(error)
    return clip(mask_secrets(text, secrets), _ERROR_LIMIT)
