"""Alert delivery to real receivers on 127.0.0.1: a webhook receiver (the loopback HTTP server) and an SMTP server
(aiosmtpd). Records are made by real loads into a real DuckDB file; nothing is mocked.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import ipaddress
import socket
import ssl
import uuid
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from flows.alerts import (
    Alert,
    ConsoleChannel,
    DeliveryInTransactionError,
    EmailChannel,
    WebhookChannel,
    alert_line,
    deliver_pending,
    mask_secrets,
    outbox,
    pending_alerts,
    sample_alert,
    webhook_payload,
)
from flows.ingest import observed_at_for, prepare_snapshot
from pipelines.http import HttpClient
from pipelines.registry import get_source
from tests.support.boards import board_file
from tests.support.http_server import RecordedRequest, Reply, serve
from warehouse.load import load_snapshot
from warehouse.sota_detect import Record, RecordNewSota, Rule, best_per_benchmark

NOW = datetime(2021, 6, 1, 3, 0)
LATER = datetime(2021, 6, 1, 3, 5)
ACC = ("Image Classification", "ImageNet")
TOKEN = "s3cret-token-value"
PASSWORD = "hunter2-smtp-password"
TEAM = ["team@example.org", "me@example.org"]


# ------------------------------------------------------------------------------------------------- set-up helpers


def load(con, tmp_path, name, rows, channels):
    path = str(board_file(tmp_path, name, {ACC: rows}))
    snapshot = prepare_snapshot(
        get_source("pwc-dump"), HttpClient().fetch(path), path, {}, observed_at_for(path, None, NOW), NOW.date()
    )
    hook = RecordNewSota(best_per_benchmark(con), [Rule()], channels, False, NOW)
    load_snapshot(con, snapshot, NOW, after_load=hook)
    return hook.records


def queue_one_record(con, tmp_path, channels):
    """Noisy Student 87.4 is the baseline; FixEfficientNet-L2 88.5 moves it: one record, one row per channel."""
    noisy = {"model": "Noisy Student (EfficientNet-L2)", "metrics": {"Top 1 Accuracy": "87.4%"}, "date": "2019-11-11"}
    fix = {"model": "FixEfficientNet-L2", "metrics": {"Top 1 Accuracy": "88.5%"}, "date": "2020-03-18",
           "paper": "Fixing the train-test resolution discrepancy: FixEfficientNet",
           "url": "https://arxiv.org/abs/2003.08237v4"}
    load(con, tmp_path, "imagenet@2019-11-13.json", [noisy], channels)
    (record,) = load(con, tmp_path, "imagenet@2020-08-28.json", [noisy, fix], channels)
    return record


def outbox_state(con):
    return con.execute(
        "SELECT channel, status, attempts, last_error, delivered_at FROM alert_outbox ORDER BY outbox_id"
    ).fetchall()


def free_port() -> int:
    """A port nobody listens on right now: bind to port 0, read what the system chose, let it go."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def posts(server) -> list[tuple[RecordedRequest, dict]]:
    """The webhook requests the loopback server received, with their JSON bodies, in order."""
    return [(request, request.json()) for request in server.requests if request.method == "POST"]


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


# ------------------------------------------------------------------------------------------------- delivery rules


def test_channels_fail_alone_and_unconfigured_channels_wait(db, tmp_path):
    queue_one_record(db, tmp_path, ["hook", "console", "pager"])
    printed = io.StringIO()
    with serve() as receiver:
        receiver.route("/hook", [Reply(503)])
        channels = {"hook": WebhookChannel(receiver.url("/hook")), "console": ConsoleChannel(printed)}
        report = deliver_pending(db, channels, LATER)
    assert [a.channel for a in report.delivered] == ["console"]
    assert [a.channel for a, _ in report.failed] == ["hook"]
    assert [a.channel for a in report.unconfigured] == ["pager"]
    states = [row[:3] for row in outbox_state(db)]
    assert states == [("hook", "pending", 1), ("console", "delivered", 1), ("pager", "pending", 0)]
    assert printed.getvalue().count("\n") == 1
    assert printed.getvalue().startswith("sotawatch: New SOTA on Image Classification / ImageNet / Top 1 Accuracy")
    assert report.summary() == "alerts: 1 delivered, 1 failed, 1 waiting for channels not configured"
    assert [row["channel"] for row in outbox(db, pending_only=True)] == ["pager", "hook"]
    assert len(outbox(db)) == 3


