"""The one HTTP client every source fetches through, so that politeness and failure handling live in one place.

`fetch(location)` returns a `FetchResult` for an http(s) URL, a `file://` URL or a plain path; files are served the
same way as URLs so that history can be loaded from saved payloads. Over HTTP the client

- names the project in its User-Agent and applies a (connect, read) timeout;
- retries 429, 500, 502, 503, 504, timeouts, resets, other connection errors and bodies cut short, with exponential
  backoff and jitter capped at `backoff_max`, honouring Retry-After; any other 4xx fails at once, and so do a host
  name that does not resolve and a refused connection (nothing listens there: asking again in seconds will not help);
- keeps a minimum interval per host (arXiv asks for 3 s), sleeping only the remaining gap, retries included;
- makes conditional requests from the `Validators` of a previous fetch and reports 304 as `not_modified`;
- sends a caller's own `headers` (an Authorization for a gated API) to the origin it asked only, never to a redirect's
  other origin, and returns the response's headers in `FetchResult.headers` (a paged API's `Link`);
- streams the body and stops at `max_bytes`;
- follows at most 10 redirects itself, checking every hop against `allowed_hosts` (exact names, or `*.example.org`
  for the hosts under a domain) and refusing redirects to private or loopback addresses the caller did not ask for
  or list by name (SSRF guard);
- with `respect_robots` (the default), reads `/robots.txt` of each scheme, host and port once, through the same
  retries and per-host interval, and refuses a path it disallows for the User-Agent's product token ("sotawatch")
  before asking for it; a robots.txt that is missing or answers another 4xx allows everything (RFC 9309). Loopback
  addresses written as such (127.0.0.1, ::1: local mirrors and test servers) are not asked.

Failures are `FetchRetryableError` (may pass: a flow can retry later) or `FetchFatalError` (will not pass by
waiting). Their message is one line, and URLs in messages and logs have credentials and secret query values masked.
"""
from __future__ import annotations

import email.utils
import ipaddress
import logging
import mimetypes
import random
import re
import socket
import threading
import time
import urllib.request
import urllib.robotparser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from os import PathLike
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from pipelines.source import SourceError

USER_AGENT = "sotawatch/0.1 (+https://github.com/sotawatch/sotawatch)"
MiB = 1024 * 1024
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 10
ROBOTS_PATH = "/robots.txt"

logger = logging.getLogger(__name__)

_USERINFO = re.compile(r"(?<=//)[^/?#@\s]+@")
_SECRET_QUERY_VALUE = re.compile(r"(?i)([?&;][^=&#\s]*(?:token|key|secret|password)[^=&#\s]*=)[^&#\s'\"]*")
# Errors in what we asked for rather than in the network: asking again cannot help.
_INVALID_REQUEST_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
)


def redact_secrets(text: str) -> str:
    """Mask URL userinfo and the values of query parameters named like token/key/secret/password as `***`."""
    return _SECRET_QUERY_VALUE.sub(r"\1***", _USERINFO.sub("***@", text))


class FetchError(SourceError):
    """A fetch failed. `url` (redacted), `attempts` and `status` (None without an HTTP answer) say how."""

    def __init__(self, url: str, problem: str, *, attempts: int, status: int | None = None):
        self.url = redact_secrets(url)
        self.problem = redact_secrets(" ".join(problem.split()))
        self.attempts = attempts
        self.status = status
        verb = "GET" if _is_http(url) else "read"
        plural = "" if attempts == 1 else "s"
        super().__init__(f"{verb} {self.url} failed after {attempts} attempt{plural}: {self.problem}")


class FetchRetryableError(FetchError):
    """Every try failed in a way that can pass (overload, network): a later run may succeed."""


class FetchFatalError(FetchError):
    """Asking again will not help: 4xx, missing file, refused host, redirect loop, body over the size cap."""


