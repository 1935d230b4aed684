"""The shared HTTP client against a real server on 127.0.0.1 (no mocks of requests) and against real payload files.

Time is faked: the client's clock and sleep are a `FakeClock`, so backoff and per-host intervals are asserted as the
sleeps the client asked for and nothing really waits, except the read-timeout test (0.2 s).
"""
from __future__ import annotations

import gzip
import logging
import socket
import string
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.source import SourceError
from pipelines.http import (
    USER_AGENT,
    FetchError,
    FetchFatalError,
    FetchRetryableError,
    HttpClient,
    Validators,
    fetch,
    redact_secrets,
)
from tests.support.clock import FakeClock
from tests.support.http_server import Reply, hang, redirect, reset, serve, truncated

IMAGENET_CSV = "ilsvrc-winners/imagenet.csv"
PWC_DUMP = "pwc-dump-2020-08-28/evaluation-tables.json.gz"



@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock):
    """Clients on the fake clock, with jitter pinned so each backoff delay is exactly base * 2**(try - 1)."""
    clients: list[HttpClient] = []

    def make(**options) -> HttpClient:
        settings = dict(timeout=(2.0, 0.2), clock=clock, sleep=clock.sleep, jitter=lambda: 1.0)
        client = HttpClient(**{**settings, **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def server():
    with serve() as running:
        yield running


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Files: a path and a file:// URL are served like a URL.


def test_a_plain_path_is_served_like_a_url(shared_data, make_client):
    path = shared_data / IMAGENET_CSV
    result = make_client().fetch(path)

    assert result.location == str(path)
    assert result.final_url == path.as_uri()
    assert (result.status, result.attempts, result.not_modified) == (200, 1, False)
    assert result.content == path.read_bytes()
    assert result.content_type == "text/csv"
    assert result.fetched_at.tzinfo is timezone.utc


def test_a_file_url_returns_a_gz_file_as_it_is(shared_data, make_client):
    path = shared_data / PWC_DUMP
    result = make_client().fetch(path.as_uri())

    assert result.location == path.as_uri()
    assert result.content == path.read_bytes()
    assert result.content[:2] == b"\x1f\x8b"  # still gzip: the parser decides how to read it
    assert result.content_type == "application/gzip"


def test_a_missing_file_is_fatal_and_names_the_path(tmp_path, make_client):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(FetchFatalError) as caught:
        make_client().fetch(missing)

    assert str(caught.value) == f"read {missing} failed after 1 attempt: no such file"
    assert (caught.value.attempts, caught.value.status) == (1, None)


def test_a_file_over_the_size_cap_is_fatal(shared_data, make_client):
    with pytest.raises(FetchFatalError, match="larger than the 1000-byte cap"):
        make_client(max_bytes=1000).fetch(shared_data / PWC_DUMP)


def test_an_unsupported_scheme_is_fatal(make_client):
    with pytest.raises(FetchFatalError, match="unsupported scheme 'ftp'"):
        make_client().fetch("ftp://example.org/dump.json")


# Plain HTTP: payloads, User-Agent, conditional requests.


def test_a_real_payload_is_served_in_place_with_the_project_user_agent(shared_data, make_client):
    with serve(shared_data) as server:
        url = server.url(f"/{PWC_DUMP}")
        result = make_client().fetch(url)

    assert result.content == (shared_data / PWC_DUMP).read_bytes()
    assert (result.location, result.final_url, result.status, result.attempts) == (url, url, 200, 1)
    assert result.content_type == "application/octet-stream"
    assert result.etag and result.last_modified
    assert server.requests[0].headers["User-Agent"] == USER_AGENT
    assert USER_AGENT == "sotawatch/0.1 (+https://github.com/sotawatch/sotawatch)"


def test_the_convenience_fetch_uses_a_default_client(shared_data):
    with serve(shared_data) as server:
        result = fetch(server.url(f"/{IMAGENET_CSV}"))

    assert result.content == (shared_data / IMAGENET_CSV).read_bytes()
    assert server.requests[0].headers["User-Agent"] == USER_AGENT


def test_an_etag_round_trip_gives_304_not_modified(shared_data, make_client):
    client = make_client()
    with serve(shared_data) as server:
        first = client.fetch(server.url(f"/{IMAGENET_CSV}"))
        second = client.fetch(server.url(f"/{IMAGENET_CSV}"), previous=first.validators)

    assert first.validators == Validators(first.etag, first.last_modified)
    assert server.requests[1].headers["If-None-Match"] == first.etag
    assert server.requests[1].headers["If-Modified-Since"] == first.last_modified
    assert (second.status, second.not_modified, second.content) == (304, True, b"")
    assert second.validators == first.validators


def test_if_modified_since_alone_gives_304(shared_data, make_client):
    client = make_client()
    with serve(shared_data) as server:
        first = client.fetch(server.url(f"/{IMAGENET_CSV}"))
        second = client.fetch(server.url(f"/{IMAGENET_CSV}"), previous=Validators(last_modified=first.last_modified))

    assert "If-None-Match" not in server.requests[1].headers
    assert second.not_modified


def test_a_changed_etag_gets_the_full_body(shared_data, make_client):
    with serve(shared_data) as server:
        result = make_client().fetch(server.url(f"/{IMAGENET_CSV}"), previous=Validators(etag='"stale"'))

    assert result.status == 200
    assert result.content == (shared_data / IMAGENET_CSV).read_bytes()


def test_gzip_transport_encoding_is_decoded(server, make_client):
    body = b'{"rows": []}' * 100
    server.route("/gz", [Reply(200, {"Content-Encoding": "gzip"}, gzip.compress(body))])

    assert make_client().fetch(server.url("/gz")).content == body


def test_redirects_are_followed_to_the_final_url(server, make_client):
    server.route("/old", [redirect("/moved", 301)])
    server.route("/moved", [redirect(server.url("/new"), 307)])
    server.route("/new", [Reply(200, body=b"here")])

    result = make_client().fetch(server.url("/old"))

    assert (result.content, result.location, result.final_url) == (b"here", server.url("/old"), server.url("/new"))
    assert all(request.headers["User-Agent"] == USER_AGENT for request in server.requests)


# Retries: what is retried, how long the client waits, and what it says when it gives up.


def test_429_waits_the_retry_after_seconds(server, make_client, clock):
    server.route("/busy", [Reply(429, {"Retry-After": "7"}), Reply(200, body=b"ok")])

    result = make_client().fetch(server.url("/busy"))

    assert (result.content, result.attempts) == (b"ok", 2)
    assert clock.sleeps == [7.0]


def test_retry_after_as_an_http_date(server, make_client, clock):
    in_30_seconds = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    server.route("/busy", [Reply(503, {"Retry-After": in_30_seconds}), Reply(200, body=b"ok")])

    make_client().fetch(server.url("/busy"))

    [slept] = clock.sleeps
    assert 27 < slept <= 30


def test_retry_after_is_capped_at_backoff_max(server, make_client, clock):
    server.route("/busy", [Reply(429, {"Retry-After": "3600"}), Reply(200, body=b"ok")])

    make_client(backoff_max=60).fetch(server.url("/busy"))

    assert clock.sleeps == [60]


def test_503_twice_then_success_backs_off_exponentially(server, make_client, clock):
    server.route("/flaky", [Reply(503), Reply(503), Reply(200, body=b"ok")])

    result = make_client().fetch(server.url("/flaky"))

    assert (result.content, result.attempts) == (b"ok", 3)
    assert clock.sleeps == [1.0, 2.0]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_server_errors_are_retried(server, make_client, status):
    server.route("/flaky", [Reply(status), Reply(200, body=b"ok")])

    assert make_client().fetch(server.url("/flaky")).attempts == 2


def test_503_forever_is_retryable_after_the_last_try(server, make_client, clock):
    server.route("/down", [Reply(503)])
    url = server.url("/down")

    with pytest.raises(FetchRetryableError) as caught:
        make_client(backoff_max=5).fetch(url)

    error = caught.value
    assert str(error) == f"GET {url} failed after 5 attempts: HTTP 503 Service Unavailable"
    assert (error.url, error.attempts, error.status) == (url, 5, 503)
    assert isinstance(error, FetchError) and isinstance(error, SourceError)
    assert len(server.requests) == 5
    assert clock.sleeps == [1.0, 2.0, 4.0, 5.0]  # doubling, capped at backoff_max


def test_jitter_spreads_the_second_half_of_each_delay(server, make_client, clock):
    server.route("/flaky", [Reply(503), Reply(503), Reply(200)])

    make_client(jitter=lambda: 0.0).fetch(server.url("/flaky"))

    assert clock.sleeps == [0.5, 1.0]


def test_404_is_fatal_at_once(server, make_client, clock):
    server.route("/gone", [Reply(404)])
    url = server.url("/gone")

    with pytest.raises(FetchFatalError) as caught:
        make_client().fetch(url)

    assert str(caught.value) == f"GET {url} failed after 1 attempt: HTTP 404 Not Found"
    assert (caught.value.attempts, caught.value.status) == (1, 404)
    assert len(server.requests) == 1 and clock.sleeps == []


def test_a_read_timeout_is_retried(server, make_client):
    server.route("/slow", [hang(), Reply(200, body=b"ok")])

    result = make_client(timeout=(2.0, 0.2)).fetch(server.url("/slow"))

    assert (result.content, result.attempts) == (b"ok", 2)


def test_a_connect_timeout_is_retried_and_named(make_client):
    # A listener whose accept queue is full: the kernel drops further SYNs, so connecting hangs until the timeout.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        with pytest.raises(FetchRetryableError, match=r"failed after 2 attempts: timed out: .*[Cc]onnect") as caught:
            make_client(timeout=(0.3, 1.0), max_retries=1).fetch(f"http://127.0.0.1:{port}/x")
    finally:
        for sock in [*fillers, listener]:
            sock.close()

    assert caught.value.status is None and "\n" not in str(caught.value)


def test_a_connection_reset_is_retried(server, make_client):
    server.route("/reset", [reset(), Reply(200, body=b"ok")])

    result = make_client().fetch(server.url("/reset"))

    assert (result.content, result.attempts) == (b"ok", 2)


def test_a_refused_connection_fails_at_once(make_client, clock):
    # issue 18: nothing listens there, so backing off and asking again cannot help
    url = f"http://127.0.0.1:{closed_port()}/x"

    with pytest.raises(FetchFatalError, match="failed after 1 attempt: connection failed.*refused") as caught:
        make_client(max_retries=2).fetch(url)

    assert caught.value.status is None
    assert "\n" not in str(caught.value)
    assert str(caught.value) == f"GET {url} failed after 1 attempt: connection failed: connection refused"
    assert caught.value.attempts == 1 and clock.sleeps == []


@pytest.mark.parametrize("respect_robots", [True, False])
def test_a_host_that_does_not_resolve_fails_at_once(make_client, clock, respect_robots):
    # RFC 6761: names under .invalid never resolve, so no network is needed to see it fail
    url = "http://no-such-host.invalid/x"

    with pytest.raises(FetchFatalError) as caught:
        make_client(max_retries=4, respect_robots=respect_robots).fetch(url)

    # the robots.txt asked first is not named: nothing answered at all
    assert str(caught.value) == f"GET {url} failed after 1 attempt: connection failed: the host does not resolve"
    assert caught.value.attempts == 1 and clock.sleeps == []


def test_an_unreachable_host_is_not_retried_with_a_real_clock():
    # the real sleep and backoff: no wait is asked for, so the one try is all the time it takes
    slept: list[float] = []
    with HttpClient(max_retries=4, backoff_base=5.0, sleep=slept.append, timeout=(2.0, 2.0)) as client:
        for url in (f"http://127.0.0.1:{closed_port()}/x", "http://no-such-host.invalid/x"):
            with pytest.raises(FetchFatalError) as caught:
                client.fetch(url)
            assert caught.value.attempts == 1
    assert slept == []


def test_a_redirect_to_a_host_that_does_not_resolve_names_that_host(server, make_client):
    server.route("/away", [redirect("http://gone.invalid/payload")])

    with pytest.raises(FetchFatalError) as caught:
        make_client(allowed_hosts={"127.0.0.1", "gone.invalid"}).fetch(server.url("/away"))

    assert caught.value.problem == "connection failed: the host gone.invalid does not resolve"
    assert caught.value.attempts == 1


def test_a_truncated_body_is_retried(server, make_client):
    body = b"x" * 5000
    server.route("/short", [truncated(body[:1000]), Reply(200, body=body)])

    result = make_client().fetch(server.url("/short"))

    assert (result.content, result.attempts) == (body, 2)


def test_a_body_truncated_every_time_is_retryable(server, make_client):
    server.route("/short", [truncated(b"x" * 1000)])

    with pytest.raises(FetchRetryableError, match="failed after 2 attempts: .*truncated"):
        make_client(max_retries=1).fetch(server.url("/short"))


def test_a_redirect_loop_is_fatal(server, make_client, clock):
    server.route("/loop", [redirect("/loop")])

    with pytest.raises(FetchFatalError, match="more than 10 redirects .*redirect loop") as caught:
        make_client().fetch(server.url("/loop"))

    assert caught.value.attempts == 1
    assert len(server.requests) == 11 and clock.sleeps == []


# Limits: size cap, allowed hosts, the SSRF guard, per-host intervals.


def test_a_body_over_the_size_cap_is_fatal(server, make_client):
    server.route("/big", [Reply(200, body=b"x" * 2000)])

    with pytest.raises(FetchFatalError, match="larger than the 1000-byte cap"):
        make_client(max_bytes=1000).fetch(server.url("/big"))


def test_the_size_cap_counts_decoded_bytes(server, make_client):
    bomb = gzip.compress(b"\0" * 100_000)  # a few hundred bytes on the wire
    server.route("/bomb", [Reply(200, {"Content-Encoding": "gzip"}, bomb)])

    with pytest.raises(FetchFatalError, match="larger than the 10000-byte cap"):
        make_client(max_bytes=10_000).fetch(server.url("/bomb"))


def test_the_default_size_cap_is_512_mib():
    with HttpClient() as client:
        assert client.max_bytes == 512 * 1024 * 1024


def test_a_host_outside_allowed_hosts_is_refused_before_connecting(server, make_client):
    client = make_client(allowed_hosts={"127.0.0.1"})

    with pytest.raises(FetchFatalError, match="'localhost'.* is not in allowed_hosts"):
        client.fetch(f"http://localhost:{server.port}/x")

    assert server.requests == []


def test_a_redirect_outside_allowed_hosts_is_refused(server, make_client):
    server.route("/away", [redirect("http://elsewhere.invalid/payload")])

    with pytest.raises(FetchFatalError, match="'elsewhere.invalid'.* is not in allowed_hosts"):
        make_client(allowed_hosts={"127.0.0.1"}).fetch(server.url("/away"))

    assert len(server.requests) == 1


def test_a_redirect_to_another_loopback_host_is_refused_unless_allowed(server, make_client):
    server.route("/hop", [redirect(f"http://localhost:{server.port}/inside")])
    server.route("/inside", [Reply(200, body=b"secret")])

    with pytest.raises(FetchFatalError, match="refused a redirect to .*private or loopback"):
        make_client().fetch(server.url("/hop"))
    assert server.requests_to("/inside") == []

    allowed = make_client(allowed_hosts={"127.0.0.1", "localhost"}).fetch(server.url("/hop"))
    assert allowed.content == b"secret"


def test_a_wildcard_in_allowed_hosts_lets_a_redirect_reach_the_hosts_under_a_domain_only(server, make_client):
    server.route("/cdn", [redirect("http://cdn.example.invalid/payload")])
    server.route("/apex", [redirect("http://example.invalid/payload")])
    client = make_client(allowed_hosts={"127.0.0.1", "*.example.invalid"}, max_retries=0)

    # allowed, so it is tried (the name does not resolve: the error is the connection's, not a refusal)
    with pytest.raises(FetchError, match="GET http://127.0.0.1:.*/cdn failed.*connection failed"):
        client.fetch(server.url("/cdn"))
    with pytest.raises(FetchFatalError, match="'example.invalid'.* is not in allowed_hosts"):
        client.fetch(server.url("/apex"))


def test_fetches_spaced_by_the_interval_do_not_sleep(server, make_client, clock):
    server.route("/api", [Reply(200)])
    client = make_client(min_interval_per_host={"127.0.0.1": 3.0})

    client.fetch(server.url("/api"))
    clock.advance(3.0)
    client.fetch(server.url("/api"))

    assert clock.sleeps == []


def test_back_to_back_fetches_sleep_only_the_remaining_gap(server, make_client, clock):
    server.route("/api", [Reply(200)])
    client = make_client(min_interval_per_host={"127.0.0.1": 3.0})

    client.fetch(server.url("/api"))
    client.fetch(server.url("/api"))
    clock.advance(1.0)
    client.fetch(server.url("/api"))

    assert clock.sleeps == [3.0, 2.0]


def test_retries_respect_the_host_interval(server, make_client, clock):
    server.route("/api", [Reply(503), Reply(200)])
    client = make_client(min_interval_per_host={"127.0.0.1": 3.0})

    assert client.fetch(server.url("/api")).attempts == 2

    assert clock.sleeps == [1.0, 2.0]  # the 1 s backoff, then the rest of the 3 s interval


def test_the_interval_is_per_host(server, make_client, clock):
    server.route("/api", [Reply(200)])
    client = make_client(min_interval_per_host={"export.arxiv.org": 3.0})

    client.fetch(server.url("/api"))
    client.fetch(server.url("/api"))

    assert clock.sleeps == []


# Secrets never reach an error message or a log line.

SECRETS = ("hunter2", "abc123", "t0k3n", "s3cr3t")


def secret_url(server, path: str) -> str:
    return f"http://alice:hunter2@127.0.0.1:{server.port}{path}?api_key=abc123&page=2&TOKEN=t0k3n&client_secret=s3cr3t"


def test_secrets_are_masked_in_a_fatal_error(server, make_client):
    server.route("/private", [Reply(403)])

    with pytest.raises(FetchFatalError) as caught:
        make_client().fetch(secret_url(server, "/private"))

    message = str(caught.value)
    assert not any(secret in message or secret in caught.value.url for secret in SECRETS)
    assert f"GET http://***@127.0.0.1:{server.port}/private?api_key=***&page=2&TOKEN=***&client_secret=***" in message


def test_secrets_are_masked_in_retry_logs_and_transport_errors(server, make_client, caplog):
    # a reset, not a refused port: a refused connection is no longer retried (issue 18)
    server.route("/x", [reset()])
    url = f"http://alice:hunter2@127.0.0.1:{server.port}/x?token=t0k3n&key=abc123"

    with caplog.at_level(logging.INFO, logger="pipelines.http"), pytest.raises(FetchRetryableError) as caught:
        make_client(max_retries=1).fetch(url)

    assert "retrying GET" in caplog.text
    assert not any(secret in caplog.text or secret in str(caught.value) for secret in SECRETS)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("https://u:p@host/x", "https://***@host/x"),
        ("https://host/x?password=p&q=1", "https://host/x?password=***&q=1"),
        ("with url: /x?Secret=abc (Caused by ...)", "with url: /x?Secret=*** (Caused by ...)"),
        ("https://host/x?page=2&sort=key", "https://host/x?page=2&sort=key"),
    ],
)
def test_redact_secrets(text, masked):
    assert redact_secrets(text) == masked


