"""Commands that crawl or feed crawls: scheduled archiving and backfills
(``crawler.scheduling``), the spool a crawl left, recordings packed for replay."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from archive import clock
from archive.cli.arguments import (
    Command,
    CommandError,
    a_seconds,
    a_time,
)
from archive.cli.lookups import archive_for


def _site_spider(name: str, rules) -> str:
    """A site's spider, by the spider's name or the site's (``thanhnien`` or ``thanhnien.vn``)."""
    return next((r.spider for r in rules if name in (r.spider, r.name)), name)


def cmd_schedule(args) -> int:
    from scrapy.utils.project import get_project_settings

    from archive import spool
    from archive.store import Archive
    from crawler.scheduling.backfill import BackfillError
    from crawler.scheduling.rounds import ScheduleConfig, Scheduler
    from crawler.sites import all_rules, rules_by_name

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for pair in args.set or ():  # the settings every crawl runs with
        name, _, value = pair.partition("=")
        settings.set(name, value, priority="cmdline")
    sites = {r.spider: r.name for r in all_rules()}
    spiders = args.spider or ([_site_spider(args.backfill, all_rules())] if args.backfill else sites)
    if unknown := sorted(set(spiders) - set(sites)):
        raise CommandError(f"no such site spider: {', '.join(unknown)} (have: {', '.join(sites)})", 2)
    crawl_args = [a for url in args.start or () for a in ("-a", f"start={url}")] if not args.backfill else []
    crawl_args += [a for pair in args.set or () for a in ("-s", pair)]
    config = ScheduleConfig.from_settings(
        settings,
        {name: sites[name] for name in spiders},
        crawl_args,
        clock=args.now.isoformat() if args.now else None,
        scrapyd_urls=",".join(args.scrapyd or ()),
        lease_seconds=args.lease,
    )
    if args.backfill and not config.scrapyd_urls:
        raise CommandError("a backfill is split over scrapyd nodes: give them with --scrapyd URL or $SCRAPYD_URLS", 2)
    archive = Archive(
        args.database,
        recheck_schedule=settings.getlist("RECHECK_SCHEDULE"),
        recheck_policy=settings.get("RECHECK_POLICY"),
        clock=clock.from_spec(config.clock),
        warc_dir=args.warc_dir,
    )
    if (report := spool.load(archive, settings.get("FAILED_ITEMS_FILE"))).loaded or report.failed:
        print(f"spool: {report.loaded} write(s) stored, {report.failed} still failing", file=sys.stderr)
    scheduler = Scheduler(archive, config)
    if args.backfill:
        spider = spiders[0]
        try:
            reports = scheduler.backfill(spider, args.start or list(rules_by_name(sites[spider]).sources))
        except BackfillError as exc:
            raise CommandError(f"backfill of {spider}: {exc}") from exc
    elif args.once:
        reports = scheduler.run_round()
    else:
        scheduler.run_forever()
        return 0
    return 1 if any(r.outcome == "failed" for r in reports) else 0


def cmd_spool(args) -> int:
    from archive import spool

    if not Path(args.file).exists():
        raise CommandError(f"no spool at {args.file}: nothing to load")
    report = spool.load(archive_for(args), args.file)
    print(f"{args.file}: {report.loaded} write(s) stored, {report.failed} still failing (kept in the spool)")
    return 1 if report.failed else 0


def cmd_pack(args) -> int:
    from archive.recordings import pack

    refs = pack(args.folders, args.out)
    print(f"{len(refs)} page(s) written to {args.out}")
    return 0


def add_commands(command: Command) -> None:
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

    p = command("spool", cmd_spool, "store what a crawl spooled while the database was unavailable")
    p.add_argument("action", choices=("load",), help="load: write the spooled items into the archive")
    failed = os.environ.get("FAILED_ITEMS_FILE", "data/failed-items.jsonl")
    p.add_argument("--file", default=failed, help="the spool (default: $FAILED_ITEMS_FILE or %(default)s)")

    p = command("pack", cmd_pack, "pack saved pages (folders with a manifest.json) into a WARC for replay")
    p.add_argument("folders", nargs="+", help="folders with a manifest.json")
    p.add_argument("--out", required=True, help="the WARC file to write")
