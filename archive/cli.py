"""``python -m archive``: look into the archive, keep it up to date, extract pages.

The composition root: the one module of ``archive/`` that may import the layers above it
(site rules, extraction, re-extraction), to wire them together. A mistake of the user's (a
missing file, a wrong date, an unknown site, an archive that is not there or is older) is
one line on standard error and exit status 1 or 2, never a traceback; output cut short by
a closed pipe (``… | head``) ends quietly. Commands that only read never create or upgrade
an archive: ``python -m archive migrate`` does.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from archive import cli_format as show
from archive.database import (
    DEFAULT_DATABASE_URL,
    ArchiveUnavailableError,
    close,
    create_db_engine,
    reading_sessions,
    shown,
    upgrade,
)
from archive.warc import warc_dirs


class CommandError(Exception):
    """A user's mistake: the message is printed as it is, the exit status is ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


# -- argument types ------------------------------------------------------------------------
def a_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def a_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a time (ISO 8601: 2021-01-28T10:00:00+07:00)") from None


def a_count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of 1 or more")
    return int(value)


def a_port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-65535)")
    return int(value)


def a_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds above 0")
    return seconds


# -- helpers -------------------------------------------------------------------------------
def _reading(args):
    """A session on the existing, current archive (``ArchiveUnavailableError`` otherwise)."""
    return reading_sessions(args.database)()


def _known_site(session, site: str | None, spiders: bool = False) -> None:
    """An unknown ``--site`` is an error naming the sites the archive has."""
    if site is None:
        return
    from archive.models import CrawlRun, Site

    names = set(session.scalars(select(Site.name)))
    if spiders:
        names |= set(session.scalars(select(CrawlRun.spider).distinct()))
    if site not in names and site.split(".")[0] not in names:
        have = ", ".join(sorted(names)) or "none yet"
        raise CommandError(f"no site {site!r} in the archive (have: {have})", 2)


def _article(session, url: str):
    from archive.queries import find_article

    if (found := find_article(session, url)) is None:
        raise CommandError(f"not in the archive: {url}")
    return found


def _archive(args, create: bool = False):
    """The store on the existing, current archive, for commands that write into it (``create``:
    made or upgraded when needed, as a crawl does)."""
    from archive.store import Archive

    if not create:
        reading_sessions(args.database)
    return Archive(args.database, warc_dir=args.warc_dir, other_warc_dirs=warc_dirs(os.environ.get("WARC_DIRS")))


# -- commands ------------------------------------------------------------------------------
def cmd_extract(args) -> int:
    from crawler.sites import rules_for_url
    from pipelines import extract_article
    from pipelines.extraction.dom import MalformedPageError

    path = Path(args.file)
    headers = {"Content-Type": args.content_type} if args.content_type else None
    url = args.url or path.resolve().as_uri()
    try:
        article = extract_article(path.read_bytes(), url, headers, rules_for_url(url))
    except MalformedPageError as exc:
        raise CommandError(f"{path} is not an HTML page: {exc}") from exc
    show.print_json(article)
    return 0


def cmd_list(args) -> int:
    from archive.queries import list_articles

    with _reading(args) as session:
        _known_site(session, args.site)
        rows = list_articles(session, site=args.site, limit=args.limit)
    show.print_json(rows) if args.json else show.article_list(rows)
    return 0


def cmd_show(args) -> int:
    from archive.queries import article_dict

    with _reading(args) as session:
        data = article_dict(session, _article(session, args.url))
    show.print_json(data) if args.json else show.article(data)
    return 0


def cmd_stats(args) -> int:
    from archive.queries import totals

    with _reading(args) as session:
        data = totals(session)
    show.print_json(data) if args.json else show.totals(data)
    return 0


def cmd_history(args) -> int:
    from archive.queries import history

    with _reading(args) as session:
        rows = history(_article(session, args.url))
    show.print_json(rows) if args.json else show.history(rows)
    return 0


