"""`sota api`'s routes: the questions as read-only JSON under /v1, Atom feeds and badges, and the static site at /.

Every /v1, /feeds and /badge answer comes from one leased copy of the warehouse (`warehouse_view`) and carries its
validators: an `ETag` and `Last-Modified` from the copy's last committed load, so a client that repeats a request
with `If-None-Match` gets 304 without a query being run; `Cache-Control` lets caches keep it a minute. Only GET and
HEAD exist; any other method is a 405 problem with an `Allow` header. Parameters are checked here (with the CLI's
wording for dates) and bound into the warehouse's fixed SQL; they never become SQL text.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from flows.api import answers
from flows.api.answers import Filters
from flows.api.problems import PROBLEM_TYPE, Problem, install_handlers
from flows.api.site import ServedSite
from flows.api.warehouse_view import Lease, WarehouseView
from flows.cli.shared import dumps
from flows.dates import UsageError, parse_day, parse_instant, utc_now

MAX_AGE = 60  # seconds a cache may keep an answer: the warehouse changes once a night, a refresh shows within ~1 s
BADGE_MAX_AGE = 3600
MAX_ROWS = 10_000
_PROBLEM = {"description": "problem details (RFC 9457)",
            "content": {PROBLEM_TYPE: {"schema": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "parameter": {"type": "string"}}}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {304: {"description": "not modified (If-None-Match)"}, 404: _PROBLEM,
                                              422: _PROBLEM, 503: _PROBLEM}

# The query parameters, described once: the CLI's options as the API names them.
Task = Annotated[str | None, Query(max_length=500, description="Task, e.g. 'Image Classification' (any spelling)")]
Dataset = Annotated[str | None, Query(max_length=500, description="Dataset, e.g. 'ImageNet' (any spelling)")]
Metric = Annotated[str | None, Query(max_length=500, description="Metric, e.g. 'Top 1 Accuracy' (any spelling)")]
BoardTask = Annotated[str, Query(min_length=1, max_length=500, description="Task, e.g. 'Image Classification'")]
BoardDataset = Annotated[str, Query(min_length=1, max_length=500, description="Dataset, e.g. 'ImageNet'")]
BoardMetric = Annotated[str, Query(min_length=1, max_length=500, description="Metric, e.g. 'Top 1 Accuracy'")]
Day = Annotated[str | None, Query(max_length=40, description="Publication date cut-off, YYYY-MM-DD (default today)",
                                     json_schema_extra={"format": "date"})]
KnownAt = Annotated[str | None, Query(
    max_length=60, description="Answer with what our snapshots showed then: YYYY-MM-DD (the end of that day) or an "
    "ISO timestamp (UTC)")]
ExtraData = Annotated[bool | None, Query(
    description="false leaves out results known to use extra training data")]
WithCode = Annotated[bool, Query(description="only results whose paper or model is said to have code")]
Source = Annotated[list[str] | None, Query(
    max_length=20, description="answer as this lineage published it (repeatable; default every lineage, merged)")]
Evaluator = Annotated[Literal["first-party", "third-party"] | None, Query(
    description="only results reported by this kind of evaluator: first-party (the model's developer) or third-party")]
WithinNoise = Annotated[bool, Query(
    description="also every result within the leader's noise (margin under twice the combined standard error)")]


class HeadAsGet:
    """HEAD answered as GET by the routes; uvicorn keeps the request's own method and sends no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)


def _day(text: str | None, parameter: str) -> date:
    if text is None or not text.strip():
        return utc_now().date()
    try:
        return parse_day(text, what=parameter)
    except UsageError as error:
        raise Problem(422, str(error), parameter=parameter) from None


def _known_at(text: str | None) -> date | datetime | None:
    """As the CLI's `--known-at`: a bare date means known on that day (its end), a timestamp is an instant."""
    if text is None or not text.strip():
        return None
    try:
        moment = parse_instant(text, what="known_at")
    except OverflowError:  # a timestamp near year 1 or 9999 whose offset moves it out of range
        raise Problem(422, f"bad known_at {text!r:.60}: out of range", parameter="known_at") from None
    except UsageError as error:
        raise Problem(422, str(error), parameter="known_at") from None
    return moment.date() if len(text.strip()) == 10 else moment


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


def _not_modified_since(header: str | None, last: datetime | None) -> bool:
    if not header or last is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None:
        return False
    if since.tzinfo is not None:
        since = since.astimezone(UTC).replace(tzinfo=None)
    return since >= last.replace(microsecond=0)


