"""The export of the real record (`sota export`): Parquet read back into a fresh warehouse gives the same answers, as
of today and as of a date; CSV with a header; one-line errors.

The record (tests/support/report_record.py) is the 2019 hand copy of the PwC ImageNet board (seen 2019-11-13) and the
2020 dump (2020-08-28).
"""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from tests.support.report_record import assert_one_line_error, record, sota  # noqa: F401 - fixtures
from warehouse.db import connect


def _reload(folder, tmp_path, name):
    """A fresh warehouse holding only what the export wrote (its migrations give it the macros)."""
    from warehouse.frontier import rebuild_frontier

    con = connect(tmp_path / f"{name}.duckdb")
    con.execute(f"INSERT INTO benchmarks BY NAME SELECT * FROM read_parquet('{folder}/benchmarks.parquet')")
    con.execute(f"INSERT INTO snapshots BY NAME SELECT * FROM read_parquet('{folder}/snapshots.parquet')")
    # the export keeps the claim key internal: a reload derives one that ties the versions of a claim together
    con.execute("INSERT INTO results BY NAME SELECT * EXCLUDE (task, dataset, metric, direction, unit), "
                "concat_ws(chr(31), source, benchmark_id::VARCHAR, model, coalesce(arxiv_id, paper_url, paper_title, ''),"
                " coalesce(setting, '')) AS claim_key "
                f"FROM read_parquet('{folder}/results/*/*.parquet', hive_partitioning = true)")
    rebuild_frontier(con)
    return con


SOTA_ROWS = "SELECT task, dataset, metric, model, value, published_on FROM sota_as_of({args}) ORDER BY ALL"


def test_parquet_export_round_trips(record, sota, tmp_path):  # noqa: F811 - fixtures
    out = tmp_path / "export"
    result = sota("export", "--format", "parquet", "-o", out, "--db", record)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "results").iterdir()) == ["source=csv", "source=pwc-dump"]
    # readable alone: the benchmark's names are columns, the internal claim key is not
    columns = [c for c, *_ in duckdb.sql(
        f"DESCRIBE SELECT * FROM read_parquet('{out}/results/*/*.parquet', hive_partitioning = true)").fetchall()]
    assert columns[:8] == ["task", "dataset", "metric", "direction", "unit", "model", "value", "is_estimate"]
    assert "claim_key" not in columns and "source" in columns
    assert {p.name for p in out.iterdir()} >= {"benchmarks.parquet", "snapshots.parquet", "sota_history.parquet",
                                               "leaderboards.parquet"}
    # one row per consolidated result: Noisy Student (EfficientNet-L2) once, 88.4, witnessed by both lineages
    noisy = duckdb.sql(
        f"SELECT model, value, witnesses FROM read_parquet('{out}/leaderboards.parquet') WHERE dataset = 'ImageNet'"
        " AND metric = 'Top 1 Accuracy' AND model ILIKE 'Noisy%Student (EfficientNet-L2)'"
    ).fetchall()
    assert noisy == [("NoisyStudent (EfficientNet-L2)", 88.4, "csv, pwc-dump")]

    copy = _reload(out, tmp_path, "copy")
    answers = []
    with connect(record, read_only=True) as original:
        for args in ("DATE '2026-01-01'", "DATE '2019-06-01'", "DATE '2020-09-01', extra_data := false",
                     "DATE '2019-12-01', known_at := DATE '2019-12-01'"):
            expected = original.execute(SOTA_ROWS.format(args=args)).fetchall()
            assert copy.execute(SOTA_ROWS.format(args=args)).fetchall() == expected, args
            answers.append(len(expected))
        assert answers[0] > 3000 and answers[-1] == 2  # every benchmark today; on 2019-12-01 only the hand copy's
        history = original.execute("SELECT count(*) FROM benchmarks b, LATERAL (FROM sota_history(b.task, "
                                   "b.dataset, b.metric)) WHERE b.direction <> 'none'").fetchone()[0]
    assert copy.execute(f"SELECT count(*) FROM read_parquet('{out}/sota_history.parquet')").fetchone()[0] == history
    copy.close()

    # as of a date: the record as it stood then; its latest knowledge is what was known on that day
    then = tmp_path / "then"
    assert sota("export", "--format", "parquet", "-o", then, "--as-of", "2019-12-01", "--db", record).returncode == 0
    assert [p.name for p in (then / "results").iterdir()] == ["source=csv"]
    old = _reload(then, tmp_path, "then")
    assert old.execute(SOTA_ROWS.format(args="DATE '2019-12-01'")).fetchall() == [
        ("Image Classification", "ImageNet", "Top 1 Accuracy", "Noisy Student (EfficientNet-L2)", 87.4, date(2019, 11, 11)),
        ("Image Classification", "ImageNet", "Top 5 Accuracy", "Noisy Student (EfficientNet-L2)", 98.2, date(2019, 11, 11)),
    ]
    old.close()


def test_csv_export_and_its_errors(record, sota, tmp_path):  # noqa: F811 - fixtures
    out = tmp_path / "csv"
    assert sota("export", "--format", "csv", "-o", out, "--db", record).returncode == 0
    header = (out / "benchmarks.csv").read_text().splitlines()[0]
    assert header.startswith("benchmark_id,task,dataset,metric,direction")
    assert (out / "results" / "source=pwc-dump").is_dir()
    assert_one_line_error(sota("export", "--format", "xlsx", "-o", out, "--db", record), 2, "--format 'xlsx'")
    assert_one_line_error(sota("export", "-o", out, "--db", tmp_path / "none.duckdb"), 1, "no warehouse")
    assert {p.name for p in out.iterdir()} == {"results", "benchmarks.csv", "snapshots.csv", "sota_history.csv",
                                               "leaderboards.csv"}


def test_export_errors_are_export_errors(record, tmp_path):  # noqa: F811 - fixtures
    from warehouse.errors import WarehouseError
    from warehouse.export import ExportError, export_record

    with pytest.raises(ExportError, match="--format 'xlsx': expected one of parquet, csv"):
        export_record(record, tmp_path / "out", fmt="xlsx")
    assert not (tmp_path / "out").exists()
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write the export to"):
        export_record(record, tmp_path / "file" / "out")
    assert issubclass(ExportError, WarehouseError)  # the CLI's exit 1 for warehouse errors