def cmd_diff(args) -> int:
    with _reading(args) as session:
        versions = {v.number: v for v in _article(session, args.url).versions}
        new = args.to or max(versions)
        old = args.from_ or max(1, new - 1)
        if old not in versions or new not in versions:
            raise CommandError(f"no version {old if old not in versions else new}: versions are 1..{max(versions)}")
        show.version_diff(versions[old], versions[new])
    return 0


def cmd_duplicates(args) -> int:
    from archive.queries import near_duplicate_clusters

    with _reading(args) as session:
        _known_site(session, args.site)
        clusters = near_duplicate_clusters(session, args.site)
    show.print_json(clusters) if args.json else show.clusters(clusters)
    return 0


def cmd_export(args) -> int:
    from archive.queries import export_rows

    with _reading(args) as session:
        _known_site(session, args.site)
        rows = export_rows(session, since=args.since, site=args.site, all_versions=args.all_versions)
        show.json_lines(rows) if args.format == "jsonl" else show.csv_rows(rows)
    return 0


def cmd_reextract(args) -> int:
    from crawler.sites import rules_by_name
    from pipelines.reextract import reextract

    archive = _archive(args)
    with archive.Session() as session:
        _known_site(session, args.site)
    since = datetime.combine(args.since, datetime.min.time()) if args.since else None
    start = time.monotonic()
    outcomes = reextract(archive, rules_by_name, site=args.site, since=since, workers=args.workers)
    seconds = max(time.monotonic() - start, 1e-6)
    done = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "nothing"
    print(f"re-extracted: {done} in {seconds:.2f} s ({sum(outcomes.values()) / seconds:.0f} pages/s)")
    return 1 if any(k.startswith("failed") for k in outcomes) else 0


def cmd_import(args) -> int:
    from pipelines.workers import WorkerPool

    for path in args.paths:
        if not Path(path).exists():
            raise CommandError(f"no such file or folder: {path}")
    # started first: its forkserver imports the extraction stack while this process imports
    # the store and opens the archive
    pool = WorkerPool.for_command(args.workers, "pipelines.record_extraction")
    pool.start()
    try:
        from crawler.sites import rules_for_url
        from pipelines.warc_import import import_warcs

        archive = _archive(args, create=True)
        since = datetime.combine(args.since, datetime.min.time(), tzinfo=UTC) if args.since else None
        start = time.monotonic()
        counts, damaged = import_warcs(archive, args.paths, rules_for_url, pool, args.site, since)
    finally:
        pool.close()
    seconds = max(time.monotonic() - start, 1e-6)
    articles = sum(counts[k] for k in ("new", "updated"))
    print(
        f"imported {counts['records']} record(s) in {seconds:.1f} s: {articles} article version(s) "
        f"({articles / seconds:.0f}/s), {counts['payloads']} page(s) read"
    )
    for outcome, n in sorted(counts.items()):
        if outcome not in ("records", "payloads"):
            print(f"  {outcome:32} {n}")
    for file, why in damaged.items():
        print(f"damaged: {file}: {why} (the records before it are imported)", file=sys.stderr)
    return 1 if damaged else 0


