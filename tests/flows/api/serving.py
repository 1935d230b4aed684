"""Helpers of the API's tests: the README tour's warehouse loaded with `sota load` as the tour does, and real uvicorn
servers on 127.0.0.1, each in a thread of its own, answering real HTTP requests."""
from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import requests
import uvicorn

from bench.cli import LOADS
from flows.api.app import build, server_config
from flows.cli.app import main
from tests.support.ports import free_port

REPO = Path(__file__).resolve().parents[3]
IMAGENET_TOP1 = {"task": "Image Classification", "dataset": "ImageNet", "metric": "Top 1 Accuracy"}


def sota(*argv: str) -> str:
    """`sota ARGV` in this process; its output, or a failure with what it said."""
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = main(list(argv))
    assert status == 0, said.getvalue()[-2000:]
    return said.getvalue()


def load_tour(db: Path, data: Path) -> Path:
    for payload, arguments in LOADS:
        sota("load", str(data / payload), *arguments, "--db", str(db))
    return db


class Served:
    """A running server: its base URL and the thread it runs in."""

    def __init__(self, app, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def get(self, path: str, **options) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **options)

    def wait_for(self, path: str, status: int = 200, seconds: float = 60) -> requests.Response:
        """Poll `path` until it answers `status` (a site being built answers 503 first)."""
        deadline = time.monotonic() + seconds
        while True:
            answer = self.get(path)
            if answer.status_code == status or time.monotonic() > deadline:
                return answer
            time.sleep(0.2)


@contextlib.contextmanager
def serving(db: Path, **options) -> Iterator[Served]:
    served = Served(build(db, **options), free_port())
    served.thread.start()
    deadline = time.monotonic() + 60
    while not served.server.started:
        assert served.thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield served
    finally:
        served.server.should_exit = True
        served.thread.join(timeout=30)