class HostUnreachableError(FetchFatalError):
    """The host name does not resolve or the connection was refused: nothing answered, so robots.txt is not why."""

    refused = False
    where: str | None = None  # the host (host:port when refused) that failed, when the URL names another

    @classmethod
    def of(cls, url: str, *, refused: bool, where: str | None, attempts: int) -> HostUnreachableError:
        if refused:
            problem = "connection failed: connection refused" + (f" by {where}" if where else "")
        else:
            problem = f"connection failed: the host {where + ' ' if where else ''}does not resolve"
        error = cls(url, problem, attempts=attempts)
        error.refused, error.where = refused, where
        return error


@dataclass(frozen=True)
class Validators:
    """What a caller keeps from one fetch to make the next one conditional (If-None-Match / If-Modified-Since)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """One payload as fetched. `content` is empty when the server answered 304 Not Modified."""

    location: str  # as the caller asked for it
    final_url: str  # after redirects; a file:// URL for files
    status: int  # 200 (or another 2xx the server chose), or 304
    content: bytes = field(repr=False)  # payloads run to megabytes; a repr of them helps nobody
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime  # aware, UTC
    attempts: int
    # the response's headers, case-insensitive (empty for files); not part of what makes two results equal
    headers: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @classmethod
    def of_content(cls, location: str, content: bytes) -> FetchResult:
        """Bytes that did not come from one plain fetch (a source's own paginated fetch, a stored payload read again),
        as a fetch of `location` would have returned them."""
        return cls(location=location, final_url=location, status=200, content=content, content_type=None, etag=None,
                   last_modified=None, fetched_at=datetime.now(timezone.utc), attempts=1)

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


class _RetryableFailure(Exception):
    """One try failed in a way that can pass; the retry loop decides whether to try again."""

    def __init__(self, problem: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(problem)
        self.problem, self.status, self.retry_after = problem, status, retry_after


class HttpClient:
    """A polite HTTP client for one process; share one instance so the per-host intervals are kept across sources.

    `clock` and `sleep` time the per-host interval and the backoff; `jitter` returns a float in [0, 1) that spreads
    the second half of each backoff delay. Tests inject all three to run without waiting and deterministically.
    """

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: tuple[float, float] = (10.0, 60.0),
        max_retries: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        min_interval_per_host: Mapping[str, float] | None = None,
        max_bytes: int = 512 * MiB,
        allowed_hosts: Iterable[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        respect_robots: bool = True,
    ):
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.min_interval_per_host = {host.lower(): seconds for host, seconds in (min_interval_per_host or {}).items()}
        self.max_bytes = max_bytes
        self.allowed_hosts = None if allowed_hosts is None else frozenset(host.lower() for host in allowed_hosts)
        self._clock, self._sleep, self._jitter = clock, sleep, jitter
        self._session = requests.Session()
        # Earliest clock time at which each host may be asked again; the lock lets concurrent tasks share a client.
        self._next_turn: dict[str, float] = {}
        self._turn_lock = threading.Lock()
        self.respect_robots = respect_robots
        # Parsed robots.txt per origin (scheme://host:port), read once; one lock per origin keeps two tasks from both
        # reading it without making a slow host's robots.txt delay another host.
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_locks_lock = threading.Lock()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def fetch(
        self, location: str | PathLike[str], *, previous: Validators | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """Fetch an http(s) URL (conditionally when `previous` is given), a file:// URL or a path. `headers` go with
        the request to the URL's own origin (scheme, host, port) only: a redirect elsewhere does not carry them."""
        location = str(location)
        scheme = urlsplit(location).scheme.lower()
        if scheme in ("http", "https"):
            return self._fetch_url(location, previous, headers)
        if scheme == "file":
            return self._read_file(location, Path(urllib.request.url2pathname(urlsplit(location).path)))
        if len(scheme) > 1:  # one letter is a Windows drive, not a scheme
            raise FetchFatalError(location, f"unsupported scheme {scheme!r}", attempts=1)
        return self._read_file(location, Path(location))

    def _read_file(self, location: str, path: Path) -> FetchResult:
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                too_large = f"file larger than the {_describe_size(self.max_bytes)} cap"
                raise FetchFatalError(str(path), too_large, attempts=1)
            content = path.read_bytes()
        except FileNotFoundError:
            raise FetchFatalError(str(path), "no such file", attempts=1) from None
        except OSError as error:
            raise FetchFatalError(str(path), error.strerror or str(error), attempts=1) from error
        content_type, encoding = mimetypes.guess_type(path.name)
        return FetchResult(
            location=location,
            final_url=path.absolute().as_uri(),
            status=200,
            # A compressed file is returned compressed, so its type is the compression's, not the content's.
            content_type=f"application/{encoding}" if encoding else content_type,
            content=content,
            etag=None,
            last_modified=None,
            fetched_at=datetime.now(timezone.utc),
            attempts=1,
        )

    def _fetch_url(self, url: str, previous: Validators | None, own: Mapping[str, str] | None = None) -> FetchResult:
        headers = {"User-Agent": self.user_agent}
        if previous is not None and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous is not None and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        attempt = 1
        while True:
            try:
                return self._try_once(url, headers, attempt, own)
            except _RetryableFailure as failure:
                if attempt > self.max_retries:
                    raise FetchRetryableError(
                        url, failure.problem, attempts=attempt, status=failure.status
                    ) from failure.__cause__
                delay = self._retry_delay(attempt, failure.retry_after)
                logger.info(
                    "retrying GET %s in %.1f s (try %d of %d failed: %s)",
                    redact_secrets(url), delay, attempt, self.max_retries + 1, redact_secrets(failure.problem),
                )
                self._sleep(delay)
                attempt += 1

    def _try_once(
        self, url: str, headers: dict[str, str], attempt: int, own: Mapping[str, str] | None = None
    ) -> FetchResult:
        """One try: follow redirects hop by hop, so every hop is checked before it is asked. The caller's `own`
        headers (credentials) go to the asked origin only."""
        asked_host = urlsplit(url).hostname or ""
        hop = url
        for _ in range(MAX_REDIRECTS + 1):
            self._refuse_unless_allowed(url, hop, asked_host, attempt)
            self._refuse_unless_robots_allow(url, hop, attempt)
            self._wait_for_turn(urlsplit(hop).hostname or "")
            sent = {**own, **headers} if own and origin(hop) == origin(url) else headers
            try:
                response = self._session.get(
                    hop, headers=sent, timeout=self.timeout, stream=True, allow_redirects=False
                )
            except _INVALID_REQUEST_ERRORS as error:
                raise FetchFatalError(url, f"invalid request: {error}", attempts=attempt) from error
            except requests.ConnectionError as error:
                unreachable = _unreachable(error, url, hop, asked_host, attempt)
                if unreachable is not None:
                    raise unreachable from error
                raise _RetryableFailure(_describe_transport_error(error)) from error
            except requests.RequestException as error:
                raise _RetryableFailure(_describe_transport_error(error)) from error
            with response:
                if not response.is_redirect:
                    return self._read_response(url, hop, response, attempt)
                hop = urljoin(hop, response.headers["Location"])
        loop = f"more than {MAX_REDIRECTS} redirects (a redirect loop?), the last to {hop}"
        raise FetchFatalError(url, loop, attempts=attempt)

    def _refuse_unless_allowed(self, url: str, hop: str, asked_host: str, attempt: int) -> None:
        host = urlsplit(hop).hostname or ""
        listed = self.allowed_hosts is not None and host in self.allowed_hosts
        if self.allowed_hosts is not None and not listed and not self._under_allowed_domain(host):
            raise FetchFatalError(url, f"host {host!r} (of {hop}) is not in allowed_hosts", attempts=attempt)
        # A host listed by name is the caller's word for it; one reached by a wildcard is not (a subdomain can be
        # pointed anywhere), so it is checked like any redirect.
        if not listed and host != asked_host and _resolves_to_private_address(host):
            raise FetchFatalError(
                url, f"refused a redirect to {hop}: {host!r} is a private or loopback address", attempts=attempt
            )

    def _under_allowed_domain(self, host: str) -> bool:
        return any(
            entry.startswith("*.") and host.endswith(entry[1:])
            for entry in self.allowed_hosts or ()
        )

    def _refuse_unless_robots_allow(self, url: str, hop: str, attempt: int) -> None:
        if not self.respect_robots:
            return
        parts = urlsplit(hop)
        host = parts.hostname or ""
        if parts.path == ROBOTS_PATH or _is_loopback_literal(host):
            return
        try:
            robots = self._robots_for(f"{parts.scheme.lower()}://{parts.netloc.lower()}")
        except HostUnreachableError as error:
            # Nothing answered at all: the host is the problem, not its robots.txt.
            where = None if host == (urlsplit(url).hostname or "") else error.where or (
                parts.netloc if error.refused else host)
            raise HostUnreachableError.of(url, refused=error.refused, where=where, attempts=error.attempts) from error
        except FetchError as error:
            # Name the URL the caller asked for: that is the fetch that failed; robots.txt is why.
            raise type(error)(
                url, f"reading robots.txt of {host}: {error.problem}", attempts=error.attempts, status=error.status
            ) from error
        if not robots.can_fetch(self._product_token(), hop):
            raise FetchFatalError(url, f"disallowed by robots.txt of {host}", attempts=attempt)

    def _product_token(self) -> str:
        token = self.user_agent.split("/", 1)[0].split()
        return token[0] if token else "sotawatch"

    def _robots_for(self, origin: str) -> urllib.robotparser.RobotFileParser:
        """The parsed robots.txt of `origin`, fetched on first use; a retryable failure is not kept, so it is read
        again next time."""
        with self._robots_locks_lock:
            origin_lock = self._robots_locks.setdefault(origin, threading.Lock())
        with origin_lock:
            robots = self._robots.get(origin)
            if robots is not None:
                return robots
            robots = urllib.robotparser.RobotFileParser(origin + ROBOTS_PATH)
            try:
                fetched = self._fetch_url(origin + ROBOTS_PATH, None)
            except FetchFatalError as error:
                if error.status is None or not 400 <= error.status < 500:
                    raise  # refused host, redirect loop, size cap: not an answer about what is allowed
                robots.allow_all = True  # missing (or any other 4xx): everything is allowed
            else:
                robots.parse(fetched.content.decode("utf-8", errors="replace").splitlines())
            robots.modified()
            self._robots[origin] = robots
            return robots

    def _wait_for_turn(self, host: str) -> None:
        """Sleep only the part of the host's minimum interval that has not already passed since it was last asked."""
        interval = self.min_interval_per_host.get(host, 0.0)
        if interval <= 0:
            return
        # Reserve the slot under the lock but sleep outside it, so one host's interval never delays another host.
        with self._turn_lock:
            now = self._clock()
            turn = max(now, self._next_turn.get(host, now))
            self._next_turn[host] = turn + interval
        if turn > now:
            self._sleep(turn - now)

    def _read_response(self, url: str, hop: str, response: requests.Response, attempt: int) -> FetchResult:
        status = response.status_code
        if status in RETRYABLE_STATUSES:
            retry_after = _parse_retry_after(response.headers.get("Retry-After"))
            raise _RetryableFailure(f"HTTP {status} {response.reason}", status, retry_after)
        if status != 304 and not 200 <= status < 300:
            raise FetchFatalError(url, f"HTTP {status} {response.reason}", attempts=attempt, status=status)
        content = b"" if status == 304 else self._read_body(url, response, attempt)
        return FetchResult(
            location=url,
            final_url=hop,
            status=status,
            content=content,
            content_type=response.headers.get("Content-Type"),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            fetched_at=datetime.now(timezone.utc),
            attempts=attempt,
            headers=requests.structures.CaseInsensitiveDict(response.headers),
        )

    def _read_body(self, url: str, response: requests.Response, attempt: int) -> bytes:
        too_large = f"body larger than the {_describe_size(self.max_bytes)} cap"
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchFatalError(url, f"{too_large} (Content-Length {declared})", attempts=attempt)
        chunks: list[bytes] = []
        received = 0
        try:
            # Counted after transport decoding, so a small gzip bomb is stopped as well as a large body.
            for chunk in response.iter_content(chunk_size=64 * 1024):
                received += len(chunk)
                if received > self.max_bytes:
                    raise FetchFatalError(url, too_large, attempts=attempt)
                chunks.append(chunk)
        except requests.RequestException as error:
            raise _RetryableFailure(_describe_transport_error(error)) from error
        return b"".join(chunks)

    def _retry_delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.backoff_max)
        ceiling = min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
        # Keep half the delay so a retry never comes back too soon; spread the other half so that clients which failed
        # together do not all come back together.
        return ceiling / 2 + ceiling / 2 * self._jitter()