def cmd_schedule(args) -> int:
    from scrapy.utils.project import get_project_settings

    from archive import spool
    from archive.nodes import node_urls
    from archive.recheck import aware
    from archive.scheduler import ScheduleConfig, Scheduler
    from archive.store import Archive
    from crawler.sites import all_rules

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    sites = {r.spider: r.name for r in all_rules()}
    spiders = args.spider or ([_site_spider(args.backfill, all_rules())] if args.backfill else sites)
    if unknown := sorted(set(spiders) - set(sites)):
        raise CommandError(f"no such site spider: {', '.join(unknown)} (have: {', '.join(sites)})", 2)
    crawl_args = [a for url in args.start or () for a in ("-a", f"start={url}")] if not args.backfill else []
    crawl_args += [a for pair in args.set or () for a in ("-s", pair)]
    config = ScheduleConfig(
        spiders={name: sites[name] for name in spiders},
        interval=timedelta(minutes=settings.getfloat("SCHEDULE_INTERVAL")),
        site_intervals={k: timedelta(minutes=float(v)) for k, v in settings.getdict("SCHEDULE_SITE_INTERVALS").items()},
        run_timeout=timedelta(seconds=settings.getfloat("SCHEDULE_RUN_TIMEOUT")),
        crawl_args=crawl_args,
        now=args.now.isoformat() if args.now else None,
        scrapyd_urls=node_urls(",".join(args.scrapyd or ()) or settings.get("SCRAPYD_URLS")),
        lease_ttl=timedelta(seconds=args.lease or settings.getfloat("SCHEDULE_LEASE_SECONDS")),
    )
    now = aware(args.now) if args.now else None
    archive = Archive(
        args.database,
        recheck_schedule=settings.getlist("RECHECK_SCHEDULE"),
        clock=(lambda: now) if now else None,
        warc_dir=args.warc_dir,
    )
    if (report := spool.load(archive, settings.get("FAILED_ITEMS_FILE"))).loaded or report.failed:
        print(f"spool: {report.loaded} write(s) stored, {report.failed} still failing", file=sys.stderr)
    scheduler = Scheduler(archive, config)
    if args.backfill:
        return _backfill(scheduler, spiders[0], args, settings)
    if args.once:
        reports = scheduler.run_round()
        return 1 if any(r.outcome == "failed" for r in reports) else 0
    scheduler.run_forever()
    return 0


def _site_spider(name: str, rules) -> str:
    """A site's spider, by the spider's name or the site's (``thanhnien`` or ``thanhnien.vn``)."""
    return next((r.spider for r in rules if name in (r.spider, r.name)), name)


def _backfill(scheduler, spider: str, args, settings) -> int:
    """The site's whole sitemap, one crawl per shard over the scrapyd nodes."""
    from crawler.backfill import BackfillError, divided_politeness, fetcher, shards_of
    from crawler.sites import rules_by_name

    if not scheduler.config.scrapyd_urls:
        raise CommandError("a backfill is split over scrapyd nodes: give them with --scrapyd URL or $SCRAPYD_URLS", 2)
    crawl = settings.copy()  # the settings each crawl runs with, ``--set`` included
    for pair in args.set or ():
        name, _, value = pair.partition("=")
        crawl.set(name, value, priority="cmdline")
    sources = args.start or rules_by_name(scheduler.config.spiders[spider]).sources
    try:
        shards = shards_of(sources, fetcher(crawl))
    except BackfillError as exc:
        raise CommandError(f"backfill of {spider}: {exc}") from exc
    if not shards:
        raise CommandError(f"backfill of {spider}: no sitemap among {', '.join(sources)} nor in its robots.txt")
    print(f"{spider}: {len(shards)} sitemap shard(s) to crawl")
    reports = scheduler.backfill(spider, shards, lambda parts: divided_politeness(crawl, parts))
    return 1 if any(r.outcome == "failed" for r in reports) else 0


def cmd_runs(args) -> int:
    from archive.queries import recent_runs, run_failures

    with _reading(args) as session:
        if args.failures is not None:
            run_id, rows = run_failures(session, args.failures or None)
            show.print_json({"run": run_id, "failures": rows}) if args.json else show.failures(run_id, rows)
            return 0
        _known_site(session, args.site, spiders=True)
        rows = recent_runs(session, args.site, args.limit)
    show.print_json(rows) if args.json else show.runs(rows)
    return 0


def cmd_spool(args) -> int:
    from archive import spool

    if not Path(args.file).exists():
        raise CommandError(f"no spool at {args.file}: nothing to load")
    report = spool.load(_archive(args), args.file)
    print(f"{args.file}: {report.loaded} write(s) stored, {report.failed} still failing (kept in the spool)")
    return 1 if report.failed else 0


def cmd_verify(args) -> int:
    from archive.processes import process_alive
    from archive.runs import NODE
    from archive.verify import verify

    problems = verify(_archive(args), args.warc_dir, NODE, process_alive, timedelta(seconds=args.stale_after))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "archive verified: every record, file and run is in order")
    return 1 if problems else 0


