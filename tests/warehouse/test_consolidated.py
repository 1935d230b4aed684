"""One trustworthy answer per benchmark (issue 12): the claims of several sources about one result are one
consolidated result, and the questions answer from it.

First the issue's story on the real payloads (the 2019 hand copy of the PwC ImageNet board, then the 2020 dump), then
small boards loaded through the real load path (normalize -> load_snapshot) under source names of their own, and a
property test: after any history of three sources the derived layers equal a fresh rebuild and every claim shown is
the witness of exactly one result shown.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.ingest import ingest
from pipelines.normalize import normalize_rows
from pipelines.source import RawRow
from warehouse.db import connect
from warehouse.frontier import AliasFileError, parse_model_aliases, rebuild_frontier
from warehouse.load import SnapshotInput, load_snapshot
from warehouse.sota_detect import RecordNewSota, Rule, best_per_benchmark

TOP1 = ("Image Classification", "ImageNet", "Top 1 Accuracy")
BOARD = "leaderboard_as_of('Image Classification', 'ImageNet', 'Top 1 Accuracy', DATE '2030-01-01'{})"


# ------------------------------------------------------------------------------------------- the real payloads


@pytest.fixture(scope="module")
def record(shared_data, tmp_path_factory):
    """The hand copy seen on 2019-11-13, then the dump of 2020-08-28, in a real warehouse file."""
    con = connect(tmp_path_factory.mktemp("consolidated") / "sota.duckdb")
    ingest(con, "csv", str(shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv"),
           options={"task": "Image Classification", "dataset": "ImageNet"}, observed_at="2019-11-13")
    ingest(con, "pwc-dump", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"), observed_at="2020-08-28")
    yield con
    con.close()


def board(con, extra: str = "") -> list[tuple]:
    return con.execute(f"SELECT model, value, source, sources, uses_additional_data FROM {BOARD.format(extra)}").fetchall()


def test_noisy_student_is_one_result_shown_by_both_sources(record):
    rows = [row for row in board(record) if _fold(row[0]) == "noisystudentefficientnetl2"]
    # the dump's value (the later observation), the hand copy's extra-data flag (the dump's says nothing)
    assert rows == [("NoisyStudent (EfficientNet-L2)", 88.4, "csv, pwc-dump", ["csv", "pwc-dump"], True)]
    fix = [row for row in board(record) if row[0] == "FixResNeXt-101 32x48d"]
    assert fix == [("FixResNeXt-101 32x48d", 86.4, "csv, pwc-dump", ["csv", "pwc-dump"], True)]
    # as the boards showed it on 2019-12-01, only the hand copy had it: its own value
    known_then = BOARD.format(", known_at := DATE '2019-12-01'")
    then = record.execute(f"SELECT model, value, source FROM {known_then} LIMIT 1").fetchall()
    assert then == [("Noisy Student (EfficientNet-L2)", 87.4, "csv")]


def test_no_extra_data_leaves_out_every_result_the_hand_copy_flags(record):
    flagged = {model for (model,) in record.execute(
        "SELECT DISTINCT sw_model_key(r.model) FROM results AS r JOIN benchmarks AS b USING (benchmark_id) "
        "WHERE r.source = 'csv' AND r.uses_additional_data AND b.metric = 'Top 1 Accuracy'").fetchall()}
    assert {"fixresnext10132x48d", "noisystudentefficientnetl2"} <= flagged
    kept = {row[0] for row in board(record, ", extra_data := false")}
    assert {m for m in kept if _fold(m) in flagged} == set()
    assert len(kept) > 150  # the rest of the board is still there
    best = "SELECT model, value FROM sota_as_of(DATE '2019-12-01'{}) WHERE task = ? AND dataset = ? AND metric = ?"
    assert record.execute(best.format(""), list(TOP1)).fetchall() == [("NoisyStudent (EfficientNet-L2)", 88.4)]
    # the hand copy flags L2 (and FixResNeXt-101 32x48d, 86.4, before it); the dump says nothing of B7's data
    assert record.execute(best.format(", extra_data := false"), list(TOP1)).fetchall() == [
        ("NoisyStudent (EfficientNet-B7)", 86.9)]


def _fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def _agree(a: float, b: float) -> bool:
    """Half a unit of the last decimal of the less precise value, on the shortest decimals of the two values."""
    da, db = (Decimal(repr(v)) for v in (a, b))
    places = min(max(0, -d.normalize().as_tuple().exponent) for d in (da, db))
    return abs(da - db) <= Decimal(5) / Decimal(10) ** (places + 1)


def test_imagenet_conflicts_hold_no_rounding(record):
    rows = record.execute(
        "SELECT metric, model, sources, lowest, highest, disagreement, versions FROM conflicts WHERE dataset = 'ImageNet' "
        "ORDER BY metric, model").fetchall()
    assert rows, "the hand copy and the dump do disagree on a few results"
    for metric, model, sources, lowest, highest, disagreement, versions in rows:
        assert sources == "csv, pwc-dump"  # plain text
        assert disagreement == "value"
        assert not _agree(lowest, highest), (metric, model, lowest, highest)
        assert sorted(v["source"] for v in versions) == ["csv", "pwc-dump"]
    models = {(metric, model) for metric, model, *_ in rows}
    assert ("Top 1 Accuracy", "NoisyStudent (EfficientNet-L2)") in models
    assert not any(model == "SPPNet" for _, model in models)  # 72.1 against 72.14: rounding
    assert len(rows) == 10


def test_sota_history_lists_each_step_once(record):
    steps = record.execute(
        "SELECT model, value, effective_on, source, consolidated_id FROM sota_history(?, ?, ?)", list(TOP1)).fetchall()
    assert len({step[4] for step in steps}) == len(steps)
    assert len({(step[1], step[2]) for step in steps}) == len(steps)  # no step reported twice under two names
    assert steps[0][:4] == ("AlexNet - 7CNNs", 63.3, date(2012, 12, 1), "csv, pwc-dump")
    assert [step[:2] for step in steps[-2:]] == [("NoisyStudent (EfficientNet-L2)", 88.4), ("FixEfficientNet-L2", 88.5)]
    # the hand copy's ZFNet is the dump's "ZFNet (ensemble, 6 convnets)" (an alias in warehouse/model_aliases.csv)
    assert ("ZFNet (ensemble, 6 convnets)", 64.0, date(2013, 11, 12), "csv, pwc-dump") in [s[:4] for s in steps]


def test_the_derived_layers_of_the_real_record_equal_a_rebuild(record):
    tables = ("SELECT * FROM consolidated_results ORDER BY ALL", "SELECT * FROM sota_frontier ORDER BY ALL")
    kept = [record.execute(q).fetchall() for q in tables]
    rebuild_frontier(record)
    assert [record.execute(q).fetchall() for q in tables] == kept


# --------------------------------------------------------------------------------------------- small boards


def claim(model, value, *, paper=None, arxiv=None, published=None, extra=None, setting=None, code=None) -> RawRow:
    return RawRow(task=TOP1[0], dataset=TOP1[1], metric=TOP1[2], model=model, value=value, row_ref=f"{model} {value}",
                  paper_title=paper, arxiv_id=arxiv, published=published, uses_additional_data=extra, has_code=code,
                  attributes={"setting": setting} if setting else {})


def load(con, source: str, day: str, *claims: RawRow, full_listing: bool = True, after_load=None):
    """One snapshot of `source` observed on `day`, through normalize and the real load."""
    normalized = normalize_rows(list(claims))
    assert normalized.rejects == []
    observed = datetime.fromisoformat(day)
    payload = json.dumps([asdict(c) for c in claims], default=str).encode()
    snapshot = SnapshotInput(source, f"test source {source}", full_listing, f"{source}.json", {}, observed, payload,
                             len(claims), normalized.results, [], normalized.duplicates)
    return load_snapshot(con, snapshot, observed, after_load=after_load)


def rows(con, extra: str = "", columns: str = "model, value, source") -> list[tuple]:
    return con.execute(f"SELECT {columns} FROM {BOARD.format(extra)}").fetchall()


@pytest.mark.parametrize(("a", "b", "agree"), [
    (72.1, 72.14, True), (72.14, 72.1, True), (72.1, 72.15, True), (72.1, 72.16, False), (87.4, 88.4, False),
    (80.0, 80.4, True), (80.0, 80.6, False), (76.16, 76.138, False), (69.76, 69.758, True), (88.35, 88.4, True),
    (93.29, 93.3, True), (0.1, 0.1, True), (829000000.0, 829000000.0, True),
])
def test_values_agree_at_the_precision_shown(db, a, b, agree):
    assert db.execute("SELECT sw_values_agree(?::DOUBLE, ?::DOUBLE)", [a, b]).fetchone()[0] is agree
    assert _agree(a, b) is agree


def test_claims_of_one_source_are_never_one_result(db):
    # the dump lists ResNet-50 from two papers; the copy names no paper and agrees with one of them only
    load(db, "dump", "2020-01-01", claim("ResNet-50", "76.0%", paper="Paper A"), claim("ResNet-50", "77.15%", paper="Paper B"),
         claim("ResNet 50", "75.0%"), claim("resnet-50", "75.5%"))
    load(db, "copy", "2020-02-01", claim("ResNet-50", "77.2%"))
    assert rows(db) == [("ResNet-50", 77.15, "copy, dump"), ("ResNet-50", 76.0, "dump"), ("resnet-50", 75.5, "dump"),
                        ("ResNet 50", 75.0, "dump")]


def test_a_claim_that_could_join_several_stays_on_its_own(db):
    load(db, "dump", "2020-01-01", claim("ResNet-50", "76.0%", paper="Paper A"), claim("ResNet-50", "76.0%", paper="Paper B"))
    load(db, "copy", "2020-02-01", claim("ResNet-50", "76%"))
    assert sorted(rows(db)) == [("ResNet-50", 76.0, "copy"), ("ResNet-50", 76.0, "dump"), ("ResNet-50", 76.0, "dump")]


def test_papers_decide_when_both_sides_name_one(db):
    load(db, "dump", "2020-01-01", claim("M", "88.0%", arxiv="1905.00001", paper="Same title"),
         claim("N", "80.0%", paper="Deep Residual Learning for Image Recognition"),
         claim("O", "70.0%", arxiv="1905.00003"))
    load(db, "copy", "2020-02-01", claim("M", "88.0%", arxiv="1905.00002", paper="Same title"),  # two ids contradict
         claim("N", "80.0%", paper="Deep residual learning for image recognition."),  # one title, folded
         claim("O", "70.0%", paper="A title only"))  # an id against a title: nothing in common, so not one
    assert sorted(rows(db)) == [("M", 88.0, "copy"), ("M", 88.0, "dump"), ("N", 80.0, "copy, dump"), ("O", 70.0, "copy"),
                                ("O", 70.0, "dump")]


def test_settings_that_differ_are_two_results_and_an_unsaid_one_is_none(db):
    load(db, "card", "2021-06-01", claim("CoCa", "91.0%"), claim("resnet50", "79.04%"))
    load(db, "timm", "2021-07-01", claim("CoCa", "86.3%", setting="zero-shot"),
         claim("resnet50", "79.038%", setting="img_size=224"))
    assert rows(db, ", all_settings := true") == [("CoCa", 91.0, "card"), ("CoCa", 86.3, "timm"),
                                                  ("resnet50", 79.038, "card, timm")]
    assert db.execute("SELECT setting FROM consolidated_results WHERE model = 'resnet50' AND removed_at IS NULL").fetchall() == [
        ("img_size=224",)]


def test_extra_data_flags_any_witness_states_and_a_disagreement_is_a_conflict(db):
    load(db, "dump", "2020-01-01", claim("X", "80.0%", extra=False), claim("Y", "81.0%"), claim("Z", "79.0%"))
    load(db, "copy", "2020-02-01", claim("X", "80.0%", extra=True), claim("Y", "81.0%", extra=True), claim("Z", "79.0%"))
    assert rows(db, columns="model, uses_additional_data, source") == [
        ("Y", True, "copy, dump"), ("X", True, "copy, dump"), ("Z", None, "copy, dump")]
    assert rows(db, ", extra_data := false", "model") == [("Z",)]
    assert db.execute("SELECT model FROM sota_as_of(DATE '2030-01-01', extra_data := false)").fetchall() == [("Z",)]
    conflicts = db.execute("SELECT model, sources, lowest, highest, spread, disagreement, versions FROM conflicts").fetchall()
    assert [c[:6] for c in conflicts] == [("X", "copy, dump", 80.0, 80.0, 0.0, "extra data")]
    assert [(v["source"], v["uses_additional_data"]) for v in conflicts[0][6]] == [("copy", True), ("dump", False)]


def test_code_is_had_when_any_witness_says_so_and_lacking_only_when_every_one_that_says_says_so(db):
    load(db, "dump", "2020-01-01", claim("W", "82.0%", code=True), claim("X", "80.0%", code=False),
         claim("Y", "81.0%", code=False), claim("Z", "79.0%", code=False), claim("V", "78.0%"))
    load(db, "copy", "2020-02-01", claim("W", "82.0%", code=False), claim("X", "80.0%", code=True),
         claim("Y", "81.0%", code=False), claim("Z", "79.0%"), claim("V", "78.0%"))
    assert rows(db, columns="model, has_code, source") == [
        ("W", True, "copy, dump"), ("Y", False, "copy, dump"), ("X", True, "copy, dump"), ("Z", False, "copy, dump"),
        ("V", None, "copy, dump")]
    assert rows(db, ", with_code := true", "model") == [("W",), ("X",)]
    assert db.execute("SELECT model, has_code FROM sota_as_of(DATE '2030-01-01', with_code := true)").fetchall() == [
        ("W", True)]
    # each lineage's own board, as it published it
    assert rows(db, ", sources := ['copy']", "model, has_code, source, sources, consolidated_id") == [
        ("W", False, "copy", ["copy"], None), ("Y", False, "copy", ["copy"], None), ("X", True, "copy", ["copy"], None),
        ("Z", None, "copy", ["copy"], None), ("V", None, "copy", ["copy"], None)]
    assert rows(db, ", sources := ['copy'], with_code := true", "model") == [("X",)]
    # the flag alone changing is a new version of the claim, as the extra-data flag's is
    load(db, "copy", "2020-03-01", claim("W", "82.0%", code=False), claim("X", "80.0%", code=True),
         claim("Y", "81.0%", code=True), claim("Z", "79.0%"), claim("V", "78.0%"))
    assert db.execute("SELECT has_code, removed_at IS NULL FROM results WHERE source = 'copy' AND model = 'Y' "
                      "ORDER BY result_id").fetchall() == [(False, False), (True, True)]
    assert rows(db, ", with_code := true", "model") == [("W",), ("Y",), ("X",)]
    assert rows(db, ", with_code := true, known_at := DATE '2020-02-15'", "model") == [("W",), ("X",)]


def test_the_latest_observation_gives_the_value_and_the_earliest_date_stands(db):
    load(db, "copy", "2019-11-13", claim("Noisy Student (L2)", "87.4%", published="2019-11"),
         claim("B", "80.0%", published="2019"))
    load(db, "dump", "2020-08-28", claim("NoisyStudent (L2)", "88.4%", published="2019-11-11", arxiv="1911.04252",
                                         paper="Self-training with Noisy Student"),
         claim("B", "80.0%", published="2020-01-05"))
    columns = "model, value, source, published_on, published_precision, arxiv_id, paper_title, first_seen_at"
    assert rows(db, columns=columns) == [
        # the day inside the month refines it; the paper of the witness that names one
        ("NoisyStudent (L2)", 88.4, "copy, dump", date(2019, 11, 11), "day", "1911.04252",
         "Self-training with Noisy Student", datetime(2019, 11, 13)),
        # a year that ends before the other's day is the earlier date
        ("B", 80.0, "copy, dump", date(2019, 1, 1), "year", None, None, datetime(2019, 11, 13)),
    ]
    assert db.execute("SELECT model, lowest, highest, disagreement FROM conflicts").fetchall() == [
        ("NoisyStudent (L2)", 87.4, 88.4, "value")]
    # as the boards showed it before the dump: the copy alone
    assert rows(db, ", known_at := DATE '2019-12-01'", "model, value, source, published_on, published_precision") == [
        ("Noisy Student (L2)", 87.4, "copy", date(2019, 11, 1), "month"), ("B", 80.0, "copy", date(2019, 1, 1), "year")]


def test_agreeing_witnesses_show_the_finer_value_and_disagreeing_ones_the_latest(db):
    load(db, "dump", "2020-01-01", claim("SPPNet", "72.14%"), claim("DenseNet-169", "76.2%"))
    load(db, "copy", "2020-02-01", claim("SPPNet", "72.1%"), claim("DenseNet-169", "77.9%"))
    assert rows(db) == [("DenseNet-169", 77.9, "copy, dump"), ("SPPNet", 72.14, "copy, dump")]
    assert db.execute("SELECT model, lowest, highest FROM conflicts").fetchall() == [("DenseNet-169", 76.2, 77.9)]


def test_a_result_is_known_whenever_any_witness_showed_it(db):
    load(db, "a", "2020-01-01", claim("X", "80.0%", published="2019-06-01"), claim("Keep", "70.0%"))
    load(db, "b", "2020-03-01", claim("X", "80.0%"), claim("Other", "60.0%"))
    load(db, "a", "2020-06-01", claim("Keep", "70.0%"))  # a full listing without X: a no longer shows it
    load(db, "b", "2020-09-01", claim("Other", "60.0%"))  # nor b

    def x_at(day: str) -> list[tuple]:
        return [r for r in rows(db, f", known_at := DATE '{day}'", "model, source, consolidated_id") if r[0] == "X"]

    assert x_at("2019-12-31") == []
    (first,) = x_at("2020-02-01")
    assert first[:2] == ("X", "a")
    assert x_at("2020-04-01") == [("X", "a, b", first[2])]
    assert x_at("2020-07-01") == [("X", "b", first[2])]
    assert x_at("2020-10-01") == [] and [r for r in rows(db, columns="model") if r[0] == "X"] == []
    # the date a gave (2019-06-01) counts while a shows X; through b alone (which gives none) X counts from its first
    # sighting, by a on 2020-01-01
    best = "SELECT model, source FROM sota_as_of(DATE '{}', known_at := DATE '{}')"
    assert db.execute(best.format("2019-12-31", "2020-04-01")).fetchall() == [("X", "a, b")]
    assert db.execute(best.format("2019-12-31", "2020-07-01")).fetchall() == []
    assert db.execute(best.format("2020-01-01", "2020-07-01")).fetchall() == [("X", "b")]


def test_a_renamed_checkpoint_stays_one_result_and_is_no_new_sota(db):
    load(db, "timm", "2022-03-29", claim("tf_efficientnet_l2_ns", "88.348%"), claim("resnet50", "79.0%"))
    before = rows(db, columns="model, value, consolidated_id")[0]
    hook = RecordNewSota(best_per_benchmark(db), [Rule()], ["hook"], False, datetime(2023, 5, 24))
    # timm 0.9 renamed the checkpoint (warehouse/model_aliases.csv) and re-evaluated it 0.004 higher
    load(db, "timm", "2023-05-24", claim("tf_efficientnet_l2.ns_jft_in1k", "88.352%"), claim("resnet50", "79.0%"),
         after_load=hook)
    assert hook.records == []
    after = rows(db, columns="model, value, consolidated_id, published_on")[0]
    assert after == ("tf_efficientnet_l2.ns_jft_in1k", 88.352, before[2], None)
    # undated, it counts from its first sighting under the old name
    assert db.execute("SELECT model, effective_on FROM sota_history(?, ?, ?)", list(TOP1)).fetchall() == [
        ("resnet50", date(2022, 3, 29)), ("tf_efficientnet_l2.ns_jft_in1k", date(2022, 3, 29))]
    # a model card still using the old name is the same result too; its 88.35 agrees with 88.352, the finer value
    load(db, "card", "2023-06-01", claim("tf_efficientnet_l2_ns", "88.35%"))
    assert rows(db, columns="model, value, source, consolidated_id")[0] == (
        "tf_efficientnet_l2.ns_jft_in1k", 88.352, "card, timm", before[2])


def test_the_alias_registry_is_checked():
    assert parse_model_aliases("# a comment\nalias,canonical\nold_name,new.name\nsame-name,Same Name\n") == (
        ("old_name", "new.name"),)
    with pytest.raises(AliasFileError, match="line 3: expected 'alias,canonical'"):
        parse_model_aliases("alias,canonical\na,b\nc\n")
    with pytest.raises(AliasFileError, match="'A' is given two canonical names"):
        parse_model_aliases("alias,canonical\na,b\nA,c\n")
    with pytest.raises(AliasFileError, match="must not be aliases themselves: b"):
        parse_model_aliases("alias,canonical\na,b\nb,c\n")
    with pytest.raises(AliasFileError, match="first line"):
        parse_model_aliases("old,new\n")


def test_a_warehouse_made_before_consolidation_is_consolidated_when_it_migrates(tmp_path):
    path = tmp_path / "sota.duckdb"
    with connect(path) as con:
        load(con, "dump", "2020-01-01", claim("A", "80.0%"), claim("B", "81.0%"))
        load(con, "copy", "2020-02-01", claim("A", "80.0%"))
        expected = rows(con)
        # what a file migrated up to 006 holds: no consolidated layer, the frontier of migration 004, no suspect flags (both
        # 007), no code flags (009), no standard errors (010, 011), no evaluators (011)
        con.execute("DROP TABLE consolidated_results; DROP TABLE model_aliases; DROP TABLE model_alias_file;"
                    "ALTER TABLE sota_frontier DROP COLUMN sources; ALTER TABLE sota_frontier DROP COLUMN consolidated_id;"
                    "ALTER TABLE sota_frontier DROP COLUMN has_code; ALTER TABLE results DROP COLUMN has_code;"
                    "ALTER TABLE sota_frontier DROP COLUMN stderr; ALTER TABLE sota_frontier DROP COLUMN setting;"
                    "ALTER TABLE results DROP COLUMN stderr;"
                    "ALTER TABLE results DROP COLUMN evaluator; DROP TABLE sota_record_noise;"
                    "ALTER TABLE results DROP COLUMN interval_low; ALTER TABLE results DROP COLUMN interval_high;"
                    "ALTER TABLE sota_frontier DROP COLUMN interval_low; ALTER TABLE sota_frontier DROP COLUMN interval_high;"
                    "ALTER TABLE results DROP COLUMN is_suspect;"
                    "DELETE FROM schema_migrations WHERE version IN (7, 9, 10, 11)")
    with connect(path) as con:
        assert con.execute("SELECT count(*) FROM schema_migrations WHERE version = 7").fetchone() == (1,)
        assert rows(con) == expected == [("B", 81.0, "dump"), ("A", 80.0, "copy, dump")]
        assert con.execute("SELECT count(*) FROM model_aliases").fetchone()[0] > 500
    with connect(path, read_only=True) as reader:
        assert reader.execute("SELECT model, source FROM sota_as_of(DATE '2030-01-01')").fetchall() == [("B", "dump")]


# ------------------------------------------------------------------------------------------- any history


ENTRY = st.fixed_dictionaries({
    "model": st.sampled_from(["A", "a", "B", "C", "tf_efficientnet_l2_ns", "tf_efficientnet_l2.ns_jft_in1k"]),
    "value": st.sampled_from(["70%", "70.0%", "70.04%", "71%", "~72%"]),
    "paper": st.sampled_from([None, None, "P", "Q"]),
    "extra": st.sampled_from([None, True, False]),
    "day": st.sampled_from([None, "2019-01-01", "2019-06"]),
})


def _assert_consistent(con) -> None:
    tables = ("SELECT * FROM consolidated_results ORDER BY ALL", "SELECT * FROM sota_frontier ORDER BY ALL")
    kept = [con.execute(q).fetchall() for q in tables]
    rebuild_frontier(con)
    assert [con.execute(q).fetchall() for q in tables] == kept
    instants = [r[0] for r in con.execute("SELECT DISTINCT first_seen_at FROM results ORDER BY 1").fetchall()]
    for at in [*instants, datetime(2030, 1, 1)]:
        shown = con.execute(
            "SELECT result_id, source FROM results WHERE first_seen_at <= ? AND (removed_at IS NULL OR removed_at > ?)",
            [at, at]).fetchall()
        results = con.execute(
            "SELECT consolidated_id, witness_ids, sources FROM consolidated_results "
            "WHERE seen_from <= ? AND (removed_at IS NULL OR removed_at > ?)", [at, at]).fetchall()
        witnesses = [w for _, ids, _ in results for w in ids]
        assert sorted(witnesses) == sorted(r for r, _ in shown)  # every claim shown, in exactly one result
        assert len({cid for cid, _, _ in results}) == len(results)
        source_of = dict(shown)
        for _, ids, sources in results:
            assert len({source_of[w] for w in ids}) == len(ids) == len(sources)  # never two of one source
    for filters in ("", ", extra_data := false", ", estimates := true"):
        for day in ("2018-12-31", "2019-01-01", "2019-07-01", "2030-01-01"):
            query = f"SELECT * FROM sota_as_of(DATE '{day}'{filters}{{}}) ORDER BY ALL"
            assert con.execute(query.format("")).fetchall() == con.execute(
                query.format(", known_at := TIMESTAMP '9999-01-01'")).fetchall()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.lists(ENTRY, max_size=6)), min_size=1, max_size=4))
def test_any_history_of_three_sources(tmp_path_factory, history):
    folder = tmp_path_factory.mktemp("consolidated")
    with connect(folder / "sota.duckdb") as con:
        day = datetime(2020, 1, 1)
        for source, entries in history:
            day += timedelta(days=30)
            claims, seen = [], set()
            for e in entries:
                if (e["model"], e["paper"]) in seen:
                    continue  # one claim per model and paper in a payload
                seen.add((e["model"], e["paper"]))
                claims.append(claim(e["model"], e["value"], paper=e["paper"], extra=e["extra"], published=e["day"]))
            if claims:
                load(con, source, day.isoformat(), *claims)
        _assert_consistent(con)


def test_macros_answer_from_a_read_only_client(tmp_path):
    path = tmp_path / "sota.duckdb"
    with connect(path) as con:
        load(con, "dump", "2020-01-01", claim("A", "80.0%"))
        load(con, "copy", "2020-02-01", claim("A", "80.04%"))
    reader = duckdb.connect(str(path), read_only=True)
    try:
        assert reader.execute(f"SELECT model, value, source, sources FROM {BOARD.format('')}").fetchall() == [
            ("A", 80.04, "copy, dump", ["copy", "dump"])]
        assert reader.execute("SELECT count(*) FROM conflicts").fetchone() == (0,)
    finally:
        reader.close()
