"""The archive browser: a read-only Starlette application over the archive's database and
WARC files (``python -m archive serve``).

Read-only by construction: every route is a GET, and its database connections are opened
read-only (SQLite ``query_only``, PostgreSQL read-only transactions). Nothing in a request
names a file: a WARC record is reached through a snapshot row's own reference. Every
parameter is checked (``params``); a bad one is a 400 page, an unknown id a 404 page, an
archive that cannot be read a 503 page: no traceback reaches the browser. Pages carry a
Content-Security-Policy without scripts; an archived page is shown only neutralized
(``captured``), with its own stricter policy, in a sandboxed frame.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from archive.browser import captured, charts, params, reading, wayback
from archive.browser.health import rules_share
from archive.browser.word_diff import META_FIELDS, metadata_changes, paragraphs
from archive.database import ArchiveUnavailableError, existing_engine
from archive.models import CrawlRun, Site, Snapshot
from archive.queries import history, near_duplicate_clusters, run_failures
from archive.recheck_policy import aware
from archive.search import MAX_COUNTED, MAX_RANKED, Filters
from archive.search_text import parse_query, snippet
from archive.versions import CHANGE_CLASSES
from archive.warc import MAX_PAYLOAD, READ_ERRORS, PayloadTooLargeError, read_response, warc_location

HERE = Path(__file__).parent
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""The browser's own pages: its stylesheet and images, frames of itself, no script at all."""
HTML_TYPES = ("text/html", "application/xhtml+xml")
logger = logging.getLogger(__name__)


def _time(value) -> str:
    return aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _web(url) -> bool:
    """Whether an archived URL may be a link: http(s) only (a page's ``javascript:`` image stays text)."""
    return isinstance(url, str) and urlsplit(url.strip()).scheme.lower() in ("http", "https")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["time"] = _time
    env.tests["web"] = _web
    env.filters["iso"] = lambda v: aware(v).astimezone(UTC).isoformat() if v else ""
    return env