def test_with_a_cap_on_attempts_a_row_is_given_up(db, tmp_path):
    queue_one_record(db, tmp_path, ["hook"])
    with serve() as receiver:
        receiver.route("/hook", [Reply(500)])
        channels = {"hook": WebhookChannel(receiver.url("/hook"))}
        deliver_pending(db, channels, NOW, max_attempts=2)
        second = deliver_pending(db, channels, NOW, max_attempts=2)
        third = deliver_pending(db, channels, NOW, max_attempts=2)
        assert len(second.gave_up) == 1 and third.failed == [] and len(posts(receiver)) == 2
    assert outbox_state(db)[0][:3] == ("hook", "failed", 2)
    assert pending_alerts(db) == []


def test_delivery_waits_for_the_commit(db, tmp_path):
    queue_one_record(db, tmp_path, ["console"])
    db.execute("BEGIN TRANSACTION")
    try:
        with pytest.raises(DeliveryInTransactionError):
            deliver_pending(db, {"console": ConsoleChannel(io.StringIO())}, NOW)
    finally:
        db.execute("ROLLBACK")
    assert outbox_state(db)[0][:3] == ("console", "pending", 0)


# ------------------------------------------------------------------------------------------------- the text itself


def hostile_record() -> Record:
    return Record(
        record_id=7, alert_id=str(uuid.uuid4()), snapshot_id=3, benchmark_id=1, task="Task", dataset="Data",
        metric="Error", result_id=9,
        model="<!channel> *Bold* [click](https://evil.example) @everyone\r\nBcc: x@evil.example",
        value=1.25, paper_title="Title\nwith `code`", paper_url="javascript:alert(1)", published_on=date(2020, 1, 2),
        previous_result_id=8, previous_model="Old & <b>", previous_value=1.5, margin=0.25, detected_at=NOW,
        is_backfill=False, direction="lower", unit=None,
    )


def test_every_format_escapes_what_its_reader_would_interpret():
    alert = Alert(1, "any", 0, hostile_record())
    line = alert_line(alert.record)
    assert "\n" not in line and "\r" not in line and "javascript" not in line  # a non-http link is dropped
    assert line.endswith("beats Old & <b> 1.5 by 0.25 (lower is better)")
    payload = webhook_payload(alert)
    assert "&lt;!channel&gt;" in payload["text"] and "<!channel>" not in payload["text"]
    assert "Old &amp; &lt;b&gt;" in payload["text"]
    assert r"\<!channel\> \*Bold\* \[click\](https://evil.example)" in payload["content"]
    assert r"\`code\`" in payload["content"]
    assert payload["allowed_mentions"] == {"parse": []}
    message = EmailChannel("127.0.0.1", 25, "a@example.org", ["b@example.org"]).message(alert)
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["To"] == "b@example.org"
    assert "Bcc: x@evil.example" in parsed["Subject"]  # kept as text on the subject line, not as a header
    printed = io.StringIO()
    ConsoleChannel(printed).send(alert)
    assert printed.getvalue().count("\n") == 1


def test_mask_secrets():
    text = "GET https://user:pw@hooks.example/x?token=abc&sig=def&v=1 password=hunter2 api_key: K"
    assert mask_secrets(text) == "GET https://***@hooks.example/x?token=***&sig=***&v=*** password=*** api_key: ***"
    assert mask_secrets("a /services/T/B/XYZ b", ["/services/T/B/XYZ"]) == "a *** b"


def test_sample_alert_for_trying_a_channel():
    printed = io.StringIO()
    ConsoleChannel(printed).send(sample_alert("console", NOW))
    assert "sotawatch test alert" in printed.getvalue()
