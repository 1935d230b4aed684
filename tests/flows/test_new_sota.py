"""Every load records the SOTA steps it makes (issue 12, point 8): after plain `sota load`s of the 2019 hand copy and
the 2020 dump, `sota_records` holds ImageNet's move from 87.4 to 88.5, as a backfill, and no alert is queued."""
from __future__ import annotations

from flows.cli import main
from warehouse.db import connect


def test_plain_loads_record_the_sota_steps_as_backfill(shared_data, tmp_path, monkeypatch):
    monkeypatch.delenv("SOTA_DB", raising=False)
    db = tmp_path / "sota.duckdb"
    assert main(["load", str(shared_data / "pwc-imagenet-2019-handcopy/imagenet_table.csv"), "--source", "csv",
                 "--task", "Image Classification", "--dataset", "ImageNet", "--observed-at", "2019-11-13",
                 "--db", str(db)]) == 0
    assert main(["load", str(shared_data / "pwc-dump-2020-08-28/evaluation-tables.json.gz"), "--source", "pwc-dump",
                 "--observed-at", "2020-08-28", "--db", str(db)]) == 0
    with connect(db, read_only=True) as con:
        moves = con.execute(
            "SELECT previous_value, value, model, is_backfill FROM sota_records"
            " WHERE task = 'Image Classification' AND dataset = 'ImageNet' AND metric = 'Top 1 Accuracy'"
        ).fetchall()
        queued = con.execute("SELECT count(*) FROM alert_outbox").fetchone()[0]
    assert moves == [(87.4, 88.5, "FixEfficientNet-L2", True)]
    assert queued == 0
