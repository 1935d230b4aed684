"""A large payload streamed (issue 13): the dump's rows read one by one give the same rows, the same normalised
results and the same load as the list; a dump that breaks after some of its rows were read fails whole, with the
parser's own words, and keeps nothing but the failed snapshot; DuckDB's memory is capped only while a load writes."""
from __future__ import annotations

import gzip
import json
from datetime import datetime

import pandas as pd
import pytest

from flows.ingest import ingest
from pipelines.normalize import normalize_rows
from pipelines.pwc_dump import SOURCE, parse_pwc_dump, stream_pwc_dump
from pipelines.source import ParseError
from warehouse.load import memory_capped

NOW = datetime(2024, 1, 1, 12, 0)
DUMP = "pwc-dump-2020-08-28/evaluation-tables.json.gz"


def memory_limit(con) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


@pytest.mark.parametrize("payload", [DUMP, "pwc-sota-extractor/history/squad@2019-01-03.json"])
def test_the_stream_gives_the_rows_of_the_list_in_their_order(shared_data, payload):
    path = shared_data / payload
    streamed = stream_pwc_dump(path.read_bytes(), str(path))
    assert not isinstance(streamed, list)
    assert list(streamed) == parse_pwc_dump(path.read_bytes(), str(path))


def test_normalising_the_stream_gives_what_normalising_the_list_gives(shared_data):
    path = shared_data / DUMP
    rows = parse_pwc_dump(path.read_bytes(), str(path))
    listed = normalize_rows(rows, ranked_listing=SOURCE.ranked_listing)
    streamed = normalize_rows(stream_pwc_dump(path.read_bytes(), str(path)), ranked_listing=SOURCE.ranked_listing)
    pd.testing.assert_frame_equal(streamed.results, listed.results, check_exact=True)
    assert (streamed.rejects, streamed.duplicates, streamed.evidence, streamed.decisions) == (
        listed.rejects, listed.duplicates, listed.evidence, listed.decisions,
    )
    assert (streamed.rows_read, len(streamed.results), streamed.duplicates) == (43960, 23885, 19544)


def test_a_dump_that_breaks_after_some_rows_fails_whole_and_keeps_only_the_failed_snapshot(db, shared_data, tmp_path):
    tasks = json.loads(gzip.decompress((shared_data / DUMP).read_bytes()))[:50]
    text = json.dumps(tasks)
    # the 41st task is cut short: forty tasks' rows stream past before the text stops being JSON
    cut = text.index(json.dumps(tasks[40])) + 200
    broken = tmp_path / "evaluation-tables.json.gz"
    broken.write_bytes(gzip.compress((text[:cut] + text[cut + 1000:]).encode()))
    rows = stream_pwc_dump(broken.read_bytes(), str(broken))
    assert next(rows).task == tasks[0]["task"]
    with pytest.raises(ParseError, match=r"^pwc-dump: cannot parse .*: invalid JSON at line 1 column \d+"):
        list(rows)
    with pytest.raises(ParseError, match=r"invalid JSON at line 1 column \d+"):
        ingest(db, "pwc-dump", str(broken), now=NOW)
    assert db.execute("SELECT status, rows_loaded FROM snapshots").fetchall() == [("failed", 0)]
    assert db.execute("SELECT (SELECT count(*) FROM results) + (SELECT count(*) FROM rejects)").fetchone() == (0,)


def test_duckdb_memory_is_capped_while_a_load_writes_and_given_back_after(db, shared_data):
    default = memory_limit(db)
    with memory_capped(db, "300MB"):
        assert memory_limit(db) == "286.1 MiB"
    assert memory_limit(db) == default
    with pytest.raises(RuntimeError), memory_capped(db, "300MB"):
        raise RuntimeError("a load that fails")
    assert memory_limit(db) == default
    report = ingest(db, "pwc-dump", str(shared_data / DUMP), observed_at="2020-08-28", now=NOW)
    assert (report.status, report.rows_loaded, memory_limit(db)) == ("loaded", 23871, default)