def _http_date(moment: datetime) -> str:
    """An HTTP date of the warehouse's naive UTC timestamp."""
    return format_datetime(moment.replace(microsecond=0, tzinfo=UTC), usegmt=True)


def create_app(view: WarehouseView, site: ServedSite, *, manage_view: bool = True) -> FastAPI:
    """The API over `view`; with `manage_view`, its lifespan makes the first copy and stops the refresher."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if manage_view:
            view.start()
        try:
            yield
        finally:
            if manage_view:
                view.stop()

    app = FastAPI(
        title="sotawatch", version="1",
        description="The state of the art as a dated record: the `sota` questions as read-only JSON, Atom feeds of "
        "new SOTA records, badges. Every answer carries `data_observed_at`, the date of its newest data.",
        lifespan=lifespan, responses=RESPONSES,
    )
    install_handlers(app)

    def answered(request: Request, produce: Callable[[Lease], tuple[bytes | str, str]],
                 max_age: int = MAX_AGE) -> Response:
        """The answer `produce` makes from the current copy, or 304 when the client holds it already."""
        with view.lease() as lease:
            copy = lease.copy
            headers = {"ETag": copy.etag(view.today()), "Cache-Control": f"public, max-age={max_age}"}
            if copy.last_loaded_at is not None:
                headers["Last-Modified"] = _http_date(copy.last_loaded_at)
            asked = request.headers.get("if-none-match")
            if _matches(asked, headers["ETag"]) or (
                    asked is None and _not_modified_since(request.headers.get("if-modified-since"),
                                                          copy.last_loaded_at)):
                return Response(status_code=304, headers=headers)
            body, media_type = produce(lease)
        return Response(body, media_type=media_type, headers=headers)

    def json_answer(request: Request, ask: Callable[[Any], dict]) -> Response:
        return answered(request, lambda lease: (dumps(lease.query(ask)), "application/json"))

    _question_routes(app, json_answer)
    _syndication_routes(app, answered)
    _site_route(app, site)
    return app


def _question_routes(app: FastAPI, json_answer: Callable[[Request, Callable[[Any], dict]], Response]) -> None:
    """The CLI's questions under /v1, each answered by `flows.api.answers` on a cursor of the leased copy."""

    @app.get("/v1/benchmarks", summary="The benchmarks, their directions and sources (sota benchmarks)")
    def benchmarks(request: Request, search: Annotated[str | None, Query(max_length=500)] = None,
                   task: Task = None, dataset: Dataset = None,
                   direction: Annotated[str | None, Query(
                       max_length=20, description="higher, lower, none or unknown")] = None,
                   limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 200) -> Response:
        return json_answer(request, lambda con: answers.benchmarks(
            con, search=search, task=task, dataset=dataset, direction=direction or None, limit=limit))

    @app.get("/v1/sota", summary="The best result per benchmark published by a date (sota asof)")
    def sota(request: Request, as_of: Day = None, known_at: KnownAt = None, extra_data: ExtraData = None,
             with_code: WithCode = False, task: Task = None, dataset: Dataset = None, metric: Metric = None,
             source: Source = None, evaluator: Evaluator = None, within_noise: WithinNoise = False) -> Response:
        day = _day(as_of, "as_of")
        filters = Filters(_known_at(known_at), extra_data, with_code, source, evaluator)
        return json_answer(request, lambda con: answers.sota(con, day, filters, task=task, dataset=dataset,
                                                             metric=metric, within_noise=within_noise))

    @app.get("/v1/leaderboard", summary="One benchmark's ranked board as of a date (sota leaderboard)")
    def leaderboard(request: Request, task: BoardTask, dataset: BoardDataset, metric: BoardMetric,
                    as_of: Day = None, known_at: KnownAt = None, extra_data: ExtraData = None,
                    top: Annotated[int, Query(ge=1, le=MAX_ROWS, description="the best N results")] = 20,
                    with_code: WithCode = False, source: Source = None, evaluator: Evaluator = None) -> Response:
        day = _day(as_of, "as_of")
        filters = Filters(_known_at(known_at), extra_data, with_code, source, evaluator)
        return json_answer(request, lambda con: answers.leaderboard(con, task, dataset, metric, day, top, filters))

    @app.get("/v1/history", summary="The SOTA steps of one benchmark (sota history)")
    def history(request: Request, task: BoardTask, dataset: BoardDataset, metric: BoardMetric,
                known_at: KnownAt = None, extra_data: ExtraData = None, with_code: WithCode = False,
                source: Source = None, evaluator: Evaluator = None) -> Response:
        filters = Filters(_known_at(known_at), extra_data, with_code, source, evaluator)
        return json_answer(request, lambda con: answers.history(con, task, dataset, metric, filters))

    @app.get("/v1/records", summary="New SOTA records, newest first, with their alert ids")
    def records(request: Request, task: Task = None, dataset: Dataset = None, metric: Metric = None,
                limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 50) -> Response:
        return json_answer(request, lambda con: answers.records(con, task=task, dataset=dataset, metric=metric,
                                                                limit=limit))

    @app.get("/v1/snapshots", summary="What was loaded and when (sota snapshots)")
    def snapshots(request: Request, source: Annotated[str | None, Query(max_length=500)] = None,
                  limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 50) -> Response:
        return json_answer(request, lambda con: answers.snapshots(con, source=source, limit=limit))


