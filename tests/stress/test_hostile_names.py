"""A hostile model name and paper title, from a scraped board through a real nightly run to every place that shows
them: the run's Prefect artifact (Markdown), the webhook (Slack and Discord markup), the e-mail and the static report
(HTML). Each shows the text as text: nothing renders, links, pings, injects a header or runs.
"""
from __future__ import annotations

import json
import re

from flows.nightly import nightly, run_result
from tests.support.http_server import Reply, serve
from tests.support.receivers import run_artifact, smtp_server, webhook_posts
from tests.flows.report.test_site import assert_own_scripts_only

MODEL = "<script>alert('x')</script> [click](https://evil.example) *bold* | pipe <!channel> @everyone `tick`"
TITLE = "<img src=x onerror=alert(1)> & Co # heading"
BASELINE = "Model,Top 1 Accuracy,Paper date\nPlain Net,80.0,2020-01-01\n"


def config_text(server, smtp_port: int, report: str) -> str:
    return f"""
[warehouse]
path = "sota.duckdb"

[run]
retries = 0
http_retries = 0

[[sources]]
name = "board"
kind = "csv"
url = "{server.url('/board.csv')}"
task = "Image Classification"
dataset = "Hostile"

[[alerts.rules]]
dataset = "Hostile"

[[alerts.channels]]
name = "hook"
kind = "webhook"
url = "env:SOTA_HOSTILE_WEBHOOK"

[[alerts.channels]]
name = "mail"
kind = "email"
host = "127.0.0.1"
port = {smtp_port}
starttls = false
from = "sotawatch@example.org"
to = ["team@example.org"]

[[alerts.channels]]
name = "console"
kind = "console"

[report]
path = "{report}"
"""


def test_a_hostile_name_is_text_everywhere_it_is_shown(prefect_harness, tmp_path, monkeypatch):
    with serve() as server, smtp_server() as (smtp, mail):
        server.route("/hook", [Reply(204)])
        monkeypatch.setenv("SOTA_HOSTILE_WEBHOOK", server.url("/hook"))
        config = tmp_path / "sota.toml"
        config.write_text(config_text(server, smtp.port, str(tmp_path / "report")))

        server.route("/board.csv", [Reply(200, body=BASELINE.encode())])
        assert nightly(str(config), return_state=True).is_completed()  # the baseline: no alert
        header = "Model,Top 1 Accuracy,Paper date,Paper title\n"
        server.route("/board.csv", [Reply(200, body=(header + "Plain Net,80.0,2020-01-01,\n"
                                                     + f'"{MODEL}",95.0,2020-06-01,"{TITLE}"\n').encode())])
        state = nightly(str(config), return_state=True)

        assert state.is_completed(), state.message
        (record,) = run_result(state).sources[0].records
        assert (record.model, record.paper_title) == (MODEL, TITLE)  # stored as the board wrote it: data, verbatim
        ((status, body),) = webhook_posts(server)
        (message,) = mail.messages
        artifact = run_artifact(state)

    # Markdown (the Prefect artifact): every character Markdown or HTML would read is escaped
    assert "\\<script\\>alert\\('x'\\)\\</script\\>" in artifact
    assert "\\[click\\]\\(https://evil\\.example\\)" in artifact and "\\*bold\\* \\| pipe \\<\\!channel\\>" in artifact
    (line,) = [line for line in artifact.splitlines() if line.startswith("- New SOTA")]
    assert re.search(r"(?<!\\)[<>\[\]()*`|#!]", line) is None, line  # no markup character left unescaped

    # Slack: <, > and & are its markup; Discord: markdown escaped, the link not masked, nobody pinged
    assert "&lt;script&gt;" in body["text"] and "&lt;!channel&gt;" in body["text"] and "<" not in body["text"]
    assert "\\<script\\>" in body["content"] and "\\[click\\](https://evil.example)" in body["content"]
    assert "\\`tick\\`" in body["content"] and body["allowed_mentions"] == {"parse": []}
    assert body["record"]["model"] == MODEL  # the machine-readable record keeps the data as it is, in JSON
    assert json.loads(json.dumps(body)) == body

    # E-mail: plain text, one-line headers; the name is on the subject line as text
    assert message.get_content_type() == "text/plain"
    assert message["Subject"].startswith("New SOTA on Image Classification / Hostile / Top 1 Accuracy: <script>")
    assert "\n" not in message["Subject"] and message["Bcc"] is None
    assert f"Paper:         {TITLE}" in message.get_content()

    # HTML (the static report rebuilt by the run): escaped wherever the name appears; no element came from the data
    pages = {path.name: path.read_text() for path in (tmp_path / "report").rglob("*.html")}
    shown = {name: page for name, page in pages.items() if "&lt;script&gt;alert(" in page}
    assert shown, sorted(pages)
    for name, page in pages.items():
        # the one script is the project's own site.js; any other script element is a JSON data block, which no
        # browser runs and whose text escapes "<" (tests/flows/report/test_site.py)
        assert_own_scripts_only(page)
        assert "<img" not in page.lower() and "<script>" not in page.lower(), name
        assert "onerror=" not in page or "&lt;img src=x onerror=alert(1)&gt;" in page, name
