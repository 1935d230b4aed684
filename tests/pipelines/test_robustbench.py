"""robustbench-html against RobustBench's real leaderboard fragments and their dated history, read in place."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipelines.source import ParseError, RawRow
from pipelines.registry import get_source
from pipelines.robustbench import DEFAULT_URL, SOURCE, arxiv_id_from_url, parse_robustbench

ADV = "Adversarial Defense"
CORRUPTIONS = "Domain Generalization"


def parse_file(path: Path) -> list[RawRow]:
    return parse_robustbench(path.read_bytes(), str(path))


@pytest.fixture(scope="module")
def robustbench(shared_data: Path) -> Path:
    return shared_data / "robustbench"


def test_source_is_registered():
    assert get_source("robustbench-html") is SOURCE
    assert SOURCE.name == "robustbench-html"
    assert SOURCE.parse is parse_robustbench
    assert SOURCE.full_listing is True
    assert DEFAULT_URL == SOURCE.default_url == "https://robustbench.github.io/imagenet/Linf.html"


def test_first_and_last_rows_of_the_imagenet_linf_board(robustbench: Path):
    rows = parse_file(robustbench / "html-head" / "imagenet_Linf.html")
    title = "MIMIR: Masked Image Modeling for Mutual Information-based Adversarial Robustness"
    first = {
        "task": ADV, "dataset": "ImageNet (Linf)", "model": title, "row_ref": "imagenet_leaderboard_Linf row 1 (rank 1)",
        "paper_title": title, "paper_url": "https://arxiv.org/abs/2312.04960", "arxiv_id": "2312.04960",
        "published": "arXiv, Dec 2023", "uses_additional_data": False,
        "attributes": {"rank": "1", "threat_model": "Linf", "eps": "4/255", "architecture": "Swin-L",
                       "venue": "arXiv, Dec 2023", "best_known_robust_accuracy": "59.68%",
                       "aa_eval_potentially_unreliable": False, "setting": "Swin-L"},
    }
    assert rows[:2] == [RawRow(metric="Clean Accuracy", value="78.62%", **first),
                        RawRow(metric="AutoAttack Robust Accuracy", value="59.68%", **first)]
    # RobustBench's own baseline: a GitHub link (no arXiv id) and venue "N/A" (no date).
    last = {
        "task": ADV, "dataset": "ImageNet (Linf)", "model": "Standardly trained model",
        "row_ref": "imagenet_leaderboard_Linf row 30 (rank 30)", "paper_title": "Standardly trained model",
        "paper_url": "https://github.com/RobustBench/robustbench/", "arxiv_id": None, "published": None,
        "uses_additional_data": False,
        "attributes": {"rank": "30", "threat_model": "Linf", "eps": "4/255", "architecture": "ResNet-50",
                       "venue": "N/A", "best_known_robust_accuracy": "0.0%",
                       "aa_eval_potentially_unreliable": False, "setting": "ResNet-50"},
    }
    assert rows[-2:] == [RawRow(metric="Clean Accuracy", value="76.52%", **last),
                         RawRow(metric="AutoAttack Robust Accuracy", value="0.0%", **last)]


def test_extra_data_mark_footer_note_and_exact_numbers(robustbench: Path):
    rows = parse_file(robustbench / "html-head" / "imagenet_Linf.html")
    mixednuts = [r for r in rows if r.row_ref == "imagenet_leaderboard_Linf row 4 (rank 4)"]
    assert [(r.metric, r.value) for r in mixednuts] == [("Clean Accuracy", "81.48%"),
                                                        ("AutoAttack Robust Accuracy", "58.62%")]
    row = mixednuts[0]
    assert row.uses_additional_data is True  # the &#9745; mark
    assert (row.arxiv_id, row.published) == ("2402.02263", "TMLR, Aug 2024")
    assert row.attributes == {
        "rank": "4", "threat_model": "Linf", "eps": "4/255", "architecture": "ConvNeXtV2-L + Swin-L",
        "venue": "TMLR, Aug 2024",
        "note": "It uses an ensemble of networks. The accurate base classifier was pre-trained on ImageNet-21k. "
                "58.50% robust accuracy is due to the original evaluation (Adaptive AutoAttack)",
        "best_known_robust_accuracy": "58.50%", "aa_eval_potentially_unreliable": False,
        "setting": "ConvNeXtV2-L + Swin-L, extra data"}


def test_a_venue_split_by_a_line_break_reads_as_one_text(robustbench: Path):
    rows = parse_file(robustbench / "html-head" / "imagenet_Linf.html")
    row = next(r for r in rows if r.model == "Robustness library")
    assert (row.published, row.attributes["venue"], row.paper_url, row.arxiv_id) == (
        "GitHub, Oct 2019", "GitHub, Oct 2019", "https://github.com/MadryLab/robustness", None)
    assert [(r.metric, r.value) for r in rows if r.model == "Robustness library"] == [
        ("Clean Accuracy", "62.56%"), ("AutoAttack Robust Accuracy", "29.22%")]


def test_cifar10_linf_head_first_row_and_versioned_arxiv_link(robustbench: Path):
    rows = parse_file(robustbench / "html-head" / "cifar10_Linf.html")
    title = "Adversarial Robustness Limits via Scaling-Law and Human-Alignment Studies"
    common = {
        "task": ADV, "dataset": "CIFAR-10 (Linf)", "model": title, "row_ref": "cifar10_leaderboard_Linf row 1 (rank 1)",
        "paper_title": title, "paper_url": "https://arxiv.org/abs/2404.09349", "arxiv_id": "2404.09349",
        "published": "ICML 2024", "uses_additional_data": False,
        "attributes": {"rank": "1", "threat_model": "Linf", "eps": "8/255", "architecture": "WideResNet-94-16",
                       "venue": "ICML 2024", "note": "It uses additional 300M synthetic images in training.",
                       "best_known_robust_accuracy": "73.71%", "aa_eval_potentially_unreliable": False,
                       "setting": "WideResNet-94-16"},
    }
    assert rows[:2] == [RawRow(metric="Clean Accuracy", value="93.68%", **common),
                        RawRow(metric="AutoAttack Robust Accuracy", value="73.71%", **common)]
    linearization = [r for r in rows if r.model == "Adversarial Robustness through Local Linearization"]
    assert [(r.value, r.paper_url, r.arxiv_id, r.attributes["aa_eval_potentially_unreliable"])
            for r in linearization] == [
        ("86.28%", "https://arxiv.org/abs/1907.02610v2", "1907.02610", None),  # flag cell says "Unknown"
        ("52.84%", "https://arxiv.org/abs/1907.02610v2", "1907.02610", None)]


def test_corruptions_boards_have_their_own_metrics(robustbench: Path):
    rows = parse_file(robustbench / "html-head" / "imagenet_corruptions.html")
    title = "Deeper Insights into the Robustness of ViTs towards Common Corruptions"
    first = {
        "task": CORRUPTIONS, "dataset": "ImageNet (Corruptions)", "model": title,
        "row_ref": "imagenet_leaderboard_corruptions row 1 (rank 1)", "paper_title": title,
        "paper_url": "https://arxiv.org/abs/2204.12143", "arxiv_id": "2204.12143", "published": "arXiv, Apr 2022",
        "uses_additional_data": False,
        "attributes": {"rank": "1", "threat_model": "corruptions", "architecture": "DeiT Base",
                       "venue": "arXiv, Apr 2022", "setting": "DeiT Base"},
    }
    assert rows[:3] == [RawRow(metric="Clean Accuracy", value="81.38%", **first),
                        RawRow(metric="Robust Accuracy (ImageNet-C)", value="67.55%", **first),
                        RawRow(metric="Robust Accuracy (ImageNet-3DCC)", value="65.9%", **first)]
    assert [(r.metric, r.value, r.model, r.published) for r in rows[-3:]] == [
        ("Clean Accuracy", "56.24%", "ImageNet Classification with Deep Convolutional Neural Networks", "NeurIPS 2012"),
        ("Robust Accuracy (ImageNet-C)", "21.12%", "ImageNet Classification with Deep Convolutional Neural Networks",
         "NeurIPS 2012"),
        ("Robust Accuracy (ImageNet-3DCC)", "28.47%",
         "ImageNet Classification with Deep Convolutional Neural Networks", "NeurIPS 2012")]

    cifar = parse_file(robustbench / "html-head" / "cifar100_corruptions.html")
    assert [(r.task, r.dataset, r.metric, r.value, r.paper_url, r.arxiv_id) for r in cifar[:2]] == [
        (CORRUPTIONS, "CIFAR-100 (Corruptions)", "Clean Accuracy", "81.16%", "https://arxiv.org/pdf/2202.01263.pdf",
         "2202.01263"),
        (CORRUPTIONS, "CIFAR-100 (Corruptions)", "Robust Accuracy (CIFAR-100-C)", "72.06%",
         "https://arxiv.org/pdf/2202.01263.pdf", "2202.01263")]


# file -> (task, dataset, entries, metrics per entry)
HEAD_FILES = {
    "cifar10_Linf.html": (ADV, "CIFAR-10 (Linf)", 99, 2),
    "cifar10_L2.html": (ADV, "CIFAR-10 (L2)", 21, 2),
    "cifar10_corruptions.html": (CORRUPTIONS, "CIFAR-10 (Corruptions)", 23, 2),
    "cifar100_Linf.html": (ADV, "CIFAR-100 (Linf)", 38, 2),
    "cifar100_corruptions.html": (CORRUPTIONS, "CIFAR-100 (Corruptions)", 13, 2),
    "imagenet_Linf.html": (ADV, "ImageNet (Linf)", 30, 2),
    "imagenet_corruptions.html": (CORRUPTIONS, "ImageNet (Corruptions)", 12, 3),
}
HISTORY_FILES = {
    "cifar10_Linf@2021-04-08.html": 47,
    "cifar10_Linf@2022-02-17.html": 74,
    "cifar10_Linf@2023-02-13.html": 85,
    "cifar10_Linf@2024-03-20.html": 95,
    "cifar10_Linf@2025-02-05.html": 99,
    "imagenet_Linf@2021-08-28.html": 6,
    "imagenet_Linf@2021-10-27.html": 6,
    "imagenet_Linf@2022-09-28.html": 9,
    "imagenet_Linf@2023-04-11.html": 19,
    "imagenet_Linf@2024-03-20.html": 22,
    "imagenet_Linf@2024-06-26.html": 25,
}


@pytest.mark.parametrize("name", sorted(HEAD_FILES))
def test_counts_and_board_per_head_file(robustbench: Path, name: str):
    task, dataset, entries, per_entry = HEAD_FILES[name]
    rows = parse_file(robustbench / "html-head" / name)
    assert len(rows) == entries * per_entry
    assert {(r.task, r.dataset) for r in rows} == {(task, dataset)}
    assert [r.attributes["rank"] for r in rows[::per_entry]] == [str(n) for n in range(1, entries + 1)]
    assert {r.uses_additional_data for r in rows} <= {True, False}
    # claim keys are unique within a board, thanks to the setting
    keys = [(r.dataset, r.metric, r.model, r.attributes["setting"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_every_history_file_parses(robustbench: Path):
    on_disk = sorted(p.name for p in (robustbench / "history").glob("*.html"))
    assert on_disk == sorted(HISTORY_FILES), "a history file was added or removed: list it here"
    for name, entries in HISTORY_FILES.items():
        rows = parse_file(robustbench / "history" / name)
        assert len(rows) == 2 * entries, name
        dataset = "CIFAR-10 (Linf)" if name.startswith("cifar10") else "ImageNet (Linf)"
        assert {(r.task, r.dataset) for r in rows} == {(ADV, dataset)}, name
        assert Counter(r.metric for r in rows) == {"Clean Accuracy": entries, "AutoAttack Robust Accuracy": entries}
        keys = [(r.metric, r.model, r.attributes["setting"]) for r in rows]
        assert len(keys) == len(set(keys)), name


def test_the_2021_layout_without_best_known_columns(robustbench: Path):
    """Before late 2021 there were no aa-extd / flagsd cells and the header said just "Robust accuracy"."""
    rows = parse_file(robustbench / "history" / "cifar10_Linf@2021-04-08.html")
    title = "Uncovering the Limits of Adversarial Training against Norm-Bounded Adversarial Examples"
    common = {
        "task": ADV, "dataset": "CIFAR-10 (Linf)", "model": title, "row_ref": "cifar10_leaderboard_Linf row 1 (rank 1)",
        "paper_title": title, "paper_url": "https://arxiv.org/abs/2010.03593", "arxiv_id": "2010.03593",
        "published": "arXiv, Oct 2020", "uses_additional_data": True,
        "attributes": {"rank": "1", "threat_model": "Linf", "eps": "8/255", "architecture": "WideResNet-70-16",
                       "venue": "arXiv, Oct 2020",
                       "note": "We show the robust accuracy reported in the paper since AutoAttack performs "
                               "slightly worse (65.88%).",
                       "setting": "WideResNet-70-16, extra data"},
    }
    assert rows[:2] == [RawRow(metric="Clean Accuracy", value="91.10%", **common),
                        RawRow(metric="AutoAttack Robust Accuracy", value="65.87%", **common)]
    assert [(r.metric, r.value, r.model, r.published, r.uses_additional_data) for r in rows[-2:]] == [
        ("Clean Accuracy", "94.78%", "Standardly trained model", None, False),
        ("AutoAttack Robust Accuracy", "0.0%", "Standardly trained model", None, False)]


def test_one_paper_with_several_entries_gets_distinct_settings(robustbench: Path):
    rows = parse_file(robustbench / "html-head" / "cifar10_corruptions.html")
    winning_hand = [(r.attributes["rank"], r.attributes["setting"], r.value) for r in rows
                    if r.model.startswith("A Winning Hand") and r.metric == "Clean Accuracy"]
    assert winning_hand == [("1", "WideResNet-18-2", "96.56%"), ("4", "WideResNet-18-2 #2", "96.66%"),
                            ("5", "WideResNet-18-2 #3", "95.09%"), ("11", "WideResNet-18-2 #4", "94.87%")]


@pytest.mark.parametrize("board", ["cifar10/Linf", "cifar10/L2", "cifar100/Linf", "imagenet/Linf",
                                   "cifar10/corruptions", "cifar100/corruptions"])
def test_numbers_agree_with_robustbench_model_info(robustbench: Path, board: str):
    """A second witness: RobustBench's per-model JSON (another repository) has the same numbers and flags."""
    dataset, threat = board.split("/")
    rows = parse_file(robustbench / "html-head" / f"{dataset}_{threat}.html")
    entries: dict[str, dict[str, RawRow]] = {}
    for row in rows:
        entries.setdefault(row.row_ref, {})[row.metric] = row
    from_html = Counter(
        (clean.value.rstrip("%"), robust.value.rstrip("%"), clean.uses_additional_data)
        for clean, robust in (list(e.values()) for e in entries.values()))
    robust_key = "corruptions_acc" if threat == "corruptions" else "autoattack_acc"
    from_json = Counter()
    for path in (robustbench / "model_info" / dataset / threat).glob("*.json"):
        info = json.loads(path.read_text())
        from_json[(info["clean_acc"], info[robust_key], info["additional_data"])] += 1
    assert from_html == from_json


