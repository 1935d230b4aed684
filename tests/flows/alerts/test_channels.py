"""The webhook and e-mail channels against real receivers on 127.0.0.1: the loopback HTTP server and an SMTP server
(aiosmtpd, with STARTTLS and AUTH where a test asks). Records are made by real loads into a real DuckDB file and sent
through the outbox; nothing is mocked.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from flows.alerts import Alert, EmailChannel, WebhookChannel, deliver_pending
from tests.flows.alerts.queued import LATER, NOW, outbox_state, posts, queue_one_record
from tests.support.http_server import Reply, serve

TOKEN = "s3cret-token-value"
PASSWORD = "hunter2-smtp-password"
TEAM = ["team@example.org", "me@example.org"]


# ------------------------------------------------------------------------------------------------- receivers


def free_port() -> int:
    """A port nobody listens on right now: bind to port 0, read what the system chose, let it go."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    """An aiosmtpd handler keeping what it received (and whether the session was encrypted and authenticated)."""

    def __init__(self, reply: str = "250 OK"):
        self.received: list[tuple[str, list[str], bytes, bool, object]] = []
        self.reply = reply

    async def handle_DATA(self, server, session, envelope):
        if not self.reply.startswith("250"):
            return self.reply
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                              session.ssl is not None, session.auth_data))
        return self.reply


@contextmanager
def smtp_receiver(handler, **options):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def accept_user(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"bot" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, auth_data=auth_data if ok else None)


def self_signed(tmp_path):
    """A certificate for 127.0.0.1, and a client context that trusts exactly it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    moment = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(days=1)).not_valid_after(moment + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    return server, ssl.create_default_context(cafile=str(cert_path))


# ------------------------------------------------------------------------------------------------- webhook


def test_webhook_gets_slack_and_discord_text_and_the_record_once(db, tmp_path):
    record = queue_one_record(db, tmp_path, ["team-hook"])
    with serve() as receiver:
        receiver.route("/hook", [Reply(204)])  # Discord answers 204, Slack 200: any 2xx is delivered
        report = deliver_pending(db, {"team-hook": WebhookChannel(receiver.url("/hook"))}, LATER)
        again = deliver_pending(db, {"team-hook": WebhookChannel(receiver.url("/hook"))}, LATER)
        assert (len(report.delivered), len(report.failed), again.delivered) == (1, 0, [])
        ((request, body),) = posts(receiver)
    line = ("New SOTA on Image Classification / ImageNet / Top 1 Accuracy: FixEfficientNet-L2 88.5% "
            "(Fixing the train-test resolution discrepancy: FixEfficientNet, 2020-03-18) beats "
            "Noisy Student (EfficientNet-L2) 87.4% by 1.1 points https://arxiv.org/abs/2003.08237v4")
    assert body["text"] == line
    assert body["content"] == line.replace(" https://", " <https://") + ">"
    assert body["allowed_mentions"] == {"parse": []}
    assert body["alert_id"] == record.alert_id and request.headers["Idempotency-Key"] == body["delivery_id"]
    assert request.headers["Content-Type"] == "application/json"
    facts = ("model", "value", "previous_model", "previous_value", "margin", "published_on")
    assert {k: body["record"][k] for k in facts} == {
        "model": "FixEfficientNet-L2", "value": 88.5, "previous_model": "Noisy Student (EfficientNet-L2)",
        "previous_value": 87.4, "margin": 1.1, "published_on": "2020-03-18",
    }
    assert outbox_state(db) == [("team-hook", "delivered", 1, None, LATER)]


def test_a_webhook_failing_twice_keeps_the_row_pending_then_delivers_it_once(db, tmp_path):
    queue_one_record(db, tmp_path, ["hook"])
    with serve() as receiver:
        receiver.route("/hook", [Reply(500, body=b"oops"), Reply(500, body=b"oops"), Reply(200, body=b"ok")])
        channels = {"hook": WebhookChannel(receiver.url(f"/hook?token={TOKEN}"))}
        origin = f"http://127.0.0.1:{receiver.port}"
        first = deliver_pending(db, channels, NOW)
        assert [message for _, message in first.failed] == [f"webhook {origin}: HTTP 500 oops"]
        assert outbox_state(db) == [("hook", "pending", 1, f"webhook {origin}: HTTP 500 oops", None)]
        deliver_pending(db, channels, NOW)
        assert outbox_state(db)[0][:3] == ("hook", "pending", 2)
        third = deliver_pending(db, channels, LATER)
        assert len(third.delivered) == 1
        assert outbox_state(db) == [("hook", "delivered", 3, None, LATER)]
        # delivered is final: more runs send nothing
        for _ in range(2):
            assert deliver_pending(db, channels, LATER).delivered == []
        assert len(posts(receiver)) == 3
        # every attempt carried the same ids, so a receiver can drop a repeat
        assert len({(body["alert_id"], body["delivery_id"]) for _, body in posts(receiver)}) == 1


def test_webhook_errors_never_show_the_token(db, tmp_path):
    queue_one_record(db, tmp_path, ["down", "echo"])
    url_path = "/services/T000/B000/XXXXSECRETPATH"
    with serve() as receiver:
        # a receiver that quotes the URL it was called with back in its error page
        receiver.route(url_path, [Reply(403, body=f"invalid token {TOKEN} for {url_path}".encode())])
        channels = {
            "down": WebhookChannel(f"http://127.0.0.1:{free_port()}{url_path}?token={TOKEN}", timeout=2),
            "echo": WebhookChannel(receiver.url(f"{url_path}?token={TOKEN}")),
        }
        report = deliver_pending(db, channels, NOW)
    errors = [row[3] for row in outbox_state(db)]
    assert len(report.failed) == 2 and all(row[1] == "pending" for row in outbox_state(db))
    assert errors[0].startswith("webhook http://127.0.0.1:") and "ConnectionError" in errors[0]
    assert errors[1].startswith(f"webhook http://127.0.0.1:{receiver.port}: HTTP 403 invalid token ***")
    for error in errors + [message for _, message in report.failed]:
        assert TOKEN not in error and "SECRETPATH" not in error


# ------------------------------------------------------------------------------------------------- e-mail


def test_email_is_plain_text_with_the_same_facts(db, tmp_path):
    record = queue_one_record(db, tmp_path, ["mail"])
    sink = MailSink()
    with smtp_receiver(sink) as server:
        channel = EmailChannel(server.hostname, server.port, "sotawatch@example.org", TEAM)
        report = deliver_pending(db, {"mail": channel}, LATER)
        deliver_pending(db, {"mail": channel}, LATER)
    assert len(report.delivered) == 1 and len(sink.received) == 1
    mail_from, recipients, content, encrypted, _ = sink.received[0]
    assert (mail_from, recipients, encrypted) == ("sotawatch@example.org", TEAM, False)
    message = email.message_from_bytes(content, policy=email.policy.default)
    subject = "New SOTA on Image Classification / ImageNet / Top 1 Accuracy: FixEfficientNet-L2 88.5%"
    assert message["Subject"] == subject and message["To"] == ", ".join(TEAM)
    assert message.get_content_type() == "text/plain"
    assert message["X-Sotawatch-Alert-Id"] == record.alert_id
    assert message["Message-ID"] == f"<{Alert(0, 'mail', 0, record).delivery_id}@sotawatch>"  # stable per channel
    body = message.get_content()
    for fact in (
        "New best:      FixEfficientNet-L2: 88.5%",
        "Paper:         Fixing the train-test resolution discrepancy: FixEfficientNet",
        "Published:     2020-03-18",
        "Link:          https://arxiv.org/abs/2003.08237v4",
        "Previous best: Noisy Student (EfficientNet-L2): 87.4%",
        "Margin:        1.1 points",
    ):
        assert fact in body
    assert outbox_state(db) == [("mail", "delivered", 1, None, LATER)]


def test_email_over_starttls_with_login(db, tmp_path):
    queue_one_record(db, tmp_path, ["mail"])
    server_tls, client_tls = self_signed(tmp_path)
    sink = MailSink()
    with smtp_receiver(sink, tls_context=server_tls, require_starttls=True, authenticator=accept_user) as server:
        channel = EmailChannel(server.hostname, server.port, "bot@example.org", ["team@example.org"], starttls=True,
                               username="bot", password=PASSWORD, ssl_context=client_tls)
        report = deliver_pending(db, {"mail": channel}, LATER)
    assert (len(report.delivered), report.failed) == (1, [])
    (_, _, _, encrypted, auth) = sink.received[0]
    assert encrypted and auth.login == b"bot"


def test_email_refuses_to_send_in_clear_when_starttls_is_not_offered(db, tmp_path):
    queue_one_record(db, tmp_path, ["mail"])
    sink = MailSink()
    with smtp_receiver(sink) as server:  # no TLS context: the server offers no STARTTLS
        channel = EmailChannel(server.hostname, server.port, "bot@example.org", ["team@example.org"], starttls=True,
                               username="bot", password=PASSWORD)
        report = deliver_pending(db, {"mail": channel}, NOW)
    assert sink.received == [] and len(report.failed) == 1
    (state,) = outbox_state(db)
    assert state[:3] == ("mail", "pending", 1)
    assert state[3].startswith(f"email via 127.0.0.1:{server.port}: SMTPNotSupportedError") and "STARTTLS" in state[3]


def test_email_errors_never_show_the_password(db, tmp_path):
    queue_one_record(db, tmp_path, ["mail"])
    server_tls, client_tls = self_signed(tmp_path)
    # a server that quotes the credentials back in its refusal
    sink = MailSink(reply=f"554 5.7.1 refused for bot:{PASSWORD} password={PASSWORD}")
    with smtp_receiver(sink, tls_context=server_tls, authenticator=accept_user) as server:
        channel = EmailChannel(server.hostname, server.port, "bot@example.org", ["team@example.org"], starttls=True,
                               username="bot", password=PASSWORD, ssl_context=client_tls)
        report = deliver_pending(db, {"mail": channel}, NOW)
    (state,) = outbox_state(db)
    assert state[1:3] == ("pending", 1) and "554" in state[3]
    assert PASSWORD not in state[3] and PASSWORD not in report.failed[0][1]

