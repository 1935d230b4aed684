"""Receivers and readers shared by the end-to-end alert tests: a free loopback port, an SMTP server (aiosmtpd) that
keeps what it receives, the CLI run in-process, and what a flow run left in Prefect (its artifacts).

    with smtp_server() as (controller, sink):        # controller.port; sink.messages, parsed e-mails
        code, out, err = sota(capsys, "run", "--config", config)

`smtp_server(authenticator=...)` offers AUTH (PLAIN and LOGIN, without TLS) and lets `authenticator` decide, as
aiosmtpd's `authenticator` callable does: `(server, session, envelope, mechanism, auth_data) -> AuthResult`.
"""
from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from flows.cli import main
from tests.support.ports import free_port


class MailSink:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@contextmanager
def smtp_server(authenticator: Callable | None = None):
    sink = MailSink()
    auth = {} if authenticator is None else {"authenticator": authenticator, "auth_require_tls": False}
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **auth)
    controller.start()
    try:
        yield controller, sink
    finally:
        controller.stop()


def webhook_posts(server, path: str = "/hook"):
    """(status answered, JSON body) of every POST the loopback server received at `path`."""
    return [(request.status, request.json()) for request in server.requests_to(path, method="POST")]


def sota(capsys, *args):
    """Run the `sota` command in-process: (exit code, stdout, stderr) of this command only."""
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_artifacts(flow_run_id) -> list:
    """Every artifact the flow run made, as Prefect's API has them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        return client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )


def run_artifact(state) -> str:
    """The text of the one artifact of the flow run that ended in `state`."""
    (artifact,) = run_artifacts(state.state_details.flow_run_id)
    return artifact.data
