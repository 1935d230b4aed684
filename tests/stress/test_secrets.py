"""Secrets never appear in logs, artifacts or error messages: a real run whose deliveries fail, then a grep of every
place the run leaves text.

The run is real and on 127.0.0.1: the 2019 ImageNet hand copy as a backfill, then the 2020 Papers with Code dump,
which makes one new ImageNet top-1 record (FixEfficientNet-L2) and so three alerts: to a webhook, to a webhook that
is down, and by e-mail. All fail, and the receivers are careless in the worst way: they echo the secrets back.

  - the webhook URL (from `env:`) carries a token in its path and another, URL-encoded, in its query; the receiver
    answers 401 with a body that repeats them (whole, decoded, still encoded, the bare path token), and then, for
    `sota alerts deliver`, with a long body whose 200-character cut falls inside the path token; the second webhook
    has the same tokens on a port where nothing listens (the connection error's path);
  - the SMTP server offers AUTH and refuses the login, repeating the password as it was given and as it crossed the
    wire (base64 of "\\0user\\0password" for AUTH PLAIN, of the password for AUTH LOGIN).

Then every secret, its distinctive fragments and its simple encodings (URL-quoted, base64) are looked for in: what the
commands printed; every log record in this process (every logger at DEBUG, the test's own SMTP server excepted); the
flow runs' logs, artifacts, states, state messages, parameters and task runs read back from Prefect's API; every text
in the DuckDB warehouse (each column of each table as text, and the file's bytes); every file under the run's folder
and PREFECT_HOME; and the bytes of the Prefect test server's SQLite database (with its -wal). Each place must have
been read and hold what the failure wrote there, so the test cannot pass by looking at nothing.
"""
from __future__ import annotations

import base64
import logging
import os
import re
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import duckdb
from aiosmtpd.smtp import AuthResult

from tests.support.http_server import Reply, serve
from tests.support.receivers import free_port, run_artifacts, smtp_server, sota, webhook_posts

HANDCOPY = "/pwc-imagenet-2019-handcopy/imagenet_table.csv"
DUMP = "/pwc-dump-2020-08-28/evaluation-tables.json.gz"

PATH_TOKEN = "SECRETPATHTOKEN123"
QUERY_TOKEN = "SECRETQUERYTOKEN456+/="  # base64-like, as many tokens are: URL-encoded in the URL
USERNAME = "sotawatch-bot"
PASSWORD = "SECRETSMTPPASS789'\\\""  # quotes and a backslash: what a bytes repr escapes
HOOK = f"/hook/{PATH_TOKEN}"
QUOTED_QUERY_TOKEN = quote(QUERY_TOKEN, safe="")

# A fragment this distinctive can only come from a secret: it also catches a secret cut short or half-escaped.
FRAGMENTS = ("SECRETPATH", "SECRETQUERY", "SECRETSMTP")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def needles(*webhook_urls: str) -> set[str]:
    """Every string whose presence anywhere is a leak."""
    wholes = [*webhook_urls, PATH_TOKEN, QUERY_TOKEN, PASSWORD, HOOK]
    found = set(FRAGMENTS)
    for secret in wholes:
        found |= {secret, quote(secret, safe=""), quote_plus(secret), b64(secret)}
        found.add(base64.urlsafe_b64encode(secret.encode()).decode())
    found.add(b64(f"\0{USERNAME}\0{PASSWORD}"))  # what AUTH PLAIN sends
    found.add(b64(PASSWORD))  # what AUTH LOGIN sends
    return {n for n in found if n}


def find_leaks(place: str, data: str | bytes, wanted: set[str]) -> list[str]:
    """`place: the needles found, and where the first one is` (empty if none is)."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    found = sorted((text.find(needle), needle) for needle in wanted if needle in text)
    if not found:
        return []
    at, first = found[0]
    context = text[max(0, at - 100): at + len(first) + 60]
    return [f"{place}: {[needle for _, needle in found]} first in ...{context!r}..."]


class RefusingAuthenticator:
    """Refuses every login and, carelessly, says back what it was given, as given and as it crossed the wire."""

    def __init__(self):
        self.attempts: list[tuple[str, str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.attempts.append((mechanism, login, password))
        return AuthResult(success=False, handled=False, message=(
            f"535 5.7.8 {mechanism} refused for {login} with {password} "
            f"(plain {b64(chr(0) + login + chr(0) + password)}, login {b64(password)})"
        ))


def write_config(path: Path, server, smtp_port: int) -> str:
    path.write_text(f"""