def _syndication() -> Any:
    try:
        from flows.report import syndication
    except ImportError:
        raise Problem(503, "feeds and badges are not in this version of sotawatch", title="not available") from None
    return syndication


def _syndication_routes(app: FastAPI, answered: Callable[..., Response]) -> None:
    """Atom feeds of new SOTA records and shields-style badges, names resolved as the CLI resolves them."""

    def board(con: Any, task: str, dataset: str, metric: str) -> tuple[str, str, str]:
        names = answers.resolved_names(con, task, dataset, metric)
        return names.task, names.dataset, names.metric  # type: ignore[return-value]

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @app.get("/feeds/records.atom", summary="Atom feed of new SOTA records", response_class=Response,
             responses={200: {"content": {"application/atom+xml": {}}}})
    def records_feed(request: Request) -> Response:
        feeds = _syndication()
        return answered(request, lambda lease: (lease.query(
            lambda con: feeds.records_feed(con, base_url=base(request), generated=utc_now())),
            "application/atom+xml"))

    @app.get("/feeds/{task}/{dataset}/{metric}.atom", summary="Atom feed of one benchmark's new SOTA records",
             response_class=Response, responses={200: {"content": {"application/atom+xml": {}}}})
    def benchmark_feed(request: Request, task: str, dataset: str, metric: str) -> Response:
        feeds = _syndication()
        return answered(request, lambda lease: (lease.query(
            lambda con: feeds.records_feed(con, names=board(con, task, dataset, metric), base_url=base(request),
                                           generated=utc_now())), "application/atom+xml"))

    @app.get("/badge/{task}/{dataset}/{metric}.svg", summary="A badge naming a benchmark's SOTA",
             response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
    def badge(request: Request, task: str, dataset: str, metric: str) -> Response:
        feeds = _syndication()
        return answered(request, lambda lease: (lease.query(
            lambda con: feeds.benchmark_badge(con, board(con, task, dataset, metric), today=utc_now().date())),
            "image/svg+xml"), max_age=BADGE_MAX_AGE)


def _site_route(app: FastAPI, site: ServedSite) -> None:
    """The report's files at /, after every other route (so /v1, /feeds, /badge and /docs come first)."""

    @app.get("/{path:path}", include_in_schema=False)
    def site_file(path: str) -> Response:
        found = site.file(path)
        # the pages carry their own Content-Security-Policy (flows/report/templates)
        return FileResponse(found, headers={"Cache-Control": f"public, max-age={MAX_AGE}"})


def build(database: str | Path | None, *, site_dir: Path | None = None, build_site: bool = True,
          query_seconds: float = 10.0, interval: float = 1.0) -> ASGIApp:
    """The whole ASGI app of `sota api`: the view of `database`, the site, the routes, HEAD handled as GET."""
    view = WarehouseView(database, query_seconds=query_seconds, interval=interval)
    site = ServedSite(site_dir, view.work_folder, build=build_site)
    view.on_new_copy = site.rebuild
    return HeadAsGet(create_app(view, site))


def server_config(app: ASGIApp, host: str, port: int, *, log_level: str = "info") -> Any:
    """uvicorn's settings for the API: idle connections closed after 5 s, at most 512 requests at once (more get 503
    from uvicorn rather than memory), and no proxy headers trusted (the API says nothing per client)."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level=log_level, timeout_keep_alive=5,
                          limit_concurrency=512, proxy_headers=False, server_header=False,
                          timeout_graceful_shutdown=5)
