"""Every leaderboard source through `sota load` with its real history, then `sota asof` / `sota leaderboard`:
ImageNet top-1 from several sources side by side, a RobustBench robust-accuracy board as known on past dates,
and an Epoch LLM benchmark."""
import json

import pytest

from flows.cli import main

# (source kind, lineage): each history is one lineage, loaded oldest first
HISTORY = {
    ("timm-csv", "timm"): [f"timm-results/history/results-imagenet@{d}.csv"
                           for d in ("2019-07-25", "2020-02-01", "2021-05-11", "2022-03-29", "2023-05-24", "2024-08-22")],
    ("robustbench-html", "robustbench"): [
        f"robustbench/history/imagenet_Linf@{d}.html"
        for d in ("2021-08-28", "2021-10-27", "2022-09-28", "2023-04-11", "2024-03-20", "2024-06-26")
    ],
}


@pytest.fixture(scope="module")
def warehouse(shared_data, tmp_path_factory):
    db = str(tmp_path_factory.mktemp("all") / "sota.duckdb")

    def sota(*args):
        code = main([*args, "--db", db])
        assert code == 0, args

    for (source, lineage), files in HISTORY.items():
        for path in files:
            sota("load", str(shared_data / path), "--source", source, "--name", lineage)
    sota("load", str(shared_data / "robustbench/html-head/imagenet_Linf.html"), "--source", "robustbench-html",
         "--name", "robustbench", "--observed-at", "2025-02-05")
    sota("load", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"), "--source", "pwc-dump",
         "--name", "pwc", "--observed-at", "2020-08-28")
    for card in ("resnet", "efficientnet"):  # each model card lists its own models: a lineage of its own
        sota("load", str(shared_data / "timm-model-index" / f"{card}.mdx"), "--source", "model-index",
             "--name", f"timm-docs-{card}", "--observed-at", "2021-06-01")
    sota("load", str(shared_data / "epoch-benchmarks-2025/external_benchmark_mmlu.csv"), "--source", "epoch-csv",
         "--name", "epoch", "--observed-at", "2025-06-01")
    sota("load", str(shared_data / "ilsvrc-winners/imagenet.csv"), "--source", "ilsvrc-csv", "--name", "ilsvrc",
         "--observed-at", "2020-09-04")
    return db


def ask(capsys, db, *args):
    capsys.readouterr()
    assert main([*args, "--db", db, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_imagenet_top1_side_by_side(warehouse, capsys):
    board = ask(capsys, warehouse, "leaderboard", "--task", "Image Classification", "--dataset", "ImageNet",
                "--metric", "Top 1 Accuracy", "--top", "5000")
    witnesses = {lineage for r in board for lineage in r["sources"]}
    assert witnesses == {"pwc", "timm", "robustbench", "timm-docs-resnet", "timm-docs-efficientnet"}
    assert all(r["source"] == ", ".join(r["sources"]) for r in board)  # the witnesses as plain text
    assert any(len(r["sources"]) > 1 for r in board)  # one row per result, whichever sources show it
    assert board[0]["rank"] == 1 and board[0]["value"] == max(r["value"] for r in board)


def test_timm_best_known_on_2021_06_01(warehouse, capsys):
    rows = ask(capsys, warehouse, "sql",
               "SELECT model, value FROM leaderboard_as_of('Image Classification', 'ImageNet', 'Top 1 Accuracy', "
               "DATE '2021-06-01', known_at := DATE '2021-06-01') WHERE list_contains(sources, 'timm') ORDER BY rank "
               "LIMIT 1")
    assert rows == [{"model": "tf_efficientnet_l2_ns", "value": 88.352}]


def test_robustbench_robust_accuracy_as_known_then_and_now(warehouse, capsys):
    query = ["asof", "2030-01-01", "--dataset", "ImageNet (Linf)", "--metric", "AutoAttack Robust Accuracy"]
    then = ask(capsys, warehouse, *query, "--known-at", "2021-09-01")
    now = ask(capsys, warehouse, *query)
    assert [(r["model"], r["value"]) for r in then] == [("Do Adversarially Robust ImageNet Models Transfer Better?", 38.14)]
    assert [(r["model"], r["value"], r["published_precision"]) for r in now] == [
        ("MeanSparse: Post-Training Robustness Enhancement Through Mean-Centered Feature Sparsification", 62.12, "month")
    ]


def test_an_llm_benchmark_and_the_ilsvrc_test_set(warehouse, capsys):
    mmlu = ask(capsys, warehouse, "asof", "2030-01-01", "--dataset", "MMLU")
    assert [(r["model"], r["value"], r["source"]) for r in mmlu] == [("gpt-4o-2024-11-20", 88.1, "epoch")]
    ilsvrc = ask(capsys, warehouse, "asof", "2017-12-31", "--dataset", "ILSVRC", "--metric", "Top 5 Error")
    assert [(r["model"], r["value"]) for r in ilsvrc] == [("SENet (WMW)", 2.251)]
