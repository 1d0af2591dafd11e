"""``make simulate``: the simulated newsroom (``bench/newsroom.py``) archived by the product
itself — real ``news`` crawls in continuous scheduled mode (``CONTINUOUS``), one per site, the
real store and WARC files — through simulated days on a driven clock, once per re-check policy
with the same seed; scored against the newsroom's truth log beside the oracle (one fetch right
after each edit), with the policy-level replay's national-scale figures.

Each policy runs in a process of its own (``--policy``): its crawls share one reactor, and the
driver moves the clock (``archive.clock``, ``file:``) to the earliest next round whenever every
crawl waits for one, so simulated time passes as fast as the crawls do their work. Politeness is
real time: the newsroom's rate-limited site allows ``--rate`` requests a wall-clock minute, and
its crawl is configured at that rate (``DOWNLOAD_SLOTS``); a ``429`` in the request log is a
fetch above it (``rate_violations``).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archive import clock
from archive.models import Article, ArticleVersion, Snapshot
from archive.recheck_policy import RECHECK_POLICIES, aware
from bench.hindsight_bound import by_age
from bench.newsroom import Newsroom, Story, discovery_page, is_story, serve
from bench.policy_replay import Figures, adaptive, fixed, national, newsroom_options, score
from pipelines.extraction.site_rules import SiteRules

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
DRIVER_LOOK = 0.02
HOLD = "hold"
"""The file of the run's folder that holds the driven clock back until the parent has seen it."""
"""Seconds between two looks of the driver at whether every crawl waits."""


_RULES: dict[str, SiteRules] = {}
"""Host → the rules written for it: the newsroom's site that changes its layout has some."""


def named_module(name: str):
    """This module as ``SITE_RULES_FOR_URL`` loads it (``bench.simulate``, even when run as ``__main__``)."""
    import importlib

    return importlib.import_module("bench.simulate" if name == "__main__" else name)


def newsroom_rules(url: str, when: datetime | None = None) -> SiteRules | None:
    """``SITE_RULES_FOR_URL`` of the simulation's crawls."""
    return _RULES.get(urlsplit(url).hostname or "")


def rules_for(host: str) -> SiteRules:
    """Rules as a site module would declare them for the newsroom's first layout (``<article>``)."""
    return SiteRules(
        name=host,
        spider="news",
        domains=(host,),
        article_url=r"/tin-\d+",
        body=("article",),
        title=("article h1::text",),
    )


def crawl_settings(policy: str, folder: Path, interval: float, slots: dict) -> dict:
    return {
        "SITE_RULES_FOR_URL": "bench.simulate.newsroom_rules",
        "SCHEDULED": True,
        "CONTINUOUS": True,
        "RECHECK_POLICY": policy,
        "SCHEDULE_INTERVAL": interval,
        "CLOCK": f"file:{folder / 'clock'}",
        "DATABASE_URL": database_url(folder),
        # real-time waits do not fit a run that moves an hour in a second: a database that does not
        # answer is asked again at the next call, and spooled writes are stored a second after it is back
        "STORE_DOWN_SECONDS": 0,
        "STORE_RETRY_TIMES": 0,
        "RUN_HEARTBEAT_SECONDS": 1,
        "WARC_DIR": str(folder / "warc"),
        "FAILED_ITEMS_FILE": str(folder / "failed-items.jsonl"),  # this run's spool, not the project's
        "ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",  # the newsroom is on loopback
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_DELAY_JITTER": 0,
        "DOWNLOAD_SLOTS": slots,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
        "PIPELINE_WORKERS": 0,  # twenty crawls share one process: no worker pool each
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "CRAWL_SUMMARY_PRINT": False,
        "DISK_MIN_FREE_MB": 0,
    }


