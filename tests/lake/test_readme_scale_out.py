"""The README's scale-out section as a test (issue 16): its ```bash block run line by line, as written, against a
PostgreSQL and a Prefect server of the test's own, with the README's example lake location replaced by a real one.

The block's `sota` lines run in-process (their `$SOTA_DB` from the block's own `export`), its `prefect` lines as the
CLI against the server, from a copy of the project (where `prefect deploy` is run, so where the runs start, reading
the `sota.toml` a team would have adapted from the example); `prefect worker start` is started twice, as on two
machines. The `pip install` line is what the lake environment running this test already did.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

from tests.conftest import shared_data_dir
from tests.support.prefect_server import running_prefect_server
from tests.support.receivers import sota
from warehouse.db import connect

REPO = Path(__file__).resolve().parents[2]
README_LAKE = "ducklake:postgres:dbname=sota host=db.internal user=sota data_path=/srv/sota-lake/"


def scale_out_lines() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Scale-out"):]
    block = re.search(r"^```bash\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)[1]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def _config(folder: Path, lake: str) -> None:
    """The team's sota.toml: the example's offline ImageNet boards, the warehouse on the lake."""
    data = shared_data_dir().as_posix()
    (folder / "sota.toml").write_text(f'''[warehouse]
path = "{lake}"

[[sources]]
name = "pwc-imagenet-2023"
kind = "pwc-page"
lineage = "pwc"
path = "{data}/pwc-sota-page/image-classification-on-imagenet@2023-12-07.json"
observed_at = 2023-12-07

[[sources]]
name = "opencodepapers-2025"
kind = "opencodepapers"
lineage = "opencodepapers"
path = "{data}/opencodepapers/image-classification-on-imagenet.json"
observed_at = 2025-11-30

[[alerts.channels]]
name = "console"
kind = "console"
''')


def test_the_readme_scale_out_section_works_as_written(postgres, lake_url, tmp_path, monkeypatch, capsys):
    lines = scale_out_lines()
    assert lines[0].startswith("pip install -e '.[lake]'") and README_LAKE in lines[1]
    project = tmp_path / "project"
    shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".git", ".venv*", "__pycache__", "*.egg-info"))
    _config(project, lake_url)
    monkeypatch.chdir(project)
    with connect(project / "sota.duckdb") as con:  # the record a first user kept in the file (the README's tour)
        from flows.ingest import ingest

        ingest(con, "csv", str(shared_data_dir() / "pwc-imagenet-2019-handcopy/imagenet_table.csv"), lineage="pwc",
               options={"task": "Image Classification", "dataset": "ImageNet"}, observed_at="2019-11-13")

    home = tmp_path / "prefect"
    home.mkdir()
    env = {"SOTA_DUCKDB_EXTENSIONS": os.environ["SOTA_DUCKDB_EXTENSIONS"]}
    ran = []
    with running_prefect_server(home, postgres, env) as server:
        server.cwd = project
        for line in lines[1:]:
            line = line.replace(README_LAKE, lake_url)
            if line.startswith("export "):
                name, _, value = line.removeprefix("export ").partition("=")
                monkeypatch.setenv(name, shlex.split(value)[0])
                server.env[name] = os.environ[name]
            elif line.startswith("sota "):
                code, out, err = sota(capsys, *shlex.split(os.path.expandvars(line))[1:])
                assert code == 0 and "Traceback" not in err, (line, out, err)
                ran.append((line, out))
            elif line.startswith("prefect worker start "):
                for machine in ("one", "two"):
                    server.start_worker_command(machine, shlex.split(line)[1:], tmp_path)
            elif line.startswith("prefect "):
                ran.append((line, server.cli(*shlex.split(line)[1:], timeout=600)))
            else:
                raise AssertionError(f"the test does not know how to run {line!r}")

    migrated = next(out for line, out in ran if line.startswith("sota lake migrate"))
    assert migrated.startswith("copied ") and "answers compared, all equal" in migrated
    assert any("Noisy Student" in out for line, out in ran if line.startswith("sota asof"))
    assert "Completed" in ran[-1][1]
    with connect(lake_url, read_only=True) as lake:  # the nightly's loads joined the migrated record
        assert lake.execute("SELECT source, status FROM snapshots ORDER BY observed_at").fetchall() == [
            ("pwc", "loaded"), ("pwc", "loaded"), ("opencodepapers", "loaded")]
