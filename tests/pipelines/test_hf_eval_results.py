"""hf-eval-results: a model repository's `.eval_results/*.yaml` file and a benchmark dataset's leaderboard API.

No real payload of either has been recorded; ../shared/data/hf-eval-results holds the Hub's documents only. So every
test is `test_built_from_doc_...`:
- the YAML tests read the two ```yaml examples of the real `eval-results.md` in place (its `<hash>` and `<token>`
  placeholders are plain YAML text, so the blocks parse as written), or build small files from the values the
  documents give (field names, "no-tools", `Idavidrein/gpqa`, `gpqa_diamond`, 0.412); the template
  `eval_results.yaml`, whose `{placeholders}` read as YAML mappings, is asserted to be refused;
- the leaderboard tests serve entries with the fields `leaderboard-data-guide.md` lists (rank, model_id, value,
  verified, author, source, filename, pull_request, notes) from a real HTTP server on 127.0.0.1, paged by `Link`
  headers (the documents say nothing of paging; the Hub's list APIs page with a `rel="next"` cursor link). They
  prove the paging, politeness and token rules, not the live API's exact shape.
Time is faked (the client's clock and sleep): the polite interval is asserted as the sleeps the client asked for.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import pytest

from flows.ingest import ingest
from pipelines.hf_eval_results import (
    FORMAT,
    PAGE_CAP,
    POLITE_INTERVAL,
    SOURCE,
    fetch_hf_eval_results,
    parse_hf_eval_results,
)
from pipelines.http import FetchFatalError, HttpClient
from pipelines.registry import get_source
from pipelines.source import ParseError, RawRow
from tests.support.doc_examples import fenced_blocks
from tests.support.http_server import Reply, redirect, serve

TASK = "Language Model Evaluation"
MODEL = "openai/gpt-oss-120b"
SWE = "/api/datasets/SWE-bench/SWE-bench_Verified/leaderboard"
GPQA = "/api/datasets/Idavidrein/gpqa/leaderboard"
TOKEN = "hf_doNotLeakThisToken123"


@pytest.fixture
def client(clock):
    with HttpClient(timeout=(2.0, 5.0), clock=clock, sleep=clock.sleep, jitter=lambda: 1.0) as made:
        yield made


@pytest.fixture
def doc_yaml(shared_data) -> list[str]:
    """The two .eval_results examples of eval-results.md (its other ```yaml blocks are benchmark eval.yaml files)."""
    blocks = fenced_blocks((shared_data / "hf-eval-results" / "eval-results.md").read_text(encoding="utf-8"), "yaml")
    assert blocks[0].startswith("- dataset:\n    id: cais/hle")
    assert blocks[1].startswith("- dataset:\n    id: Idavidrein")
    return blocks[:2]


def parse_error(payload: bytes, location: str = "x.yaml", **options) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_hf_eval_results(payload, location, **options)
    assert caught.value.source == "hf-eval-results" and caught.value.location == location
    return caught.value


def doc_rows(**extra) -> list[RawRow]:
    """The rows of the two documented entries, read as the file of `openai/gpt-oss-120b` on its main branch."""
    hle = {"developer": "openai", "setting": "no tools", "notes": "no-tools", "evaluator": "first-party",
           "verified": True, "revision": "<hash>", "dataset_id": "cais/hle", "task_id": "default",
           "source_url": "https://huggingface.co/spaces/SaylorTwift/smollm3-mmlu-pro", "source_name": "Eval traces",
           "source_user": "SaylorTwift"}
    gpqa = {"developer": "openai", "evaluator": "first-party", "verified": False, "dataset_id": "Idavidrein/gpqa",
            "task_id": "gpqa_diamond"}
    return [
        # task_id "default": the board is the dataset repository's name; YAML reads 20.90 as the float 20.9
        RawRow(task=TASK, dataset="hle", metric="Score", model="gpt-oss-120b", value="20.9",
               row_ref="entries[0] cais/hle/default", published="2025-01-15", attributes={**hle, **extra}),
        # a fraction stays a fraction: 0.412 is not rescaled here
        RawRow(task=TASK, dataset="gpqa_diamond", metric="Score", model="gpt-oss-120b", value="0.412",
               row_ref="entries[1] Idavidrein/gpqa/gpqa_diamond", attributes={**gpqa, **extra}),
    ]


# --- registration ---------------------------------------------------------------------------------------------------


def test_registered_with_its_own_fetcher_and_no_default_url():
    assert get_source("hf-eval-results") is SOURCE
    assert (SOURCE.fetch, SOURCE.parse) == (fetch_hf_eval_results, parse_hf_eval_results)
    assert (SOURCE.default_url, SOURCE.full_listing, SOURCE.required_options) == (None, False, ())


# --- kind 1: a model repository's .eval_results file ------------------------------------------------------------------


def test_built_from_doc_yaml_examples_with_the_model_given_by_option(doc_yaml):
    payload = "".join(doc_yaml).encode()
    assert parse_hf_eval_results(payload, "hle.yaml", model=MODEL) == doc_rows()


@pytest.mark.parametrize("kind", ["resolve", "raw", "blob"])
def test_built_from_doc_yaml_model_from_the_files_hub_url(doc_yaml, kind):
    url = f"https://huggingface.co/openai/gpt-oss-120b/{kind}/main/.eval_results/hle.yaml"
    assert parse_hf_eval_results("".join(doc_yaml).encode(), url) == doc_rows(filename=".eval_results/hle.yaml")


def test_built_from_doc_yaml_the_model_option_wins_over_the_url(doc_yaml):
    url = "https://huggingface.co/someone/other-model/resolve/main/.eval_results/gpqa.yaml"
    rows = parse_hf_eval_results(doc_yaml[1].encode(), url, model=MODEL)
    assert [(row.model, row.attributes["developer"]) for row in rows] == [("gpt-oss-120b", "openai")]


def test_built_from_doc_yaml_a_pull_requests_file_has_no_evaluator_unless_the_option_says(doc_yaml):
    # "community: result submitted via open PR": anyone may open one, so who evaluated is unknown
    url = "https://huggingface.co/openai/gpt-oss-120b/resolve/refs%2Fpr%2F3/.eval_results/gpqa.yaml"
    gpqa = {"developer": "openai", "verified": False, "dataset_id": "Idavidrein/gpqa", "task_id": "gpqa_diamond",
            "filename": ".eval_results/gpqa.yaml", "pull_request": 3}
    row = RawRow(task=TASK, dataset="gpqa_diamond", metric="Score", model="gpt-oss-120b", value="0.412",
                 row_ref="entries[0] Idavidrein/gpqa/gpqa_diamond", attributes=gpqa)
    assert parse_hf_eval_results(doc_yaml[1].encode(), url) == [row]
    marked = parse_hf_eval_results(doc_yaml[1].encode(), url, evaluator="third-party")
    assert marked == [dataclasses.replace(row, attributes={**gpqa, "evaluator": "third-party"})]


def test_built_from_doc_yaml_evaluator_option_marks_a_community_file(doc_yaml):
    rows = parse_hf_eval_results("".join(doc_yaml).encode(), "hle.yaml", model=MODEL, evaluator="third-party")
    assert rows == doc_rows(evaluator="third-party")
    assert parse_error(doc_yaml[1].encode(), model=MODEL, evaluator="vendor").problem == (
        "the evaluator option is 'vendor': give first-party or third-party"
    )


def test_built_from_doc_yaml_repo_id_with_an_effort_suffix_and_notes_make_one_setting():
    payload = (
        b"- dataset:\n    id: Idavidrein/gpqa\n    task_id: gpqa_diamond\n  value: 0.412\n  notes: tools\n"
        b"- dataset:\n    id: Idavidrein/gpqa\n    task_id: gpqa_diamond\n  value: 0.398\n  notes: chain-of-thought\n"
    )
    rows = parse_hf_eval_results(payload, "gpqa.yaml", model="someone/gpt-5.1_high")
    common = {"developer": "someone", "evaluator": "first-party", "verified": False, "dataset_id": "Idavidrein/gpqa",
              "task_id": "gpqa_diamond"}
    assert rows == [
        RawRow(task=TASK, dataset="gpqa_diamond", metric="Score", model="gpt-5.1", value="0.412",
               row_ref="entries[0] Idavidrein/gpqa/gpqa_diamond",
               attributes={**common, "setting": "effort high, tools", "notes": "tools"}),
        # a note that is no known setting is kept in the setting as written, after the known pieces
        RawRow(task=TASK, dataset="gpqa_diamond", metric="Score", model="gpt-5.1", value="0.398",
               row_ref="entries[1] Idavidrein/gpqa/gpqa_diamond",
               attributes={**common, "setting": "effort high, chain-of-thought", "notes": "chain-of-thought"}),
    ]


def test_built_from_doc_yaml_values_and_dates_as_written():
    payload = (
        b"- dataset: {id: cais/hle, task_id: hle}\n  value: n/a\n  date: 2025-01-15\n"  # an unquoted YAML date
        b"- dataset: {id: cais/hle, task_id: hle}\n  value: 21\n  date: '2025-02-03T10:30:00Z'\n"
        b"- dataset: {id: cais/hle, task_id: hle}\n  value: '20.90%'\n  date: Jan 2025\n"
    )
    rows = parse_hf_eval_results(payload, "hle.yaml", model=MODEL)
    assert [(row.value, row.published) for row in rows] == [
        ("n/a", "2025-01-15"),  # not a number: a row the normaliser rejects with its reason
        ("21", "2025-02-03"),
        ("20.90%", "Jan 2025"),  # not ISO: as written, for the normaliser to read
    ]


def test_built_from_doc_yaml_missing_model_is_a_parse_error(doc_yaml):
    problem = parse_error(doc_yaml[1].encode(), "/tmp/gpqa.yaml").problem
    assert problem.startswith("no model: a .eval_results file does not name its model; give the model option")


NOT_A_LIST = ("the payload is a mapping: expected a YAML list of evaluation results (.eval_results/*.yaml) or a "
              "leaderboard (a JSON list of entries)")
NO_DATASET = "entries[0] has no dataset mapping (dataset.id and dataset.task_id are required): the layout changed?"


@pytest.mark.parametrize("payload, problem", [
    ("- dataset: {id: Idavidrein/gpqa, task_id: gpqa_diamond}\n  date: '2025-01-15'\n",
     "entries[0] (Idavidrein/gpqa/gpqa_diamond) has no value (required): the layout changed?"),
    ("- dataset: {id: cais/hle, task_id: hle}\n  value: 1\n- dataset: {id: Idavidrein/gpqa}\n  value: 0.4\n",
     "entries[1] dataset.task_id is missing (required): the layout changed?"),
    ("- dataset: {task_id: gpqa_diamond}\n  value: 0.4\n",
     "entries[0] dataset.id is missing (required): the layout changed?"),
    ("- value: 0.4\n", NO_DATASET),
    ("- dataset: {id: cais/hle, task_id: hle}\n  value: true\n",
     "entries[0] (cais/hle/hle): the value is a boolean, not a number"),
    ("- dataset: {id: cais/hle, task_id: hle}\n  value: [1, 2]\n",
     "entries[0] (cais/hle/hle): the value is a list, not a number"),
    ("- dataset: {id: cais/hle, task_id: hle}\n  value: {score: 1}\n",
     "entries[0] (cais/hle/hle): the value is a mapping, not a number"),
    ("dataset: {id: cais/hle, task_id: hle}\nvalue: 1\n", NOT_A_LIST),
    ("[]", "an empty list: no evaluation results"),
    ("- dataset: [oops\n", "invalid YAML at line 2 column 1: expected ',' or ']', but got '<stream end>'"),
])
def test_built_from_doc_yaml_broken_entries_are_parse_errors_naming_the_entry(payload, problem):
    assert parse_error(payload.encode(), model=MODEL).problem == problem


def test_built_from_doc_yaml_the_unfilled_template_is_refused(shared_data):
    path = shared_data / "hf-eval-results" / "eval_results.yaml"
    error = parse_error(path.read_bytes(), str(path), model=MODEL)
    assert error.problem == "entries[0] dataset.task_id is {task_id}, an unfilled template placeholder, not text"


def test_built_from_doc_yaml_fetched_from_a_blob_url_reads_the_resolve_file(doc_yaml, client, server):
    server.route("/openai/gpt-oss-120b/resolve/main/.eval_results/hle.yaml", [Reply(200, {}, doc_yaml[1].encode())])
    url = server.url("/openai/gpt-oss-120b/blob/main/.eval_results/hle.yaml")
    assert fetch_hf_eval_results(url, client) == doc_yaml[1].encode()
    assert [request.path for request in server.requests] == ["/openai/gpt-oss-120b/resolve/main/.eval_results/hle.yaml"]


# --- kind 2: a leaderboard, paged by Link headers ---------------------------------------------------------------------

# The fields leaderboard-data-guide.md lists, with its own example values where it gives them.
QWEN = {"rank": 1, "model_id": "Qwen/Qwen3.5-397B-A17B", "value": 76.4, "verified": True,
        "author": {"name": "Qwen", "fullname": "Qwen", "type": "org"}, "source": "model card",
        "filename": ".eval_results/swe_bench_verified.yaml", "pull_request": None, "notes": "tools"}
LLAMA = {"rank": 2, "model_id": "meta-llama/Llama-3.1-8B", "value": 40.2, "verified": False,
         "author": {"user": "SaylorTwift", "type": "user"}, "source": "external",
         "filename": ".eval_results/swe_bench_verified.yaml", "pull_request": 12, "notes": None}
GPT_OSS = {"rank": 3, "model_id": "openai/gpt-oss-120b", "value": "n/a", "verified": False, "author": "openai",
           "source": "model card", "filename": ".eval_results/swe_bench_verified.yaml", "pull_request": 7,
           "notes": "no-tools"}


def page(entries: list, next_url: str | None = None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if next_url is not None:
        headers["Link"] = f'<{next_url}>; rel="next"'
    return Reply(200, headers, json.dumps(entries).encode())


SWE_FILE = {"filename": ".eval_results/swe_bench_verified.yaml", "dataset_id": "SWE-bench/SWE-bench_Verified"}
SWE_ROWS = [
    RawRow(task=TASK, dataset="SWE-bench_Verified", metric="Score", model="Qwen3.5-397B-A17B", value="76.4",
           row_ref="entries[0] SWE-bench/SWE-bench_Verified Qwen/Qwen3.5-397B-A17B",
           attributes={"developer": "Qwen", "setting": "tools", "notes": "tools", "evaluator": "first-party",
                       "verified": True, "rank": 1, "author": "Qwen", "source": "model card",
                       **SWE_FILE}),
    RawRow(task=TASK, dataset="SWE-bench_Verified", metric="Score", model="Llama-3.1-8B", value="40.2",
           row_ref="entries[1] SWE-bench/SWE-bench_Verified meta-llama/Llama-3.1-8B",
           attributes={"developer": "meta-llama", "evaluator": "third-party", "verified": False, "rank": 2,
                       "author": "SaylorTwift", "source": "external", "pull_request": 12,
                       **SWE_FILE}),
    # a model card's entry with a pull request: who evaluated is unknown, so no evaluator
    RawRow(task=TASK, dataset="SWE-bench_Verified", metric="Score", model="gpt-oss-120b", value="n/a",
           row_ref="entries[2] SWE-bench/SWE-bench_Verified openai/gpt-oss-120b",
           attributes={"developer": "openai", "setting": "no tools", "notes": "no-tools", "verified": False,
                       "rank": 3, "author": "openai", "source": "model card", "pull_request": 7,
                       **SWE_FILE}),
]


def test_built_from_doc_leaderboard_two_pages_linked_by_link_headers(client, clock, server, monkeypatch):
    monkeypatch.setenv("SOTAWATCH_TEST_HF_TOKEN", TOKEN)
    # the second page's link is relative, as a Link header may be; the cursor is opaque
    server.route(SWE, [page([QWEN, LLAMA], f"{SWE}?cursor=eyJyYW5rIjoyfQ"), page([GPT_OSS])])

    payload = fetch_hf_eval_results(server.url(SWE), client, token="env:SOTAWATCH_TEST_HF_TOKEN")

    assert [request.path for request in server.requests] == [SWE, f"{SWE}?cursor=eyJyYW5rIjoyfQ"]
    assert [request.headers["Authorization"] for request in server.requests] == [f"Bearer {TOKEN}"] * 2
    assert clock.sleeps == [POLITE_INTERVAL]  # one request a second: the second waited
    assert TOKEN not in payload.decode()
    assert json.loads(payload) == {
        "format": FORMAT, "dataset": "SWE-bench/SWE-bench_Verified", "task_id": None, "url": server.url(SWE),
        "pages": 2, "entries": [QWEN, LLAMA, GPT_OSS],
    }
    assert parse_hf_eval_results(payload, server.url(SWE)) == SWE_ROWS


def test_built_from_doc_leaderboard_from_the_hub_root_with_dataset_and_task_id(client, server):
    server.route(GPQA, [page([{**QWEN, "value": 0.881, "filename": ".eval_results/gpqa.yaml"}])])
    payload = fetch_hf_eval_results(server.url("/"), client, dataset="Idavidrein/gpqa", task_id="gpqa_diamond")
    # the documents name no task_id parameter of the API: sending one is this module's assumption
    assert [request.path for request in server.requests] == [f"{GPQA}?task_id=gpqa_diamond"]
    assert "Authorization" not in server.requests[0].headers
    assert json.loads(payload)["task_id"] == "gpqa_diamond"
    assert parse_hf_eval_results(payload, server.url("/")) == [
        RawRow(task=TASK, dataset="gpqa_diamond", metric="Score", model="Qwen3.5-397B-A17B", value="0.881",
               row_ref="entries[0] Idavidrein/gpqa/gpqa_diamond Qwen/Qwen3.5-397B-A17B",
               attributes={"developer": "Qwen", "setting": "tools", "notes": "tools", "evaluator": "first-party",
                           "verified": True, "rank": 1, "author": "Qwen", "source": "model card",
                           "filename": ".eval_results/gpqa.yaml", "dataset_id": "Idavidrein/gpqa",
                           "task_id": "gpqa_diamond"}),
    ]


def test_built_from_doc_leaderboard_page_cap_is_an_error_not_an_endless_walk(client, clock, server):
    def endless(request):
        cursor = int(request.path.partition("cursor=")[2] or 0)
        return page([{**QWEN, "rank": cursor + 1}], f"{SWE}?cursor={cursor + 1}")

    server.answer(endless)
    with pytest.raises(ParseError) as caught:
        fetch_hf_eval_results(server.url(SWE), client)
    assert caught.value.problem == (
        f"more than {PAGE_CAP} pages: the next links do not end (a cursor that never stops?); "
        "stopped rather than page on"
    )
    assert len(server.requests) == PAGE_CAP == 100
    assert clock.sleeps == [POLITE_INTERVAL] * (PAGE_CAP - 1)


def test_built_from_doc_leaderboard_links_that_loop_or_leave_the_host_are_not_followed(client, server):
    server.route(SWE, [page([QWEN], f"{SWE}?cursor=a"), page([LLAMA], f"{SWE}?cursor=a")])
    with pytest.raises(ParseError, match="the next link of page 2 leads back to a page already read: a cursor loop"):
        fetch_hf_eval_results(server.url(SWE), client)
    server.route(SWE, [page([QWEN], "https://elsewhere.example/api/datasets/x/y/leaderboard?cursor=b")])
    with pytest.raises(ParseError, match=r"the next link of page 1 leaves the host asked \(https://elsewhere"):
        fetch_hf_eval_results(server.url(SWE), client)


def test_built_from_doc_leaderboard_link_header_forms(client, server):
    # several links in one header, a relation list, unquoted rel: RFC 8288's forms
    server.route(SWE, [
        Reply(200, {"Link": f'<{SWE}?c=0>; rel="prev first", <{SWE}?c=2>; title="more"; rel="last next"'},
              json.dumps([QWEN]).encode()),
        Reply(200, {"Link": f"<{SWE}?c=0>; rel=first"}, json.dumps([LLAMA]).encode()),
    ])
    document = json.loads(fetch_hf_eval_results(server.url(SWE), client))
    assert [request.path for request in server.requests] == [SWE, f"{SWE}?c=2"]
    assert (document["pages"], len(document["entries"])) == (2, 2)


def test_built_from_doc_leaderboard_a_page_that_is_not_a_list_names_its_url(client, server):
    server.route(SWE, [Reply(200, {}, b'{"error": "Dataset not found"}')])
    with pytest.raises(ParseError) as caught:
        fetch_hf_eval_results(server.url(SWE), client)
    assert caught.value.problem == "page 1 is a mapping, not a JSON list of leaderboard entries"
    assert caught.value.location == server.url(SWE)


def test_built_from_doc_leaderboard_token_rules(client, server, monkeypatch):
    # HF_TOKEN from the environment goes to the Hub's hosts only, not to a host the user named otherwise
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    server.route(SWE, [page([QWEN])])
    fetch_hf_eval_results(server.url(SWE), client)
    assert "Authorization" not in server.requests[-1].headers
    # a token written into the options would be stored with the snapshot: refused, and not repeated
    with pytest.raises(ParseError) as caught:
        fetch_hf_eval_results(server.url(SWE), client, token=TOKEN)
    assert TOKEN not in str(caught.value) and "env:HF_TOKEN" in caught.value.problem
    with pytest.raises(ParseError, match="names the environment variable NOT_SET_ANYWHERE, which is not set"):
        fetch_hf_eval_results(server.url(SWE), client, token="env:NOT_SET_ANYWHERE")
    # a gated dataset that refuses the token: the error names the URL and the status, never the token
    server.route(SWE, [Reply(401, {}, f"bad token {TOKEN}".encode())])
    with pytest.raises(FetchFatalError) as refused:
        fetch_hf_eval_results(server.url(SWE), client, token="env:HF_TOKEN")
    assert server.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert refused.value.status == 401 and TOKEN not in str(refused.value)


def test_built_from_doc_leaderboard_the_token_does_not_follow_a_redirect_to_another_origin(client, server, monkeypatch):
    # a renamed dataset answered by a redirect: to the same origin the token goes along, to another it does not
    monkeypatch.setenv("SOTAWATCH_TEST_HF_TOKEN", TOKEN)
    with serve() as other:
        other.route(SWE, [page([QWEN])])
        server.route(GPQA, [redirect(SWE)])
        server.route(SWE, [redirect(other.url(SWE))])
        payload = fetch_hf_eval_results(server.url(GPQA), client, token="env:SOTAWATCH_TEST_HF_TOKEN")
        assert [request.headers["Authorization"] for request in server.requests] == [f"Bearer {TOKEN}"] * 2
        assert [request.headers["Authorization"] for request in other.requests] == [None]
    assert json.loads(payload)["entries"] == [QWEN]


def test_built_from_doc_leaderboard_a_saved_page_takes_its_board_from_the_url_or_options():
    payload = json.dumps([QWEN]).encode()
    from_url = parse_hf_eval_results(payload, "https://huggingface.co/api/datasets/Idavidrein/gpqa/leaderboard")
    from_options = parse_hf_eval_results(payload, "gpqa.json", dataset="Idavidrein/gpqa", task_id="gpqa_diamond")
    assert [(row.dataset, row.attributes["dataset_id"]) for row in from_url] == [("gpqa", "Idavidrein/gpqa")]
    assert [(row.dataset, row.attributes["task_id"]) for row in from_options] == [("gpqa_diamond", "gpqa_diamond")]
    assert parse_error(payload, "gpqa.json").problem.startswith("a leaderboard page does not name its dataset")
    missing = json.dumps([{**QWEN, "value": None}]).encode()
    assert parse_error(missing, "p.json", dataset="x/y").problem == (
        "entries[0] (Qwen/Qwen3.5-397B-A17B) has no value (required): the layout changed?"
    )


# --- end to end through ingest ----------------------------------------------------------------------------------------


def test_built_from_doc_ingest_loads_a_harvested_leaderboard(db, client, server):
    server.route(SWE, [page([QWEN, LLAMA], f"{SWE}?cursor=2"), page([GPT_OSS])])
    report = ingest(db, "hf-eval-results", server.url(SWE), client=client, now=datetime(2026, 3, 1))
    # "n/a" is rejected with its reason; the two numbers load as written (no rescaling)
    assert (report.status, report.rows_parsed, report.rows_loaded, report.rows_rejected) == ("loaded", 3, 2, 1)
    assert db.execute(
        "SELECT b.dataset, b.metric, r.model, r.value, r.setting FROM results AS r JOIN benchmarks AS b "
        "USING (benchmark_id) WHERE r.source = 'hf-eval-results' ORDER BY r.value"
    ).fetchall() == [
        ("SWE-bench_Verified", "Score", "Llama-3.1-8B", 40.2, None),
        ("SWE-bench_Verified", "Score", "Qwen3.5-397B-A17B", 76.4, "tools"),
    ]
    assert db.execute("SELECT reason FROM rejects").fetchall() == [("Score: no value reported ('n/a')",)]


def test_built_from_doc_ingest_loads_a_models_file_from_its_hub_url(db, client, server, doc_yaml):
    path = "/openai/gpt-oss-120b/resolve/main/.eval_results/hle.yaml"
    server.route(path, [Reply(200, {}, "".join(doc_yaml).encode())])
    report = ingest(db, "hf-eval-results", server.url(path), client=client, now=datetime(2026, 3, 1))
    assert (report.status, report.rows_parsed, report.rows_loaded, report.rows_rejected) == ("loaded", 2, 2, 0)
    # The raw rows keep 0.412 as written; the alias registry (not this source) files gpqa_diamond's "Score" as
    # GPQA Diamond's Accuracy written as a fraction, so the normaliser stores it in percent. "hle" is not mapped.
    assert db.execute(
        "SELECT b.dataset, b.metric, r.model, r.value, r.setting, r.published_on FROM results AS r "
        "JOIN benchmarks AS b USING (benchmark_id) ORDER BY b.dataset"
    ).fetchall() == [
        ("GPQA Diamond", "Accuracy", "gpt-oss-120b", 41.2, None, None),
        ("hle", "Score", "gpt-oss-120b", 20.9, "no tools", datetime(2025, 1, 15).date()),
    ]
