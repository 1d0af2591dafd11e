"""Commands that read pages into articles: one saved page (``extract``), the archive's own
snapshots again (``reextract``), other crawlers' WARC files (``import``)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from archive.cli import printing as show
from archive.cli.arguments import (
    Command,
    CommandError,
    Walked,
    a_date,
    site_option,
)
from archive.cli.lookups import archive_for, article_id, article_key, known_site


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


def cmd_reextract(args) -> int:
    from crawler.sites import rules_by_name
    from pipelines.reextract import reextract

    archive = archive_for(args)
    with archive.Session() as session:
        known_site(session, args.site)
        after = article_id(session, args.after) if args.after else 0
    since = datetime.combine(args.since, datetime.min.time()) if args.since else None
    start = time.monotonic()
    walked = Walked(show.progress("articles re-extracted", every=1))  # told once a batch

    def key(article: int) -> str:
        with archive.Session() as session:
            return article_key(session, article)

    with walked.stoppable("reextract", key=key):
        outcomes = reextract(
            archive, rules_by_name, args.site, since, args.workers, progress=walked.reached, after=after
        )
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

        archive = archive_for(args, create=True)
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


def add_commands(command: Command) -> None:
    p = command("extract", cmd_extract, "print the article extracted from a saved page, as JSON")
    p.add_argument("file", help="the saved HTML page")
    p.add_argument("--url", help="the URL the page was fetched from (selects the site rules)")
    p.add_argument("--content-type", help="the Content-Type header it was served with (its charset)")

    p = command("reextract", cmd_reextract, "re-run extraction on archived snapshots (no network)")
    site_option(p)
    p.add_argument("--since", type=a_date, metavar="YYYY-MM-DD", help="only snapshots fetched on or after this day")
    p.add_argument("--workers", type=int, help="extraction processes (default: one per core; 0 or 1: this process)")
    p.add_argument(
        "--after", metavar="ARTICLE_KEY", help="go on from the article after this one (an interrupted run says which)"
    )

    p = command("import", cmd_import, "archive the HTML captures of other crawlers' WARC files (no copy, resumable)")
    p.add_argument("paths", nargs="+", metavar="FILE_OR_FOLDER", help="WARC files (.warc, .warc.gz) or folders of them")
    site_option(p, "only captures of this site")
    p.add_argument("--since", type=a_date, metavar="YYYY-MM-DD", help="only captures made on or after this day")
    p.add_argument("--workers", type=int, help="extraction processes (default: one per core; 0 or 1: this process)")
