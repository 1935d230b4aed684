"""Set-up shared by the alert tests: a real load into a real DuckDB that records one new SOTA and queues its outbox
rows, and readers for what the outbox and a webhook receiver then hold."""
from __future__ import annotations

from datetime import datetime

from flows.ingest import observed_at_for, prepare_snapshot
from pipelines.http import HttpClient
from pipelines.registry import get_source
from tests.support.boards import board_file
from tests.support.http_server import RecordedRequest
from warehouse.load import load_snapshot
from warehouse.sota_detect import RecordNewSota, Rule, best_per_benchmark

NOW = datetime(2021, 6, 1, 3, 0)
LATER = datetime(2021, 6, 1, 3, 5)
ACC = ("Image Classification", "ImageNet")


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


def posts(server) -> list[tuple[RecordedRequest, dict]]:
    """The webhook requests the loopback server received, with their JSON bodies, in order."""
    return [(request, request.json()) for request in server.requests if request.method == "POST"]
