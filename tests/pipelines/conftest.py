"""Fixtures of the source tests that talk to a loopback server: a fake clock (nothing really sleeps), plain HTTP
clients on it, the server, and the recorded arXiv responses it replays (each must be used)."""
from __future__ import annotations

import pytest

from pipelines.http import HttpClient
from tests.support.arxiv_feeds import Recordings
from tests.support.clock import FakeClock
from tests.support.http_server import serve


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock):
    """Plain HttpClients (no arXiv interval configured) on the fake clock, jitter pinned: backoff is base * 2**n."""
    clients: list[HttpClient] = []

    def make(**options) -> HttpClient:
        client = HttpClient(**{"timeout": (2.0, 2.0), "clock": clock, "sleep": clock.sleep, "jitter": lambda: 1.0,
                               **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def server():
    with serve() as running:
        yield running


@pytest.fixture
def recorded(server, shared_data):
    recordings = Recordings(server, shared_data)
    yield recordings
    recordings.assert_all_used()
