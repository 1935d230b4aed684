"""`sota api`: the record served over HTTP, read-only.

`app.build(db)` is the ASGI app: the questions as JSON under /v1 (`answers`, the CLI's queries), Atom feeds and
badges, the static report at /; it answers from a private copy of the warehouse (`warehouse_view`) so that the
nightly writer is never blocked and requests keep being answered while it loads; every error is problem JSON
(`problems`).
"""