[warehouse]
path = "sota.duckdb"

[run]
retries = 0
http_retries = 0

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

[[alerts.rules]]
task = "Image Classification"
dataset = "ImageNet"
metric = "Top 1 Accuracy"

[[alerts.channels]]
name = "team-hook"
kind = "webhook"
url = "env:SOTA_SECRET_WEBHOOK"

[[alerts.channels]]
name = "dead-hook"
kind = "webhook"
url = "env:SOTA_SECRET_DEAD_WEBHOOK"
timeout = 2

[[alerts.channels]]
name = "mail"
kind = "email"
host = "127.0.0.1"
port = {smtp_port}
starttls = false
from = "sotawatch@example.org"
to = ["team@example.org"]
username = "{USERNAME}"
password = "env:SOTA_SECRET_SMTP_PASSWORD"
timeout = 5
""")
    return str(path)


# ---------------------------------------------------------------------------------------------------- readers


def capture_every_logger(caplog) -> list[logging.Logger]:
    """Every logger at DEBUG into caplog, also those that do not propagate to the root (returned, to detach)."""
    # Prefect configures logging when its flow machinery is first imported, replacing the root's handlers (caplog's
    # too) and resetting the levels: have that done before the levels are set here.
    import prefect.main  # noqa: F401

    detached = []
    if caplog.handler not in logging.root.handlers:
        logging.root.addHandler(caplog.handler)
        detached.append(logging.root)
    caplog.set_level(logging.DEBUG)
    # The test's SMTP server (aiosmtpd's `mail.log`) is the other side of the wire, not sotawatch: at DEBUG it logs
    # what it was sent and what it answered, the echoed password included. It is kept quiet.
    caplog.set_level(logging.ERROR, logger="mail.log")
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        if logger.level > logging.DEBUG and not name.startswith("mail.log"):
            caplog.set_level(logging.DEBUG, logger=name)  # caplog restores the level afterwards
        if not logger.propagate:
            logger.addHandler(caplog.handler)
            detached.append(logger)
    return detached


def log_records_text(caplog) -> tuple[str, int]:
    """Every record's message, arguments, extra fields and exception, formatted and raw."""
    records = caplog.records
    parts = []
    for record in records:
        parts.append(caplog.handler.format(record))
        parts.append(record.getMessage())
        parts.append(repr(vars(record)))
    return "\n".join(parts), len(records)


def our_flow_runs(config: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["sotawatch-nightly"])))
    return sorted((run for run in runs if run.parameters.get("config") == config), key=lambda run: run.created)


def api_logs(flow_run_ids: list, expected: str) -> list:
    """The runs' logs as the API has them, once `expected` has arrived (logs are sent in batches)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    wanted = LogFilter(flow_run_id=LogFilterFlowRunId(any_=flow_run_ids))
    deadline = time.monotonic() + 15
    with get_client(sync_client=True) as client:
        while True:
            logs, offset = [], 0
            while batch := client.read_logs(log_filter=wanted, limit=200, offset=offset):
                logs += batch
                offset += len(batch)
            if any(expected in log.message for log in logs) or time.monotonic() > deadline:
                return logs
            time.sleep(0.2)


def api_runs_text(flow_runs: list) -> tuple[str, int, int]:
    """Flow runs (parameters, state, message), their state histories, their task runs and theirs, as JSON."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    ids = [run.id for run in flow_runs]
    parts = []
    with get_client(sync_client=True) as client:
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)))
        for run in flow_runs:
            parts.append(client.read_flow_run(run.id).model_dump_json())
            parts += [state.model_dump_json() for state in client.read_flow_run_states(run.id)]
        for task_run in task_runs:
            parts.append(task_run.model_dump_json())
            parts += [state.model_dump_json() for state in client.read_task_run_states(task_run.id)]
    return "\n".join(parts), len(flow_runs), len(task_runs)


def warehouse_text(database: Path) -> tuple[str, int]:
    """Every column of every table of the warehouse, cast to text."""
    parts = []
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [row[0] for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()]
        for table in tables:
            columns = [row[0] for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()]
            select = ", ".join(f'CAST("{column}" AS VARCHAR)' for column in columns)
            for row in con.execute(f'SELECT {select} FROM "{table}"').fetchall():
                parts.append("\t".join("" if value is None else value for value in row))
    return "\n".join(parts), len(tables)


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def prefect_database() -> Path:
    from prefect.settings import get_current_settings

    url = get_current_settings().server.database.connection_url.get_secret_value()
    match = re.match(r"sqlite\+aiosqlite:///(.+)$", url)
    assert match, f"the Prefect test harness is expected to run on SQLite, not {url.split(':', 1)[0]}"
    return Path(match.group(1))


