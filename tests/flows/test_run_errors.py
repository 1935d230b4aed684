"""What a user sees when a source cannot be reached (issue 18): the error once, in one line, after one try; no
"NoneType: None" from Prefect, no telemetry errors from the temporary server.

`sota run` runs in a subprocess as a user runs it: its own temporary Prefect server, Prefect's default (INFO) logging,
and no telemetry setting of ours (the test process's conftest sets some; they are removed here).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from flows.cli import main
from tests.support.http_server import Reply, serve

REPO = Path(__file__).resolve().parents[2]
HANDCOPY = "pwc-imagenet-2019-handcopy/imagenet_table.csv"
RUN = "import sys; from flows.cli import main; sys.exit(main(sys.argv[1:]))"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(tmp_path: Path, shared_data: Path, url: str, run: str = "") -> Path:
    config = tmp_path / "sota.toml"
    config.write_text(f"""
[warehouse]
path = "{tmp_path / 'sota.duckdb'}"
{run}
[[sources]]
name = "down"
kind = "pwc-dump"
url = "{url}"

[[sources]]
name = "handcopy"
kind = "csv"
path = "{shared_data / HANDCOPY}"
task = "Image Classification"
dataset = "ImageNet"
""")
    return config


def sota_run(tmp_path: Path, config: Path, *more: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PREFECT_") and k not in ("DO_NOT_TRACK", "SOTA_DEBUG")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-c", RUN, "run", "--config", str(config), *more], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_an_unreachable_source_is_reported_once_in_one_line_after_one_try(tmp_path, shared_data):
    url = f"http://127.0.0.1:{closed_port()}/down.json"
    message = f"GET {url} failed after 1 attempt: connection failed: connection refused"

    # the default whole-source retries (30 s, 300 s apart) are not spent on it: the run returns at once
    done = sota_run(tmp_path, write_config(tmp_path, shared_data, url))

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert output.count(message) == 1, output
    assert f"down: FAILED: {message}" in done.stdout.splitlines()
    assert done.stdout.splitlines()[1].startswith("handcopy: snapshot 1 of handcopy (csv)")
    assert "NoneType: None" not in output and "telemetry" not in output.lower(), output
    assert "error: 1 of 2 sources failed: down" in done.stderr.splitlines()


def test_a_first_run_without_a_network_has_done_its_job_with_unreachable_ok(tmp_path, shared_data):
    url = f"http://127.0.0.1:{closed_port()}/down.json"
    done = sota_run(tmp_path, write_config(tmp_path, shared_data, url), "--unreachable-ok")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert done.stdout.splitlines()[0] == f"down: FAILED: GET {url} failed after 1 attempt: connection failed: connection refused"
    assert done.stdout.splitlines()[1].startswith("handcopy: snapshot 1 of handcopy (csv)")
    assert done.stdout.splitlines()[-1] == "not reached (no network?): down; everything else loaded"
    assert "error:" not in done.stderr and "Traceback" not in output


def test_only_sources_that_could_not_be_reached_make_a_failed_run_acceptable():
    from flows.nightly import DeliveryOutcome, RunResult, SourceOutcome

    unreached = SourceOutcome("down", None, "connection failed", unreachable=True)
    broken = SourceOutcome("broken", None, "invalid JSON at line 1")
    assert RunResult([unreached], None).only_unreachable_failed
    assert not RunResult([unreached, broken], None).only_unreachable_failed
    assert not RunResult([unreached], DeliveryOutcome(failed=(("mail", "refused"),))).only_unreachable_failed
    assert not RunResult([unreached], None, report_error="disk full").only_unreachable_failed
    assert not RunResult([], None).only_unreachable_failed  # nothing failed: not a failed run to accept


def test_a_source_retried_by_the_run_is_still_reported_once(tmp_path, shared_data):
    with serve() as server:
        server.route("/down.json", [Reply(503, body=b"maintenance")])
        url = server.url("/down.json")
        run = "[run]\nretries = 1\nretry_delay_seconds = 0\nhttp_retries = 0\n"
        done = sota_run(tmp_path, write_config(tmp_path, shared_data, url, run))
        tries = len(server.requests_to("/down.json"))

    output = done.stdout + done.stderr
    message = f"GET {url} failed after 1 attempt: HTTP 503 Service Unavailable"
    assert done.returncode == 1, output
    assert tries == 2  # a 503 can pass: the run tried the source again
    assert output.count(message) == 1, output
    assert "source failed; retry 1/1 will start" in output  # the retry is still said, without the message again
    assert "NoneType: None" not in output and "telemetry" not in output.lower(), output


def test_sota_load_of_a_host_that_does_not_resolve_fails_after_one_try_in_one_line(tmp_path, capsys):
    url = "http://no-such-host.invalid/board.csv"

    status = main(["load", url, "--source", "csv", "--task", "T", "--dataset", "D",
                   "--db", str(tmp_path / "sota.duckdb")])

    captured = capsys.readouterr()
    assert status == 1
    assert captured.err.splitlines() == [
        f"error: source csv could not be reached: GET {url} failed after 1 attempt: "
        "connection failed: the host does not resolve"
    ]
