"""The nightly flow: configured sources, one broken source failing alone, the run's summary."""
import duckdb
import pytest

from flows.cli import main
from flows.config import ConfigError, load_config
from flows.nightly import SourceOutcome, nightly, run_result, summary_markdown
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


def test_one_broken_source_fails_alone(prefect_harness, tmp_path, shared_data, capsys):
    config = write_config(tmp_path, shared_data, f'[report]\npath = "{tmp_path / "report"}"\n')
    state = nightly(str(config), return_state=True)
    assert state.is_failed() and state.message == "1 of 3 sources failed: broken"
    # the sources that loaded are in the rebuilt report, the broken one failed alone
    assert "ImageNet" in (tmp_path / "report" / "index.html").read_text()
    outcomes = run_result(state).sources
    assert [(o.source, o.report is not None) for o in outcomes] == [("squad", True), ("broken", False), ("handcopy", True)]
    assert "invalid JSON at line 27" in outcomes[1].error
    con = duckdb.connect(str(tmp_path / "sota.duckdb"), read_only=True)
    # each entry is its own lineage: its name is the snapshots' source, the kind that parsed them beside it
    assert con.execute("SELECT source, kind, status FROM snapshots ORDER BY snapshot_id").fetchall() == [
        ("squad", "pwc-dump", "loaded"), ("broken", "pwc-dump", "failed"), ("handcopy", "csv", "loaded"),
    ]
    con.close()
    # naming sources runs only those; the run completes when they all load (here through the command, as a backfill)
    capsys.readouterr()
    assert main(["run", "--config", str(config), "--source", "squad", "--backfill"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "squad: snapshot 1 of squad (pwc-dump): already-loaded (same bytes as before), nothing new"
    ]


def test_the_run_message_counts_one_source_in_the_singular(prefect_harness, tmp_path, shared_data):
    config = write_config(tmp_path, shared_data)

    assert nightly(str(config), sources=["handcopy"], return_state=True).message == "1 source loaded"
    assert nightly(str(config), sources=["squad", "handcopy"], return_state=True).message == "2 sources loaded"
    assert nightly(str(config), sources=["broken"], return_state=True).message == "the source failed: broken"


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


def test_summary_lists_the_new_records_escaped():
    from datetime import datetime

    from flows.nightly import DeliveryOutcome
    from warehouse.sota_detect import Record

    record = Record(
        record_id=1, alert_id="a", snapshot_id=2, benchmark_id=3, task="T", dataset="D", metric="M", result_id=4,
        model="[click](https://evil.example) *bold*", value=2.5, paper_title=None, paper_url=None, published_on=None,
        previous_result_id=5, previous_model="<b>old</b>", previous_value=1.5, margin=1.0,
        detected_at=datetime(2021, 6, 1), is_backfill=False, direction="higher", unit=None,
    )
    report = LoadReport(2, "pwc-dump", "x", None, "loaded", results_new=1)
    delivery = DeliveryOutcome(delivered=(("hook", "line"),), failed=(("mail", "SMTP 554 <no>"),))
    text = summary_markdown([SourceOutcome("dump", report, None, (record,))], delivery)
    assert ("- New SOTA on T / D / M: \\[click\\]\\(https://evil\\.example\\) \\*bold\\* 2\\.5 beats "
            "\\<b\\>old\\</b\\> 1\\.5 by 1 \\[dump\\]") in text
    assert "**alerts: 1 delivered, 1 failed \\(kept pending for the next run\\)**" in text
    assert "- not sent to mail: SMTP 554 \\<no\\>" in text



def test_a_run_fetches_only_configured_hosts_and_no_redirect_leaves_them(prefect_harness, tmp_path, shared_data):
    from tests.support.http_server import redirect, serve

    handcopy = "/pwc-imagenet-2019-handcopy/imagenet_table.csv"
    with serve(shared_data) as server:
        # the configured host answers with a redirect to another name for this machine: a private address
        server.route("/mirror.csv", [redirect(f"http://localhost:{server.port}{handcopy}")])
        source = (f'[[sources]]\nname = "mirror"\nkind = "csv"\nurl = "{server.url("/mirror.csv")}"\n'
                  'task = "Image Classification"\ndataset = "ImageNet"\n')
        config = write_config(tmp_path, shared_data, source)

        refused = nightly(str(config), sources=["mirror"], return_state=True)
        (outcome,) = run_result(refused).sources
        assert refused.is_failed() and outcome.report is None
        assert f"host 'localhost' (of http://localhost:{server.port}{handcopy}) is not in allowed_hosts" in outcome.error
        assert server.requests_to(handcopy) == []  # refused before asking

        # listed by name in [run] allowed_hosts, the same redirect is followed
        config.write_text(config.read_text().replace("[warehouse]", '[run]\nallowed_hosts = ["localhost"]\n\n[warehouse]'))
        allowed = nightly(str(config), sources=["mirror"], return_state=True)
        assert allowed.is_completed(), allowed.message
        assert run_result(allowed).sources[0].report.results_new == 272


def test_workers_need_a_warehouse_they_can_all_write_at_once(prefect_harness, tmp_path, shared_data):
    config = write_config(tmp_path, shared_data)
    state = nightly(str(config), workers="sotawatch-sources/sources", return_state=True)
    assert state.is_failed() and state.message == (
        "workers (sotawatch-sources/sources) load into one warehouse at once, which a DuckDB file does not allow: "
        "give the configuration a lake (ducklake:postgres:... data_path=...), or run without workers")
    assert not (tmp_path / "sota.duckdb").exists()  # nothing started, nothing written


def test_the_sources_are_fanned_out_one_group_per_lineage_in_the_order_selected(tmp_path, shared_data):
    from flows.fanout import lineage_groups

    config = write_config(tmp_path, shared_data, """
[[sources]]
name = "handcopy-again"
kind = "csv"
lineage = "handcopy"
path = "x.csv"
task = "Image Classification"
dataset = "ImageNet"
""")
    run_config = load_config(str(config))
    assert lineage_groups(run_config, None) == [["squad"], ["broken"], ["handcopy", "handcopy-again"]]
    assert lineage_groups(run_config, ["handcopy-again", "squad"]) == [["handcopy-again"], ["squad"]]
