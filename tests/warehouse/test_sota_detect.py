"""New-SOTA detection on small boards loaded through the real path (task files -> parse -> validate -> load).

Each load takes "before" with best_per_benchmark, then runs detection as the load's after_load hook, inside its
transaction, as the nightly flow does. Real DuckDB files in tmp_path; nothing is mocked.
"""
from datetime import date, datetime

import pytest

from flows.ingest import observed_at_for, prepare_snapshot
from pipelines.http import HttpClient
from pipelines.registry import get_source
from tests.support.boards import board_file
from warehouse.db import connect
from warehouse.load import load_snapshot
from warehouse.sota_detect import (
    NotInTransactionError,
    RecordNewSota,
    Rule,
    RuleError,
    best_per_benchmark,
    detect_new_records,
    enqueue_alerts,
    records,
    rule_for,
)

NOW = datetime(2021, 6, 1, 3, 0)
ACC = ("Image Classification", "ImageNet")
ERR = ("Image Classification", "ImageNet Error")
QA = ("Question Answering", "SQuAD1.1")
WATCH_ALL = [Rule()]


def row(model, value, day="2019-01-01", metric="Top 1 Accuracy", **more):
    return {"model": model, "metrics": {metric: value}, "date": day, **more}


def load(con, tmp_path, name, boards, *, rules=WATCH_ALL, channels=("hook", "mail"), backfill=False):
    """Load a task file as the nightly run will: before -> load with the detection hook -> the records it made."""
    path = str(board_file(tmp_path, name, boards))
    snapshot = prepare_snapshot(
        get_source("pwc-dump"), HttpClient().fetch(path), path, {}, observed_at_for(path, None, NOW), NOW.date()
    )
    hook = RecordNewSota(best_per_benchmark(con), rules, channels, backfill, NOW)
    report = load_snapshot(con, snapshot, NOW, after_load=hook)
    return report, hook.records


def outbox_rows(con):
    return con.execute(
        "SELECT record_id, channel, status, attempts FROM alert_outbox ORDER BY record_id, channel"
    ).fetchall()


def moves(found):
    return [(r.metric, r.model, r.value, r.previous_model, r.previous_value, r.margin) for r in found]


def steps(con, tmp_path, *boards, **options):
    """Load each board as the next month's snapshot of one source; the moves each load recorded."""
    return [
        moves(load(con, tmp_path, f"b@2020-{month:02d}-01.json", board, **options)[1])
        for month, board in enumerate(boards, start=1)
    ]


def top1(*entries, **more):
    """An ImageNet top-1 board from (model, value) or (model, value, date) entries."""
    return {ACC: [row(*entry, **more) for entry in entries]}


def test_first_sighting_is_the_baseline_and_a_better_claim_is_a_record(db, tmp_path):
    squad = [row("Q", "90", metric="F1")]
    _, first = load(db, tmp_path, "b@2020-01-01.json", {ACC: [row("A", "80%"), row("B", "81%")], QA: squad})
    assert first == [] and outbox_rows(db) == []

    better = row("C", "83.5%", "2020-01-15", paper="Better nets", url="https://arxiv.org/abs/2001.00001")
    second = {ACC: [row("A", "80%"), row("B", "81%"), better], QA: squad}
    report, found = load(db, tmp_path, "b@2020-02-01.json", second)
    assert moves(found) == [("Top 1 Accuracy", "C", 83.5, "B", 81.0, 2.5)]
    (record,) = found
    assert (record.paper_title, record.paper_url, record.published_on) == (
        "Better nets", "https://arxiv.org/abs/2001.00001", date(2020, 1, 15)
    )
    assert (record.snapshot_id, record.detected_at, record.is_backfill, record.unit) == (
        report.snapshot_id, NOW, False, "percent"
    )
    # committed with the load: read back from the file
    assert records(db) == found
    assert outbox_rows(db) == [(record.record_id, "hook", "pending", 0), (record.record_id, "mail", "pending", 0)]


def test_a_benchmark_new_in_a_later_load_is_a_baseline_too(db, tmp_path):
    f1 = {"metric": "F1"}
    assert steps(
        db, tmp_path,
        {ACC: [row("A", "80%")]},
        {ACC: [row("A", "80%")], QA: [row("Q", "90", **f1)]},
        {ACC: [row("A", "80%")], QA: [row("Q", "90", **f1), row("R", "91", **f1)]},
    ) == [[], [], [("F1", "R", 91.0, "Q", 90.0, 1.0)]]


def test_lower_is_better_margin_is_positive(db, tmp_path):
    def errors(*entries):
        return {ERR: [row(*entry, metric="Top 1 Error") for entry in entries]}

    assert steps(
        db, tmp_path,
        errors(("A", "20%")),
        errors(("A", "20%"), ("B", "15.3%")),
        errors(("A", "20%"), ("B", "15.3%"), ("C", "40%")),  # a higher error is not better, whatever its size
    ) == [[], [("Top 1 Error", "B", 15.3, "A", 20.0, 4.7)], []]
    assert [r.direction for r in records(db)] == ["lower"]


