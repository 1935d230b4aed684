"""What an alert says, in each format: untrusted text from the leaderboards is escaped for every reader (Slack,
Discord, e-mail headers, the console), and a made-up alert is clearly labelled.
"""
from __future__ import annotations

import email
import email.policy
import io
import uuid
from datetime import date

from flows.alerts import Alert, ConsoleChannel, EmailChannel, alert_line, sample_alert, webhook_payload
from tests.flows.alerts.queued import NOW
from warehouse.sota_detect import Record


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


def test_sample_alert_for_trying_a_channel():
    printed = io.StringIO()
    ConsoleChannel(printed).send(sample_alert("console", NOW))
    assert "sotawatch test alert" in printed.getvalue()
