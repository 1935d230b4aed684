"""Errors as the API answers them: RFC 9457 problem details (`application/problem+json`), never a traceback.

Every refusal is a `Problem` (status, title, detail, and the query parameter at fault where there is one); the
handlers installed by `install_handlers` turn ours, FastAPI's validation errors, Starlette's 404/405 and anything
unexpected into one JSON shape. The catch-all logs the traceback on the server and tells the client only that
something failed, with an id to quote from the log.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

PROBLEM_TYPE = "application/problem+json"
log = logging.getLogger("sotawatch.api")

_TITLES = {400: "bad request", 404: "not found", 405: "method not allowed", 422: "invalid parameter",
           500: "internal error", 503: "unavailable"}


class Problem(Exception):
    """A refusal the client can act on: its status, a short title, a one-line detail and the parameter at fault."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, parameter: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "error")
        self.parameter = parameter
        self.headers = headers or {}


class QueryTimeout(Problem):
    """A query that ran past the API's time limit and was interrupted."""

    def __init__(self, seconds: float) -> None:
        super().__init__(503, f"query took longer than {seconds:g} s", title="query timeout",
                         headers={"Retry-After": "5"})


class NotReady(Problem):
    """Nothing to serve yet: no copy of the warehouse could be made (the file is missing, or a writer holds it), or the
    site is still being built."""

    def __init__(self, detail: str) -> None:
        super().__init__(503, detail, title="not ready", headers={"Retry-After": "2"})


def problem_response(problem: Problem) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": problem.title, "status": problem.status,
                            "detail": problem.detail}
    if problem.parameter:
        body["parameter"] = problem.parameter
    # problems are never cached: the next load (or a fixed request) may answer
    headers = {"Cache-Control": "no-store", **problem.headers}
    return Response(json.dumps(body, ensure_ascii=False), status_code=problem.status, media_type=PROBLEM_TYPE,
                    headers=headers)


def _validation_problem(error: RequestValidationError) -> Problem:
    """FastAPI's first complaint about a query parameter, as one line naming it."""
    first = (error.errors() or [{}])[0]
    location = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "header")]
    parameter = location[0] if location else None
    message = str(first.get("msg", "invalid value"))
    given = first.get("input")
    shown = f" (got {given!r:.60})" if isinstance(given, (str, int, float)) else ""
    detail = f"{parameter}: {message[:1].lower()}{message[1:]}{shown}" if parameter else message
    return Problem(422, detail, parameter=parameter)


def install_handlers(app: FastAPI) -> None:
    """Every error the app can meet answered as problem JSON."""

    @app.exception_handler(Problem)
    async def _ours(request: Request, problem: Problem) -> Response:
        return problem_response(problem)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        return problem_response(_validation_problem(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        # Starlette's own refusals: an unknown path, a method a route does not take (its Allow header kept)
        detail = error.detail if isinstance(error.detail, str) else _TITLES.get(error.status_code, "error")
        headers = dict(error.headers or {})
        if error.status_code == 405:
            detail = f"{request.method} is not allowed: this API is read-only (GET and HEAD)"
            headers["Allow"] = "GET, HEAD"  # HEAD is answered too (app.HeadAsGet), though routes list only GET
        return problem_response(Problem(error.status_code, detail, headers=headers))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        incident = uuid.uuid4().hex[:12]
        log.exception("unexpected error %s answering %s %s", incident, request.method, _path_only(request))
        return problem_response(Problem(500, f"unexpected error (incident {incident} in the server's log)"))


def _path_only(request: Request) -> str:
    # the log keeps the path, not the query string (it may hold anything a client typed, control codes included)
    return re.sub(r"[^\x20-\x7e]", "?", request.url.path)[:200]
