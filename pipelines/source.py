"""What a source module declares about itself (`SOURCE = SourceSpec(...)`), read by the loader and the flows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pipelines.base import RawRow


@dataclass(frozen=True)
class SourceSpec:
    """A registered source.

    `parse` is pure: payload bytes, the URL or path they came from (for error messages only) and the user's options
    (task, dataset, ...) in, raw rows out. `full_listing` says whether a payload lists a whole board, so that a result
    missing from a later payload of the same board counts as removed (leaderboards: yes; arXiv: no).
    `required_options` are options the user must give (the csv source needs task and dataset).
    `fetch` is a source-specific fetcher, `fetch(location, client, **options) -> bytes`, for a source whose payload
    takes more than one request (a paginated API): it does the I/O through the shared client and returns one payload.
    None means the generic single fetch of `location`; a fetcher with a `read_state` parameter also gets
    `read_state(key) -> dict | None`, which reads one entry of its source's `source_state` (an incremental source's
    cursor) without the fetch holding the warehouse open.
    """

    name: str
    description: str
    parse: Callable[..., list[RawRow]]
    full_listing: bool = True
    default_url: str | None = None
    required_options: tuple[str, ...] = field(default_factory=tuple)
    fetch: Callable[..., bytes] | None = None
    # A source's own step inside the load's transaction, `after_load(con, snapshot_id)`: an incremental source stores
    # its harvest cursor there, so the cursor moves only when the rows it stands for commit.
    after_load: Callable[..., None] | None = None
