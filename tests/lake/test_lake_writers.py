"""Several writers of one lake at once (issue 16). A lake has no keys, sequences or locks, so what the file's
constraints keep is the loader's to keep: two processes loading boards of one benchmark at the same moment make one
benchmark, lose no snapshot or row, give no id twice, and leave the answer a file gives for the same loads; two
deliverers of one outbox send each alert once."""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

from flows.ingest import ingest
from flows.new_sota import NewSotaHook
from tests.conftest import shared_data_dir
from tests.support.http_server import serve
from tests.support.receivers import sota, webhook_posts
from warehouse.db import connect
from warehouse.sota_detect import Rule

HANDCOPY = ("csv", "pwc-imagenet-2019-handcopy/imagenet_table.csv",
            {"task": "Image Classification", "dataset": "ImageNet"}, "2019-11-13")
OPENCODE = ("opencodepapers", "opencodepapers/image-classification-on-imagenet.json", {}, "2025-11-30")
PAGE_2023 = ("pwc-page", "pwc-sota-page/image-classification-on-imagenet@2023-12-07.json", {}, "2023-12-07")
LOADS = {"a": HANDCOPY, "b": OPENCODE}  # both ImageNet's top-1 board, each new to the lake
LINEAGES = 4  # per writer


def _load(database: str, payload: tuple, lineage: str, after_load=None) -> None:
    kind, path, options, observed = payload
    with connect(database) as con:
        ingest(con, kind, str(shared_data_dir() / path), lineage=lineage, options=options, observed_at=observed,
               after_load=after_load)


def _writer(database: str, name: str, start) -> None:
    start.wait()
    for n in range(LINEAGES):
        _load(database, LOADS[name], f"{name}{n}")


def test_two_writers_loading_one_benchmark_at_once_lose_nothing_and_answer_as_a_file(lake_url, tmp_path, capsys):
    connect(lake_url).close()  # migrated once: the race under test is the loads'
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [context.Process(target=_writer, args=(lake_url, name, start)) for name in LOADS]
    for process in writers:
        process.start()
    start.set()
    for process in writers:
        process.join(timeout=600)
    assert [process.exitcode for process in writers] == [0, 0]

    embedded = str(tmp_path / "embedded.duckdb")
    for n in range(LINEAGES):
        for name, payload in LOADS.items():
            _load(embedded, payload, f"{name}{n}")
    with connect(lake_url, read_only=True) as lake, connect(embedded, read_only=True) as file:
        one_of_each = [
            "SELECT benchmark_key, count(*) FROM benchmarks GROUP BY ALL HAVING count(*) > 1",
            "SELECT name, count(*) FROM sources GROUP BY ALL HAVING count(*) > 1",
            "SELECT snapshot_id FROM snapshots GROUP BY ALL HAVING count(*) > 1",
            "SELECT result_id FROM results GROUP BY ALL HAVING count(*) > 1",
            "SELECT reject_id FROM rejects GROUP BY ALL HAVING count(*) > 1",
            "SELECT sha256 FROM payloads GROUP BY ALL HAVING count(*) > 1",
        ]
        for query in one_of_each:
            assert lake.execute(query).fetchall() == [], query
        every_load = ("SELECT source, status, rows_loaded, rows_rejected, results_new, "
                      "(SELECT count(*) FROM results AS r WHERE r.source = s.source) FROM snapshots AS s ORDER BY ALL")
        assert lake.execute(every_load).fetchall() == file.execute(every_load).fetchall()
        assert len(lake.execute(every_load).fetchall()) == 2 * LINEAGES
        assert lake.execute("SELECT count(*) FROM benchmarks").fetchone() == \
            file.execute("SELECT count(*) FROM benchmarks").fetchone()
    for question in (["asof", "2025-12-01", "--dataset", "ImageNet"],
                     ["leaderboard", "--task", "Image Classification", "--dataset", "ImageNet",
                      "--metric", "Top 1 Accuracy"]):
        answers = [sota(capsys, *question, "--db", where) for where in (lake_url, embedded)]
        assert answers[0] == answers[1] and answers[0][0] == 0


def test_two_deliverers_at_once_send_each_alert_once(prefect, lake_url, tmp_path):
    watch = [Rule(task="Image Classification", dataset="ImageNet", metric="Top 1 Accuracy")]
    _load(lake_url, HANDCOPY, "pwc", NewSotaHook(watch, ["team-chat"], backfill=False))  # the baseline
    moved = NewSotaHook(watch, ["team-chat"], backfill=False)
    _load(lake_url, PAGE_2023, "pwc", moved)
    assert [(r.model, r.value) for r in moved.records] == [("OmniVec", 92.4)]

    config = tmp_path / "sota.toml"
    config.write_text('[[alerts.channels]]\nname = "team-chat"\nkind = "webhook"\nurl = "env:SOTA_WEBHOOK_URL"\n')
    with serve() as receiver:
        receiver.route("/hook", [(200, {}, b"ok")])
        env = {**prefect.env, "SOTA_WEBHOOK_URL": receiver.url("/hook"), "SOTA_LOCK_TIMEOUT": "120"}
        command = [sys.executable, "-m", "flows.cli", "alerts", "deliver", "--config", str(config), "--db", lake_url]
        deliverers = [subprocess.Popen(command, env=env, cwd=os.getcwd(), stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [process.communicate(timeout=300) for process in deliverers]
        assert [process.returncode for process in deliverers] == [0, 0], outputs
        posts = webhook_posts(receiver)
    assert len(posts) == 1 and "OmniVec" in str(posts[0][1])
    said = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    assert said == ["alerts: 1 delivered, 0 failed", "alerts: nothing to send"], outputs