def cmd_migrate(args) -> int:
    engine = create_db_engine(args.database)
    try:
        before, head = upgrade(engine)
    finally:
        engine.dispose()
    where = shown(args.database)
    if before is None:
        print(f"archive at {where}: created at schema revision {head}")
    elif before != head:
        print(f"archive at {where}: upgraded from schema revision {before} to {head}")
    else:
        print(f"archive at {where}: already at schema revision {head}")
    return 0


def cmd_serve(args) -> int:
    import uvicorn

    from archive.browser import create_app

    reading_sessions(args.database)  # a missing or older archive: the one-line error, before serving
    app = create_app(args.database, args.warc_dir, warc_dirs(os.environ.get("WARC_DIRS")))
    print(f"archive browser on http://{args.host}:{args.port}/ (read-only; Ctrl-C stops it)", file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, server_header=False)
    except SystemExit as exc:  # uvicorn exits when it cannot bind the port
        raise CommandError(f"cannot serve on {args.host}:{args.port} (in use or not allowed?)") from exc
    return 0


def cmd_pack(args) -> int:
    from archive.recordings import pack

    refs = pack(args.folders, args.out)
    print(f"{len(refs)} page(s) written to {args.out}")
    return 0


# -- the command line ----------------------------------------------------------------------
def _global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """``--database`` and ``--warc-dir``, accepted before and after the sub-command."""
    database, warc_dir = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), os.environ.get("WARC_DIR", "data/warc")
    parser.add_argument(
        "--database",
        default=database if defaults else argparse.SUPPRESS,
        help=f"SQLAlchemy URL of the archive (default: $DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--warc-dir",
        default=warc_dir if defaults else argparse.SUPPRESS,
        help="where WARC paths are resolved (default: $WARC_DIR or data/warc)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__.split("\n\n")[0])
    _global_options(parser, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(func=func)
        return p

    def as_json(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print JSON instead of text")

    def site(p: argparse.ArgumentParser, what: str = "site name, e.g. thanhnien.vn") -> None:
        p.add_argument("--site", help=f"only this site ({what})")

    p = command("extract", cmd_extract, "print the article extracted from a saved page, as JSON")
    p.add_argument("file", help="the saved HTML page")
    p.add_argument("--url", help="the URL the page was fetched from (selects the site rules)")
    p.add_argument("--content-type", help="the Content-Type header it was served with (its charset)")

    p = command("list", cmd_list, "list archived articles, newest first")
    site(p)
    p.add_argument("--limit", type=a_count, help="at most this many articles")
    as_json(p)

    p = command("show", cmd_show, "one article with its versions and snapshots")
    p.add_argument("url", help="its URL, canonical or any alias (tracking parameters and all)")
    as_json(p)

    p = command("stats", cmd_stats, "totals of the archive")
    as_json(p)

    p = command("history", cmd_history, "versions of an article with time, change class and summary")
    p.add_argument("url", help="its URL, canonical or any alias")
    as_json(p)

    p = command("diff", cmd_diff, "paragraph-level diff between two versions (default: the last two)")
    p.add_argument("url", help="its URL, canonical or any alias")
    p.add_argument("--from", dest="from_", type=a_count, metavar="N", help="the older version's number")
    p.add_argument("--to", type=a_count, metavar="N", help="the newer version's number (default: the latest)")

    p = command("duplicates", cmd_duplicates, "near-duplicate clusters: stories re-posted elsewhere")
    site(p)
    as_json(p)

    p = command("export", cmd_export, "the latest version of every article, streamed as JSON lines or CSV")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="default: %(default)s")
    p.add_argument("--since", type=a_date, metavar="YYYY-MM-DD", help="only articles published on or after this day")
    site(p)
    p.add_argument("--all-versions", action="store_true", help="every version, not only the latest")

    p = command("reextract", cmd_reextract, "re-run extraction on archived snapshots (no network)")
    site(p)
    p.add_argument("--since", type=a_date, metavar="YYYY-MM-DD", help="only snapshots fetched on or after this day")
    p.add_argument("--workers", type=int, help="extraction processes (default: one per core; 0 or 1: this process)")

    p = command("import", cmd_import, "archive the HTML captures of other crawlers' WARC files (no copy, resumable)")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER", help="WARC files (.warc, .warc.gz) or folders of them")
    site(p, "only captures of this site")
    p.add_argument("--since", type=a_date, metavar="YYYY-MM-DD", help="only captures made on or after this day")
    p.add_argument("--workers", type=int, help="extraction processes (default: one per core; 0 or 1: this process)")

    p = command("schedule", cmd_schedule, "archive the sites on a schedule, until SIGTERM/SIGINT")
    p.add_argument("--once", action="store_true", help="run one round and exit")
    p.add_argument("--spider", action="append", help="only this site spider (repeatable; default: all)")
    p.add_argument("--start", action="append", help="discovery source replacing the sites' own (repeatable)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="Scrapy setting for every crawl")
    p.add_argument("--now", type=a_time, help="the time the scheduler and its crawls see (ISO 8601; for tests)")
    p.add_argument(
        "--scrapyd",
        action="append",
        metavar="URL",
        help="dispatch the crawls to this scrapyd node (repeatable; default: $SCRAPYD_URLS)",
    )
    p.add_argument(
        "--backfill",
        metavar="SITE",
        help="crawl the site's whole sitemap once, one crawl per sitemap shard spread over the scrapyd nodes",
    )
    p.add_argument(
        "--lease",
        type=a_seconds,
        metavar="SECONDS",
        help="how long a dispatched crawl's site lease lasts unrenewed (default: SCHEDULE_LEASE_SECONDS, 120)",
    )

    p = command("runs", cmd_runs, "recent crawl runs with their counts and outcomes")
    site(p, "spider or site name")
    p.add_argument(
        "--failures",
        nargs="?",
        const=0,
        type=int,
        metavar="RUN",
        help="the requests of run RUN (default: the latest) that were dropped, refused or failed",
    )
    p.add_argument("--limit", type=a_count, default=20, help="at most this many runs (default: %(default)s)")
    as_json(p)

    p = command("spool", cmd_spool, "store what a crawl spooled while the database was unavailable")
    p.add_argument("action", choices=("load",), help="load: write the spooled items into the archive")
    failed = os.environ.get("FAILED_ITEMS_FILE", "data/failed-items.jsonl")
    p.add_argument("--file", default=failed, help="the spool (default: $FAILED_ITEMS_FILE or %(default)s)")

    p = command("verify", cmd_verify, "check every snapshot's WARC record, every WARC file, and runs left running")
    p.add_argument("--stale-after", type=float, default=900, help="seconds without a heartbeat (default: 900)")

    command("migrate", cmd_migrate, "create the archive, or upgrade an older one to this version's schema")

    p = command(
        "serve", cmd_serve, "browse the archive in a web page: search, articles, versions, captures (read-only)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    p.add_argument("--port", type=a_port, default=8080, help="port to listen on (default: %(default)s)")
    p.add_argument(
        "--log-level", choices=("critical", "error", "warning", "info"), default="warning", help="default: %(default)s"
    )

    p = command("pack", cmd_pack, "pack saved pages (folders with a manifest.json) into a WARC for replay")
    p.add_argument("folders", nargs="+", help="folders with a manifest.json")
    p.add_argument("--out", required=True, help="the WARC file to write")
    return parser


def _error(message: str) -> None:
    print(f"python -m archive: error: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # a usage mistake: argparse's message, exit status 2
    try:
        return args.func(args)
    except (CommandError, ArchiveUnavailableError) as exc:
        _error(str(exc))
        return getattr(exc, "code", 1)
    except DBAPIError as exc:  # unreachable server, wrong password, locked or corrupt file
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        _error(f"cannot use the database at {shown(args.database)}: {reason}")
        return 1
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        _error(f"{exc.strerror.lower() if exc.strerror else exc}: {exc.filename or ''}".rstrip(": "))
        return 1
    except BrokenPipeError:  # `… | head` closed the pipe: stop quietly (Python's documented recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        close(args.database)
