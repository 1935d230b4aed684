"""`sota lake`: the warehouse on a DuckLake (issue 16). `sota lake migrate --from FILE --to LAKE` moves an embedded
record into an empty lake and checks the move by asking both the same questions (`warehouse.lake_copy`).

"""
from __future__ import annotations

from typing import Annotated

import typer

from flows.cli.shared import PlainHelpTyper, say

lake_app = PlainHelpTyper(
    help="The warehouse on a DuckLake: a catalog in PostgreSQL, Parquet files in a folder or on S3.")


@lake_app.command(name="migrate")
def migrate(
    source: Annotated[str, typer.Option("--from", metavar="FILE", help="The warehouse file to move (a DuckDB file).")],
    target: Annotated[
        str,
        typer.Option("--to", metavar="LAKE", help="The lake: 'ducklake:postgres:dbname=... host=... data_path=...'."),
    ],
) -> None:
    """Copy a warehouse file's record into an empty DuckLake, then check that both give the same answers.

    Every table is copied in one transaction (all or nothing), and the lake's ids move past the copied ones. The
    file and the lake are then asked the same questions (sota asof, up to 50 benchmarks' boards and histories, the
    snapshots, rejects and conflicts, each table's rows); any difference is an error naming the first one. A lake that
    already holds a record is refused. The lake install's DuckDB cannot read a file a newer DuckDB wrote: the error
    says how the base install copies it into one it reads.

    \b
    Example: sota lake migrate --from sota.duckdb --to "ducklake:postgres:dbname=sota host=db data_path=/srv/lake/"
    """
    from warehouse.lake_copy import CopiedTable, migrate_file_to_lake

    def copied(tables: tuple[CopiedTable, ...]) -> None:
        for table in tables:
            say(f"copied {table.name}: {table.rows} row{'' if table.rows == 1 else 's'}")

    say(migrate_file_to_lake(source, target, on_copied=copied).line())


def register(app: typer.Typer) -> None:
    app.add_typer(
        lake_app,
        name="lake",
        help="The warehouse on a DuckLake: move a DuckDB file's record into one.\n\n"
        '\b\nExample: sota lake migrate --from sota.duckdb '
        '--to "ducklake:postgres:dbname=sota host=db data_path=/srv/lake/"',
    )
