"""The nightly flow: configured sources, one broken source failing alone, the run's summary."""
import duckdb
import pytest

from flows.config import ConfigError, load_config
from flows.nightly import SourceOutcome, nightly, summary_markdown
from warehouse.load import LoadReport


def write_config(tmp_path, shared_data, extra=""):
    path = tmp_path / "sota.toml"
    path.write_text(f"""
[warehouse]
path = "{tmp_path / 'sota.duckdb'}"

[[sources]]
name = "squad"
kind = "pwc-dump"
path = "{shared_data / 'pwc-sota-extractor/history/squad@2019-01-03.json'}"

[[sources]]
name = "broken"
kind = "pwc-dump"
path = "{shared_data / 'pwc-sota-extractor/examples/example_json_format.json'}"

[[sources]]
name = "handcopy"
kind = "csv"
path = "{shared_data / 'pwc-imagenet-2019-handcopy/imagenet_table.csv'}"
task = "Image Classification"
dataset = "ImageNet"
{extra}
""")
    return path


def test_one_broken_source_fails_alone(prefect_harness, tmp_path, shared_data):
    config = load_config(write_config(tmp_path, shared_data))
    state = nightly(config, return_state=True)
    assert state.is_failed() and state.message == "1 of 3 sources failed: broken"
    outcomes = state.result(raise_on_failure=False)
    assert [(o.source, o.report is not None) for o in outcomes] == [("squad", True), ("broken", False), ("handcopy", True)]
    assert "invalid JSON at line 27" in outcomes[1].error
    con = duckdb.connect(str(tmp_path / "sota.duckdb"), read_only=True)
    assert con.execute("SELECT source, status FROM snapshots ORDER BY snapshot_id").fetchall() == [
        ("pwc-dump", "loaded"), ("pwc-dump", "failed"), ("csv", "loaded"),
    ]
    con.close()
    # naming sources runs only those; the run completes when they all load
    again = nightly(config, ["squad"], return_state=True)
    assert again.is_completed()
    assert [o.report.status for o in again.result()] == ["already-loaded"]


def test_config_errors_name_the_entry(tmp_path, shared_data):
    with pytest.raises(ConfigError, match="no configuration at"):
        load_config(tmp_path / "missing.toml")
    bad = write_config(tmp_path, shared_data, '[[sources]]\nname = "x"\nkind = "nope"\npath = "a"\n')
    with pytest.raises(ConfigError, match=r"entry 4 \(x\): unknown source 'nope'"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no source named nada"):
        load_config(write_config(tmp_path, shared_data)).selected(["nada"])


def test_summary_escapes_what_it_did_not_write():
    report = LoadReport(1, "pwc-dump", "x", None, "loaded", results_new=3, rows_rejected=1)
    text = summary_markdown([SourceOutcome("a|b", report, None), SourceOutcome("<script>", None, "boom [x](y)")])
    assert text.splitlines()[2] == "| a\\|b | loaded | 3 | 0 | 0 | 1 |"
    assert "\\<script\\>" in text and "\\[x\\]\\(y\\)" in text
