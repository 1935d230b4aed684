"""The nightly on a Prefect work pool into one lake (issue 16), as a team runs it: a Prefect server on PostgreSQL, a
process work pool, the deployments of prefect.yaml, workers as processes. Two workers load the example configuration's
sources into one lake and the answers are the embedded run's; a worker killed in the middle of a load leaves the lake
as it was, and a rerun completes."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.conftest import shared_data_dir
from tests.support.receivers import sota
from warehouse.db import connect
from warehouse.lake import parse_lake_location

REPO = Path(__file__).resolve().parents[2]
# The example configuration's sources that read the shared data; the others need the network.
OFFLINE = ["imagenet-handcopy", "pwc-2020", "pwc-imagenet-2023", "opencodepapers-2025", "epoch-runs-2025",
           "every-eval-ever"]
QUESTIONS = [  # what the record answers, asked of both warehouses
    ["asof", "2025-12-01"],
    ["asof", "2019-12-01", "--dataset", "ImageNet"],
    ["asof", "2023-12-31", "--dataset", "ImageNet"],
    ["asof", "2025-11-30", "--dataset", "GPQA Diamond", "--within-noise"],
    ["history", "--task", "Image Classification", "--dataset", "ImageNet", "--metric", "Top 1 Accuracy"],
    ["leaderboard", "--task", "Image Classification", "--dataset", "ImageNet", "--metric", "Top 1 Accuracy"],
]


@pytest.fixture
def config(tmp_path) -> str:
    """The example configuration, its shared data paths pointed at the data, and the folder's one undated source
    given a date, so two runs minutes apart observe the same."""
    text = (REPO / "sota.example.toml").read_text().replace("../shared/data", shared_data_dir().as_posix())
    text = text.replace('path = "{}/every-eval-ever"'.format(shared_data_dir().as_posix()),
                        'path = "{}/every-eval-ever"\nobserved_at = 2025-12-01'.format(shared_data_dir().as_posix()))
    assert "observed_at = 2025-12-01" in text
    path = tmp_path / "sota.toml"
    path.write_text(text)
    return str(path)


def _answers(capsys, database: str) -> list[str]:
    answers = []
    for question in QUESTIONS:
        code, out, err = sota(capsys, *question, "--db", database)
        assert code == 0, err
        answers.append(out)
    return answers


def _submitted(log: Path) -> set[str]:
    """The flow runs a worker ran: both workers try a new run, and the server lets one of them have it."""
    text = log.read_text(errors="replace")
    tried = set(re.findall(r"submitting flow run '([0-9a-f-]{36})'", text))
    return tried - set(re.findall(r"Aborted submission of flow run '([0-9a-f-]{36})'", text))


def test_two_workers_load_the_example_sources_into_one_lake_and_it_answers_as_the_embedded_run(
        prefect, config, lake_url, tmp_path, capsys):
    for name in ("w1", "w2"):
        prefect.start_worker(name, "sotawatch", 3, tmp_path)
    try:
        lake_run = prefect.wait(prefect.start_run("sotawatch-nightly/nightly-lake",
                                                  {"config": config, "database": lake_url, "sources": OFFLINE}))
        embedded = str(tmp_path / "embedded.duckdb")
        file_run = prefect.wait(prefect.start_run("sotawatch-nightly/nightly",
                                                  {"config": config, "database": embedded, "sources": OFFLINE}))
    finally:
        for name in ("w1", "w2"):
            prefect.stop_worker(name)
    assert (lake_run["state"]["type"], file_run["state"]["type"]) == ("COMPLETED", "COMPLETED"), (lake_run, file_run)
    assert lake_run["state"]["message"] == "6 sources loaded"

    # one sources run per lineage, all completed, and both workers took some of them
    groups = [run for run in prefect.flow_runs("sotawatch-sources") if run["parameters"]["database"] == lake_url]
    assert sorted(tuple(run["parameters"]["sources"]) for run in groups) == [
        ("epoch-runs-2025",), ("every-eval-ever",), ("imagenet-handcopy", "pwc-2020", "pwc-imagenet-2023"),
        ("opencodepapers-2025",)]
    assert {run["state"]["type"] for run in groups} == {"COMPLETED"}
    taken = [_submitted(tmp_path / f"worker-{name}.log") for name in ("w1", "w2")]
    assert all(taken) and not taken[0] & taken[1], taken

    assert _answers(capsys, lake_url) == _answers(capsys, embedded)
    with connect(lake_url, read_only=True) as lake, connect(embedded, read_only=True) as file:
        counts = "SELECT source, status, rows_loaded, rows_rejected, results_new FROM snapshots ORDER BY ALL"
        assert lake.execute(counts).fetchall() == file.execute(counts).fetchall()
        assert len(lake.execute(counts).fetchall()) == 6


def _files(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_size for path in folder.rglob("*") if path.is_file()}


def test_a_worker_killed_in_the_middle_of_a_load_leaves_the_lake_as_it_was_and_a_rerun_completes(
        prefect, config, lake_url, tmp_path):
    connect(lake_url).close()  # made and migrated: what a load writes next is its own
    data = Path(parse_lake_location(lake_url).data_path)
    before = _files(data)
    parameters = {"config": config, "database": lake_url, "sources": ["pwc-2020"]}
    prefect.start_worker("doomed", "sotawatch", 1, tmp_path)
    doomed = prefect.start_run("sotawatch-sources/sources", parameters)
    deadline = time.monotonic() + 300
    while not any(path not in before for path in _files(data)):  # the load's first Parquet file: its transaction
        assert time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.02)
    prefect.kill_worker("doomed")  # the worker and the flow run it started, at once: a machine lost

    with connect(lake_url, read_only=True) as lake:  # the lake opens, and holds nothing of the killed load
        assert lake.execute("SELECT count(*) FROM snapshots").fetchone() == (0,)
        assert lake.execute("SELECT count(*) FROM results").fetchone() == (0,)
        assert lake.execute("SELECT count(*) FROM payloads").fetchone() == (0,)
    assert prefect.api("GET", f"/flow_runs/{doomed}")["state"]["type"] == "RUNNING"  # as far as Prefect knows

    prefect.start_worker("rescuer", "sotawatch", 1, tmp_path)
    try:
        # the killed run's turn on the lineage ends with its lease (a minute), then the rerun loads
        rerun = prefect.wait(prefect.start_run("sotawatch-sources/sources", parameters), timeout=600)
    finally:
        prefect.stop_worker("rescuer")
    assert rerun["state"]["type"] == "COMPLETED", rerun["state"]
    with connect(lake_url, read_only=True) as lake:
        assert lake.execute("SELECT source, status, rows_loaded, rows_rejected, results_new FROM snapshots"
                            ).fetchall() == [("pwc", "loaded", 23871, 545, 23871)]
        assert lake.execute("SELECT count(*) FROM results").fetchone() == (23871,)
        assert lake.execute("SELECT count(*) FROM payloads").fetchone() == (1,)