@pytest.mark.parametrize("url, expected", [
    ("https://arxiv.org/abs/2312.04960", "2312.04960"),
    ("https://arxiv.org/abs/1907.02610v2", "1907.02610"),
    ("https://arxiv.org/pdf/2202.01263.pdf", "2202.01263"),
    ("http://arxiv.org/abs/cs/0501001v3", "cs/0501001"),
    ("https://openreview.net/forum?id=abc", None),
    (None, None),
])
def test_arxiv_id_from_url(url, expected):
    assert arxiv_id_from_url(url) == expected


def test_parsing_twice_gives_the_same_rows(robustbench: Path):
    path = robustbench / "html-head" / "cifar10_Linf.html"
    assert parse_file(path) == parse_file(path)


# --- pages without the board ---------------------------------------------------------------------------------


def test_the_site_index_is_a_parse_error_pointing_at_the_fragments(robustbench: Path):
    path = robustbench / "html-head" / "index.html"
    with pytest.raises(ParseError) as caught:
        parse_file(path)
    error = caught.value
    assert (error.source, error.location) == ("robustbench-html", str(path))
    assert "no leaderboard table" in error.problem and "<dataset>/<threat>.html" in error.problem


def test_a_renamed_table_is_a_parse_error(robustbench: Path):
    payload = (robustbench / "html-head" / "imagenet_Linf.html").read_bytes().replace(
        b'id="imagenet_leaderboard_Linf"', b'id="imagenet_board"')
    with pytest.raises(ParseError, match="no leaderboard table"):
        parse_robustbench(payload, "https://robustbench.github.io/imagenet/Linf.html")


def test_a_missing_value_cell_is_a_parse_error_naming_the_cell(robustbench: Path):
    payload = (robustbench / "html-head" / "imagenet_Linf.html").read_bytes().replace(b'class="catd"', b'class="x"')
    with pytest.raises(ParseError, match='row 1 has no <td class="catd">'):
        parse_robustbench(payload, "https://robustbench.github.io/imagenet/Linf.html")


def test_an_empty_board_is_a_parse_error_not_an_empty_list(robustbench: Path):
    page = (robustbench / "html-head" / "imagenet_Linf.html").read_text()
    head, rest = page.split("<tbody>", 1)
    empty = head + "<tbody>" + rest[rest.index("</tbody>"):]
    with pytest.raises(ParseError, match="has no rows"):
        parse_robustbench(empty.encode(), "imagenet_Linf.html")


def test_an_unknown_board_is_a_parse_error(robustbench: Path):
    payload = (robustbench / "html-head" / "imagenet_Linf.html").read_bytes().replace(
        b"imagenet_leaderboard_Linf", b"imagenet_leaderboard_patches")
    with pytest.raises(ParseError, match="unknown threat model 'patches'"):
        parse_robustbench(payload, "imagenet_patches.html")
