"""Metric directions from evidence: each function's whole output, then the whole 2020 Papers with Code dump.

Over the dump (4,505 benchmarks by task, dataset and metric; its rows in payload order, which is Papers with Code's
rank order), as measured when this test was written:

    benchmarks decided     higher 3,590   lower 635   none 92   unknown 188
    unknown, and why       15 whose name and row order conflict, 173 with no evidence at all
    boards in a clear order (3 rows or more)   1,521
    decided directions that contradict their board's clear order   0

The contradictions must stay 0: a benchmark whose rows run against its name is "unknown" and its why names both sides.
"""
from collections import Counter, defaultdict

import pytest

from pipelines.directions import (
    decide_benchmark,
    Decision,
    Evidence,
    decide,
    flag_evidence,
    header_flag_evidence,
    name_evidence,
    order_evidence,
    settled_evidence,
)
from pipelines.pwc_dump import parse_pwc_dump
from pipelines.values import ValueProblem, parse_value

DUMP = "pwc-dump-2020-08-28"
NOT_RANKED = ": it describes, it does not rank"


def name(direction, detail):
    return Evidence("name", direction, detail)


def order(direction, detail):
    return Evidence("order", direction, detail)


# ---- the name --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric, expected",
    [
        # the names issue 12 found stored as "higher"
        ("Average MPJPE (mm)", name("lower", "the name matches lower-is-better term 'MPJPE'")),
        ("PA-MPJPE", name("lower", "the name matches lower-is-better term 'PA-MPJPE'")),
        ("MJPE", name("lower", "the name matches lower-is-better term 'MJPE'")),
        ("bits/dimension", name("lower", "the name matches lower-is-better term 'bits/dimension'")),
        ("HTER", name("lower", "the name matches lower-is-better term 'HTER'")),
        ("FPR95", name("lower", "the name matches lower-is-better term 'FPR95'")),
        ("BER", name("lower", "the name matches lower-is-better term 'BER'")),
        ("NegLL", name("lower", "the name matches lower-is-better term 'NegLL'")),
        ("SceneFID", name("lower", "the name matches lower-is-better term 'SceneFID'")),
        ("mRMSE", name("lower", "the name matches lower-is-better term 'mRMSE'")),
        # a longer term hides the shorter one inside it
        ("Negative ELBO", name("lower", "the name matches lower-is-better term 'Negative ELBO'")),
        ("Self-BLEU", name("lower", "the name matches lower-is-better term 'Self-BLEU'")),
        ("training time (s)", name("none", f"the name matches descriptive term 'training time'{NOT_RANKED}")),
        ("Time horizon", name("higher", "the name matches higher-is-better term 'Time horizon'")),
        ("Top-1 Error Rate", name("lower", "the name matches lower-is-better term 'Error Rate'")),
        # acronyms keep their case and whole words their edges
        ("Per-class Accuracy", name("higher", "the name matches higher-is-better term 'Accuracy'")),
        ("MAPE", name("lower", "the name matches lower-is-better term 'MAPE'")),
        ("IS", name("higher", "the name matches higher-is-better term 'IS'")),
        ("ERR@20", name("higher", "the name matches higher-is-better term 'ERR@20'")),
        ("Real-time AP", name("higher", "the name matches higher-is-better term 'AP'")),  # "time" is hidden
        ("Scaled time-delay embeddings", None),
        # the head is the measure; brackets and what follows an "@" qualify it
        ("AUC (horizon error)", name("higher", "the name matches higher-is-better term 'AUC'")),
        ("TAR @ FAR=0.001", name("higher", "the name matches higher-is-better term 'TAR'")),
        ("FPR@95%TPR", name("lower", "the name matches lower-is-better term 'FPR'")),
        ("Speed (FPS)", name("higher", "the name's qualifier matches higher-is-better term 'FPS'")),
        # modifiers: the change or the spread of a measure
        ("Error reduction", name(
            "higher", "the name's 'reduction' turns lower-is-better 'Error' into higher-is-better"
        )),
        ("Jaccard (Decay)", name("lower", "the name's 'Decay' turns higher-is-better 'Jaccard' into lower-is-better")),
        ("AUC Stdev", name("none", f"the name's 'Stdev' turns higher-is-better 'AUC' into descriptive{NOT_RANKED}")),
        # generic words speak only when nothing else does
        ("Top-1 (%)", name("higher", "the name matches only the generic higher-is-better term 'Top-1'")),
        ("CREMI Score", name("lower", "the name matches lower-is-better term 'CREMI'")),
        ("Speed(ms/f)", name("lower", "the name matches only the generic lower-is-better term 'ms/f'")),
        ("MAR, walking, 400ms", None),  # a time after a number is a horizon, not the unit of the measure
        # the tricky ones
        ("Percentage error", name("lower", "the name matches lower-is-better term 'error'")),
        ("Percentage correct", name("higher", "the name matches higher-is-better term 'correct'")),
        ("LPIPS", name("lower", "the name matches lower-is-better term 'LPIPS'")),
        ("SSIM", name("higher", "the name matches higher-is-better term 'SSIM'")),
        ("Params", name("none", f"the name matches descriptive term 'Params'{NOT_RANKED}")),
        ("GFLOPs", name("none", f"the name matches descriptive term 'GFLOPs'{NOT_RANKED}")),
        ("Mean ADD", None),
        ("Error Rate Accuracy", None),  # both directions: not a pick (decide keeps both sides)
    ],
)
def test_name_evidence(metric, expected):
    assert name_evidence(metric) == expected


