"""`sota api`: the record served over HTTP, read-only (flows/api): the questions as JSON, feeds, badges, the site.

`register(app)` adds it to the main `sota` app. The server answers from a private copy of the warehouse, refreshed
within a second or two of each committed load, so the nightly run is never blocked by it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.shared import DbOption, say
from flows.dates import UsageError
from warehouse.db import database_path
from warehouse.errors import DatabaseMissingError


def register(app: typer.Typer) -> None:
    app.command(name="api")(api)


def api(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", metavar="HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", min=0, max=65535, help="Port to listen on.")] = 8000,
    site: Annotated[
        Optional[str],
        typer.Option("--site", metavar="DIR", help="Serve this report folder at / (default: build one from the "
                                                   "warehouse, again after each load)."),
    ] = None,
    query_seconds: Annotated[
        float, typer.Option("--query-seconds", metavar="SECONDS", min=0.1, help="Time limit of one query.")
    ] = 10.0,
) -> None:
    """Serve the record read-only over HTTP: JSON under /v1, Atom feeds, badges, the report at / (Ctrl-C stops).

    \b
    Example: sota api --db sota.duckdb --port 8000   # then: curl 'http://127.0.0.1:8000/v1/snapshots?limit=3'
    """
    import uvicorn

    from flows.api.app import build, server_config

    target = database_path(db)
    if not target.exists():
        raise DatabaseMissingError(f"no warehouse at {target}: load something first (sota load ...)")
    folder = Path(site) if site else None
    if folder is not None and not (folder / "index.html").is_file():
        raise UsageError(f"--site {site}: no index.html there (sota report -o DIR writes one)")
    application = build(target, site_dir=folder, query_seconds=query_seconds)
    say(f"serving {target} at http://{host}:{port}/ (JSON under /v1, docs at /docs); Ctrl-C stops")
    uvicorn.Server(server_config(application, host, port)).run()
