"""The Papers with Code dump parser, against the real 2020 dump and the sota-extractor task files."""
import gzip
from collections import Counter

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.pwc_dump import parse_pwc_dump


def read(path):
    return path.read_bytes(), str(path)


@pytest.fixture(scope="module")
def dump_rows(shared_data):
    return parse_pwc_dump(*read(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"))


def test_whole_dump_yields_every_metric_value(dump_rows):
    # 28,183 result rows carrying 43,960 metric values (the data README's figures).
    assert len(dump_rows) == 43960
    imagenet = [r for r in dump_rows if r.task == "Image Classification" and r.dataset == "ImageNet"]
    # 199 ImageNet rows; not every row reports every metric.
    assert len({r.row_ref for r in imagenet}) == 199
    assert Counter(r.metric for r in imagenet) == {"Top 1 Accuracy": 196, "Top 5 Accuracy": 152, "Number of params": 110}


def test_first_imagenet_row_is_read_whole(dump_rows):
    first = next(r for r in dump_rows if r.task == "Image Classification" and r.dataset == "ImageNet")
    assert first == RawRow(
        task="Image Classification",
        dataset="ImageNet",
        metric="Number of params",
        model="FixEfficientNet-L2",
        value="480M",
        row_ref="Image Classification / ImageNet / row 0",
        paper_title="Fixing the train-test resolution discrepancy: FixEfficientNet",
        paper_url="https://arxiv.org/abs/2003.08237v4",
        published="2020-03-18",
        uses_additional_data=None,
        has_code=True,  # its code_links name facebookresearch/FixRes
    )


def test_plain_and_gzip_payloads_parse_the_same(shared_data, tmp_path):
    payload, location = read(shared_data / "pwc-sota-extractor/squad.json")
    assert parse_pwc_dump(gzip.compress(payload), location + ".gz") == parse_pwc_dump(payload, location)


def test_old_sota_rows_key_and_additional_data(shared_data):
    old = parse_pwc_dump(*read(shared_data / "pwc-sota-extractor/history/squad@2019-01-03.json"))
    assert len(old) == 416
    assert old[0] == RawRow(
        task="Question answering",
        dataset="SQuAD2.0",
        metric="EM",
        model="Human Performance",
        value="86.831",
        row_ref="Question answering / SQuAD2.0 / row 0",
        paper_title="(Rajpurkar & Jia et al. '18)",
        paper_url="http://arxiv.org/abs/1606.05250",
    )
    assert {r.uses_additional_data for r in old} == {None}
    chexpert = parse_pwc_dump(*read(shared_data / "pwc-sota-extractor/chexpert.json"))
    assert {r.uses_additional_data for r in chexpert} == {False}
    # these files scraped other leaderboards and link no code anywhere: their empty code_links say nothing
    assert {r.has_code for r in old} == {r.has_code for r in chexpert} == {None}


def test_code_links_say_whether_a_paper_has_code(dump_rows):
    # the dump lists every repository Papers with Code knew of: a row with none had no code on the site
    imagenet_top1 = [r for r in dump_rows
                     if (r.task, r.dataset, r.metric) == ("Image Classification", "ImageNet", "Top 1 Accuracy")]
    assert Counter(r.has_code for r in imagenet_top1) == {True: 189, False: 7}
    assert Counter(r.has_code for r in dump_rows) == {True: 31834, False: 12126}


def test_json_numbers_and_null_dates(shared_data):
    rows = parse_pwc_dump(*read(shared_data / "pwc-sota-extractor/eff.json"))
    music = next(r for r in rows if r.task == "Music Autotagging")
    assert (music.model, music.value, music.published) == ("Ghosal et al.", "17.3", None)


@pytest.mark.parametrize(
    "payload, problem",
    [
        (b"", "invalid JSON at line 1 column 1"),
        (b'{"not": "a task"}', "top level: an entry without a 'task' name"),
        (b"[]", "no leaderboard rows found"),
        (b"\x1f\x8b\x08\x00broken", "corrupt gzip"),
        (b'[{"task": "T", "datasets": [{"dataset": "D", "sota": {"rows": [{"metrics": [1]}]}}]}]', "'metrics' is not an object"),
    ],
)
def test_broken_payloads_name_source_location_and_problem(payload, problem):
    with pytest.raises(ParseError) as error:
        parse_pwc_dump(payload, "http://example.test/x.json")
    assert str(error.value).startswith("pwc-dump: cannot parse http://example.test/x.json: ")
    assert problem in str(error.value)


def test_upstream_invalid_example_file(shared_data):
    with pytest.raises(ParseError, match=r"invalid JSON at line \d+ column \d+"):
        parse_pwc_dump(*read(shared_data / "pwc-sota-extractor/examples/example_json_format.json"))


def test_nameless_subdatasets_are_numbered_boards(shared_data):
    rows = parse_pwc_dump(*read(shared_data / "pwc-sota-extractor/nlp-progress.json"))
    hypernyms = [r for r in rows if r.task == "Hypernym Discovery"]
    assert {r.dataset for r in hypernyms} >= {"SemEval 2018 (part 1)"}
    first = next(r for r in hypernyms if r.dataset == "SemEval 2018 (part 1)")
    assert (first.metric, first.model, first.value) == ("MAP", "CRIM (2018)", "19.78")
