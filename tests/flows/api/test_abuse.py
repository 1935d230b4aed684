"""Abuse on loopback, bounded in time and count: clients that send half a request and stall, many connections at
once, and a query past the time limit leave the server answering normal requests."""
from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.flows.api.serving import IMAGENET_TOP1, serving


def _stalled(port: int, sent: bytes) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    client.sendall(sent)
    return client


def test_slow_clients_leave_the_server_answering(api):
    halves = [b"GET /v1/snapshots HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", b"GET /v1/sota?as_of=2020", b"G"]
    stalled = [_stalled(api.port, halves[i % len(halves)]) for i in range(12)]
    try:
        answer = api.get("/v1/sota", params={"as_of": "2020-09-01", "known_at": "2020-09-01", **IMAGENET_TOP1})
        assert answer.status_code == 200 and answer.json()["rows"][0]["model"] == "FixEfficientNet-L2"
    finally:
        for client in stalled:
            client.close()


def test_many_connections_leave_the_server_answering(api):
    idle = [socket.create_connection(("127.0.0.1", api.port), timeout=10) for _ in range(64)]
    try:
        with ThreadPoolExecutor(max_workers=64) as pool:
            statuses = list(pool.map(
                lambda i: requests.get(api.url + "/v1/leaderboard", params={**IMAGENET_TOP1, "top": 1 + i % 20},
                                       timeout=60).status_code, range(64)))
        assert statuses == [200] * 64
    finally:
        for client in idle:
            client.close()
    assert api.get("/v1/snapshots").status_code == 200


def test_a_query_past_the_time_limit_is_a_503_problem(tour_db):
    with serving(tour_db, build_site=False, query_seconds=0.001) as served:
        answer = served.get("/v1/sota", params={"as_of": "2024-01-01"})  # every benchmark: far more than 1 ms
        assert answer.status_code == 503 and answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"] == "query took longer than 0.001 s" and answer.headers["retry-after"]
        assert served.get("/openapi.json").status_code == 200