def test_what_aliases_said_is_read_from_the_lexicon_but_no_longer_defaults_to_higher():
    # aliases.toml's [directions] table and the names aliases.py's keyword rules were tested on, entry for entry
    listed = {
        "Top 1 Accuracy": "higher", "Top 5 Accuracy": "higher", "Top 1 Error": "lower", "Top 5 Error": "lower",
        "Number of params": "none", "Percentage error": "lower", "Percentage correct": "higher", "Rank-1": "higher",
        "Speed (FPS)": "higher", "Time horizon": "higher", "GFLOPs": "none", "Params": "none",
        "Pre-Training Dataset": "none", "Model size": "none", "FID": "lower", "Perplexity": "lower",
        "Word Error Rate (WER)": "lower", "Inference time (ms)": "lower", "Mean Rank": "lower", "Memory (GB)": "lower",
        "BLEU": "higher", "EM": "higher", "MRR": "higher", "Hits@1": "higher", "mIoU": "higher",
        "top1_err": "lower", "top5": "higher", "param_count": "none",
    }
    assert {metric: name_evidence(metric).direction for metric in listed} == listed
    # where aliases.py fell through to "higher", the name now says nothing
    assert [name_evidence(metric) for metric in ("Street level (1 km)", "Q3", "Mean ADD")] == [None, None, None]


# ---- flags, orders and settlements -----------------------------------------------------------------------------------


def test_header_flag_evidence():
    assert header_flag_evidence("FID ↓") == Evidence(
        "flag", "lower", "the header 'FID ↓' marks lower is better ('↓')"
    )
    assert header_flag_evidence("PSNR (higher is better)") == Evidence(
        "flag", "higher", "the header 'PSNR (higher is better)' marks higher is better ('higher is better')"
    )
    assert header_flag_evidence("Error (Lower is better)").direction == "lower"
    assert header_flag_evidence("Accuracy") is None
    assert header_flag_evidence("PSNR ↑ / LPIPS ↓") is None  # a header over two columns marks neither


def test_flag_evidence():
    lower, higher = flag_evidence(True, "every-eval-ever"), flag_evidence(False, "every-eval-ever")
    assert lower == Evidence("flag", "lower", "every-eval-ever flags the metric lower is better")
    assert higher == Evidence("flag", "higher", "every-eval-ever flags the metric higher is better")
    assert flag_evidence(None, "every-eval-ever") is None


@pytest.mark.parametrize(
    "values, expected",
    [
        ([45.6, 50.1, 50.1, 162.14], order("lower", "rows of pwc-dump run ascending (4 rows: 45.6 .. 162.14)")),
        ([88.5, 88.4, 87.54], order("higher", "rows of pwc-dump run descending (3 rows: 88.5 .. 87.54)")),
        ([88.5, None, 88.4, float("nan"), 87.5], order(
            "higher", "rows of pwc-dump run descending (3 rows: 88.5 .. 87.5)"
        )),
        ([88.5, 87.5], None),  # too few rows to tell
        ([88.5, 87.0, 87.5], None),  # mixed: a column the board is not sorted by
        ([90.0, 90.0, 90.0], None),  # all tied
    ],
)
def test_order_evidence(values, expected):
    assert order_evidence(values, "pwc-dump") == expected


def test_settled_evidence_is_found_whatever_the_spelling():
    assert settled_evidence("Multi-Frame Super-Resolution", "PROBA-V", "normalized  CPSNR") == Evidence(
        "settled",
        "lower",
        "settled by hand in directions.toml: the PROBA-V challenge score is the baseline's cPSNR divided by the "
        "submission's: lower is better",
    )
    assert settled_evidence("Image Classification", "ImageNet", "Average MPJPE (mm)") is None


