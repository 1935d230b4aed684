"""`sota api` on the README tour's warehouse, over real HTTP: the CLI's answers as JSON, validators and 304s, problem
details for every refusal, read-only methods, the OpenAPI document and the site at /."""
from __future__ import annotations

import json

import pytest
import requests

from tests.flows.api.serving import IMAGENET_TOP1, sota

PROBLEM = "application/problem+json"


def cli_json(db, *argv: str):
    """What `sota ARGV --json` prints (a staleness warning may follow it: it goes to stderr)."""
    return json.JSONDecoder().raw_decode(sota(*argv, "--json", "--db", str(db)).lstrip())[0]


def assert_problem(answer: requests.Response, status: int, parameter: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM), answer.headers
    body = answer.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in answer.text
    if parameter:
        assert body["parameter"] == parameter and parameter in body["detail"]
    return body


def test_sota_as_of_2020_09_01_is_fixefficientnet_l2(api):
    # as the boards showed it then; by latest knowledge the 2023 page adds Meta Pseudo Labels (90.2, March 2020)
    answer = api.get("/v1/sota", params={"as_of": "2020-09-01", "known_at": "2020-09-01", **IMAGENET_TOP1})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert [(row["model"], row["value"]) for row in body["rows"]] == [("FixEfficientNet-L2", 88.5)]
    assert body["data_observed_at"] == body["rows"][0]["data_observed_at"] == "2020-08-28T00:00:00"
    latest = api.get("/v1/sota", params={"as_of": "2020-09-01", **IMAGENET_TOP1}).json()["rows"]
    assert [(row["model"], row["value"]) for row in latest] == [("Meta Pseudo Labels (EfficientNet-L2)", 90.2)]


def test_answers_are_the_clis_json(api, tour_db):
    asked = {"as_of": "2019-12-01", "dataset": "imagenet", "metric": "top-1 accuracy", "known_at": "2019-12-01"}
    rows = api.get("/v1/sota", params=asked).json()["rows"]
    assert rows == cli_json(tour_db, "asof", "2019-12-01", "--dataset", "imagenet", "--metric", "top-1 accuracy",
                            "--known-at", "2019-12-01")
    assert rows[0]["model"] == "Noisy Student (EfficientNet-L2)" and rows[0]["value"] == 87.4

    board = api.get("/v1/leaderboard", params={**IMAGENET_TOP1, "as_of": "2020-01-01", "top": 5}).json()
    flags = ["--task", IMAGENET_TOP1["task"], "--dataset", "ImageNet", "--metric", "Top 1 Accuracy"]
    assert board["rows"] == cli_json(tour_db, "leaderboard", *flags, "--as-of", "2020-01-01", "--top", "5")
    assert len(board["rows"]) == 5 and board["total"] > 5 and board["as_of"] == "2020-01-01"

    steps = api.get("/v1/history", params=IMAGENET_TOP1).json()
    assert steps["rows"] == cli_json(tour_db, "history", *flags) and len(steps["rows"]) > 3

    found = api.get("/v1/benchmarks", params={"search": "mpjpe", "dataset": "human3.6m"}).json()
    assert found["rows"] == cli_json(tour_db, "benchmarks", "--search", "mpjpe", "--dataset", "human3.6m")
    assert found["total"] == len(found["rows"]) > 0 and found["data_observed_at"]

    loaded = api.get("/v1/snapshots").json()
    assert loaded["rows"] == cli_json(tour_db, "snapshots") and loaded["total"] == 4
    assert loaded["data_observed_at"].startswith("2025-11-30")


def test_filters_and_lineages(api):
    coded = api.get("/v1/sota", params={"as_of": "2023-12-10", "known_at": "2023-12-10", "with_code": "true",
                                        **IMAGENET_TOP1}).json()["rows"]
    assert [(row["model"], row["value"]) for row in coded] == [("CoCa (finetuned)", 91)]
    theirs = api.get("/v1/leaderboard", params={**IMAGENET_TOP1, "as_of": "2025-11-30", "known_at": "2025-11-30",
                                                "source": "opencodepapers", "top": 2}).json()
    assert [row["model"] for row in theirs["rows"]] == ["CoCa (finetuned)", "Model soups (BASIC-L)"]
    unknown = assert_problem(api.get("/v1/sota", params={"source": "nope"}), 404, "source")
    assert "pwc" in unknown["detail"]


