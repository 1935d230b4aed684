"""Spelling-blind benchmarks, the `conflicts` view, derived accuracies and unmapped names."""
from datetime import date

from flows.ingest import ingest
from pipelines.aliases import CANONICAL_NAMES
from tests.support.boards import board_file
from warehouse import queries


def test_a_renamed_board_is_the_same_board(db, tmp_path):
    first = board_file(tmp_path, "q@2019-01-03.json", {("Question answering", "My Set"): [
        {"model": "A", "metrics": {"F-1": "80"}}, {"model": "B", "metrics": {"F-1": "81"}}]})
    second = board_file(tmp_path, "q@2019-03-27.json", {("Question Answering", "my  set"): [
        {"model": "A", "metrics": {"F 1": "80"}}, {"model": "B", "metrics": {"F 1": "82"}}]})
    ingest(db, "pwc-dump", str(first))
    report = ingest(db, "pwc-dump", str(second))
    assert (report.results_new, report.results_changed, report.results_unchanged, report.results_removed) == (0, 1, 1, 0)
    # the first spelling is the one shown
    assert db.execute("SELECT task, dataset, metric FROM benchmarks").fetchall() == [("Question Answering", "My Set", "F-1")]


def test_conflicts_accuracy_from_error_and_unmapped_names(db, tmp_path):
    board = ("Image Classification", "ImageNet")
    ingest(db, "pwc-dump", str(board_file(tmp_path, "a@2020-01-01.json", {board: [
        {"model": "NoisyStudent (EfficientNet-L2)", "metrics": {"Top 1 Accuracy": "88.4%"}, "date": "2019-11-11"},
        {"model": "ResNet-50", "metrics": {"Top 1 Accuracy": "76.0%"}, "date": "2015-12-10"}]})))
    csv = tmp_path / "c@2020-02-01.csv"
    csv.write_text("Model,Top-1 Accuracy,Top-1 Error,Cats\nNoisy Student (EfficientNet-L2),87.4%,12.6%,3\nResNet-50,76.0%,24.0%,4\n")
    ingest(db, "csv", str(csv), options={"task": "Image Classification", "dataset": "ImageNet"})
    rows = queries.conflicts(db)
    # ResNet-50 at 76.0 from both is no conflict; the sources print as plain text
    assert [(r["model"], r["sources"], r["lowest"], r["highest"]) for r in rows] == [
        ("Noisy Student (EfficientNet-L2)", "csv, pwc-dump", 87.4, 88.4)
    ]
    derived = db.execute("SELECT metric, model, round(value, 6), derived_from FROM accuracy_from_error ORDER BY model").fetchall()
    assert derived == [("Top 1 Accuracy", "Noisy Student (EfficientNet-L2)", 87.4, "Top 1 Error"), ("Top 1 Accuracy", "ResNet-50", 76.0, "Top 1 Error")]
    unmapped = queries.benchmarks(db, canonical=CANONICAL_NAMES, unmapped_only=True)
    assert [(r["dataset"], r["metric"], r["sources"]) for r in unmapped] == [("ImageNet", "Cats", ["csv"])]
    # accuracy "Top-1 Accuracy" from the csv lands on PwC's "Top 1 Accuracy" board, beside the dump's rows
    board_rows = db.execute("SELECT model, value, source, published_on FROM leaderboard_as_of('Image Classification', 'ImageNet', 'Top 1 Accuracy', DATE '2021-01-01')").fetchall()
    # one row per result, shown by both sources: the value of the latest observation (the csv, seen a month after the
    # dump), the earliest publication date (the dump's; the csv gives none)
    assert board_rows == [("Noisy Student (EfficientNet-L2)", 87.4, "csv, pwc-dump", date(2019, 11, 11)),
                          ("ResNet-50", 76.0, "csv, pwc-dump", date(2015, 12, 10))]
    assert db.execute("SELECT published_on FROM results WHERE source = 'pwc-dump' AND model = 'ResNet-50'").fetchall() == [(date(2015, 12, 10),)]


def test_ilsvrc_winners_from_two_sources_agree_on_their_own_benchmark(db, shared_data):
    # eff.json writes the top-5 test errors as fractions; ilsvrc-csv as fractions too, of another file: both land,
    # in percent, on the ILSVRC benchmark, never on PwC's ImageNet validation board
    ingest(db, "pwc-dump", str(shared_data / "pwc-sota-extractor/eff.json"), observed_at="2019-01-14")
    ingest(db, "ilsvrc-csv", str(shared_data / "ilsvrc-winners/imagenet.csv"), observed_at="2020-09-04")
    top = db.execute(
        "SELECT model, value, source FROM leaderboard_as_of('Image Classification', 'ILSVRC', 'Top 5 Error', "
        "DATE '2030-01-01') LIMIT 2"
    ).fetchall()
    assert top == [("SENet (WMW)", 2.251, "ilsvrc-csv"), ("SE-ResNet152 / WMW", 2.251, "pwc-dump")]
    assert db.execute("SELECT count(*) FROM conflicts WHERE dataset = 'ILSVRC'").fetchall() == [(0,)]
    imagenet = db.execute("SELECT count(*) FROM benchmarks WHERE dataset = 'ImageNet'").fetchall()
    assert imagenet == [(0,)]
