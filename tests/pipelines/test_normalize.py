"""`normalize_rows` on raw rows of real payloads: canonical names, units, dates with precision, rejects with their
reasons, and repeats folded or refused."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from pipelines.normalize import RESULT_COLUMNS, Normalized, Reject, normalize_rows
from pipelines.registry import get_source
from pipelines.source import RawRow

DUMP = "pwc-dump-2020-08-28/evaluation-tables.json.gz"
TIMM_REAL = "timm-results/results-imagenet-real.csv"
EFF = "pwc-sota-extractor/eff.json"


@pytest.fixture(scope="module")
def parsed(shared_data: Path):
    """`parsed(path, source="pwc-dump", **options)`: the raw rows of a real payload, parsed once per module."""
    cache: dict = {}

    def parse(path: str, source: str = "pwc-dump", **options) -> list[RawRow]:
        key = (path, source, tuple(sorted(options.items())))
        if key not in cache:
            location = shared_data / path
            cache[key] = get_source(source).parse(location.read_bytes(), str(location), **options)
        return cache[key]

    return parse


def at(rows: list[RawRow], *row_refs: str) -> list[RawRow]:
    return [row for row in rows if row.row_ref in row_refs]


def records(normalized: Normalized, *columns: str) -> list:
    """The results as plain values (pandas' missing markers as None); one tuple a row when `columns` are named."""
    frame = normalized.results
    frame = frame.astype(object).where(frame.notna(), None)
    if columns:
        return list(frame[list(columns)].itertuples(index=False, name=None))
    return frame.to_dict("records")


def test_a_dump_row_becomes_one_result_per_metric_with_canonical_names_units_and_keys(parsed):
    rows = at(parsed(DUMP), "Image Classification / ImageNet / row 0")
    assert [(row.metric, row.value) for row in rows] == [
        ("Number of params", "480M"), ("Top 1 Accuracy", "88.5%"), ("Top 5 Accuracy", "98.7%"),
    ]
    paper = {
        "model": "FixEfficientNet-L2",
        "stderr": None,  # the dump gives no standard errors
        "interval_low": None, "interval_high": None,  # nor intervals
        "is_estimate": False,
        "is_suspect": False,  # a board of one value has no spread to be far outside of
        "paper_title": "Fixing the train-test resolution discrepancy: FixEfficientNet",
        "paper_url": "https://arxiv.org/abs/2003.08237v4",
        "arxiv_id": "2003.08237",  # from the URL, without its version
        "published_on": date(2020, 3, 18),
        "published_precision": "day",
        "uses_additional_data": None,  # this vintage of the dump does not say
        "has_code": True,  # but it links the paper's code
        "row_ref": "Image Classification / ImageNet / row 0",
        "attributes": None,
        "task": "Image Classification",
        "dataset": "ImageNet",
        "board_key": "image classification\x1fimagenet",
    }

    def result(metric: str, folded: str, direction: str, unit: str, value: float) -> dict:
        benchmark = f"image classification\x1fimagenet\x1f{folded}"
        return {
            **paper, "metric": metric, "direction": direction, "unit": unit, "value": value,
            "benchmark_key": benchmark, "claim_key": f"{benchmark}\x1fFixEfficientNet-L2\x1farxiv:2003.08237\x1f",
        }

    normalized = normalize_rows(rows)
    assert records(normalized) == [
        result("Number of params", "number of params", "none", "count", 480_000_000.0),
        result("Top 1 Accuracy", "top 1 accuracy", "higher", "percent", 88.5),
        result("Top 5 Accuracy", "top 5 accuracy", "higher", "percent", 98.7),
    ]
    assert list(normalized.results.columns) == RESULT_COLUMNS
    assert (normalized.rejects, normalized.duplicates) == ([], 0)


def test_thousands_separators_and_plain_numbers_from_a_csv_export(parsed):
    # timm quotes parameter counts over a thousand with a comma: "1,014.45" (millions of parameters)
    rows = at(parsed(TIMM_REAL, "csv", task="Image Classification", dataset="ImageNet ReaL"), "data row 4")
    assert [row.value for row in rows] == [
        "560", "90.950", "9.050", "98.674", "1.326", "1,014.45", "1.000", "+1.159", "-0.316", "-1",
    ]
    normalized = normalize_rows(rows)
    # the registry knows timm's columns as percentages, whatever their cells look like; the others are plain numbers
    assert records(normalized, "metric", "value", "unit") == [
        ("img_size", 560.0, None),
        ("Top 1 Accuracy", 90.95, "percent"),
        ("Top 1 Error", 9.05, "percent"),
        ("Top 5 Accuracy", 98.674, "percent"),
        ("Top 5 Error", 1.326, "percent"),
        ("Number of params", 1014.45, None),
        ("crop_pct", 1.0, None),
        ("top1_diff", 1.159, None),
        ("top5_diff", -0.316, None),
        ("rank_diff", -1.0, None),
    ]
    assert {row["model"] for row in records(normalized)} == {"eva_giant_patch14_560.m30m_ft_in22k_in1k"}


def test_fractions_of_a_percent_metric_are_scaled_onto_the_registry_benchmark(parsed):
    # sota-extractor keeps the ILSVRC winners' top-5 test error as fractions (0.28191 for 28.191 %)
    rows = [row for row in parsed(EFF) if row.dataset == "Imagenet Image Recognition"]
    normalized = normalize_rows(rows)
    assert records(normalized, "task", "dataset", "metric", "direction", "unit") == [
        ("Image Classification", "ILSVRC", "Top 5 Error", "lower", "percent")
    ] * 9
    assert [(row.value, result) for row, result in zip(rows, records(normalized, "model", "value"))] == [
        ("0.28191", ("NEC UIUC", 28.191)),
        ("0.2577", ("XRCE", 25.77)),
        ("0.16422", ("AlexNet / SuperVision", 16.422)),
        ("0.11743", ("Clarifai", 11.743)),
        ("0.07405", ("VGG", 7.405)),
        ("0.0458", ("withdrawn", 4.58)),
        ("0.03567", ("MSRA", 3.567)),
        ("0.02991", ("Trimps-Soushen", 2.991)),
        ("0.02251", ("SE-ResNet152 / WMW", 2.251)),
    ]


def test_a_board_that_writes_percent_on_some_rows_means_percent_on_all_of_them(parsed):
    dump = parsed(DUMP)
    food = normalize_rows(at(dump, "Image Classification / Food-101N / row 0", "Image Classification / Food-101N / row 1"))
    assert records(food, "model", "value", "unit") == [("CleanNet", 90.39, "percent"), ("DeepSelf", 85.11, "percent")]
    # a thousands separator on a percent board: read as 7537 percent here, refused later by validation (0..100)
    shapenet = [row for row in dump if row.row_ref.startswith("Semantic Segmentation / ShapeNet /") and row.metric == "Mean IoU"]
    assert [row.value for row in shapenet] == ["85.8%", "85.8%", "84.6%", "7,537"]
    assert records(normalize_rows(shapenet), "value", "unit") == [
        (85.8, "percent"), (85.8, "percent"), (84.6, "percent"), (7537.0, "percent"),
    ]


@pytest.mark.parametrize(
    ("path", "source", "row_ref", "published", "expected"),
    [
        (DUMP, "pwc-dump", "Image Classification / ImageNet / row 0", "2020-03-18", (date(2020, 3, 18), "day")),
        ("robustbench/html-head/imagenet_Linf.html", "robustbench-html", "imagenet_leaderboard_Linf row 1 (rank 1)",
         "arXiv, Dec 2023", (date(2023, 12, 1), "month")),
        ("ilsvrc-winners/imagenet.csv", "ilsvrc-csv", "line 4", "2012", (date(2012, 1, 1), "year")),
        (EFF, "pwc-dump", "Image Classification / Imagenet Image Recognition / row 0", None, (None, "unknown")),
    ],
)
def test_publication_dates_keep_their_precision(parsed, path, source, row_ref, published, expected):
    rows = at(parsed(path, source), row_ref)
    assert {row.published for row in rows} == {published}
    assert set(records(normalize_rows(rows), "published_on", "published_precision")) == {expected}


def reject_of(row: RawRow, reason: str) -> Reject:
    return Reject(row.row_ref, reason, json.dumps(dataclasses.asdict(row), ensure_ascii=False))


def test_cells_that_are_not_scores_are_rejected_with_their_reason_and_the_raw_row(parsed):
    refs = [
        "Video > Video Classification > Action Recognition > Self-Supervised Action Recognition / HMDB51 / row 0",
        "Birds Eye View Object Detection / KITTI Cyclist Moderate val / row 1",
        "Relation Extraction / SemEval-2010 Task 8 / row 10",
        "Semantic Textual Similarity / SentEval / row 0",
    ]
    rows = at(parsed(DUMP), *refs)
    by_cell = {(row.metric, row.value): row for row in rows}
    normalized = normalize_rows(rows)
    # in the dump's order
    assert normalized.rejects == [
        reject_of(by_cell["F1", "87:1"], "F1: not a number: '87:1'"),
        reject_of(by_cell["Pre-Training Dataset", "Kinetics400"],
                  "Pre-Training Dataset: a descriptive column, not a score ('Kinetics400')"),
        reject_of(by_cell["MRPC", "78.6/84.4"], "MRPC: not a number: '78.6/84.4'"),
        reject_of(by_cell["STS", "78.9/78.6"], "STS: not a number: '78.9/78.6'"),
        reject_of(by_cell["AP", "N/A"], "AP: no value reported ('N/A')"),
    ]
    # the other cells of the same rows are kept ("Top-1 Accuracy" under its canonical name)
    assert records(normalized, "model", "metric", "value") == [
        ("TCE (ResNet-50)", "Top 1 Accuracy", 36.6), ("GenSen", "SICK-E", 87.8), ("GenSen", "SICK-R", 0.888),
    ]


def test_a_row_without_a_model_name_is_rejected(parsed):
    rows = at(parsed("pwc-sota-extractor/squad.json"), "Question Answering / SQuAD2.0 / row 14")
    assert [(row.model, row.paper_title, row.metric, row.value) for row in rows] == [("", "", "EM", "90.126"), ("", "", "F1", "92.642")]
    normalized = normalize_rows(rows)
    assert normalized.rejects == [
        reject_of(rows[0], "EM: the row has no model name"), reject_of(rows[1], "F1: the row has no model name"),
    ]
    assert records(normalized) == []


def test_exact_repeats_are_folded_into_one_result_and_counted(parsed):
    # the dump lists the same board under each parent task; sota-extractor lists one chess engine twice
    waymo = at(parsed(DUMP), "3D Object Detection / waymo vehicle / row 0",
               "Object Detection > 3D Object Detection / waymo vehicle / row 0")
    chess = at(parsed(EFF), "Abstract Games with Hints / Computer Chess / row 1", "Abstract Games with Hints / Computer Chess / row 2")
    # the first listing is kept
    for rows, kept in [(waymo, ("PV-RCNN", 73.23, "Object Detection > 3D Object Detection / waymo vehicle / row 0")),
                       (chess, ("Mephisto Amsterdam 68000 12 MHz", 1827.0, "Abstract Games with Hints / Computer Chess / row 1"))]:
        assert len(rows) == 2 and dataclasses.replace(rows[0], row_ref="") == dataclasses.replace(rows[1], row_ref="")
        normalized = normalize_rows(rows)
        assert (records(normalized, "model", "value", "row_ref"), normalized.rejects, normalized.duplicates) == ([kept], [], 1)


def test_the_same_paper_cited_by_two_arxiv_versions_is_one_claim(parsed):
    row = at(parsed(DUMP), "Image Classification / ImageNet / row 0")[1]
    cited_again = dataclasses.replace(row, paper_url="http://arxiv.org/abs/2003.08237v1", row_ref="again")
    normalized = normalize_rows([row, cited_again])
    assert (records(normalized, "value", "row_ref"), normalized.duplicates) == ([(88.5, row.row_ref)], 1)


def test_one_claim_listed_with_two_values_is_rejected_every_time_it_is_listed(parsed):
    refs = ("Question answering / SQuAD2.0 / row 9", "Question answering / SQuAD2.0 / row 12")
    rows = at(parsed("pwc-sota-extractor/history/squad@2019-01-03.json"), *refs)
    assert [(row.row_ref, row.metric, row.value) for row in rows] == [
        (refs[0], "EM", "80.659"), (refs[0], "F1", "83.562"), (refs[1], "EM", "80.388"), (refs[1], "F1", "82.908"),
    ]
    model = "Candi-Net+BERT (single model)"

    def conflicting(ref: str, metric: str, value: float, values: str) -> Reject:
        reason = (f"conflicting duplicate: {model!r} is listed 2 times on SQuAD2.0 / {metric} with the same paper (or none) "
                  f"and different values ({values}); cannot tell which is which")
        return Reject(ref, reason, json.dumps({"model": model, "value": value, "paper_title": None, "paper_url": None}))

    normalized = normalize_rows(rows)
    assert normalized.rejects == [
        conflicting(refs[0], "EM", 80.659, "80.388, 80.659"), conflicting(refs[1], "EM", 80.388, "80.388, 80.659"),
        conflicting(refs[0], "F1", 83.562, "82.908, 83.562"), conflicting(refs[1], "F1", 82.908, "82.908, 83.562"),
    ]
    assert (records(normalized), normalized.duplicates) == ([], 0)


def test_no_rows_give_an_empty_frame_with_every_column():
    normalized = normalize_rows([])
    assert (list(normalized.results.columns), len(normalized.results), normalized.rejects, normalized.duplicates) == (
        RESULT_COLUMNS, 0, [], 0,
    )
    assert isinstance(normalized.results, pd.DataFrame)


# ------------------------------------------------------------------------------------ values far outside their board


IMAGENET_TOP1 = "Image Classification / ImageNet / row "


def imagenet_top1(dump: list[RawRow]) -> list[RawRow]:
    return [row for row in dump if row.row_ref.startswith(IMAGENET_TOP1) and row.metric == "Top 1 Accuracy"]


def suspects(normalized: Normalized) -> list[tuple]:
    return [(row["model"], row["value"], json.loads(row["attributes"])["suspect"])
            for row in records(normalized) if row["is_suspect"]]


def plain_board(*values: str, dataset: str = "Tiny Board", metric: str = "Accuracy", papers: bool = True) -> list[RawRow]:
    """One board of plain numbers (no unit declared or written), one model and paper per value."""
    return [RawRow(task="Image Classification", dataset=dataset, metric=metric, model=f"M{n}", value=value,
                   row_ref=f"row {n}", paper_title=f"Paper {n}" if papers else None)
            for n, value in enumerate(values)]


def test_old_results_on_the_real_imagenet_board_are_not_suspect(parsed):
    # the dump's ImageNet top-1 board: SIFT + FVs at 50.9 and SqueezeNet at 57.5 sit among records of 88.5
    normalized = normalize_rows(imagenet_top1(parsed(DUMP)))
    values = records(normalized, "model", "value", "is_suspect")
    assert len(values) == 196 and ("SIFT + FVs", 50.9, False) in values and ("FixEfficientNet-L2", 88.5, False) in values
    assert suspects(normalized) == []


def test_a_mis_scaled_value_among_percents_is_flagged_with_its_reason_and_kept(parsed):
    # FixEfficientNet-L2's 88.5% written as the fraction 0.885: on a board of percents, it reads 0.885 %
    rows = [dataclasses.replace(row, value="0.885") if row.row_ref == IMAGENET_TOP1 + "0" else row
            for row in imagenet_top1(parsed(DUMP))]
    normalized = normalize_rows(rows)
    assert normalized.rejects == []
    assert suspects(normalized) == [(
        "FixEfficientNet-L2", 0.885,
        ("far outside its board's spread: 0.885 is 89.4x off the median 79.14 of 196 values (robust z 70.6, in orders "
         "of magnitude), and no other paper's value is within 2x of it"),
    )]
    assert records(normalized, "unit")[0] == ("percent",)


def test_a_mistyped_value_on_a_board_without_a_unit_is_flagged():
    # 885 for 88.5: no unit declared nor written, so no range refuses it, and it would lead the board by far
    normalized = normalize_rows(plain_board("885", "86.1", "85.0", "84.3", "83.9", "82.0", "80.2", "79.9", "77.4", "75.0"))
    assert [(model, value) for model, value, _ in suspects(normalized)] == [("M0", 885.0)]
    assert "885 is 10.7x off the median 82.95 of 10 values (robust z 45.0" in suspects(normalized)[0][2]


def test_a_board_under_the_minimum_size_flags_nothing():
    assert suspects(normalize_rows(plain_board("885", "86.1", "85.0", "84.3", "83.9", "82.0", "80.2"))) == []


def test_a_board_whose_values_are_nearly_all_equal_judges_by_the_factor_alone():
    # most of the board at the ceiling: the median absolute deviation and the interquartile range are both nil
    board = plain_board(*["99.5"] * 9, "98.1", "0.995")
    assert [(model, value) for model, value, _ in suspects(normalize_rows(board))] == [("M10", 0.995)]
    assert "its board's values nearly all equal" in suspects(normalize_rows(board))[0][2]
    # half of it at the ceiling: the interquartile range stands in for the nil median absolute deviation
    board = plain_board("80", "80", "80", "80", "80", "70", "60", "50", "90", "8.0", "790")
    assert [(model, value) for model, value, _ in suspects(normalize_rows(board))] == [("M9", 8.0), ("M10", 790.0)]


def test_an_advance_another_paper_reaches_too_is_not_suspect():
    # a score board with no ceiling (Atari): two papers far beyond the rest agree with each other
    scores = ("7300", "7600", "7900", "8100", "8500", "8600", "8800", "9100", "9400", "10400", "269358", "218448")
    assert suspects(normalize_rows(plain_board(*scores, dataset="Atari 2600 Krull", metric="Score"))) == []
    # alone, the same value is far outside the board
    alone = plain_board(*scores[:-1], dataset="Atari 2600 Krull", metric="Score")
    assert [(model, value) for model, value, _ in suspects(normalize_rows(alone))] == [("M10", 269358.0)]
    # rows without papers are told apart by their models (timm's own evaluations)
    assert suspects(normalize_rows(plain_board(*scores, dataset="Atari 2600 Krull", metric="Score", papers=False))) == []


def test_descriptive_columns_and_boards_of_both_signs_are_not_judged():
    params = plain_board("5M", "6M", "7M", "8M", "9M", "10M", "11M", "12M", "480M", metric="Number of params")
    assert suspects(normalize_rows(params)) == []
    signed = plain_board("-21", "-20.7", "-3", "0", "5", "14.6", "18.9", "20", "21", "2100", dataset="Pong", metric="Score")
    assert suspects(normalize_rows(signed)) == []


def test_a_standard_error_is_kept_in_the_results_unit_and_a_bad_one_rejects_its_row():
    def row(value: str, stderr, metric: str = "Accuracy", ref: str = "r1") -> RawRow:
        return RawRow(task="Language Model Evaluation", dataset="GPQA diamond", metric=metric, model="m-" + ref,
                      value=value, row_ref=ref, attributes={} if stderr is None else {"stderr": stderr})

    normalized = normalize_rows([
        row("85%", 2.0, ref="a"), row("80%", None, ref="b"), row("70%", 0, ref="c"),
        row("60%", -1.0, ref="d"), row("50%", "2", ref="e"), row("40%", float("nan"), ref="f"),
    ])
    assert records(normalized, "model", "value", "stderr") == [
        ("m-a", 85.0, 2.0), ("m-b", 80.0, None), ("m-c", 70.0, 0.0),
    ]
    assert [(r.row_ref, r.reason) for r in normalized.rejects] == [
        ("d", "Accuracy: standard error -1.0 is not a number at least 0"),
        ("e", "Accuracy: standard error '2' is not a number at least 0"),
        ("f", "Accuracy: standard error nan is not a number at least 0"),
    ]


def test_a_standard_error_is_scaled_with_its_score():
    # sota-extractor writes the ILSVRC winners' error as fractions: the score and its error both become percent
    row = RawRow(task="Image Classification", dataset="Imagenet Image Recognition", metric="Error rate",
                 model="SENet", value="0.02251", row_ref="r", attributes={"stderr": 0.0012})
    assert records(normalize_rows([row]), "dataset", "metric", "value", "unit", "stderr") == [
        ("ILSVRC", "Top 5 Error", 2.251, "percent", 0.12),
    ]


def test_attributes_whose_keys_are_not_all_text_are_kept_as_json():
    # a model card's YAML key `on:` is the boolean True: keys of two types could not be sorted into JSON text
    row = RawRow(task="Image Classification", dataset="ImageNet", metric="Top 1 Accuracy", model="m", value="80%",
                 row_ref="r", attributes={"setting": "224", True: "ResNet", "nested": {1: "a", "b": [{2: "c"}]}})
    assert records(normalize_rows([row]), "attributes") == [
        ('{"True": "ResNet", "nested": {"1": "a", "b": [{"2": "c"}]}, "setting": "224"}',),
    ]