def test_records_carry_their_alert_ids(api):
    records = api.get("/v1/records", params=IMAGENET_TOP1).json()
    assert "FixEfficientNet-L2" in {row["model"] for row in records["rows"]}
    assert all(len(row["alert_id"]) == 36 for row in records["rows"]) and records["total"] == len(records["rows"])
    assert api.get("/v1/records", params={"limit": 1}).json()["total"] >= records["total"]


def test_an_unknown_name_is_a_404_naming_the_closest(api):
    body = assert_problem(api.get("/v1/sota", params={"dataset": "ImageNett"}), 404, "dataset")
    assert "did you mean 'ImageNet'" in body["detail"]
    assert_problem(api.get("/v1/leaderboard", params={**IMAGENET_TOP1, "metric": "Top 9 Accuracy"}), 404, "metric")


def test_a_repeat_with_the_etag_gets_304(api):
    params = {"as_of": "2020-09-01", "known_at": "2020-09-01", **IMAGENET_TOP1}
    first = api.get("/v1/sota", params=params)
    etag = first.headers["etag"]
    assert etag.startswith('"') and "max-age" in first.headers["cache-control"] and first.headers["last-modified"]
    again = api.get("/v1/sota", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert api.get("/v1/sota", params=params, headers={"If-None-Match": '"other"'}).status_code == 200
    since = api.get("/v1/sota", params=params, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_write_methods_get_405(api, method):
    for path in ("/v1/sota", "/v1/leaderboard", "/feeds/records.atom", "/", "/index.html"):
        answer = requests.request(method, api.url + path, data=b"x", timeout=30)
        assert_problem(answer, 405)
        assert answer.headers["allow"] == "GET, HEAD"


def test_bad_parameters_are_problems_naming_them(api):
    body = assert_problem(api.get("/v1/sota", params={"as_of": "2020-13-45", **IMAGENET_TOP1}), 422, "as_of")
    assert body["detail"] == "bad as_of '2020-13-45': expected YYYY-MM-DD"
    assert_problem(api.get("/v1/sota", params={"known_at": "yesterday"}), 422, "known_at")
    assert_problem(api.get("/v1/leaderboard", params={**IMAGENET_TOP1, "top": 0}), 422, "top")
    assert_problem(api.get("/v1/leaderboard", params={**IMAGENET_TOP1, "top": "many"}), 422, "top")
    assert_problem(api.get("/v1/sota", params={"with_code": "perhaps"}), 422, "with_code")
    assert_problem(api.get("/v1/history", params={"task": "x"}), 422, "dataset")
    assert_problem(api.get("/v1/benchmarks", params={"direction": "sideways"}), 422, "direction")


def test_head_answers_without_a_body(api):
    answer = requests.head(api.url + "/v1/snapshots", timeout=30)
    assert answer.status_code == 200 and answer.content == b"" and answer.headers["etag"]


def test_the_openapi_document_and_the_docs(api):
    document = api.get("/openapi.json").json()
    assert {"/v1/benchmarks", "/v1/sota", "/v1/leaderboard", "/v1/history", "/v1/records",
            "/v1/snapshots"} <= set(document["paths"])
    names = {p["name"] for p in document["paths"]["/v1/sota"]["get"]["parameters"]}
    assert {"as_of", "known_at", "extra_data", "with_code", "task", "dataset", "metric", "source"} <= names
    assert "/{path}" not in document["paths"]
    assert "swagger" in api.get("/docs").text.lower()


def test_the_site_is_served_at_the_root(api):
    index = api.wait_for("/")
    assert index.status_code == 200 and "text/html" in index.headers["content-type"], index.text[:300]
    assert "ImageNet" in index.text
    assert api.get("/index.html").text == index.text
    assert_problem(api.get("/no-such-page.html"), 404)
    assert_problem(api.get("/..%2F..%2Fetc%2Fpasswd"), 404)
    assert api.get("/v1/snapshots").headers["content-type"] == "application/json"  # /v1 comes first