def fetch(
    location: str | PathLike[str], *, previous: Validators | None = None, client: HttpClient | None = None
) -> FetchResult:
    """Fetch with `client`, or with a default client made for this one call."""
    if client is not None:
        return client.fetch(location, previous=previous)
    with HttpClient() as default_client:
        return default_client.fetch(location, previous=previous)


def _is_http(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")


def origin(url: str) -> tuple[str, str, int | None]:
    """A URL's origin (scheme, host, port), lower-cased: where credentials may go, and a paged API's links may lead."""
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def _parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delay seconds or an HTTP date; None when absent or unreadable (then back off as usual)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _is_loopback_literal(host: str) -> bool:
    """127.0.0.1 or ::1 written as an address: this machine (a local mirror, a test server), whose operator is us;
    robots.txt is a courtesy to other people's servers. A name such as `localhost` is still asked for robots.txt."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _resolves_to_private_address(host: str) -> bool:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return False  # an unresolvable host fails on connect with its own, clearer error
    return any(not ipaddress.ip_address(address).is_global for address in addresses)


def _describe_transport_error(error: requests.RequestException) -> str:
    """Name the failure and the socket-level cause; requests' own text is a long nest of wrapper reprs."""
    if isinstance(error, requests.Timeout):
        kind = "timed out"
    elif isinstance(error, requests.exceptions.ChunkedEncodingError):
        kind = "connection broken while reading the body (truncated?)"
    else:
        kind = "connection failed"
    return f"{kind}: {_innermost_cause(error)}"


def _unreachable(
    error: requests.ConnectionError, url: str, hop: str, asked_host: str, attempt: int
) -> HostUnreachableError | None:
    """The failure when the host name does not resolve or the connection was refused; None for other connection
    errors (resets, unreachable networks...), which can pass. A proxy's failure is the proxy's, so it is not judged."""
    if isinstance(error, requests.exceptions.ProxyError):
        return None
    parts = urlsplit(hop)
    host = parts.hostname or ""
    for cause in _causes(error):
        if isinstance(cause, (socket.gaierror, ConnectionRefusedError)):
            refused = isinstance(cause, ConnectionRefusedError)
            where = None if host == asked_host else parts.netloc if refused else host
            return HostUnreachableError.of(url, refused=refused, where=where, attempts=attempt)
    return None


def _causes(error: BaseException) -> Iterable[BaseException]:
    """Every exception wrapped in `error`: requests and urllib3 keep them in `reason`, in args or as the cause."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        wrapped = [reason, current.__cause__, current.__context__, *current.args]
        pending.extend(inner for inner in wrapped if isinstance(inner, BaseException))


def _innermost_cause(error: BaseException) -> BaseException:
    # requests wraps urllib3 errors, which wrap the socket error in `reason` or in their args.
    while True:
        inner = getattr(error, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((arg for arg in reversed(error.args) if isinstance(arg, BaseException)), None)
        if inner is None:
            return error
        error = inner


def _describe_size(size: int) -> str:
    return f"{size // MiB} MiB" if size % MiB == 0 else f"{size}-byte"
