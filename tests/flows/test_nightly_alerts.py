"""Issue 5's story end to end, on real parts on 127.0.0.1: the real payloads served by the loopback HTTP server (with
ETag and Last-Modified), a webhook receiver (the same server), an SMTP server (aiosmtpd), a real DuckDB file, and the
nightly flow under Prefect's test harness (five flow runs, about a second each, plus the loads).

    1. `sota run --source handcopy --observed-at 2019-11-13`: the 2019 ImageNet hand copy as a backfill, no alert
    2. the nightly run with the 2020 dump (first answered 429 with Retry-After): one alert, ImageNet top-1
       FixEfficientNet-L2 88.5 over Noisy Student 87.4, delivered to the webhook, by e-mail and as a Prefect event
    3. again: every source answers 304, nothing is written, nothing sent
    4. timm's results join while the webhook answers 500: the new record's mail and event go, the webhook row stays
       pending with its error, and `sota run` exits 1 saying so
    5. the webhook is back: the pending alert is delivered once, nothing else is sent again
"""
from __future__ import annotations

import time

import duckdb
import pytest

from flows.nightly import nightly, run_result
from tests.support.http_server import Reply, serve
from tests.support.receivers import run_artifact, smtp_server, sota, webhook_posts

HANDCOPY = "/pwc-imagenet-2019-handcopy/imagenet_table.csv"
DUMP = "/pwc-dump-2020-08-28/evaluation-tables.json.gz"
TIMM = "/timm-results/results-imagenet.csv"
TOKEN = "t0ken-in-the-webhook-url"
TOP1 = "Image Classification / ImageNet / Top 1 Accuracy"
FIX_LINE = (
    f"New SOTA on {TOP1}: FixEfficientNet-L2 88.5% (Fixing the train-test resolution discrepancy: FixEfficientNet, "
    "2020-03-18) beats Noisy Student (EfficientNet-L2) 87.4% by 1.1 points https://arxiv.org/abs/2003.08237v4"
)


def write_config(path, server, smtp_port, *, timm: bool) -> str:
    path.write_text(f"""
[warehouse]
path = "sota.duckdb"

[run]
retries = 0
http_retries = 2

[[sources]]
name = "handcopy"
kind = "csv"
url = "{server.url(HANDCOPY)}"
task = "Image Classification"
dataset = "ImageNet"

[[sources]]
name = "pwc-2020"
kind = "pwc-dump"
url = "{server.url(DUMP)}"

[[sources]]
name = "timm"
kind = "timm-csv"
url = "{server.url(TIMM)}"
enabled = {str(timm).lower()}

[[alerts.rules]]
task = "Image Classification"
dataset = "imagenet"
metric = "Top 1 Accuracy"

[[alerts.rules]]
dataset = "CIFAR-1*"            # first seen in the 2020 dump: baselines, never alerts

[[alerts.channels]]
name = "team-hook"
kind = "webhook"
url = "env:SOTA_TEST_WEBHOOK"

[[alerts.channels]]
name = "mail"
kind = "email"
host = "127.0.0.1"
port = {smtp_port}
starttls = false
from = "sotawatch@example.org"
to = ["team@example.org"]

[[alerts.channels]]
name = "prefect"
kind = "prefect-event"
""")
    return str(path)


def statuses(server, path):
    return [request.status for request in server.requests_to(path, method="GET")]


