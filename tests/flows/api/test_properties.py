"""Property-based: query strings drawn from the API's own OpenAPI document (each parameter given text, dates,
numbers, booleans or nothing) never get a 5xx, and every 4xx is a problem document."""
from __future__ import annotations

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
DATES = st.dates().map(lambda day: day.isoformat())
NAMES = st.sampled_from(["Image Classification", "ImageNet", "imagenet", "Top 1 Accuracy", "top-1 accuracy",
                         "pwc", "opencodepapers", "mpjpe", "higher", "unknown"])


def value_for(schema: dict) -> st.SearchStrategy:
    """What a client might send for a parameter of this schema: sensible values and anything at all."""
    kinds = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf", [])}
    sensible = [NAMES]
    if "integer" in kinds:
        sensible.append(st.integers(min_value=-5, max_value=20_000).map(str))
    if "boolean" in kinds:
        sensible.append(st.sampled_from(["true", "false", "1", "0", "yes"]))
    if schema.get("format") == "date" or "date" in str(schema.get("description", "")).lower():
        sensible.append(DATES)
    if "array" in kinds:
        return st.lists(st.one_of(*sensible, ANY_TEXT), max_size=3)
    return st.one_of(*sensible, DATES, ANY_TEXT)


def queries_from(document: dict) -> st.SearchStrategy:
    routes = []
    for path, operations in sorted(document["paths"].items()):
        if not path.startswith("/v1/"):
            continue
        parameters = operations["get"].get("parameters", [])
        routes.append(st.tuples(st.just(path), st.fixed_dictionaries(
            {}, optional={p["name"]: value_for({**p["schema"], "description": p.get("description", "")})
                          for p in parameters})))
    return st.one_of(*routes)


def test_no_query_string_gets_a_5xx(api):
    document = api.get("/openapi.json").json()

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(queries_from(document))
    def check(asked):
        path, params = asked
        answer = requests.get(api.url + path, params=params, timeout=30)
        assert answer.status_code < 500, (path, params, answer.text[:500])
        if answer.status_code >= 400:
            assert answer.headers["content-type"].startswith("application/problem+json"), (path, params)
            body = answer.json()
            assert body["status"] == answer.status_code and body["detail"]
        else:
            assert answer.status_code == 200 and "rows" in answer.json() and "data_observed_at" in answer.json()

    check()


def test_no_path_gets_a_5xx(api):
    assert api.wait_for("/").status_code == 200  # the site built: every path is a file, a route or a 404

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40))
    def check(path):
        answer = requests.get(api.url + "/" + requests.utils.quote(path, safe="/"), timeout=30)
        assert answer.status_code < 500, (path, answer.text[:300])
        if answer.status_code >= 400:
            assert answer.headers["content-type"].startswith("application/problem+json"), path

    check()
