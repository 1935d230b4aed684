"""`sota api` as a user starts it: a process of its own serving the warehouse, and one-line errors."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import requests

from tests.flows.api.serving import IMAGENET_TOP1, REPO, free_port


def _sota(*argv: str, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flows.cli", *argv], cwd=REPO, env={**os.environ},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def test_sota_api_serves_the_warehouse_and_a_site_folder(tour_db, tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>our site</title>\n")
    port = free_port()
    server = _sota("api", "--db", str(tour_db), "--port", str(port), "--site", str(tmp_path))
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/v1/sota", timeout=10,
                                      params={"as_of": "2020-09-01", "known_at": "2020-09-01", **IMAGENET_TOP1})
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200, server.stderr
        assert answer.json()["rows"][0]["model"] == "FixEfficientNet-L2"
        assert "our site" in requests.get(f"http://127.0.0.1:{port}/", timeout=10).text
    finally:
        server.terminate()
        said, _ = server.communicate(timeout=30)
    assert f"at http://127.0.0.1:{port}/" in said


def test_sota_api_errors_are_one_line(tmp_path, tour_db):
    missing = _sota("api", "--db", str(tmp_path / "none.duckdb"))
    _, said = missing.communicate(timeout=60)
    assert missing.returncode == 1 and said.strip().count("\n") == 0 and "no warehouse at" in said
    no_site = _sota("api", "--db", str(tour_db), "--site", str(tmp_path))
    _, said = no_site.communicate(timeout=60)
    assert no_site.returncode == 2 and "no index.html" in said and "Traceback" not in said