def test_no_record_for_a_worse_claim_a_tie_a_correction_or_the_same_bytes(db, tmp_path):
    others = [("W", "79%"), ("T", "80%", "2019-06-01")]
    assert steps(
        db, tmp_path,
        top1(("A", "80%")),
        top1(("A", "80%"), *others),  # worse, and a tie: an equal value is not better
        top1(("A", "80.5%"), *others),  # the best claim corrected (same model and paper): a new version, no new SOTA
        top1(("A", "80.5%"), *others, ("N", "82%")),
    ) == [[], [], [], [("Top 1 Accuracy", "N", 82.0, "A", 80.5, 1.5)]]
    # the same bytes observed later: an unchanged snapshot, the hook is not even called
    report, again = load(db, tmp_path, "b@2020-05-01.json", top1(("A", "80.5%"), *others, ("N", "82%")))
    assert report.status == "unchanged" and again == []
    assert len(records(db)) == 1


def test_a_removed_best_is_not_a_record(db, tmp_path):
    assert steps(
        db, tmp_path,
        top1(("A", "80%"), ("B", "85%")),
        top1(("A", "80%")),  # B taken down: the best steps back
        top1(("A", "80%"), ("C", "81%")),  # measured from the best shown now
    ) == [[], [], [("Top 1 Accuracy", "C", 81.0, "A", 80.0, 1.0)]]


def test_min_margin_is_met_exactly_and_measured_from_the_current_best(db, tmp_path):
    assert steps(
        db, tmp_path,
        top1(("Noisy", "87.4%")),
        # 88.5 - 87.4 is 1.0999999999999943 in binary doubles; the margin is computed on the decimals: exactly 1.1
        top1(("Noisy", "87.4%"), ("Fix", "88.5%")),
        top1(("Noisy", "87.4%"), ("Fix", "88.5%"), ("Small", "89%")),
        # the small step moved the best nonetheless: the next record is measured from 89, not from the last alert
        top1(("Noisy", "87.4%"), ("Fix", "88.5%"), ("Small", "89%"), ("Big", "90.2%")),
        rules=[Rule(min_margin=1.1)],
    ) == [
        [],
        [("Top 1 Accuracy", "Fix", 88.5, "Noisy", 87.4, 1.1)],
        [],
        [("Top 1 Accuracy", "Big", 90.2, "Small", 89.0, 1.2)],
    ]


def test_extra_data_and_estimates_count_only_when_the_rule_allows(tmp_path):
    plain, extra = row("Plain", "80%", extra=False), row("Extra", "85%", extra=True)
    guess, unsaid = row("Guess", "~86%", extra=False), row("Unsaid", "82%")  # an estimate; a row silent on extra data
    boards = [{ACC: [plain]}, {ACC: [plain, extra]}, {ACC: [plain, extra, guess]}, {ACC: [plain, extra, guess, unsaid]}]

    def run_with(rule, folder):
        folder.mkdir()
        with connect(folder / "sota.duckdb") as con:
            return steps(con, folder, *boards, rules=[rule])

    # with neither, only Unsaid moves it: a source that does not say whether extra data was used counts
    strict = run_with(Rule(extra_data=False, estimates=False), tmp_path / "strict")
    assert strict == [[], [], [], [("Top 1 Accuracy", "Unsaid", 82.0, "Plain", 80.0, 2.0)]]
    lenient = run_with(Rule(extra_data=True, estimates=True), tmp_path / "lenient")
    assert lenient == [
        [],
        [("Top 1 Accuracy", "Extra", 85.0, "Plain", 80.0, 5.0)],
        [("Top 1 Accuracy", "Guess", 86.0, "Extra", 85.0, 1.0)],
        [],
    ]


def test_rules_use_wildcards_case_insensitively_and_the_first_match_decides(db, tmp_path):
    rules = [Rule(dataset="imagenet", min_margin=10), Rule(task="question*", metric="f?")]
    assert rule_for(rules, *ACC, "Top 1 Accuracy") is rules[0]
    assert rule_for(rules, *QA, "F1") is rules[1]
    assert rule_for(rules, *QA, "EM") is None

    def board(*entries):
        return {ACC: [row(*entries[0])], QA: [row(model, value, metric=metric) for model, value, metric in entries[1:]]}

    assert steps(
        db, tmp_path,
        board(("A", "80%"), ("Q", "90", "F1"), ("Q", "80", "EM")),
        board(("B", "82%"), ("R", "92", "F1"), ("R", "85", "EM")),
        rules=rules,
    ) == [[], [("F1", "R", 92.0, "Q", 90.0, 2.0)]]  # ImageNet moved by 2 but its first rule asks for 10; EM unwatched
    for bad in ({"min_margin": -1}, {"task": ""}, {"metric": None}, {"min_margin": "1"}):
        with pytest.raises(RuleError):
            Rule(**bad)


