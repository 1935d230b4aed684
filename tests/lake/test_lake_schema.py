"""The warehouse's schema and macros on a DuckLake (issue 16): the numbered migrations, translated for what a lake
accepts (no sequences, keys or checks; macros and views created per connection), apply to an empty lake, apply once,
survive a re-attach (a stored macro would break every later ATTACH), and answer the questions."""
from __future__ import annotations

import pytest

from warehouse.db import migrations
from warehouse.lake import migrate_lake, open_lake, parse_lake_location


def test_the_migrations_apply_once_and_the_macros_answer_on_a_lake(lake_url):
    con = open_lake(parse_lake_location(lake_url))
    assert migrate_lake(con, migrations()) == [name for _, name, _ in migrations()]
    tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'"
                                              ).fetchall()}
    assert {"results", "consolidated_results", "sota_frontier", "sota_records", "sota_record_noise"} <= tables
    con.close()

    con = open_lake(parse_lake_location(lake_url))  # attaches again: nothing stored that breaks it
    assert migrate_lake(con, migrations()) == []
    con.execute("""INSERT INTO benchmarks VALUES (1, 'Image Classification', 'ImageNet', 'Top 1 Accuracy', 'higher',
                   'percent', 'image classification\x1fimagenet\x1ftop 1 accuracy', 'image classification\x1fimagenet',
                   'higher: named so')""")
    con.execute("""INSERT INTO consolidated_results (consolidated_id, benchmark_id, result_id, model, value, is_estimate,
                   published_on, published_precision, claim_first_seen_at, first_seen_at, seen_from, source, sources,
                   witness_ids, lowest, highest, value_conflict, extra_data_conflict, is_suspect, evaluators, stderr)
                   VALUES (7, 1, 7, 'FixEfficientNet-L2', 88.5, false, DATE '2020-03-18', 'day',
                   TIMESTAMP '2020-08-28', TIMESTAMP '2020-08-28', TIMESTAMP '2020-08-28', 'pwc', ['pwc'], [7], 88.5,
                   88.5, false, false, false, [], NULL)""")
    asked = con.execute("""SELECT model, value FROM sota_as_of(DATE '2020-09-01', known_at := TIMESTAMP '2020-09-01')
                           WHERE dataset = 'ImageNet'""").fetchall()
    assert asked == [("FixEfficientNet-L2", 88.5)]
    board = con.execute("""SELECT rank, model FROM leaderboard_as_of('Image Classification', 'ImageNet',
                           'Top 1 Accuracy', DATE '2020-09-01')""").fetchall()
    assert board == [(1, "FixEfficientNet-L2")]
    con.close()


def _claim_many(url: str, rounds: int, out) -> None:
    from warehouse.lake import claim_id_blocks

    con = open_lake(parse_lake_location(url))
    out.put([claim_id_blocks(con, {"result_ids": 10})["result_ids"] for _ in range(rounds)])
    con.close()


def test_two_writers_claiming_ids_at_once_never_get_the_same_one(lake_url):
    import multiprocessing

    from warehouse.lake import claim_id_blocks, use_id_block

    con = open_lake(parse_lake_location(lake_url))
    migrate_lake(con, migrations())
    con.close()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    writers = [context.Process(target=_claim_many, args=(lake_url, 20, out)) for _ in range(2)]
    for process in writers:
        process.start()
    firsts = out.get(timeout=120) + out.get(timeout=120)
    for process in writers:
        process.join(timeout=60)
    assert [process.exitcode for process in writers] == [0, 0]
    assert sorted(firsts) == list(range(1, 401, 10))  # forty blocks of ten, none shared, none skipped

    con = open_lake(parse_lake_location(lake_url))
    first = claim_id_blocks(con, {"result_ids": 3})["result_ids"]
    use_id_block(con, "result_ids", first, 3)
    assert [con.execute("SELECT nextval('result_ids')").fetchone()[0] for _ in range(3)] == [401, 402, 403]
    with pytest.raises(Exception, match="maximum value"):
        con.execute("SELECT nextval('result_ids')")  # never past the block
    con.close()
