"""timm-csv against timm's real results CSVs and their dated history, read in place from the shared data folder."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.registry import get_source
from pipelines.timm_csv import DEFAULT_URL, SOURCE, parse_timm_csv

IMAGENET = "Image Classification"


def parse_file(path: Path, **options: str) -> list[RawRow]:
    return parse_timm_csv(path.read_bytes(), str(path), **options)


@pytest.fixture(scope="module")
def timm(shared_data: Path) -> Path:
    return shared_data / "timm-results"


def test_source_is_registered_with_the_raw_csv_url():
    assert get_source("timm-csv") is SOURCE
    assert SOURCE.name == "timm-csv"
    assert SOURCE.parse is parse_timm_csv
    assert SOURCE.full_listing is True
    assert SOURCE.required_options == ()
    assert DEFAULT_URL == SOURCE.default_url == (
        "https://raw.githubusercontent.com/huggingface/pytorch-image-models/main/results/results-imagenet.csv")


def test_first_and_last_rows_of_results_imagenet(timm: Path):
    rows = parse_file(timm / "results-imagenet.csv")
    first_attributes = {"img_size": "448", "param_count": "305.08", "crop_pct": "1.000", "interpolation": "bicubic",
                        "setting": "img_size=448", "extra_data_hint": ["m38m", "in22k"]}
    assert rows[:2] == [
        RawRow(task=IMAGENET, dataset="ImageNet", metric="Top 1 Accuracy",
               model="eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", value="90.056", row_ref="line 2",
               has_code=True, attributes=first_attributes),
        RawRow(task=IMAGENET, dataset="ImageNet", metric="Top 5 Accuracy",
               model="eva02_large_patch14_448.mim_m38m_ft_in22k_in1k", value="99.054", row_ref="line 2",
               has_code=True, attributes=first_attributes),
    ]
    last_attributes = {"img_size": "160", "param_count": "0.37", "crop_pct": "0.950", "interpolation": "bicubic",
                       "setting": "img_size=160"}
    assert rows[-2:] == [
        RawRow(task=IMAGENET, dataset="ImageNet", metric="Top 1 Accuracy", model="test_vit.r160_in1k",
               value="40.982", row_ref="line 1557", has_code=True, attributes=last_attributes),
        RawRow(task=IMAGENET, dataset="ImageNet", metric="Top 5 Accuracy", model="test_vit.r160_in1k",
               value="67.382", row_ref="line 1557", has_code=True, attributes=last_attributes),
    ]
    assert {r.has_code for r in rows} == {True}  # every checkpoint is timm's own code
    # No paper, no date, no statement about extra data: the source does not say.
    assert {(r.paper_title, r.paper_url, r.arxiv_id, r.published, r.uses_additional_data) for r in rows} == {
        (None, None, None, None, None)}


# file -> (dataset, rows): two rows (top-1, top-5) per checkpoint line.
CURRENT_FILES = {
    "results-imagenet.csv": ("ImageNet", 3112),
    "results-imagenet-real.csv": ("ImageNet ReaL", 3112),
    "results-imagenetv2-matched-frequency.csv": ("ImageNet V2", 3112),
    "results-imagenet-a.csv": ("ImageNet-A", 3112),
    "results-imagenet-a-clean.csv": ("ImageNet (ImageNet-A classes)", 3112),
    "results-imagenet-r.csv": ("ImageNet-R", 3112),
    "results-imagenet-r-clean.csv": ("ImageNet (ImageNet-R classes)", 3112),
    "results-sketch.csv": ("ImageNet-Sketch", 3112),
}
HISTORY_FILES = {
    "results-imagenet@2019-07-25.csv": 172,
    "results-imagenet@2020-02-01.csv": 328,
    "results-imagenet@2021-05-11.csv": 726,
    "results-imagenet@2022-03-29.csv": 1180,
    "results-imagenet@2023-05-24.csv": 2004,
    "results-imagenet@2024-08-22.csv": 2890,
}


@pytest.mark.parametrize("name", sorted(CURRENT_FILES))
def test_counts_and_dataset_per_current_file(timm: Path, name: str):
    dataset, count = CURRENT_FILES[name]
    rows = parse_file(timm / name)
    assert len(rows) == count
    assert {r.dataset for r in rows} == {dataset}
    assert {r.task for r in rows} == {IMAGENET}
    assert [r.metric for r in rows[:4]] == ["Top 1 Accuracy", "Top 5 Accuracy"] * 2


def test_every_history_file_parses(timm: Path):
    on_disk = sorted(p.name for p in (timm / "history").glob("*.csv"))
    assert on_disk == sorted(HISTORY_FILES), "a history file was added or removed: list it here"
    for name, count in HISTORY_FILES.items():
        rows = parse_file(timm / "history" / name)
        assert len(rows) == count, name
        assert {r.dataset for r in rows} == {"ImageNet"}, name
        # Whatever the header said (cropt_pct until 2023, img_size moved in 2024), every row has the same keys.
        assert {frozenset(r.attributes) - {"extra_data_hint"} for r in rows} == {
            frozenset({"img_size", "param_count", "crop_pct", "interpolation", "setting"})}, name


def test_best_top1_on_the_2021_05_11_history_file_is_tf_efficientnet_l2_ns(timm: Path):
    rows = parse_file(timm / "history" / "results-imagenet@2021-05-11.csv")
    top1 = [r for r in rows if r.metric == "Top 1 Accuracy"]
    best = max(top1, key=lambda r: Decimal(r.value))
    assert (best.model, best.value) == ("tf_efficientnet_l2_ns", "88.352")
    assert best == RawRow(
        task=IMAGENET, dataset="ImageNet", metric="Top 1 Accuracy", model="tf_efficientnet_l2_ns", value="88.352",
        row_ref="line 2", has_code=True,
        attributes={"param_count": "480.31", "img_size": "800", "crop_pct": "0.960", "interpolation": "bicubic",
                    "setting": "img_size=800", "extra_data_hint": ["ns"]})
    # The name hints at JFT-300M (noisy student), but that is a hint only: the flag stays unknown.
    assert best.uses_additional_data is None


def test_header_drift_is_read_by_name_not_position(timm: Path):
    """2023-05 (cropt_pct fixed, img_size 7th) and 2024-08 (img_size 2nd) read the same checkpoint alike."""
    def row(name: str, model: str) -> RawRow:
        rows = parse_file(timm / "history" / name)
        return next(r for r in rows if r.model == model and r.metric == "Top 1 Accuracy")

    model = "eva_giant_patch14_560.m30m_ft_in22k_in1k"
    in_2023, in_2024 = row("results-imagenet@2023-05-24.csv", model), row("results-imagenet@2024-08-22.csv", model)
    expected = {"img_size": "560", "param_count": "1,014.45", "crop_pct": "1.000", "interpolation": "bicubic",
                "setting": "img_size=560", "extra_data_hint": ["m30m", "in22k"]}
    assert (in_2023.value, in_2023.row_ref, in_2023.attributes) == ("89.786", "line 4", expected)
    assert (in_2024.value, in_2024.row_ref, in_2024.attributes) == ("89.796", "line 4", expected)
    # 2019's header had the typo and the file was results-all.csv then.
    old = parse_file(timm / "history" / "results-imagenet@2019-07-25.csv")[0]
    assert old == RawRow(task=IMAGENET, dataset="ImageNet", metric="Top 1 Accuracy", model="resnet18",
                         value="69.758", row_ref="line 2", has_code=True,
                         attributes={"param_count": "11.69", "img_size": "224", "crop_pct": "0.875",
                                     "interpolation": "bilinear", "setting": "img_size=224"})


def test_a_checkpoint_evaluated_at_two_resolutions_gives_two_settings(timm: Path):
    rows = [r for r in parse_file(timm / "results-imagenet.csv")
            if r.model == "convnext_large.fb_in22k_ft_in1k" and r.metric == "Top 1 Accuracy"]
    assert [(r.value, r.row_ref, r.attributes["setting"], r.attributes["crop_pct"]) for r in rows] == [
        ("87.012", "line 82", "img_size=288", "1.000"), ("86.612", "line 110", "img_size=224", "0.875")]


@pytest.mark.parametrize("name", sorted(CURRENT_FILES))
def test_claim_keys_are_unique_within_a_file(timm: Path, name: str):
    rows = parse_file(timm / name)
    keys = [(r.dataset, r.metric, r.model, r.attributes.get("setting")) for r in rows]
    assert len(keys) == len(set(keys))


def test_variant_files_keep_the_differences_and_drop_empty_cells(timm: Path):
    rows = parse_file(timm / "results-imagenet-a.csv")
    assert rows[0].attributes == {
        "img_size": "448", "param_count": "305.08", "crop_pct": "1.000", "interpolation": "bicubic",
        "top1_diff": "-10.203", "top5_diff": "-2.510", "rank_diff": "+2", "setting": "img_size=448",
        "extra_data_hint": ["m38m", "in22k"]}
    # The last line has empty top1_diff/top5_diff/rank_diff: nothing to keep, and no *_err anywhere.
    assert rows[-1] == RawRow(
        task=IMAGENET, dataset="ImageNet-A", metric="Top 5 Accuracy", model="resmlp_24_224.fb_dino", value="2.320",
        row_ref="line 1557", has_code=True,
        attributes={"img_size": "224", "param_count": "30.02", "crop_pct": "0.875", "interpolation": "bicubic",
                    "setting": "img_size=224"})


def test_quoted_thousands_comma_is_kept_as_written(timm: Path):
    rows = parse_file(timm / "results-imagenet.csv")
    seer = [r for r in rows if r.model == "regnety_2560.seer_ft_in1k"]
    assert [(r.metric, r.value, r.attributes["param_count"]) for r in seer] == [
        ("Top 1 Accuracy", "85.144", "1,282.60"), ("Top 5 Accuracy", "97.444", "1,282.60")]


def test_dataset_comes_from_the_file_name_in_a_url_or_the_option(timm: Path):
    payload = (timm / "history" / "results-imagenet@2019-07-25.csv").read_bytes()
    url = "https://raw.githubusercontent.com/huggingface/pytorch-image-models/d4debe6/results/results-all.csv"
    assert {r.dataset for r in parse_timm_csv(payload, url)} == {"ImageNet"}
    assert {r.dataset for r in parse_timm_csv(payload, "file:///x/results-imagenet-real.csv?raw=1")} == {
        "ImageNet ReaL"}
    assert {r.dataset for r in parse_timm_csv(payload, url, dataset="ImageNet (2019 eval)")} == {
        "ImageNet (2019 eval)"}


def test_parsing_twice_gives_the_same_rows(timm: Path):
    path = timm / "history" / "results-imagenet@2022-03-29.csv"
    assert parse_file(path) == parse_file(path)


# --- broken payloads -------------------------------------------------------------------------------------------


def test_a_csv_without_top1_is_a_parse_error_naming_source_location_and_column(timm: Path):
    # timm's own model_metadata-in1k.csv (model,pretrain) is a real CSV from the same folder that is not a board.
    path = timm / "model_metadata-in1k.csv"
    with pytest.raises(ParseError) as caught:
        parse_file(path, dataset="ImageNet")
    error = caught.value
    assert (error.source, error.location) == ("timm-csv", str(path))
    assert "'top1'" in error.problem
    assert str(error).startswith(f"timm-csv: cannot parse {path}: ")


def test_a_renamed_model_column_is_a_parse_error(timm: Path):
    payload = (timm / "results-imagenet.csv").read_bytes().replace(b"model,", b"name,", 1)
    with pytest.raises(ParseError, match="'model'"):
        parse_timm_csv(payload, "results-imagenet.csv")


def test_a_header_without_rows_is_a_parse_error_not_an_empty_list(timm: Path):
    header = (timm / "results-imagenet.csv").read_bytes().split(b"\n", 1)[0] + b"\n"
    with pytest.raises(ParseError, match="no data rows"):
        parse_timm_csv(header, "results-imagenet.csv")
    with pytest.raises(ParseError, match="no header"):
        parse_timm_csv(b"", "results-imagenet.csv")


def test_a_truncated_line_is_a_parse_error_naming_the_line(timm: Path):
    lines = (timm / "results-imagenet.csv").read_bytes().split(b"\n")
    lines[3] = lines[3].rsplit(b",", 2)[0]  # a line cut short, as by a broken download
    with pytest.raises(ParseError, match="line 4 has 7 fields, the header has 9"):
        parse_timm_csv(b"\n".join(lines), "results-imagenet.csv")


def test_an_unknown_file_name_needs_the_dataset_option(timm: Path):
    payload = (timm / "results-imagenet.csv").read_bytes()
    with pytest.raises(ParseError, match="pass the dataset option"):
        parse_timm_csv(payload, "https://example.org/results-imagenet-c.csv")


def test_a_byte_order_mark_does_not_hide_the_model_column(timm: Path):
    payload = b"\xef\xbb\xbf" + (timm / "results-imagenet.csv").read_bytes()
    assert parse_timm_csv(payload, "results-imagenet.csv")[0].model == "eva02_large_patch14_448.mim_m38m_ft_in22k_in1k"
