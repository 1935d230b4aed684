"""The warehouse's typed errors; each message is one line a person can act on."""
from __future__ import annotations


def first_line(error: BaseException) -> str:
    """An error's message as one line (its first), or its type's name when it says nothing."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class WarehouseError(Exception):
    """A problem with the database file itself; the message is one line."""


class LoadError(Exception):
    """A load that cannot proceed; nothing was written. The message is one line. (Here rather than in
    `warehouse.load`, which imports pandas: the CLI names it in every error it reports.)"""


class DatabaseLockedError(WarehouseError):
    pass


class DatabaseMissingError(WarehouseError):
    pass


class CommitConflictError(WarehouseError):
    """On a lake: another writer committed first, so this transaction's reads no longer stand and nothing of it was
    kept (`warehouse.statements.retried_on_conflict` does the work again)."""


class LakeUnavailableError(WarehouseError):
    """A lake was asked for, but this install cannot open one (no lake extensions), or its location is malformed."""