def test_no_rules_watch_nothing(db, tmp_path):
    assert steps(db, tmp_path, top1(("A", "80%")), top1(("A", "80%"), ("B", "90%")), rules=[]) == [[], []]
    assert records(db) == []


def test_backfill_records_the_steps_but_queues_no_alert(db, tmp_path):
    load(db, tmp_path, "b@2019-01-01.json", top1(("A", "80%")), backfill=True)
    _, found = load(db, tmp_path, "b@2019-06-01.json", top1(("A", "80%"), ("B", "81%")), backfill=True)
    assert moves(found) == [("Top 1 Accuracy", "B", 81.0, "A", 80.0, 1.0)]
    assert [r.is_backfill for r in records(db)] == [True]
    assert outbox_rows(db) == []
    # the nightly run after the backfill alerts as usual
    load(db, tmp_path, "b@2020-01-01.json", top1(("A", "80%"), ("B", "81%"), ("C", "82%")))
    assert [(r.model, r.is_backfill) for r in records(db)] == [("B", True), ("C", False)]
    assert [row[1:3] for row in outbox_rows(db)] == [("hook", "pending"), ("mail", "pending")]


def test_records_and_outbox_rows_commit_with_the_load_or_not_at_all(db, tmp_path):
    load(db, tmp_path, "b@2020-01-01.json", top1(("A", "80%")))
    tables = ("results", "snapshots", "sota_records", "alert_outbox")
    before_state = [db.execute(f"SELECT * FROM {t}").fetchall() for t in tables]

    class CrashAfterQueueing(RecordNewSota):
        def __call__(self, con, snapshot_id):
            super().__call__(con, snapshot_id)
            assert con.execute("SELECT count(*) FROM alert_outbox").fetchone() == (2,)  # written, not yet committed
            raise RuntimeError("power cut before COMMIT")

    path = str(board_file(tmp_path, "b@2020-02-01.json", top1(("A", "80%"), ("B", "90%"))))
    spec, fetched = get_source("pwc-dump"), HttpClient().fetch(path)
    snapshot = prepare_snapshot(spec, fetched, path, {}, datetime(2020, 2, 1), NOW.date())
    crash = CrashAfterQueueing(best_per_benchmark(db), WATCH_ALL, ["hook", "mail"], False, NOW)
    with pytest.raises(RuntimeError, match="power cut"):
        load_snapshot(db, snapshot, NOW, after_load=crash)
    assert [db.execute(f"SELECT * FROM {t}").fetchall() for t in tables] == before_state

    # the same payload loads cleanly afterwards and alerts once
    _, found = load(db, tmp_path, "b@2020-02-01.json", top1(("A", "80%"), ("B", "90%")))
    assert moves(found) == [("Top 1 Accuracy", "B", 90.0, "A", 80.0, 10.0)]
    assert len(outbox_rows(db)) == 2


def test_writers_refuse_to_run_outside_a_transaction(db, tmp_path):
    load(db, tmp_path, "b@2020-01-01.json", {ACC: [row("A", "80%")]})
    before = best_per_benchmark(db)
    with pytest.raises(NotInTransactionError, match="inside the load's open transaction"):
        detect_new_records(db, before, 1, WATCH_ALL, backfill=False, now=NOW)
    assert enqueue_alerts(db, [], ["hook"], NOW) == 0  # nothing to queue needs no transaction
    assert db.execute("SELECT count(*) FROM sota_records").fetchone() == (0,)


def test_the_2020_dump_moves_imagenet_top1_over_the_2019_hand_copy(shared_data, tmp_path):
    """The issue's story on the real payloads: the hand copy as a backfill, then the dump, watching ImageNet top-1."""
    rules = [Rule(task="Image Classification", dataset="ImageNet", metric="Top 1 Accuracy")]
    with connect(tmp_path / "sota.duckdb") as con:
        found = []
        for kind, location, options, observed, backfill in [
            ("csv", shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv",
             {"task": "Image Classification", "dataset": "ImageNet"}, datetime(2019, 11, 13), True),
            ("pwc-dump", shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz", {},
             datetime(2020, 8, 28), False),
        ]:
            fetched = HttpClient().fetch(str(location))
            snapshot = prepare_snapshot(get_source(kind), fetched, str(location), options, observed, NOW.date())
            hook = RecordNewSota(best_per_benchmark(con), rules, ["hook"], backfill, NOW)
            load_snapshot(con, snapshot, NOW, after_load=hook)
            found.append(moves(hook.records))
        fix = ("Top 1 Accuracy", "FixEfficientNet-L2", 88.5, "Noisy Student (EfficientNet-L2)", 87.4, 1.1)
        assert found == [[], [fix]]
        assert outbox_rows(con) == [(1, "hook", "pending", 0)]