@given(
    name=st.sampled_from(["token", "api_key", "Secret", "password", "access_token"]),
    value=st.text(alphabet=string.ascii_letters + string.digits + "-._~%+/=", min_size=1),
)
def test_a_secret_query_value_never_survives_redaction(name, value):
    assert redact_secrets(f"https://host/x?page=2&{name}={value}#top") == f"https://host/x?page=2&{name}=***#top"


# Robots: robots.txt of each host is read once, through the same retries and interval, and honoured before asking.
# The server is asked as `localhost`: addresses written as loopback literals (127.0.0.1) are this machine and skip it.


def robots_url(server, path: str) -> str:
    return f"http://localhost:{server.port}{path}"


def test_a_path_disallowed_by_robots_fails_before_it_is_asked(server, make_client):
    server.route("/robots.txt", [Reply(200, body=b"User-agent: *\nDisallow: /private/\n")])
    server.route("/private/board", [Reply(200, body=b"no")])
    url = robots_url(server, "/private/board")

    with pytest.raises(FetchFatalError) as caught:
        make_client().fetch(url)

    assert str(caught.value) == f"GET {url} failed after 1 attempt: disallowed by robots.txt of localhost"
    assert server.requests_to("/private/board") == []


def test_robots_is_read_once_per_host_and_allowed_paths_are_fetched(server, make_client):
    server.route("/robots.txt", [Reply(200, body=b"User-agent: *\nDisallow: /private/\n")])
    server.route("/public", [Reply(200, body=b"ok")])
    client = make_client()

    assert [client.fetch(robots_url(server, "/public")).content for _ in range(3)] == [b"ok"] * 3
    with pytest.raises(FetchFatalError, match="disallowed by robots.txt"):
        client.fetch(robots_url(server, "/private/x"))

    assert [request.path for request in server.requests] == ["/robots.txt", "/public", "/public", "/public"]
    assert server.requests[0].headers["User-Agent"] == USER_AGENT