# ---------------------------------------------------------------------------------------------------- the test


def test_no_secret_is_left_anywhere_a_failing_run_writes(prefect_harness, shared_data, tmp_path, capsys, caplog,
                                                         monkeypatch):
    started = time.monotonic()
    detached = capture_every_logger(caplog)
    authenticator = RefusingAuthenticator()
    printed = []  # (command, stdout, stderr)
    try:
        with serve(shared_data) as server, smtp_server(authenticator) as (smtp, mail):
            webhook_url = server.url(f"{HOOK}?token={QUOTED_QUERY_TOKEN}")
            dead_url = f"http://127.0.0.1:{free_port()}{HOOK}?token={QUOTED_QUERY_TOKEN}"
            monkeypatch.setenv("SOTA_SECRET_WEBHOOK", webhook_url)
            monkeypatch.setenv("SOTA_SECRET_DEAD_WEBHOOK", dead_url)
            monkeypatch.setenv("SOTA_SECRET_SMTP_PASSWORD", PASSWORD)
            monkeypatch.delenv("SOTA_DB", raising=False)
            config = write_config(tmp_path / "sota.toml", server, smtp.port)
            echo = (
                f"invalid token {QUERY_TOKEN} (received {QUOTED_QUERY_TOKEN}) for {HOOK}; "
                f"path token {PATH_TOKEN} revoked"
            )
            server.route(HOOK, [Reply(401, body=echo.encode())])

            def run(*args):
                code, out, err = sota(capsys, *args)
                printed.append((" ".join(args), out, err))
                return code, out, err

            # the history: no alert, nothing sent
            code, out, err = run("run", "--config", config, "--source", "handcopy", "--observed-at", "2019-11-13")
            assert code == 0, err
            # the nightly run: one new record, three alerts, none delivered
            code, out, err = run("run", "--config", config)
            assert code == 1 and "error: alerts: 0 delivered, 3 failed" in err, err
            assert "new SOTA: New SOTA on Image Classification / ImageNet / Top 1 Accuracy: FixEfficientNet-L2" in out
            origin = f"http://127.0.0.1:{server.port}"
            assert f"team-hook: FAILED: webhook {origin}: HTTP 401 invalid token" in out, out
            assert "mail: FAILED: email via 127.0.0.1" in out and "SMTPAuthenticationError" in out, out
            assert "dead-hook: FAILED: webhook http://127.0.0.1:" in out and "ConnectionError" in out, out
            code, listed, err = run("alerts", "list", "--config", config, "--json")
            assert code == 0 and listed.count('"status": "pending"') == 3, listed
            # once more, by hand, while the receiver's answer is long enough to be cut inside the path token
            cut = "x" * (200 - len("SECRETPATHTOK"))  # the cut keeps a fragment the grep knows
            server.route(HOOK, [Reply(403, body=f"{cut}{PATH_TOKEN} is not a known hook".encode())])
            code, out, err = run("alerts", "deliver", "--config", config)
            assert code == 1 and "not sent to team-hook: webhook" in err and "not sent to mail:" in err, err
            code, table, err = run("alerts", "list", "--config", config)
            assert code == 0 and "pending" in table

            # the secrets were resolved and really sent, so their failures are the ones looked at below
            posts = webhook_posts(server, HOOK)
            assert [status for status, _ in posts] == [401, 403]
            assert {r.path for r in server.requests_to(HOOK, method="POST")} == {f"{HOOK}?token={QUOTED_QUERY_TOKEN}"}
            assert (USERNAME, PASSWORD) in {(login, password) for _, login, password in authenticator.attempts}
            assert {mechanism for mechanism, _, _ in authenticator.attempts} == {"PLAIN", "LOGIN"}
            assert mail.messages == []
    finally:
        for logger in detached:
            logger.removeHandler(caplog.handler)

    wanted = needles(webhook_url, dead_url)
    leaks: list[str] = []
    read: dict[str, int] = {}  # place -> bytes (or records) read

    def grep(place: str, data: str | bytes, *, must_contain: tuple[str, ...] = ()) -> None:
        read[place] = len(data)
        assert data, f"{place}: nothing was read"
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        for expected in must_contain:
            assert expected in text, f"{place} does not hold {expected!r}: the test would be looking at nothing"
        leaks.extend(find_leaks(place, data, wanted))

    # 1. what the commands printed
    for command, out, err in printed:
        grep(f"output of `sota {command.replace(config, 'sota.toml')}`", out + "\n" + err)
    grep("stdout+stderr, all commands", "\n".join(o + e for _, o, e in printed),
         must_contain=("team-hook: FAILED: webhook", "not sent to mail", "***"))

    # 2. every log record of this process
    records_text, record_count = log_records_text(caplog)
    grep("log records (caplog, DEBUG, every logger)", records_text,
         must_contain=("alert to team-hook not sent", "alert to mail not sent", "alert to dead-hook not sent",
                       'HTTP/1.1" 401'))  # urllib3's request line, with the URL
    read["log records: count"] = record_count

    # 3. Prefect's API: the runs' logs, artifacts, states and task runs
    flow_runs = our_flow_runs(config)
    assert len(flow_runs) == 2, [run.name for run in flow_runs]
    ids = [run.id for run in flow_runs]
    logs = api_logs(ids, "alert to team-hook not sent")
    grep("Prefect API: flow run logs", "\n".join(log.model_dump_json() for log in logs),
         must_contain=("alert to team-hook not sent", "alert to mail not sent"))
    read["Prefect API: log count"] = len(logs)
    artifacts = [artifact for run_id in ids for artifact in run_artifacts(run_id)]
    grep("Prefect API: artifacts", "\n".join(artifact.model_dump_json() for artifact in artifacts),
         must_contain=("not sent to team\\\\-hook", "not sent to mail", "HTTP 401"))
    runs_text, run_count, task_run_count = api_runs_text(flow_runs)
    grep("Prefect API: flow runs, task runs, states, parameters", runs_text,
         must_contain=("alerts: 0 delivered, 3 failed", "deliver alerts", str(tmp_path / "sota.toml")))
    read["Prefect API: task runs"] = task_run_count

    # 4. the warehouse: the outbox's errors, then every text it holds, then its bytes
    database = tmp_path / "sota.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        outbox = con.execute("SELECT channel, status, attempts, last_error FROM alert_outbox ORDER BY 1").fetchall()
    assert [(channel, status, attempts) for channel, status, attempts, _ in outbox] == [
        ("dead-hook", "pending", 2), ("mail", "pending", 2), ("team-hook", "pending", 2)
    ]
    (dead_error, mail_error, hook_error) = [row[3] for row in outbox]
    assert dead_error.startswith("webhook http://127.0.0.1:") and "ConnectionError" in dead_error, dead_error
    assert hook_error.startswith(f"webhook {origin}: HTTP 403 xxxx"), hook_error
    assert mail_error.startswith(f"email via 127.0.0.1:{smtp.port}: SMTPAuthenticationError:"), mail_error
    grep("warehouse: alert_outbox.last_error", "\n".join(row[3] for row in outbox))
    text, table_count = warehouse_text(database)
    grep("warehouse: every column of every table", text, must_contain=("FixEfficientNet-L2", "HTTP 403"))
    read["warehouse: tables"] = table_count

    # 5. every file the run left: the run's folder (config, warehouse and its WAL), PREFECT_HOME
    for path, data in files_under(tmp_path).items():
        grep(f"file {path}", data)
    assert f"file {database}" in read
    prefect_home = Path(os.environ["PREFECT_HOME"])
    for path, data in files_under(prefect_home).items():
        if data:
            grep(f"file {path}", data)

    # 6. the Prefect test server's database, with its write-ahead log
    prefect_db = prefect_database()
    db_files = {p: d for p, d in files_under(prefect_db.parent).items() if Path(p).name.startswith(prefect_db.name)}
    assert str(prefect_db) in db_files
    grep("Prefect database (+ -wal)", b"\n".join(db_files.values()),
         must_contain=("alert to team-hook not sent", "not sent to team", str(flow_runs[-1].id)))

    print("\nread:", *[f"{place}: {size}" for place, size in read.items()], sep="\n  ")
    assert not leaks, "secrets found:\n" + "\n".join(leaks)
    # what the receivers echoed was kept, masked
    assert "***" in hook_error and "***" in mail_error, (hook_error, mail_error)
    assert '"POST *** HTTP/1.1" 401' in records_text
    assert time.monotonic() - started < 60