def _held(folder: Path) -> datetime | None:
    """The time the driver may not move the clock past (``hold``): the parent's next fault."""
    try:
        return datetime.fromisoformat((folder / HOLD).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _hold(folder: Path, until: datetime | None) -> None:
    """Keep the driven clock at or before ``until`` (None: let it run)."""
    if until == _held(folder):
        return
    if until is None:
        (folder / HOLD).unlink(missing_ok=True)
    else:
        clock.write_time(folder / HOLD, until)


def database_url(folder: Path) -> str:
    """The archive of a run: the one named in ``folder/database_url``, else SQLite in ``folder``."""
    named = folder / "database_url"
    return named.read_text().strip() if named.exists() else f"sqlite:///{folder / 'archive.db'}"


def crawl_policy(room: Newsroom, policy: str, folder: Path, interval: float) -> dict:
    """The product's side: every site crawled continuously under ``policy`` into ``folder`` (the
    newsroom's addresses in ``bases.json``), from the clock's time to the end of the run; what the
    crawls counted."""
    from scrapy.utils.reactor import install_reactor

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.project import get_project_settings
    from twisted.internet import reactor, task

    from crawler.middlewares.scheduled_mode import NEXT_ROUND
    from crawler.spiders.news import NewsSpider

    clock_path = folder / "clock"
    end = room.start + timedelta(days=room.days)
    bases = json.loads((folder / "bases.json").read_text())
    for behaviour in room.behaviours:
        if behaviour.layout_change:
            host = urlsplit(bases[behaviour.name]).hostname
            named_module(__name__)._RULES[host] = rules_for(host)  # the module the setting names
    limited = [b for b in room.behaviours if b.rate_limit]
    slots = {urlsplit(bases[b.name]).hostname: {"delay": 60 / b.rate_limit, "concurrency": 1} for b in limited}
    settings = get_project_settings()
    settings.setdict(crawl_settings(policy, folder, interval, slots), priority="cmdline")
    runner = CrawlerRunner(settings)
    crawlers = []
    for behaviour in room.behaviours:
        crawler = runner.create_crawler(NewsSpider)
        crawlers.append(crawler)
        runner.crawl(crawler, start=bases[behaviour.name] + behaviour.source)

    def drive() -> None:
        waits = [getattr(c, "stats", None) and c.stats.get_value(NEXT_ROUND) for c in crawlers]
        if not all(waits):
            return
        following = min(datetime.fromisoformat(w) for w in waits)
        if following >= end:
            looking.stop()
            runner.stop()
            return
        if (held := _held(folder)) is not None:
            following = min(following, held)  # the parent has a fault to bring about first
        if following > clock.from_spec(f"file:{clock_path}")():
            clock.write_time(clock_path, following)

    looking = task.LoopingCall(drive)
    looking.start(DRIVER_LOOK)
    runner.join().addBoth(lambda _: reactor.stop())
    reactor.run()
    return {
        "rounds": {
            b.name: c.stats.get_value("scheduled/rounds") for b, c in zip(room.behaviours, crawlers, strict=True)
        },
        "rules_missed_first": {
            b.name: at
            for b, c in zip(room.behaviours, crawlers, strict=True)
            if (at := c.stats.get_value("extraction/rules_missed_first"))
        },
        "stats": dict(sum((Counter(_counts(c.stats.get_stats())) for c in crawlers), Counter())),
    }


def run_policy(
    room: Newsroom,
    policy: str,
    folder: Path,
    options: list[str],
    kill_at: datetime | None,
    watch: Callable[[datetime], datetime | None] | None = None,
) -> dict:
    """The newsroom served here as of the driven clock while the product archives it in a process
    of its own (``--policy``), killed (SIGKILL, the whole process group) when the clock reaches
    ``kill_at`` and started again; ``watch`` is told the simulated time as it passes (a test's
    faults) and answers the next time it must be told. The clock is held at the kill and at that
    time until this process has seen it (``hold``): a driver that moves hours in milliseconds
    cannot pass a fault unseen. The record of the run: the server's request log, the crawls'
    counts of their last process, the CPU time of them all."""
    clock_path = folder / "clock"
    clock.write_time(clock_path, room.start)
    driven = clock.from_spec(f"file:{clock_path}")
    command = [sys.executable, "-m", "bench.simulate", *options, "--policy", policy, "--folder", str(folder)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    restarts = 0
    with serve(room, driven, own_hosts=True, retry_after=0) as (bases, log):
        (folder / "bases.json").write_text(json.dumps(bases))
        upcoming = watch(room.start) if watch is not None else None
        while True:
            _hold(folder, min((t for t in (kill_at, upcoming) if t is not None), default=None))
            child = subprocess.Popen(
                command, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True
            )
            while child.poll() is None:
                now = driven()
                if watch is not None:
                    upcoming = watch(now)
                if kill_at is not None and now >= kill_at:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
                    kill_at, restarts = None, restarts + 1
                    break
                _hold(folder, min((t for t in (kill_at, upcoming) if t is not None), default=None))
                time.sleep(0.1)
            else:
                if child.returncode != 0:
                    raise SystemExit(f"the {policy} crawls failed (exit status {child.returncode})")
                break
        requests = [(r.at.isoformat(), r.site, r.path, r.status, r.base) for r in log]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    record = json.loads((folder / "record.json").read_text())
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return record | {"requests": requests, "cpu_seconds": round(cpu, 1), "restarts": restarts}


def _counts(stats: dict) -> dict[str, int]:
    return {k: v for k, v in stats.items() if k.startswith(("discovery/", "retry/")) and isinstance(v, int)}


def stored_versions(database_url: str) -> dict[str, list[tuple[datetime, str, tuple[str, ...], str | None]]]:
    """Per story path (its URL less the host), its versions' (fetch time, title, body, change class)."""
    with Session(create_engine(database_url)) as session:
        rows = session.execute(
            select(
                Article.canonical_url,
                Snapshot.fetched_at,
                ArticleVersion.title,
                ArticleVersion.body,
                ArticleVersion.change_class,
            )
            .join(ArticleVersion, ArticleVersion.article_id == Article.id)
            .join(Snapshot, Snapshot.id == ArticleVersion.snapshot_id)
            .order_by(Article.id, ArticleVersion.number)
        ).all()
    out: dict = {}
    for url, at, title, body, change in rows:
        out.setdefault(urlsplit(url).path, []).append((aware(at), title, tuple(body or ()), change))
    return out


def _matching(story: Story, title: str, body: tuple[str, ...]):
    return next((v for v in story.versions if v.title == title and v.paragraphs == body), None)


def discovery_fetches(requests: list) -> dict[str, list[tuple[datetime, str, str]]]:
    """Per site, its discovery pages the crawler was served (time, path, base), in time order."""
    out: dict[str, list] = {}
    for at, site, path, status, base in requests:
        if status == 200 and not is_story(path):
            out.setdefault(site, []).append((datetime.fromisoformat(at), path, base))
    return {site: sorted(fetched) for site, fetched in out.items()}


def hint_received(room: Newsroom, story: Story, version, until: datetime, polled: list) -> bool:
    """Whether a sitemap the crawler was served while ``version`` stood listed the story with that
    version's ``lastmod``: an edit superseded before the next poll, or made after the story left
    every sitemap the site serves, was announced to nobody."""
    pages = {f"/{story.site}/sitemap.xml", f"/{story.site}/sitemap-{story.published:%Y-%m-%d}.xml"}
    for at, path, base in polled[bisect_left(polled, (version.at,)) :]:
        if at >= until:
            break
        if path in pages:
            page, _ = discovery_page(room, story.site, path, at, base)
            entry = f"<loc>{base}{story.path_at(at)}</loc><lastmod>{version.at.isoformat()}</lastmod>"
            if entry.encode() in page:
                return True
    return False


def score_run(room: Newsroom, record: dict, folder: Path) -> dict:
    """The policy's figures from what the archive stored and what the server was asked."""
    end = room.start + timedelta(days=room.days)
    figures = Figures()
    versions = stored_versions(database_url(folder))
    polled = discovery_fetches(record["requests"])
    spurious = 0
    for behaviour in room.behaviours:
        for story in room.stories[behaviour.name]:
            kept = versions.get(story.path, []) + versions.get(story.new_path, [])
            figures.articles += 1
            figures.article_days += (end - story.published).total_seconds() / 86400
            caught_at: dict[int, datetime] = {}
            previous = None
            for at, title, body, _ in sorted(kept, key=lambda v: v[0]):
                truth = _matching(story, title, body)
                if truth is None or truth is previous:
                    spurious += 1
                    continue
                previous = truth
                caught_at.setdefault(id(truth), at)
            truths = [v for v in story.versions if v.at < end]
            for i, version in enumerate(truths[1:], start=1):
                if version.kind != "substantive":
                    continue
                until = truths[i + 1].at if i + 1 < len(truths) else end
                at = caught_at.get(id(version))
                figures.edit(
                    behaviour.announces and hint_received(room, story, version, until, polled.get(behaviour.name, [])),
                    behaviour.announces,
                    None if at is None else (at - version.at).total_seconds(),
                    version.at - story.published < timedelta(days=1),
                )
    article_fetches = [r for r in record["requests"] if is_story(r[2])]
    figures.fetches = len(article_fetches)
    figures.warc_bytes = sum(p.stat().st_size for p in (folder / "warc").rglob("*.warc.gz"))
    database_files = list(folder.glob("archive.db*"))  # SQLite's (a server's database is not measured)
    database_bytes = sum(p.stat().st_size for p in database_files)
    layout = next((b for b in room.behaviours if b.layout_change), None)
    return {
        **figures.summary(),
        "rate_violations": sum(1 for r in record["requests"] if r[3] == 429),
        "spurious_versions": spurious,
        "layout_change_flagged": _flagged(record, layout) if layout else None,
        "warc_bytes_per_article_day": round(figures.warc_bytes / max(1.0, figures.article_days)),
        "database_bytes_per_article": round(database_bytes / max(1, figures.articles)) if database_files else None,
        "cpu_seconds_per_simulated_day": round(record["cpu_seconds"] / room.days, 1),
        "requests": len(record["requests"]),
        "stats": record["stats"],
    }


def _flagged(record: dict, layout) -> bool:
    """Whether the site whose layout changed was flagged (its rules missed the body) at its first
    article fetched after the change, and no other site ever was."""
    missed = record["rules_missed_first"]
    change = layout.layout_change.isoformat()
    fetched_after = sorted(
        at
        for at, site, path, status, _ in record["requests"]
        if site == layout.name and status == 200 and at >= change and is_story(path)
    )
    return set(missed) == {layout.name} and bool(fetched_after) and missed[layout.name] == fetched_after[0]


def oracle(room: Newsroom, poll: timedelta) -> dict:
    return score(room, "oracle", None, poll).summary()


def main() -> int:
    parser = newsroom_options(__doc__.splitlines()[0], poll=False)
    parser.add_argument("--scale", type=float, default=0.1, help="publishing rates times this (10–300 a day at 1)")
    parser.add_argument("--interval", type=float, default=10, help="minutes between two rounds of a site")
    parser.add_argument("--rate", type=int, default=1200, help="requests a minute the rate-limited site allows")
    parser.add_argument(
        "--kill-at", type=float, default=0.25, help="kill the crawls when this share of the run has passed (0: never)"
    )
    parser.add_argument("--policy", choices=RECHECK_POLICIES, help="run this policy's crawls only (in this process)")
    parser.add_argument("--folder", type=Path, help="with --policy: where its archive goes")
    args = parser.parse_args()
    room = Newsroom(seed=args.seed, sites=args.sites, days=args.days, scale=args.scale, rate_limit=args.rate)
    if args.policy:
        record = crawl_policy(room, args.policy, args.folder, args.interval)
        (args.folder / "record.json").write_text(json.dumps(record))
        return 0
    stories = sum(len(s) for s in room.stories.values())
    print(
        f"{args.sites} sites, {args.days:g} simulated days, seed {args.seed}, scale {args.scale:g}: {stories} stories"
    )
    poll = timedelta(minutes=args.interval)
    policies = {}
    with tempfile.TemporaryDirectory(prefix="newsarchive-simulate-") as tmp:
        options = [f"--{name}={getattr(args, name)}" for name in ("seed", "days", "sites", "scale", "interval", "rate")]
        kill_at = room.start + timedelta(days=args.days * args.kill_at) if args.kill_at else None
        for policy in RECHECK_POLICIES:
            folder = Path(tmp) / policy
            folder.mkdir()
            started = time.monotonic()
            record = run_policy(room, policy, folder, options, kill_at)
            policies[policy] = score_run(room, record, folder)
            policies[policy]["wall_seconds"] = round(time.monotonic() - started, 1)
            print(f"{policy}: {policies[policy]['wall_seconds']} s, restarted {record['restarts']} time(s)")
    policies["oracle"] = oracle(room, poll)
    if hindsight := by_age(room, poll):
        policies["by_age_in_hindsight"] = hindsight
    full = Newsroom(seed=args.seed, sites=args.sites, days=min(args.days, 7))
    for name, policy in (("adaptive", adaptive), ("fixed", fixed)):
        policies[name]["national"] = national(full, policy, poll)
    report(policies)
    if hindsight and hindsight["substantive_edits"]:
        print(
            "no schedule by article age, even one chosen knowing every edit, catches "
            f"{hindsight['caught_share']:.0%} of the edits for fewer than "
            f"{hindsight['lower_bound_fetches_per_edit_caught']} fetches per edit caught"
        )
    RESULTS.mkdir(exist_ok=True)  # not in a fresh clone (results are not committed)
    out = RESULTS / f"simulate-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(
        json.dumps(
            {"seed": args.seed, "days": args.days, "sites": args.sites, "scale": args.scale, "policies": policies},
            indent=1,
        )
    )
    print(f"written to {out}")
    return 0


COLUMNS = (
    ("caught", "caught_share"),
    ("hinted", "hinted_caught_share"),
    ("site-announced", "site_announced_caught_share"),
    ("day-1 med s", "latency_first_day_median_s"),
    ("day-1 p90 s", "latency_first_day_p90_s"),
    ("later med s", "latency_later_median_s"),
    ("fetch/art", "fetches_per_article"),
    ("fetch/edit", "fetches_per_edit_caught"),
    ("WARC B/art-day", "warc_bytes_per_article_day"),
    ("DB B/art", "database_bytes_per_article"),
    ("CPU s/day", "cpu_seconds_per_simulated_day"),
    ("429s", "rate_violations"),
    ("spurious", "spurious_versions"),
)


def report(policies: dict) -> None:
    width = max(map(len, policies))
    print(f"{'policy':{width}}" + "".join(f"{title:>16}" for title, _ in COLUMNS))
    for name, figures in policies.items():
        cells = (figures.get(key) for _, key in COLUMNS)
        print(f"{name:{width}}" + "".join(f"{'-' if v is None else v:>16}" for v in cells))
    adaptive_, fixed_, oracle_ = policies["adaptive"], policies["fixed"], policies["oracle"]
    print(
        f"adaptive / fixed: fetches {adaptive_['fetches'] / max(1, fixed_['fetches']):.3f}, "
        f"WARC bytes {adaptive_['warc_bytes'] / max(1, fixed_['warc_bytes']):.3f}; adaptive / oracle fetches per "
        f"edit caught {adaptive_['fetches_per_edit_caught'] / max(0.01, oracle_['fetches_per_edit_caught']):.2f}; "
        f"layout change flagged: {adaptive_['layout_change_flagged']}"
    )
    for name in ("adaptive", "fixed"):
        scale = policies[name]["national"]
        print(
            f"{name} at national scale ({scale['sites']:,} sites × {scale['articles_per_day'] // scale['sites']} "
            f"stories a day, steady): {scale['requests_per_s']} requests/s, {scale['warc_gb_per_day']} GB of WARC a day"
        )


if __name__ == "__main__":
    raise SystemExit(main())
