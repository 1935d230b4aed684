"""Atom feeds of new SOTA records and badges, served by `sota api` (flows/report/syndication.py writes them)."""
from __future__ import annotations

import pytest

from bench.cli import LOADS
from tests.flows.api.serving import IMAGENET_TOP1, serving, sota

feedparser = pytest.importorskip("feedparser")
syndication = pytest.importorskip("flows.report.syndication")


def test_the_records_feed_is_valid_atom_holding_the_fixefficientnet_record(api):
    answer = api.get("/feeds/records.atom")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    assert answer.headers["etag"] and "max-age" in answer.headers["cache-control"]
    feed = feedparser.parse(answer.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert any("FixEfficientNet-L2" in entry.title for entry in feed.entries)
    alert_ids = {row["alert_id"] for row in api.get("/v1/records", params={"limit": 1000}).json()["rows"]}
    assert all(any(alert_id in entry.id for alert_id in alert_ids) for entry in feed.entries)


def test_one_benchmarks_feed_by_names_and_the_sites_by_slug(api):
    slug = syndication.feed_slug(IMAGENET_TOP1["task"], IMAGENET_TOP1["dataset"], IMAGENET_TOP1["metric"])
    # by names (any spelling) from the API; by slug, the file the report wrote beside its pages
    for path in ("/feeds/Image Classification/imagenet/top-1 accuracy.atom", f"/feeds/{slug}.atom"):
        answer = api.wait_for(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        feed = feedparser.parse(answer.content)
        assert feed.bozo == 0 and any("FixEfficientNet-L2" in entry.title for entry in feed.entries)
    missing = api.get("/feeds/Image Classification/ImageNett/Top 1 Accuracy.atom")
    assert missing.status_code == 404 and "ImageNet" in missing.json()["detail"]


def test_the_badge_names_the_sota(api):
    answer = api.get("/badge/Image Classification/ImageNet/Top 1 Accuracy.svg")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert "max-age" in answer.headers["cache-control"]
    assert "<svg" in answer.text and "<title>SOTA: OmniVec 92.4%</title>" in answer.text  # the 2023 page's
    assert api.get("/badge/Image Classification/ImageNet/Top 9 Accuracy.svg").status_code == 404


def test_after_the_tours_first_step_the_sota_and_its_badge_are_fixefficientnet_l2(tmp_path, shared_data):
    """Step 1 of the tour (the hand copy, then the 2020 dump): by latest knowledge, FixEfficientNet-L2 at 88.5."""
    db = tmp_path / "step1.duckdb"
    for payload, arguments in LOADS[:2]:
        sota("load", str(shared_data / payload), *arguments, "--db", str(db))
    with serving(db, build_site=False) as served:
        rows = served.get("/v1/sota", params={"as_of": "2020-09-01", **IMAGENET_TOP1}).json()["rows"]
        assert [(row["model"], row["value"]) for row in rows] == [("FixEfficientNet-L2", 88.5)]
        badge = served.get("/badge/Image Classification/ImageNet/Top 1 Accuracy.svg").text
        assert "<title>SOTA: FixEfficientNet-L2 88.5%</title>" in badge
        feed = feedparser.parse(served.get("/feeds/records.atom").content)
        assert feed.bozo == 0 and [entry.title for entry in feed.entries] == [
            "New SOTA on Image Classification / ImageNet / Top 1 Accuracy: FixEfficientNet-L2 88.5"]