def test_robots_rules_for_the_sotawatch_token_apply_and_others_do_not(server, make_client):
    robots = b"User-agent: otherbot\nDisallow: /\n\nUser-agent: sotawatch\nDisallow: /api/\n"
    server.route("/robots.txt", [Reply(200, body=robots)])
    server.route("/board", [Reply(200, body=b"ok")])
    client = make_client()

    assert client.fetch(robots_url(server, "/board")).content == b"ok"
    with pytest.raises(FetchFatalError, match="disallowed by robots.txt of localhost"):
        client.fetch(robots_url(server, "/api/v1/x"))


def test_a_missing_robots_allows_everything(server, make_client):
    server.route("/board", [Reply(200, body=b"ok")])  # no route for /robots.txt: the server answers 404

    assert make_client().fetch(robots_url(server, "/board")).content == b"ok"
    assert [(r.path, r.status) for r in server.requests] == [("/robots.txt", 404), ("/board", 200)]


def test_robots_is_retried_and_the_host_interval_holds_for_it(server, make_client, clock):
    server.route("/robots.txt", [Reply(503), Reply(200, body=b"User-agent: *\nAllow: /\n")])
    server.route("/board", [Reply(503), Reply(200, body=b"ok")])
    client = make_client(min_interval_per_host={"localhost": 3.0})

    result = client.fetch(robots_url(server, "/board"))

    assert (result.content, result.attempts) == (b"ok", 2)
    # robots: 1 s backoff + 2 s rest of the interval; board: 3 s interval, 1 s backoff + 2 s rest of the interval.
    assert clock.sleeps == [1.0, 2.0, 3.0, 1.0, 2.0]
    assert [r.path for r in server.requests] == ["/robots.txt"] * 2 + ["/board"] * 2


