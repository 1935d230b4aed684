"""Facts of the real record: the 2019 hand copy and the 2020 dump of Papers with Code, the squad history.

Each fact is asked the way a user would: one SQL call on the macros in the file.
"""
import re
from datetime import date, datetime

import pytest

from flows.ingest import ingest
from warehouse.db import connect

IMAGENET_TOP1 = "task = 'Image Classification' AND dataset = 'ImageNet' AND metric = 'Top 1 Accuracy'"


@pytest.fixture(scope="module")
def dump_only(shared_data, tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("dump") / "sota.duckdb")
    report = ingest(con, "pwc-dump", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"), observed_at="2020-08-28")
    yield con, report
    con.close()


@pytest.fixture(scope="module")
def two_snapshots(shared_data, tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("two") / "sota.duckdb")
    ingest(
        con, "csv", str(shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv"),
        options={"task": "Image Classification", "dataset": "ImageNet"}, observed_at="2019-11-13",
    )
    ingest(con, "pwc-dump", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"), observed_at="2020-08-28")
    yield con
    con.close()


def best(con, day, extra=""):
    return con.execute(f"SELECT model, value, source FROM sota_as_of(DATE '{day}'{extra}) WHERE {IMAGENET_TOP1}").fetchall()


def test_sota_as_published_by_2019_06_01_from_the_dump(dump_only):
    con, _ = dump_only
    assert best(con, "2019-06-01") == [("ResNeXt-101 32x48d", 85.4, "pwc-dump")]


def test_known_on_2019_12_01_versus_latest_knowledge(two_snapshots):
    con = two_snapshots
    assert best(con, "2019-12-01", ", known_at := DATE '2019-12-01'") == [("Noisy Student (EfficientNet-L2)", 87.4, "csv")]
    # the same paper's result, by latest knowledge: one result, shown by both sources, with the dump's later value
    assert best(con, "2019-12-01") == [("NoisyStudent (EfficientNet-L2)", 88.4, "csv, pwc-dump")]
    assert best(con, "2020-09-01") == [("FixEfficientNet-L2", 88.5, "pwc-dump")]


def test_the_imagenet_record_from_alexnet_on(dump_only):
    con, _ = dump_only
    steps = con.execute(
        "SELECT model, value, published_on FROM sota_history('Image Classification', 'ImageNet', 'Top 1 Accuracy')"
    ).fetchall()
    assert steps[0] == ("AlexNet - 7CNNs", 63.3, date(2012, 12, 1))
    assert steps[-1] == ("FixEfficientNet-L2", 88.5, date(2020, 3, 18))
    values = [value for _, value, _ in steps]
    assert values == sorted(values)


def test_whole_dump_loads_with_only_explained_rejects(dump_only):
    con, report = dump_only
    assert (report.rows_parsed, report.rows_loaded, report.rows_duplicate) == (43960, 23871, 19544)
    assert report.rows_parsed == report.rows_loaded + report.rows_rejected + report.rows_duplicate
    explained = re.compile(
        r": (no value reported \(.*\)|not a number: '.*'|a descriptive column, not a score \('.*'\)|the row has no model name"
        r"|value -?[\d.e+]+ fails 'percent within 0\.\.100')$|^conflicting duplicate: .* cannot tell which is which$"
    )
    reasons = [r[0] for r in con.execute("SELECT reason FROM rejects").fetchall()]
    assert len(reasons) == report.rows_rejected
    assert [r for r in reasons if not explained.search(r)] == []


def test_squad_history_records_changes_and_removals(shared_data, tmp_path):
    with connect(tmp_path / "sota.duckdb") as con:
        reports = [
            ingest(con, "pwc-dump", str(shared_data / f"pwc-sota-extractor/history/squad@{day}.json"))
            for day in ("2019-01-03", "2019-03-27", "2021-05-20")
        ]
        assert [r.observed_at for r in reports] == [datetime(2019, 1, 3), datetime(2019, 3, 27), datetime(2021, 5, 20)]
        assert [(r.results_new, r.results_changed, r.results_unchanged, r.results_removed) for r in reports] == [
            (342, 0, 0, 0), (76, 122, 208, 12), (304, 360, 0, 46),
        ]
        # a model that left the board between the first two snapshots is known on the first date, not after
        gone = "SELECT count(*) FROM leaderboard_as_of('Question Answering', 'SQuAD2.0', 'EM', DATE '2030-01-01'{}) WHERE model = 'ARRR (single model)'"
        assert con.execute(gone.format(", known_at := DATE '2019-02-01'")).fetchall() == [(1,)]
        assert con.execute(gone.format("")).fetchall() == [(0,)]
