"""The generic CSV leaderboard, against the 2019 hand copy of the PwC ImageNet board (a messy spreadsheet export)."""
from collections import Counter

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.csv_table import parse_csv_table

OPTIONS = {"task": "Image Classification", "dataset": "ImageNet"}


@pytest.fixture(scope="module")
def handcopy(shared_data):
    path = shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv"
    return parse_csv_table(path.read_bytes(), str(path), **OPTIONS)


def test_columns_found_by_name_and_debris_ignored(handcopy):
    # 115 models; blank cells make no claim, so Top 5 and params have fewer rows.
    assert Counter(r.metric for r in handcopy) == {"Top 1 Accuracy": 115, "Top 5 Accuracy": 98, "Number of params": 61}
    assert handcopy[0] == RawRow(
        task="Image Classification",
        dataset="ImageNet",
        metric="Top 1 Accuracy",
        model="Noisy Student \n(EfficientNet-L2)",
        value="87.4%",
        row_ref="data row 1",
        published="2019-11-11",
        uses_additional_data=True,
        attributes={"rank": "1"},
    )
    assert handcopy[-1] == RawRow(
        task="Image Classification",
        dataset="ImageNet",
        metric="Number of params",
        model="AlexNet - 7CNNs",
        value="60M",
        row_ref="data row 115",
        published="2012-12-01",
        uses_additional_data=False,
        attributes={"rank": "115"},
    )


def test_extra_data_marks(handcopy):
    flags = Counter(r.uses_additional_data for r in handcopy if r.metric == "Top 1 Accuracy")
    assert flags == {False: 104, True: 11}


def test_repeated_header_rows_bom_and_explicit_columns():
    payload = "\ufeffModel,Score,When,Notes\nA,90.1%,2020-01-02,x\nModel,Score,When,Notes\nB,91%,2021-03-04,\n".encode()
    rows = parse_csv_table(payload, "t.csv", task="T", dataset="D", date_column="When")
    assert [(r.model, r.value, r.published, r.attributes) for r in rows] == [
        ("A", "90.1%", "2020-01-02", {"Notes": "x"}),
        ("B", "91%", "2021-03-04", {}),
    ]


@pytest.mark.parametrize(
    "payload, options, problem",
    [
        (b"a,b\n1,2\n", {}, "needs --task and --dataset"),
        (b"", OPTIONS, "empty file"),
        (b"Score,Other\n1,2\n", OPTIONS, "no model column"),
        (b"Model,Notes\nA,good\n", OPTIONS, "no metric columns"),
        (b"Model,Score\n", OPTIONS, "no metric columns"),
    ],
)
def test_layouts_it_cannot_read(payload, options, problem):
    with pytest.raises(ParseError, match=problem) as error:
        parse_csv_table(payload, "board.csv", **options)
    assert str(error.value).startswith("csv: cannot parse board.csv: ")