class Browser:
    """The pages, over one archive."""

    def __init__(self, database_url: str, warc_dir: str | os.PathLike | None, other_warc_dirs: Iterable = ()):
        self.database_url = database_url
        self.warc_dir = warc_dir
        self.other_warc_dirs = tuple(other_warc_dirs)
        self.templates = Jinja2Templates(env=_environment())
        self._sessions = None

    # -- plumbing ----------------------------------------------------------------------
    def session(self):
        """A session on the archive, on the browser's own engine whose every connection is
        read-only (checked current on first use: an archive migrated meanwhile is found)."""
        if self._sessions is None:
            engine = existing_engine(self.database_url)
            event.listen(engine, "connect", _read_only)
            engine.dispose()  # the connection the check used was opened before the listener
            self._sessions = sessionmaker(engine, expire_on_commit=False)
        return self._sessions()

    def page(self, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def routes(self) -> list:
        get = ["GET", "HEAD"]
        return [
            Route("/", self.home, methods=get),
            Route("/search", self.search, methods=get),
            Route("/url", self.lookup, methods=get),
            Route("/sites", self.sites, methods=get),
            Route("/sites/{site}/urls", self.urls, methods=get),
            Route("/sites/{site}/feed.atom", self.site_feed, methods=get),
            Route("/article/{id}", self.article, methods=get),
            Route("/article/{id}/diff", self.diff, methods=get),
            Route("/article/{id}/feed.atom", self.article_feed, methods=get),
            Route("/snapshot/{id}", self.snapshot, methods=get),
            Route("/snapshot/{id}/page", self.captured_page, methods=get),
            Route("/snapshot/{id}/record.warc", self.record, methods=get),
            Route("/runs", self.runs, methods=get),
            Route("/runs/{id}", self.run, methods=get),
            Route("/duplicates", self.duplicates, methods=get),
            *wayback.routes(self),
            Route(
                "/favicon.ico",
                lambda _request: FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml"),
            ),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    # -- pages -------------------------------------------------------------------------
    def home(self, request: Request):
        with self.session() as session:
            return self.page(
                request,
                "home.html",
                sites=reading.sites_overview(session),
                changes=reading.changes(session, limit=15),
            )

    def search(self, request: Request):
        q = request.query_params
        text = params.a_text(q.get("q"), "q")
        page = params.a_page(q.get("page"))
        with self.session() as session:
            sites = reading.site_names(session)
            site = params.a_text(q.get("site"), "site")
            site_id = next((i for i, name in sites if name == site), None)
            if site and site_id is None:
                raise params.BadRequestError(f"no site {site!r} in the archive")
            filters = Filters(
                site_id=site_id,
                section=params.a_text(q.get("section"), "section") or None,
                author=params.a_text(q.get("author"), "author") or None,
                since=params.a_day(q.get("since"), "since"),
                until=params.a_day(q.get("until"), "until"),
                change_class=params.a_choice(q.get("change"), "change", CHANGE_CLASSES),
            )
            query = parse_query(text)
            results, total = reading.search_page(session, query, filters, page)
            shown = [
                (r, snippet(r.version.title or "", query.words, 300), snippet(_text(r.version), query.words))
                for r in results
            ]
            return self.page(
                request,
                "search.html",
                q=text,
                query=query,
                results=shown,
                total=total,
                page=page,
                per_page=reading.PER_PAGE,
                max_ranked=MAX_RANKED,
                max_counted=MAX_COUNTED,
                sites=sites,
                site=site,
                sections=reading.sections(session, site_id),
                filters=filters,
                change_classes=CHANGE_CLASSES,
                args={k: v for k, v in q.items() if k != "page" and v},
            )

    def lookup(self, request: Request):
        url = params.a_text(request.query_params.get("u"), "u")
        if not url:
            raise params.BadRequestError("u must be the URL of an archived article")
        with self.session() as session:
            article_id = reading.article_id_of_url(session, url)
        if article_id is None:
            raise HTTPException(404, f"no archived article at {url}")
        return RedirectResponse(f"/article/{article_id}", status_code=303)

    def sites(self, request: Request):
        with self.session() as session:
            return self.page(request, "sites.html", sites=reading.sites_overview(session))

    def _site(self, session, name: str) -> Site:
        site = session.scalar(select(Site).where(Site.name == name))
        if site is None:
            raise HTTPException(404, f"no site {name!r} in the archive")
        return site

    def urls(self, request: Request):
        prefix = params.a_text(request.query_params.get("prefix"), "prefix")
        after = params.a_text(request.query_params.get("after"), "after") or None
        with self.session() as session:
            site = self._site(session, params.a_text(request.path_params["site"], "site"))
            rows = reading.url_listing(session, site.id, prefix, after)
            return self.page(request, "urls.html", site=site, prefix=prefix, rows=rows, more=len(rows) == 100)

    def _article(self, session, request: Request):
        found = reading.article(session, params.an_id(request.path_params["id"]))
        if found is None:
            raise HTTPException(404, "no such article in the archive")
        return found

    def article(self, request: Request):
        with self.session() as session:
            article = self._article(session, request)
            if not article.versions:
                raise HTTPException(404, "this article has no version yet")
            number = params.optional_id(request.query_params.get("version"), "version") or article.versions[-1].number
            version = next((v for v in article.versions if v.number == number), None)
            if version is None:
                raise HTTPException(404, f"no version {number}: versions are 1..{article.versions[-1].number}")
            return self.page(
                request,
                "article.html",
                article=article,
                version=version,
                rules_share=rules_share(version.provenance),
                timeline=list(zip(article.versions, history(article), strict=True)),
                captures=reading.captures(session, article.id),
                duplicates=reading.near_duplicates(session, article.id),
            )

    def diff(self, request: Request):
        q = request.query_params
        with self.session() as session:
            article = self._article(session, request)
            versions = {v.number: v for v in article.versions}
            if len(versions) < 2:
                raise HTTPException(404, "this article has one version: nothing to compare")
            new = params.optional_id(q.get("to"), "to") or max(versions)
            old = params.optional_id(q.get("from"), "from") or max(1, new - 1)
            for n in (old, new):
                if n not in versions:
                    raise HTTPException(404, f"no version {n}: versions are 1..{max(versions)}")
            before, after = versions[old], versions[new]
            view = params.a_choice(q.get("view"), "view", ("inline", "side")) or "inline"
            changes_only = q.get("changes") == "1"
            rows = paragraphs(before.body or [], after.body or [])
            return self.page(
                request,
                "diff.html",
                article=article,
                before=before,
                after=after,
                rows=[r for r in rows if r.kind != "equal"] if changes_only else rows,
                meta=metadata_changes(_fields(before), _fields(after)),
                view=view,
                changes_only=changes_only,
                previous=(old - 1, new - 1) if old > 1 else None,
                next=(old + 1, new + 1) if new < max(versions) else None,
            )

    def _snapshot(self, session, request: Request) -> Snapshot:
        snapshot = session.get(Snapshot, params.an_id(request.path_params["id"]))
        if snapshot is None:
            raise HTTPException(404, "no such capture in the archive")
        return snapshot

    def record_of(self, session, snapshot: Snapshot) -> Snapshot:
        """The snapshot holding the payload: itself, or for a revisit the response it repeats."""
        if snapshot.record_type == "revisit":
            original = reading.revisited(session, snapshot)
            if original is not None:
                return original
        if snapshot.warc_file is None:
            raise HTTPException(404, f"nothing was received for this capture ({snapshot.outcome})")
        return snapshot

    def path_of(self, session, name: str) -> Path:
        return warc_location(session.connection(), name, self.warc_dir, self.other_warc_dirs)

    def snapshot(self, request: Request):
        with self.session() as session:
            snapshot = self._snapshot(session, request)
            record = self.record_of(session, snapshot) if snapshot.warc_file else None
            return self.page(request, "snapshot.html", snapshot=snapshot, record=record)

    def captured_page(self, request: Request):
        with self.session() as session:
            record = self.record_of(session, self._snapshot(session, request))
            try:
                stored = read_response(
                    self.path_of(session, record.warc_file), record.warc_offset, record.warc_length or 0, MAX_PAYLOAD
                )
            except PayloadTooLargeError:
                raise HTTPException(413, "the captured page decodes to more than can be shown") from None
            except (*READ_ERRORS, StopIteration) as exc:
                raise HTTPException(404, f"the WARC record cannot be read ({exc.__class__.__name__})") from None
            content_type = dict((k.lower(), v) for k, v in stored.headers).get("content-type", "")
            if content_type.split(";")[0].strip().lower() in HTML_TYPES or not content_type:
                html, _counts = captured.neutralized(
                    stored.body, stored.url or record.url, lambda urls: reading.archived_addresses(session, urls)
                )
            else:
                html = self.templates.get_template("plain_capture.html").render(
                    text=stored.body.decode("utf-8", "replace")[:2_000_000], content_type=content_type
                )
        return HTMLResponse(html, headers={"Content-Security-Policy": captured.CAPTURED_PAGE_POLICY})

    def record(self, request: Request):
        with self.session() as session:
            snapshot = self._snapshot(session, request)
            if snapshot.warc_file is None or snapshot.warc_offset is None or not snapshot.warc_length:
                raise HTTPException(404, "this capture has no WARC record")
            path = self.path_of(session, snapshot.warc_file)
        try:
            with open(path, "rb") as fh:
                fh.seek(snapshot.warc_offset)
                data = fh.read(snapshot.warc_length)
        except OSError as exc:
            raise HTTPException(404, f"the WARC file is not reachable here ({exc.strerror or exc})") from None
        gz = data[:2] == b"\x1f\x8b"
        name = f"snapshot-{snapshot.id}.warc" + (".gz" if gz else "")
        return Response(
            data,
            media_type="application/warc",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    def runs(self, request: Request):
        with self.session() as session:
            runs = reading.runs(session)
            ids = [r.id for r in runs]
            outcomes = reading.outcomes_by_run(session, ids)
            columns = list(reversed(runs))
            kinds = sorted({k for c in outcomes.values() for k in c})
            stats = [(f"#{r.id}", r.stats or {}) for r in columns]
            return self.page(
                request,
                "runs.html",
                runs=runs,
                outcomes=outcomes,
                pages_chart=charts.stacked_bars(
                    [(label, {"pages": s.get("response_received_count", 0)}) for label, s in stats],
                    ["pages"],
                    "pages fetched per run",
                ),
                articles_chart=charts.stacked_bars(
                    [
                        (label, {k: s.get(f"articles/{k}", 0) for k in ("new", "updated", "unchanged")})
                        for label, s in stats
                    ],
                    ["new", "updated", "unchanged"],
                    "articles per run",
                ),
                outcomes_chart=charts.stacked_bars(
                    [(f"#{r.id}", dict(outcomes.get(r.id, {}))) for r in columns], kinds, "outcomes of fetches per run"
                ),
                drops_chart=charts.horizontal_bars(reading.drop_reasons(session, ids), "why fetches were not archived"),
            )

    def run(self, request: Request):
        with self.session() as session:
            run = session.get(CrawlRun, params.an_id(request.path_params["id"]))
            if run is None:
                raise HTTPException(404, "no such crawl run")
            _, failures = run_failures(session, run.id)
            counts = reading.outcomes_by_run(session, [run.id]).get(run.id, {})
            return self.page(request, "run.html", run=run, failures=failures, counts=counts)

    def duplicates(self, request: Request):
        with self.session() as session:
            return self.page(request, "duplicates.html", clusters=near_duplicate_clusters(session)[:200])

    def _feed(self, request: Request, title: str, rows, self_url: str) -> Response:
        body = self.templates.get_template("feed.xml").render(
            title=title, rows=rows, self_url=self_url, base=str(request.base_url).rstrip("/"), updated=_updated(rows)
        )
        return Response(body, media_type="application/atom+xml")

    def site_feed(self, request: Request):
        with self.session() as session:
            site = self._site(session, params.a_text(request.path_params["site"], "site"))
            rows = reading.changes(session, site_id=site.id)
            return self._feed(request, f"{site.name}: archived changes", rows, f"/sites/{site.name}/feed.atom")

    def article_feed(self, request: Request):
        with self.session() as session:
            article = self._article(session, request)
            rows = reading.changes(session, article_id=article.id)
            title = article.versions[-1].title if article.versions else article.canonical_url
            return self._feed(request, f"versions of {title}", rows, f"/article/{article.id}/feed.atom")

    # -- errors ------------------------------------------------------------------------
    def error(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, params.BadRequestError):
            status, message = 400, str(exc)
        elif isinstance(exc, HTTPException):
            status, message = exc.status_code, exc.detail
        elif isinstance(exc, ArchiveUnavailableError | DBAPIError | SQLAlchemyError):
            logger.error("archive unavailable: %s", exc)
            status, message = 503, "the archive cannot be read right now"
            if isinstance(exc, ArchiveUnavailableError):
                message = str(exc)
        else:
            logger.exception("page %s failed", request.url.path)
            status, message = 500, "this page failed; the error is in the server's log"
        return self.page(request, "error.html", status=status, status_code=status, message=message)


def _read_only(dbapi_connection, _record) -> None:
    """Every connection read-only; on PostgreSQL also without parallel workers: a page's queries
    read a few thousand rows and stop at a ``LIMIT``, and workers cost more to start than they
    save, then each reads ahead past the limit (a search filtered by site at 2 million articles:
    34 → 25 ms)."""
    cursor = dbapi_connection.cursor()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA query_only = ON")
    else:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_connection.commit()  # a SET inside a transaction ends with it
    cursor.close()


def _text(version) -> str:
    return " ".join(p for p in (version.lead, *(version.body or ())) if p)


def _fields(version) -> dict:
    return {f: getattr(version, f) for f in META_FIELDS}


def _updated(rows) -> str:
    times = [aware(v.extracted_at) for v, _url, _site in rows]
    return (max(times) if times else datetime.now(UTC)).astimezone(UTC).isoformat()


async def _security_headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


def create_app(
    database_url: str, warc_dir: str | os.PathLike | None = None, other_warc_dirs: Iterable = ()
) -> Starlette:
    browser = Browser(database_url, warc_dir, other_warc_dirs)
    return Starlette(
        routes=browser.routes(),
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=_security_headers)],
        exception_handlers={
            Exception: browser.error,
            HTTPException: browser.error,
            params.BadRequestError: browser.error,
        },
    )
