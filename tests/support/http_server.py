"""A real HTTP server on 127.0.0.1 for tests: serves a folder in place, answers scripted routes, receives POSTs.

The HTTP client is tested against real sockets rather than mocks, so what runs in tests is the code that runs at
night. `serve(directory)` starts a `ThreadingHTTPServer` on a free port in a background thread and stops it on exit:

    with serve(shared_data) as server:
        server.route("/flaky", [Reply(503), Reply(200, body=b"ok")])
        fetch(server.url("/flaky"))
        server.requests[-1].headers["User-Agent"]

Files under the folder are answered with ETag and Last-Modified and with 304 to a matching conditional request.
A route answers its replies in order and repeats the last one, or, with `then_files=True`, answers from the folder
once they have been used (a 429 before the file, say); `hang`, `reset`, `truncated` and `redirect` build the replies
that simulate a stalled server, a reset connection, a body cut short and a redirect; `held` keeps a request waiting
until the test lets it go (to act while a client is in the middle of a request). `answer(function)` answers the GETs no
route takes from the request itself (an archive's index, whose answer depends on the query string).

POST (and PUT) requests are answered by routes only (a webhook receiver): each is recorded with its body, and the
status of every answer is recorded too, so a test can say "the second fetch got a 304":

    server.route("/hook", [Reply(500), Reply(204)])
    ...
    [(r.status, r.json()["text"]) for r in server.requests_to("/hook", method="POST")]
"""
from __future__ import annotations

import email.utils
import hashlib
import http.server
import json
import mimetypes
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

# Longest a `hang` reply stalls; the server also wakes every hang when it stops, so tests never wait this long.
HANG_LIMIT_SECONDS = 30.0


@dataclass(frozen=True)
class Reply:
    """One scripted answer. `hang_seconds`, `reset` and `declared_length` simulate faults (see the helpers below)."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    hang_seconds: float = 0.0
    reset: bool = False
    declared_length: int | None = None
    gate: threading.Event | None = field(default=None, compare=False)  # answer only once this is set


def held(gate: threading.Event, body: bytes = b"ok", status: int = 200) -> Reply:
    """Keep the request waiting (the client has sent it, and has no answer) until `gate` is set, then answer."""
    return Reply(status, body=body, gate=gate)


def hang(seconds: float = HANG_LIMIT_SECONDS) -> Reply:
    """Say nothing for `seconds` (longer than the client's read timeout), then answer 200 with an empty body."""
    return Reply(hang_seconds=seconds)


def reset() -> Reply:
    """Read the request, then drop the connection with a TCP reset instead of answering."""
    return Reply(reset=True)


def truncated(body: bytes, missing: int = 100) -> Reply:
    """Declare a Content-Length `missing` bytes longer than `body`, send `body`, then close the connection."""
    return Reply(body=body, declared_length=len(body) + missing)


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location})


@dataclass
class RecordedRequest:
    method: str
    path: str  # with the query string, as the client sent it
    headers: Message  # case-insensitive lookup: headers["user-agent"]
    body: bytes = b""
    status: int | None = None  # what the server answered (None: it reset the connection or is still answering)

    def json(self) -> object:
        return json.loads(self.body)