def test_an_unreachable_robots_fails_the_fetch_with_its_url_and_is_asked_again_later(server, make_client):
    server.route("/robots.txt", [Reply(503)])
    server.route("/board", [Reply(200, body=b"ok")])
    client = make_client(max_retries=1)
    url = robots_url(server, "/board")

    with pytest.raises(FetchRetryableError) as caught:
        client.fetch(url)
    assert str(caught.value) == (
        f"GET {url} failed after 2 attempts: reading robots.txt of localhost: HTTP 503 Service Unavailable"
    )
    assert server.requests_to("/board") == []

    server.route("/robots.txt", [Reply(404)])
    assert client.fetch(url).content == b"ok"


def test_respect_robots_false_never_asks_for_robots(server, make_client):
    server.route("/robots.txt", [Reply(200, body=b"User-agent: *\nDisallow: /\n")])
    server.route("/board", [Reply(200, body=b"ok")])

    assert make_client(respect_robots=False).fetch(robots_url(server, "/board")).content == b"ok"
    assert [r.path for r in server.requests] == ["/board"]


def test_robots_does_not_apply_to_files_and_is_on_by_default(shared_data, make_client):
    client = make_client()
    assert client.respect_robots is True
    assert client.fetch(shared_data / IMAGENET_CSV).status == 200
    assert client.fetch((shared_data / IMAGENET_CSV).as_uri()).status == 200


def test_a_redirect_is_checked_against_robots_of_the_host_it_leads_to(server, make_client):
    server.route("/robots.txt", [Reply(200, body=b"User-agent: *\nDisallow: /hidden\n")])
    server.route("/moved", [redirect(robots_url(server, "/hidden"))])
    client = make_client(allowed_hosts={"localhost"})

    with pytest.raises(FetchFatalError, match="disallowed by robots.txt of localhost"):
        client.fetch(robots_url(server, "/moved"))
    assert server.requests_to("/hidden") == []
