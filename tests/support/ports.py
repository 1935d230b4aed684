"""A free TCP port on 127.0.0.1, for the servers the tests start (those that need a concrete port, as aiosmtpd's
Controller and `prefect server start` do, rather than port 0)."""
from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