class LoopbackServer:
    """Handle on a running server: build URLs, script routes, read the requests it received."""

    def __init__(self, directory: Path | None):
        self.directory = directory.resolve() if directory is not None else None
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, list[Reply]] = {}
        self._then_files: set[str] = set()
        self._answered: dict[str, int] = {}
        self._answerer: Callable[[RecordedRequest], Reply | None] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self.host, self.port = self._httpd.server_address[:2]
        # A short poll interval lets the server stop promptly; serve_forever only sees shutdown() between polls.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="loopback-http", daemon=True
        )

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(
        self, path: str, replies: Sequence[Reply | tuple[int, Mapping[str, str], bytes]], *, then_files: bool = False
    ) -> None:
        """Answer `path` (without query string) with `replies` in order; the last one repeats, unless `then_files`:
        then, once they are used, the path is answered from the folder as if it had no route. A new route for the
        same path replaces the old one and starts from its first reply."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes[path] = [reply if isinstance(reply, Reply) else Reply(*reply) for reply in replies]
            self._answered[path] = 0
            if then_files:
                self._then_files.add(path)
            else:
                self._then_files.discard(path)

    def answer(self, function: Callable[[RecordedRequest], Reply | None]) -> None:
        """Answer each GET without a route with `function(request)` (its `path` has the query string), or from the
        folder where it returns None: a server whose answers depend on the query, such as an archive's index."""
        with self._lock:
            self._answerer = function

    def unroute(self, path: str) -> None:
        """Answer `path` from the folder again."""
        with self._lock:
            self._routes.pop(path, None)
            self._then_files.discard(path)

    def requests_to(self, path: str, *, method: str | None = None) -> list[RecordedRequest]:
        """The requests for `path` (query string ignored), in order; only those of `method` if given."""
        with self._lock:
            return [
                request for request in self.requests
                if request.path.split("?", 1)[0] == path and (method is None or request.method == method)
            ]

    def wait_for_requests(self, path: str, timeout: float) -> list[RecordedRequest]:
        """`requests_to(path)` once there is at least one, or the empty list after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not (found := self.requests_to(path)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def _next_reply(self, path: str) -> Reply | None:
        with self._lock:
            replies = self._routes.get(path)
            if replies is None:
                return None
            if self._answered[path] >= len(replies) and path in self._then_files:
                return None
            index = min(self._answered[path], len(replies) - 1)
            self._answered[path] += 1
            return replies[index]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _start(self) -> None:
        self._thread.start()

    def _stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@contextmanager
def serve(directory: Path | str | None = None) -> Iterator[LoopbackServer]:
    """Run a `LoopbackServer` for the duration of the block, serving `directory` (read in place) if given."""
    server = LoopbackServer(Path(directory) if directory is not None else None)
    server._start()
    try:
        yield server
    finally:
        server._stop()


class _QuietServer(http.server.ThreadingHTTPServer):
    # Handler threads may be stalled in a `hang`; daemon threads let the server stop without joining them.
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (read timeout) makes the handler write into a closed socket: expected, not a bug.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: LoopbackServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(_Handler):
        loopback = server

    return Handler


class _Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0 closes the connection after every answer, so each request is independent and a fault cannot leak
    # into the next request through a reused connection.
    protocol_version = "HTTP/1.0"
    loopback: LoopbackServer

    def do_GET(self) -> None:
        request = RecordedRequest(self.command, self.path, self.headers)
        self.loopback._record(request)
        route_path = self.path.split("?", 1)[0]
        reply = self.loopback._next_reply(route_path)
        if reply is None and self.loopback._answerer is not None:
            reply = self.loopback._answerer(request)
        if reply is None:
            reply = self._file_reply(route_path)
        self._send(reply, request)

    def do_POST(self) -> None:
        # The body is read whole before answering: a client still sending would otherwise see a reset.
        length = self.headers.get("Content-Length", "")
        body = self.rfile.read(int(length)) if length.isdigit() else b""
        request = RecordedRequest(self.command, self.path, self.headers, body)
        self.loopback._record(request)
        reply = self.loopback._next_reply(self.path.split("?", 1)[0])
        # Files are not POST targets: without a route the answer is 404, as from a receiver with no such hook.
        self._send(reply or Reply(404, body=b"no such route"), request)

    do_PUT = do_POST

    def _file_reply(self, route_path: str) -> Reply:
        directory = self.loopback.directory
        if directory is None:
            return Reply(404, body=b"no such route")
        path = (directory / route_path.lstrip("/")).resolve()
        if not path.is_file() or not path.is_relative_to(directory):
            return Reply(404, body=b"no such file")
        body = path.read_bytes()
        stat = path.stat()
        etag = f'"{hashlib.sha1(body).hexdigest()}"'
        last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if self._is_fresh(etag, int(stat.st_mtime)):
            return Reply(304, headers=validators)
        content_type, encoding = mimetypes.guess_type(path.name)
        # A .gz file is served as the gzip bytes it is (no Content-Encoding), as a static file server does.
        if encoding is not None or content_type is None:
            content_type = "application/octet-stream"
        return Reply(200, headers={**validators, "Content-Type": content_type}, body=body)

    def _is_fresh(self, etag: str, mtime: int) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
        return mtime <= since

    def _send(self, reply: Reply, request: RecordedRequest) -> None:
        if reply.reset:
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN: the client sees a reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if reply.hang_seconds and self.loopback._stopping.wait(reply.hang_seconds):
            return
        while reply.gate is not None and not reply.gate.wait(0.05):
            if self.loopback._stopping.is_set():
                return
        request.status = reply.status  # before the answer leaves: a client that has it can read the status here
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 304:
            length = reply.declared_length if reply.declared_length is not None else len(reply.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if reply.status != 304:
            self.wfile.write(reply.body)

    def finish(self) -> None:
        # After a reset the socket is already closed; the base class would fail flushing into it.
        try:
            super().finish()
        except (OSError, ValueError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet; `LoopbackServer.requests` records what was asked."""
