"""``python -m archive``: look into the archive and extract pages from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from datetime import datetime
from pathlib import Path

from archive.database import DEFAULT_DATABASE_URL, sessions


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_extract(args) -> int:
    from crawler.sites import rules_for_url
    from pipelines import extract_article

    path = Path(args.file)
    headers = {"Content-Type": args.content_type} if args.content_type else None
    url = args.url or path.resolve().as_uri()
    _print_json(extract_article(path.read_bytes(), url, headers, rules_for_url(url)))
    return 0


def cmd_list(args) -> int:
    from archive.queries import list_articles

    with sessions(args.database)() as session:
        rows = list_articles(session, site=args.site, limit=args.limit)
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        published = (row["published_at"] or "")[:16].replace("T", " ")
        print(f"{published:16}  {row['site']:18}  v{row['versions']:<3} {row['title'] or '(no title)'}")
        print(f"{'':38}{row['url']}")
    print(f"{len(rows)} article(s)")
    return 0


def cmd_show(args) -> int:
    from archive.queries import article_dict

    with sessions(args.database)() as session:
        if (article := _article_or_fail(session, args.url)) is None:
            return 1
        data = article_dict(session, article)
    if args.json:
        _print_json(data)
        return 0
    wrap = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    print(data["title"])
    print(
        f"{data['url']}\n{data['site']} · {data['section'] or '-'} · published {data['published_at'] or '-'}"
        f" · updated {data['updated_at'] or '-'}"
    )
    print(f"authors: {', '.join(data['authors']) or '-'} · tags: {', '.join(data['tags']) or '-'}")
    if data["lead"]:
        print("\n" + wrap.fill(data["lead"]))
    for paragraph in data["body"]:
        print("\n" + wrap.fill(paragraph))
    for image in data["images"]:
        print(f"\n  [image] {image['src']}\n          {image['caption'] or ''}")
    print(
        f"\n{len(data['versions'])} version(s), {len(data['snapshots'])} snapshot(s), aliases: {len(data['aliases'])}"
    )
    for s in data["snapshots"]:
        print(f"  {s['fetched_at']}  {s['status']}  {s['outcome']:9}  {s['warc_file']}@{s['warc_offset']}")
    return 0


def cmd_stats(args) -> int:
    from archive.queries import totals

    with sessions(args.database)() as session:
        data = totals(session)
    if args.json:
        _print_json(data)
        return 0
    print(
        f"articles: {data['articles']}  versions: {data['versions']}  aliases: {data['aliases']}  "
        f"snapshots: {data['snapshots']}  near-duplicate links: {data['near_duplicates']}  "
        f"crawl runs: {data['crawl_runs']}"
    )
    for site, count in data["sites"].items():
        print(f"  {site:24} {count} article(s)")
    if data["snapshot_outcomes"]:
        print("snapshots by outcome: " + ", ".join(f"{k} {v}" for k, v in data["snapshot_outcomes"].items()))
    if data["last_run"]:
        run = data["last_run"]
        print(f"last run: {run['spider']} at {run['started_at']} ({run['outcome'] or 'running'})")
    return 0


def cmd_pack(args) -> int:
    from archive.recordings import pack

    refs = pack(args.folders, args.out)
    print(f"{len(refs)} page(s) written to {args.out}")
    return 0


def _article_or_fail(session, url: str):
    from archive.queries import find_article

    article = find_article(session, url)
    if article is None:
        print(f"not in the archive: {url}", file=sys.stderr)
    return article


def cmd_history(args) -> int:
    from archive.queries import history

    with sessions(args.database)() as session:
        if (article := _article_or_fail(session, args.url)) is None:
            return 1
        rows = history(article)
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        print(f"v{row['number']:<3} {(row['fetched_at'] or '')[:19]:19}  {row['summary']}")
    return 0


def _version_lines(version) -> list[str]:
    return [f"# {version.title or ''}", *([f"> {version.lead}"] if version.lead else []), *version.body]


def _colour(line: str) -> str:
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        return line
    if line.startswith("+") and not line.startswith("+++"):
        return f"\033[32m{line}\033[0m"
    if line.startswith("-") and not line.startswith("---"):
        return f"\033[31m{line}\033[0m"
    return f"\033[36m{line}\033[0m" if line.startswith("@@") else line


def cmd_diff(args) -> int:
    import difflib

    with sessions(args.database)() as session:
        if (article := _article_or_fail(session, args.url)) is None:
            return 1
        versions = {v.number: v for v in article.versions}
        new = args.to or max(versions)
        old = args.from_ or max(1, new - 1)
        if old not in versions or new not in versions:
            print(f"versions are 1..{max(versions)}", file=sys.stderr)
            return 1
        lines = difflib.unified_diff(
            _version_lines(versions[old]), _version_lines(versions[new]), f"v{old}", f"v{new}", lineterm="", n=1
        )
        for line in lines:
            print(_colour(line))
    return 0


def cmd_duplicates(args) -> int:
    from archive.queries import near_duplicate_clusters

    with sessions(args.database)() as session:
        clusters = near_duplicate_clusters(session, args.site)
    if args.json:
        _print_json(clusters)
        return 0
    for cluster in clusters:
        for member in cluster:
            score = "original" if member["role"] == "original" else f"copy, similarity {member['similarity']}"
            print(f"  {member['site']:20} {score:26} {member['title'] or ''}\n  {'':20} {member['url']}")
        print()
    print(f"{len(clusters)} cluster(s)")
    return 0


def cmd_export(args) -> int:
    import csv

    from archive.queries import export_rows

    with sessions(args.database)() as session:
        rows = export_rows(session, since=args.since, site=args.site)
        if args.format == "jsonl":
            for row in rows:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            return 0
        writer = None
        for row in rows:
            flat = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in row.items()}
            flat["body"] = "\n\n".join(row["body"])
            if writer is None:
                writer = csv.DictWriter(sys.stdout, fieldnames=list(flat))
                writer.writeheader()
            writer.writerow(flat)
    return 0


def cmd_reextract(args) -> int:
    import time
    from datetime import datetime

    from archive.store import Archive
    from crawler.sites import rules_by_name
    from pipelines.reextract import reextract

    since = datetime.fromisoformat(args.since) if args.since else None
    start = time.monotonic()
    outcomes = reextract(Archive(args.database), rules_by_name, site=args.site, since=since, workers=args.workers)
    seconds = time.monotonic() - start
    done = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "nothing"
    pages = sum(outcomes.values())
    print(f"re-extracted: {done} in {seconds:.2f} s ({pages / seconds:.0f} pages/s)")
    return 0


def cmd_schedule(args) -> int:
    from datetime import timedelta

    from scrapy.utils.project import get_project_settings

    from archive.recheck import aware
    from archive.scheduler import ScheduleConfig, Scheduler
    from archive.store import Archive
    from crawler.sites import all_rules

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    sites = {r.spider: r.name for r in all_rules()}
    unknown = set(args.spider or ()) - set(sites)
    if unknown:
        print(f"no such site spider: {', '.join(sorted(unknown))} (have: {', '.join(sites)})", file=sys.stderr)
        return 2
    crawl_args = [a for url in args.start or () for a in ("-a", f"start={url}")]
    crawl_args += [a for pair in args.set or () for a in ("-s", pair)]
    config = ScheduleConfig(
        spiders={name: sites[name] for name in (args.spider or sites)},
        interval=timedelta(minutes=settings.getfloat("SCHEDULE_INTERVAL")),
        site_intervals={k: timedelta(minutes=float(v)) for k, v in settings.getdict("SCHEDULE_SITE_INTERVALS").items()},
        run_timeout=timedelta(seconds=settings.getfloat("SCHEDULE_RUN_TIMEOUT")),
        crawl_args=crawl_args,
        now=args.now,
        scrapyd_url=args.scrapyd or settings.get("SCRAPYD_URL"),
    )
    now = aware(datetime.fromisoformat(args.now)) if args.now else None
    archive = Archive(
        args.database,
        recheck_schedule=settings.getlist("RECHECK_SCHEDULE"),
        clock=(lambda: now) if now else None,
    )
    from archive import spool

    if (report := spool.load(archive, settings.get("FAILED_ITEMS_FILE"))).loaded or report.failed:
        print(f"spool: {report.loaded} write(s) stored, {report.failed} still failing", file=sys.stderr)
    scheduler = Scheduler(archive, config)
    if args.once:
        reports = scheduler.run_round()
        return 1 if any(r.outcome == "failed" for r in reports) else 0
    scheduler.run_forever()
    return 0


def cmd_runs(args) -> int:
    from archive.queries import recent_runs, run_failures

    if args.failures is not None:
        with sessions(args.database)() as session:
            run_id, rows = run_failures(session, args.failures or None)
        if args.json:
            _print_json({"run": run_id, "failures": rows})
            return 0
        for row in rows:
            print(f"{row['outcome']:32} {row['status'] or '-':>4}  {row['url']}")
            if row["detail"]:
                print(f"{'':38}{row['detail'][:200]}")
        print(f"run #{run_id}: {len(rows)} request(s) dropped, refused or failed")
        return 0
    with sessions(args.database)() as session:
        rows = recent_runs(session, args.site, args.limit)
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        counts = ", ".join(f"{n} {k}" for k, n in row["counts"].items()) or "-"
        print(
            f"#{row['id']:<5} {row['spider']:14} {(row['started_at'] or '')[:19]:19}  {row['outcome'] or '':9} {counts}"
        )
        if row["error"]:
            print(f"{'':7}{row['error'][:200]}")
    return 0


def _failed_items_file() -> str:
    return os.environ.get("FAILED_ITEMS_FILE", "data/failed-items.jsonl")


def cmd_spool(args) -> int:
    from archive import spool
    from archive.store import Archive

    report = spool.load(Archive(args.database), args.file)
    print(f"{args.file}: {report.loaded} write(s) stored, {report.failed} still failing (kept in the spool)")
    return 1 if report.failed else 0


def cmd_verify(args) -> int:
    from datetime import timedelta

    from archive.processes import process_alive
    from archive.store import NODE, Archive
    from archive.verify import verify

    problems = verify(Archive(args.database), args.warc_dir, NODE, process_alive, timedelta(seconds=args.stale_after))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "archive verified: every record, file and run is in order")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        help="SQLAlchemy URL (default: $DATABASE_URL or %(default)s)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print the article extracted from a saved page, as JSON")
    p.add_argument("file")
    p.add_argument("--url", help="the URL the page was fetched from (selects the site rules)")
    p.add_argument("--content-type", help="the Content-Type header it was served with")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("list", help="list archived articles, newest first")
    p.add_argument("--site")
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one article with its versions and snapshots")
    p.add_argument("url")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("stats", help="totals of the archive")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("history", help="versions of an article with time, change class and summary")
    p.add_argument("url")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("diff", help="paragraph-level diff between two versions (default: the last two)")
    p.add_argument("url")
    p.add_argument("--from", dest="from_", type=int)
    p.add_argument("--to", type=int)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("duplicates", help="near-duplicate clusters: stories re-posted elsewhere")
    p.add_argument("--site")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_duplicates)

    p = sub.add_parser("export", help="latest version of every article as JSON lines or CSV")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--since", help="published on or after this date (YYYY-MM-DD)")
    p.add_argument("--site")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("reextract", help="re-run extraction on archived snapshots (no network)")
    p.add_argument("--site")
    p.add_argument("--since", help="snapshots fetched on or after this date (YYYY-MM-DD)")
    p.add_argument("--workers", type=int, help="extraction processes (default: one per core; 1: this process)")
    p.set_defaults(func=cmd_reextract)

    p = sub.add_parser("schedule", help="archive the sites on a schedule, until SIGTERM/SIGINT")
    p.add_argument("--once", action="store_true", help="run one round and exit")
    p.add_argument("--spider", action="append", help="only this site spider (repeatable; default: all)")
    p.add_argument("--start", action="append", help="discovery source replacing the sites' own (repeatable)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="Scrapy setting for every crawl")
    p.add_argument("--now", help="the time the scheduler and its crawls see (ISO 8601; for tests)")
    p.add_argument("--scrapyd", help="submit the crawls to this scrapyd URL (default: SCRAPYD_URL)")
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("runs", help="recent crawl runs with their counts and outcomes")
    p.add_argument("--site", help="spider or site name")
    p.add_argument(
        "--failures",
        nargs="?",
        const=0,
        type=int,
        metavar="RUN",
        help="the requests of run RUN (default: the latest) that were dropped, refused or failed",
    )
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("spool", help="store what a crawl spooled while the database was unavailable")
    p.add_argument("action", choices=("load",))
    p.add_argument(
        "--file", default=_failed_items_file(), help="the spool (default: $FAILED_ITEMS_FILE or %(default)s)"
    )
    p.set_defaults(func=cmd_spool)

    p = sub.add_parser("verify", help="check every snapshot's WARC record, every WARC file, and runs left running")
    p.add_argument("--warc-dir", default=os.environ.get("WARC_DIR", "data/warc"), help="default: %(default)s")
    p.add_argument("--stale-after", type=float, default=900, help="seconds without a heartbeat (default: 900)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("pack", help="pack saved pages (folders with a manifest.json) into a WARC for replay")
    p.add_argument("folders", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_pack)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