def test_a_metric_settled_for_every_board_is_settled_evidence_and_beats_a_chronological_listing():
    # sota-extractor's eff.json lists the ILSVRC winners by year: their top-5 errors run descending
    by_year = order("higher", "rows of eff.json run descending (8 rows: 28.2 .. 2.25)")
    settled = settled_evidence("Image Classification", "ILSVRC", "top-5 error")
    assert settled == Evidence(
        "settled", "lower",
        "settled for every 'top-5 error' board: the share of images without the right class among the first five",
    )
    decision = decide_benchmark("Image Classification", "ILSVRC", "Top 5 Error", [by_year])
    assert decision.direction == "lower"
    assert decision.why.startswith("lower: settled for every 'Top 5 Error' board: ")
    assert "also seen: rows of eff.json run descending" in decision.why


# ---- the decision ----------------------------------------------------------------------------------------------------

ASCENDING = order("lower", "rows of pwc-dump run ascending (5 rows: 45.6 .. 162.14)")
DESCENDING = order("higher", "rows of pwc-dump run descending (4 rows: 9.1e+06 .. 4.6e+06)")
MPJPE = name("lower", "the name matches lower-is-better term 'MPJPE'")


def test_name_and_order_agreeing_decide():
    assert decide("Average MPJPE (mm)", [ASCENDING]) == Decision(
        "lower",
        (ASCENDING, MPJPE),
        "lower: rows of pwc-dump run ascending (5 rows: 45.6 .. 162.14); the name matches lower-is-better term 'MPJPE'",
    )


def test_name_and_order_conflicting_give_unknown_naming_both_sides():
    assert decide("Average MPJPE (mm)", [DESCENDING]) == Decision(
        "unknown",
        (DESCENDING, MPJPE),
        "unknown: the evidence conflicts: rows of pwc-dump run descending (4 rows: 9.1e+06 .. 4.6e+06) "
        "vs the name matches lower-is-better term 'MPJPE'",
    )


def test_a_name_matching_both_directions_is_conflicting_evidence():
    decision = decide("Error Rate Accuracy", [])
    assert decision == Decision(
        "unknown",
        (
            name("higher", "the name matches higher-is-better term 'Accuracy'"),
            name("lower", "the name matches lower-is-better term 'Error Rate'"),
        ),
        "unknown: the evidence conflicts: the name matches higher-is-better term 'Accuracy' "
        "vs the name matches lower-is-better term 'Error Rate'",
    )
    assert decide("Error Rate Accuracy", [DESCENDING]).direction == "unknown"


def test_order_alone_decides_and_nothing_gives_unknown_never_higher():
    assert decide("Street level (1 km)", [DESCENDING]) == Decision(
        "higher", (DESCENDING,), "higher: rows of pwc-dump run descending (4 rows: 9.1e+06 .. 4.6e+06)"
    )
    assert decide("Street level (1 km)", []) == Decision(
        "unknown",
        (),
        "unknown: no evidence: the name 'Street level (1 km)' matches no term of the lexicon and no ranked listing "
        "of 3 rows or more runs in a clear order",
    )


def test_orders_of_two_listings_that_disagree_give_unknown():
    assert decide("Street level (1 km)", [DESCENDING, ASCENDING]).direction == "unknown"


def test_a_descriptive_name_gives_none_and_keeps_the_order_it_saw():
    params = name("none", f"the name matches descriptive term 'PARAMS'{NOT_RANKED}")
    assert decide("PARAMS", [DESCENDING]) == Decision(
        "none",
        (DESCENDING, params),
        "none: the name matches descriptive term 'PARAMS': it describes, it does not rank "
        "(also seen: rows of pwc-dump run descending (4 rows: 9.1e+06 .. 4.6e+06))",
    )


def test_flags_win_over_name_and_order():
    flag = header_flag_evidence("Normalized cPSNR ↓")
    decision = decide("Normalized cPSNR", [ASCENDING, flag])
    assert decision == Decision(
        "lower",
        (flag, ASCENDING, name("higher", "the name matches higher-is-better term 'cPSNR'")),
        "lower: the header 'Normalized cPSNR ↓' marks lower is better ('↓') (also seen: rows of pwc-dump run "
        "ascending (5 rows: 45.6 .. 162.14); the name matches higher-is-better term 'cPSNR')",
    )
    assert decide("Accuracy", [flag, flag_evidence(False, "api")]).direction == "unknown"


def test_settled_wins_over_everything():
    settled = settled_evidence("Multi-Frame Super-Resolution", "PROBA-V", "Normalized cPSNR")
    decision = decide("Normalized cPSNR", [DESCENDING, settled, header_flag_evidence("cPSNR ↑")])
    assert decision.direction == "lower"
    assert decision.why.startswith("lower: settled by hand in directions.toml: the PROBA-V challenge score")
    assert [item.kind for item in decision.evidence] == ["settled", "flag", "order", "name"]