def outbox(folder):
    with duckdb.connect(str(folder / "sota.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT r.model, o.channel, o.status, o.attempts, o.last_error FROM alert_outbox o "
            "JOIN sota_records r USING (record_id) ORDER BY o.outbox_id"
        ).fetchall()


def read_events(event_ids: set) -> list:
    """The `sota.record.new` events Prefect stored with these ids (it writes events in batches: wait a little)."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventIDFilter, EventNameFilter

    wanted = EventFilter(event=EventNameFilter(name=["sota.record.new"]), id=EventIDFilter(id=list(event_ids)))
    with get_client(sync_client=True) as client:
        for _ in range(100):
            events = client.read_events(filter=wanted, limit=50).events
            if len(events) >= len(event_ids):
                break
            time.sleep(0.1)
    return events


def prefect_event_ids(folder) -> set:
    """What the prefect-event channel used as event ids: the stable delivery id of each record on that channel."""
    from flows.alerts import Alert
    from warehouse.sota_detect import records

    with duckdb.connect(str(folder / "sota.duckdb"), read_only=True) as con:
        return {Alert(0, "prefect", 0, record).delivery_id for record in records(con) if not record.is_backfill}


def test_backfill_then_nightly_runs_alert_once_per_move_and_retry_what_failed(
    prefect_harness, shared_data, tmp_path, capsys, monkeypatch
):
    started = time.monotonic()
    with serve(shared_data) as server, smtp_server() as (smtp, mail):
        server.route("/hook", [Reply(200, body=b"ok")])
        monkeypatch.setenv("SOTA_TEST_WEBHOOK", server.url(f"/hook?token={TOKEN}"))
        monkeypatch.delenv("SOTA_DB", raising=False)
        config = write_config(tmp_path / "sota.toml", server, smtp.port, timm=False)

        # 1. the hand copy as history: its SOTA steps recorded, nobody alerted
        code, out, err = sota(capsys, "run", "--config", config, "--source", "handcopy", "--observed-at", "2019-11-13")
        assert code == 0, err
        assert out.startswith("handcopy: snapshot 1 of handcopy (csv) observed 2019-11-13 00:00: 272 rows loaded")
        assert outbox(tmp_path) == [] and webhook_posts(server) == [] and mail.messages == []

        # 2. the nightly run: the dump says 429 first, then comes; the hand copy has not changed (304)
        server.route(DUMP, [Reply(429, {"Retry-After": "1"}, b"slow down")], then_files=True)
        second = nightly(config, return_state=True)
        assert second.is_completed(), second.message
        assert statuses(server, DUMP) == [429, 200] and statuses(server, HANDCOPY) == [200, 304]
        result = run_result(second)
        assert [(o.source, o.report.status) for o in result.sources] == [
            ("handcopy", "not-modified"), ("pwc-2020", "loaded")
        ]
        (fix,) = result.sources[1].records
        assert (fix.model, fix.value, fix.previous_model, fix.previous_value, fix.margin) == (
            "FixEfficientNet-L2", 88.5, "Noisy Student (EfficientNet-L2)", 87.4, 1.1
        )
        assert sorted(channel for channel, _ in result.delivery.delivered) == ["mail", "prefect", "team-hook"]
        ((status, body),) = webhook_posts(server)
        assert status == 200 and body["text"] == FIX_LINE and body["alert_id"] == fix.alert_id
        (message,) = mail.messages
        assert message["Subject"] == f"New SOTA on {TOP1}: FixEfficientNet-L2 88.5%"
        assert "Previous best: Noisy Student (EfficientNet-L2): 87.4%" in message.get_content()
        artifact = run_artifact(second)
        assert "| pwc\\-2020 | loaded |" in artifact and "FixEfficientNet\\-L2 88\\.5%" in artifact
        assert "alerts: 3 delivered, 0 failed" in artifact

        # 3. again: nothing new fetched (every source answers 304), nothing written, nothing sent
        with duckdb.connect(str(tmp_path / "sota.duckdb"), read_only=True) as con:
            snapshots = con.execute("SELECT count(*) FROM snapshots").fetchone()
        third = nightly(config, return_state=True)
        assert third.is_completed(), third.message
        assert [o.report.status for o in run_result(third).sources] == ["not-modified", "not-modified"]
        assert statuses(server, DUMP)[-1] == 304 and statuses(server, HANDCOPY)[-1] == 304
        with duckdb.connect(str(tmp_path / "sota.duckdb"), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM snapshots").fetchone() == snapshots
        assert len(webhook_posts(server)) == 1 and len(mail.messages) == 1

        # 4. timm's results join (no code change, one entry enabled) while the webhook is down
        write_config(tmp_path / "sota.toml", server, smtp.port, timm=True)
        server.route("/hook", [Reply(500, body=b"down for maintenance")])
        code, out, err = sota(capsys, "run", "--config", config)
        assert code == 1 and err.strip().splitlines()[-1] == (
            "error: alerts: 2 delivered, 1 failed (kept pending for the next run)"
        ), err
        assert TOKEN not in out + err
        eva_line = next(line for line in out.splitlines() if line.startswith("  new SOTA:"))
        assert "eva02_large_patch14_448.mim_m38m_ft_in22k_in1k 90.056%" in eva_line
        assert "beats FixEfficientNet-L2 88.5% by 1.556 points" in eva_line
        origin = f"http://127.0.0.1:{server.port}"
        assert f"  team-hook: FAILED: webhook {origin}: HTTP 500 down for maintenance" in out
        assert outbox(tmp_path)[3:] == [
            ("eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", "team-hook", "pending", 1,
             f"webhook {origin}: HTTP 500 down for maintenance"),
            ("eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", "mail", "delivered", 1, None),
            ("eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", "prefect", "delivered", 1, None),
        ]
        code, listed, _ = sota(capsys, "alerts", "list", "--pending", "--config", config, "--json")
        assert code == 0 and '"status": "pending"' in listed and TOKEN not in listed

        # 5. the webhook is back: the pending alert goes out once; nothing else is sent again
        server.route("/hook", [Reply(204)])
        fifth = nightly(config, return_state=True)
        assert fifth.is_completed(), fifth.message
        assert [o.report.status for o in run_result(fifth).sources] == ["not-modified"] * 3
        assert [channel for channel, _ in run_result(fifth).delivery.delivered] == ["team-hook"]
        posts = webhook_posts(server)
        assert [status for status, _ in posts] == [200, 500, 204]
        assert posts[1][1]["delivery_id"] == posts[2][1]["delivery_id"]  # the same alert, retried
        assert posts[2][1]["text"].startswith(f"New SOTA on {TOP1}: eva02_large_patch14_448")
        assert len(mail.messages) == 2
        assert all(row[2] == "delivered" for row in outbox(tmp_path))
        code, out, _ = sota(capsys, "alerts", "deliver", "--config", config)
        assert (code, out.strip()) == (0, "alerts: nothing to send")
        assert len(webhook_posts(server)) == 3

        # what the receivers got, as the closing note of issue 5 lists it
        print("\nwebhook texts:", *[body["text"] for status, body in posts if status < 300], sep="\n  ")
        print("e-mails:", *[f"{m['Subject']}\n{m.get_content()}" for m in mail.messages], sep="\n")

    # the Prefect events: one per record, the benchmark as resource, the stable delivery id as event id
    ids = prefect_event_ids(tmp_path)
    events = read_events(ids)
    assert len(ids) == 2 and {str(e.id) for e in events} == ids
    assert {e.resource.id for e in events} == {"sotawatch.benchmark.image-classification.imagenet.top-1-accuracy"}
    assert {e.resource["sotawatch.dataset"] for e in events} == {"ImageNet"}
    assert FIX_LINE in {e.payload["text"] for e in events}
    assert all(any(r.id.startswith("prefect.flow-run.") for r in e.related) for e in events)  # routed per run
    assert time.monotonic() - started < 60


def test_a_secret_written_in_the_file_is_refused_without_repeating_it(tmp_path, capsys):
    config = tmp_path / "sota.toml"
    config.write_text(f'[[alerts.channels]]\nname = "hook"\nkind = "webhook"\nurl = "https://hooks.example/{TOKEN}"\n')
    code, _, err = sota(capsys, "alerts", "test", "--channel", "hook", "--config", str(config))
    assert code == 2 and TOKEN not in err
    assert "url is a secret and must be written as env:NAME or block:NAME" in err


def test_alerts_test_sends_a_labelled_alert_and_reports_a_failure_masked(tmp_path, capsys, monkeypatch):
    with serve() as server, smtp_server() as (smtp, mail):
        server.route("/hook", [Reply(204), Reply(403, body=f"bad token {TOKEN}".encode())])
        monkeypatch.setenv("SOTA_TEST_WEBHOOK", server.url(f"/hook?token={TOKEN}"))
        config = write_config(tmp_path / "sota.toml", server, smtp.port, timm=False)
        assert sota(capsys, "alerts", "test", "--channel", "team-hook", "--config", config)[:2] == (
            0, "test alert sent to team-hook\n"
        )
        assert "sotawatch test alert" in webhook_posts(server)[0][1]["text"]
        assert sota(capsys, "alerts", "test", "--channel", "mail", "--config", config)[0] == 0
        assert "sotawatch test alert" in mail.messages[0]["Subject"]
        code, _, err = sota(capsys, "alerts", "test", "--channel", "team-hook", "--config", config)
        assert code == 1 and "HTTP 403 bad token ***" in err and TOKEN not in err
        monkeypatch.delenv("SOTA_TEST_WEBHOOK")
        code, _, err = sota(capsys, "alerts", "test", "--channel", "team-hook", "--config", config)
        assert code == 2 and "environment variable SOTA_TEST_WEBHOOK is not set" in err
        assert sota(capsys, "alerts", "test", "--channel", "nope", "--config", config)[0] == 2
    assert not (tmp_path / "sota.duckdb").exists()  # a test alert reads and writes nothing


@pytest.mark.parametrize("args, message", [
    (["--cron", "every night"], "invalid cron expression 'every night'"),
    (["--timezone", "Mars/Olympus"], "unknown timezone 'Mars/Olympus'"),
])
def test_serve_refuses_a_bad_schedule(tmp_path, capsys, args, message):
    config = tmp_path / "sota.toml"
    config.write_text("")
    code, _, err = sota(capsys, "serve", "--config", str(config), *args)
    assert code == 2 and message in err


def test_serve_needs_a_server_that_can_schedule(tmp_path, capsys, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    config = tmp_path / "sota.toml"
    config.write_text('[schedule]\ncron = "30 2 * * *"\ntimezone = "Europe/Berlin"\n')
    # even when this process's Prefect harness has set an API URL, this is the no-server case
    with temporary_settings(updates={PREFECT_API_URL: None}):
        code, _, err = sota(capsys, "serve", "--config", str(config))
    assert code == 2 and "prefect server start" in err
