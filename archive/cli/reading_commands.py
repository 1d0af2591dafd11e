"""Commands that read the archive: articles, their versions and diffs, near-duplicates,
runs, totals, exports. They never create or upgrade an archive."""

from __future__ import annotations

from archive.cli import printing as show
from archive.cli.arguments import (
    Command,
    CommandError,
    Walked,
    a_count,
    a_date,
    as_json,
    site_option,
)
from archive.cli.lookups import article_at, article_id, known_site, reading


def cmd_list(args) -> int:
    from archive.queries import list_articles

    with reading(args) as session:
        known_site(session, args.site)
        rows = list_articles(session, site=args.site, limit=args.limit)
    show.print_json(rows) if args.json else show.article_list(rows)
    return 0


def cmd_show(args) -> int:
    from archive.queries import article_dict

    with reading(args) as session:
        data = article_dict(session, article_at(session, args.url))
    show.print_json(data) if args.json else show.article(data)
    return 0


def cmd_stats(args) -> int:
    from archive.queries import totals

    with reading(args) as session:
        data = totals(session)
    show.print_json(data) if args.json else show.totals(data)
    return 0


def cmd_history(args) -> int:
    from archive.queries import history

    with reading(args) as session:
        rows = history(article_at(session, args.url))
    show.print_json(rows) if args.json else show.history(rows)
    return 0


def cmd_diff(args) -> int:
    with reading(args) as session:
        versions = {v.number: v for v in article_at(session, args.url).versions}
        new = args.to or max(versions)
        old = args.from_ or max(1, new - 1)
        if old not in versions or new not in versions:
            raise CommandError(f"no version {old if old not in versions else new}: versions are 1..{max(versions)}")
        show.version_diff(versions[old], versions[new])
    return 0


def cmd_duplicates(args) -> int:
    from archive.queries import near_duplicate_clusters

    with reading(args) as session:
        known_site(session, args.site)
        clusters = near_duplicate_clusters(session, args.site)
    show.print_json(clusters) if args.json else show.clusters(clusters)
    return 0


def cmd_export(args) -> int:
    from archive.queries import export_rows

    if args.format == "wacz":
        return _export_wacz(args)
    if args.output or args.search or args.url or args.keep_going:
        raise CommandError("--output, --search, --url and --keep-going go with --format wacz", 2)
    with reading(args) as session:
        known_site(session, args.site)
        after = article_id(session, args.after) if args.after else 0
        rows = export_rows(
            session, since=args.since, until=args.until, site=args.site, all_versions=args.all_versions, after=after
        )
        out = Walked(show.progress("articles"))
        with out.stoppable("export", then="appending to what was written"):
            show.export_lines(rows, args.format == "csv", header=not args.after, written=out.written)
    return 0


def _export_wacz(args) -> int:
    import functools
    import os
    from pathlib import Path

    from archive.wacz import PackageError, write_wacz
    from archive.warc import warc_dirs, warc_location

    if args.after:
        raise CommandError("--after goes with --format jsonl or csv", 2)
    if not args.output:
        raise CommandError("--format wacz writes a file: give it with --output FILE.wacz", 2)
    output = Path(args.output)
    if output.is_dir():
        raise CommandError(f"{output} is a folder: --output names the package file (FILE.wacz)", 2)
    if not output.parent.is_dir():
        raise CommandError(f"no folder {output.parent} to write {output.name} in")
    with reading(args) as session:
        articles = selected_articles(session, args)
        other_dirs = warc_dirs(os.environ.get("WARC_DIRS"))
        resolve = functools.cache(lambda name: warc_location(session.connection(), name, args.warc_dir, other_dirs))
        try:
            packaged = write_wacz(
                session, articles, output, resolve, keep_going=args.keep_going, progress=show.progress("records")
            )
        except PackageError as exc:
            raise CommandError(f"{exc}; no package written") from exc
    show.packaged(packaged)
    return 1 if packaged.skipped else 0


def selected_articles(session, args):
    """The statement of the ids of the articles ``--site``, ``--since``, ``--until``, ``--search``
    and ``--url`` select (all of them at once), or None when none is given: everything."""
    from sqlalchemy import select

    from archive.models import Site
    from archive.search import Filters, matching_articles
    from archive.search_text import parse_query

    if not (args.site or args.since or args.until or args.search or args.url):
        return None
    site_id = None
    if args.site:
        known_site(session, args.site)
        site_id = session.scalar(select(Site.id).where(Site.name == args.site))
        if site_id is None:
            raise CommandError(f"no articles of {args.site!r} in the archive", 2)
    query = parse_query(args.search or "")
    if args.search and not query:
        raise CommandError(f"no words to search for in {args.search!r}", 2)
    stmt, params = matching_articles(session, query, Filters(site_id=site_id, since=args.since, until=args.until))
    stmt = stmt.params(**params).subquery()
    chosen = select(stmt.c.article_id)
    if args.url:
        chosen = chosen.where(stmt.c.article_id.in_([article_at(session, url).id for url in args.url]))
    return chosen


def cmd_runs(args) -> int:
    from archive.queries import recent_runs, run_failures

    with reading(args) as session:
        if args.failures is not None:
            run_id, rows = run_failures(session, args.failures or None)
            show.print_json({"run": run_id, "failures": rows}) if args.json else show.failures(run_id, rows)
            return 0
        known_site(session, args.site, spiders=True)
        rows = recent_runs(session, args.site, args.limit)
    show.print_json(rows) if args.json else show.runs(rows)
    return 0


def add_commands(command: Command) -> None:
    p = command("list", cmd_list, "list archived articles, newest first")
    site_option(p)
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
    site_option(p)
    as_json(p)

    p = command(
        "export",
        cmd_export,
        "the latest version of every article, streamed as JSON lines or CSV; or a WACZ package of its captures",
    )
    p.add_argument(
        "--format",
        choices=("jsonl", "csv", "wacz"),
        default="jsonl",
        help="default: %(default)s; wacz: a package ReplayWeb.page opens (needs --output)",
    )
    p.add_argument("--output", metavar="FILE.wacz", help="where the WACZ package is written")
    p.add_argument("--since", type=a_date, metavar="YYYY-MM-DD", help="only articles published on or after this day")
    p.add_argument("--until", type=a_date, metavar="YYYY-MM-DD", help="only articles published on or before this day")
    site_option(p)
    p.add_argument("--search", metavar="WORDS", help="wacz: only the articles that match this search")
    p.add_argument("--url", action="append", metavar="URL", help="wacz: only this article (repeatable)")
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="wacz: leave out the records of WARC files missing on disk (listed; exit status 1)",
    )
    p.add_argument("--all-versions", action="store_true", help="every version, not only the latest")
    p.add_argument(
        "--after",
        metavar="ARTICLE_KEY",
        help="jsonl/csv: go on from the article after this one (an interrupted export says which; no CSV header)",
    )

    p = command("runs", cmd_runs, "recent crawl runs with their counts and outcomes")
    site_option(p, "spider or site name")
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