def test_evidence_outside_the_vocabulary_is_refused():
    with pytest.raises(ValueError):
        Evidence("order", "unknown", "rows run nowhere")
    with pytest.raises(ValueError):
        Evidence("guess", "higher", "it looked higher")


# ---- the whole 2020 dump ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dump_decisions(shared_data):
    """Each benchmark's decision from its name and the order of its rows in the dump.

    The dump lists some boards under several parent tasks: each listing is ranked on its own (identical listings give
    identical evidence, which counts once)."""
    path = shared_data / DUMP / "evaluation-tables.json.gz"
    listings: dict[tuple[str, str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in parse_pwc_dump(path.read_bytes(), str(path)):
        listing = row.row_ref.rsplit(" / row ", 1)[0]
        try:
            value = parse_value(row.value).value
        except ValueProblem:
            value = None
        listings[(row.task, row.dataset, row.metric)][listing].append(value)
    decisions = {}
    for benchmark, by_listing in listings.items():
        orders = [order_evidence(values, f"{DUMP}") for values in by_listing.values()]
        decisions[benchmark] = decide(benchmark[2], [order for order in orders if order])
    return decisions


def test_no_decided_direction_contradicts_its_boards_clear_order(dump_decisions):
    ordered = {benchmark: decision for benchmark, decision in dump_decisions.items()
               if any(item.kind == "order" for item in decision.evidence)}
    contradictions = [
        (benchmark, decision.why)
        for benchmark, decision in ordered.items()
        for item in decision.evidence
        if item.kind == "order" and decision.direction in ("higher", "lower") and decision.direction != item.direction
    ]
    conflicts = [benchmark for benchmark, decision in dump_decisions.items() if "conflicts" in decision.why]
    counts = Counter(decision.direction for decision in dump_decisions.values())
    print(f"\n{len(dump_decisions)} benchmarks: {dict(counts)}; {len(ordered)} boards in a clear order; "
          f"{len(conflicts)} unknown by conflict; {len(contradictions)} contradictions")
    assert contradictions == []
    assert len(dump_decisions) == 4505
    assert len(ordered) == 1521
    # every unknown says why: a conflict naming both sides, or no evidence at all
    for decision in dump_decisions.values():
        if decision.direction == "unknown":
            assert decision.why.startswith(("unknown: the evidence conflicts: ", "unknown: no evidence: "))
            assert (" vs " in decision.why) == decision.why.startswith("unknown: the evidence conflicts")
        else:
            assert decision.evidence, decision  # never a direction without evidence
    assert counts == {"higher": 3590, "lower": 635, "none": 92, "unknown": 188}
    assert len(conflicts) == 15


def test_the_boards_issue_12_names(dump_decisions):
    h36m = dump_decisions[("3D Human Pose Estimation", "Human3.6M", "Average MPJPE (mm)")]
    assert h36m.direction == "lower"
    assert dump_decisions[("Image Classification", "ImageNet", "Top 1 Accuracy")].direction == "higher"
    fid_names = ("FID", "Frechet Inception Distance", "SceneFID")
    fid = {b: d.direction for b, d in dump_decisions.items() if b[2] in fid_names}
    assert len(fid) == 77 and set(fid.values()) == {"lower"}
    perplexity = {b: d.direction for b, d in dump_decisions.items() if "perplexity" in b[2].lower()}
    assert len(perplexity) > 5 and set(perplexity.values()) == {"lower"}
    mpjpe = {b: d.direction for b, d in dump_decisions.items() if "MPJPE" in b[2] or b[2] == "MJPE"}
    assert set(mpjpe.values()) == {"lower"}


def test_a_board_whose_rows_run_against_its_name_is_unknown_with_both_sides(dump_decisions):
    # Papers with Code listed this BLEU board worst first; the name and the order disagree, so neither is trusted.
    decision = dump_decisions[("Unsupervised Machine Translation", "WMT2016 English-Romanian", "BLEU")]
    assert decision.why == (
        "unknown: the evidence conflicts: the name matches higher-is-better term 'BLEU' "
        "vs rows of pwc-dump-2020-08-28 run ascending (3 rows: 21 .. 35.2)"
    )


def test_a_forward_pass_is_compute_not_a_test_that_passes():
    # OpenCodePapers' and the 2023 PwC page's ImageNet boards carry "Operations per network pass": a compute cost
    assert decide("Operations per network pass", ()).direction == "none"
    assert [decide(m, ()).direction for m in ("Pass@1", "pass rate", "Chamfer Pass", "Tests passed")] == ["higher"] * 4
