"""The `sota` command line: one module per command group (`load`, `questions`, `ops`, `report`, `claims`), what they
share in `shared`, and the app with its error handling in `app`. `main` is the console script's entry point."""
from flows.cli.app import app, main

__all__ = ["app", "main"]
