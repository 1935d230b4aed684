"""The real record the report, chart and export tests draw from, the `sota` command run in-process, and what they
check of its errors and pictures.

The record is the 2019 hand copy of the PwC ImageNet board (seen 2019-11-13) and the 2020 dump (2020-08-28). A test
module takes the fixtures by importing them (`from tests.support.report_record import record, sota`); the warehouse
file is built once a session (in the session's temporary folder) and opened read-only by every command.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from flows.cli import main
from flows.ingest import ingest
from warehouse.db import connect


@pytest.fixture(scope="module")
def record(shared_data, tmp_path_factory) -> Path:
    """The warehouse file holding the hand copy and the dump (closed: the commands open it themselves)."""
    path = tmp_path_factory.getbasetemp() / "report-record.duckdb"
    if not path.exists():  # built whole under another name, so a failed build is never taken for the record
        building = tmp_path_factory.mktemp("record") / "sota.duckdb"
        with connect(building) as con:
            ingest(con, "csv", str(shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv"),
                   options={"task": "Image Classification", "dataset": "ImageNet"}, observed_at="2019-11-13")
            ingest(con, "pwc-dump", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"),
                   observed_at="2020-08-28")
        os.replace(building, path)
    return path


@pytest.fixture
def sota(capsys, monkeypatch):
    """The `sota` command in this process: its exit code and output streams."""

    def invoke(*args):
        monkeypatch.setenv("SOTA_LOCK_TIMEOUT", "1")
        monkeypatch.delenv("SOTA_DB", raising=False)
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)

    return invoke


def assert_one_line_error(result, code, text):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0] and "Traceback" not in result.stderr, result.stderr


def assert_picture(path, *, min_bytes=10_000, min_size=(600, 400)):
    """A PNG of a real picture: big enough, and not one flat colour."""
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size >= min_bytes
    pixels = matplotlib.image.imread(str(path))[..., :3]
    height, width = pixels.shape[:2]
    assert width >= min_size[0] and height >= min_size[1]
    assert float(pixels.std()) > 0.05  # not blank
    ink = float((pixels.mean(axis=2) < 0.9).mean())
    assert 0.01 < ink < 0.9  # something drawn on a light background
