"""``python -m archive schedule``: the recurring, restart-safe archiver.

Each round, for each scheduled site: when its discovery sources are due (every
``SCHEDULE_INTERVAL`` minutes, ``SCHEDULE_SITE_INTERVALS`` per spider) or some of its
articles are due for a re-check (``RECHECK_SCHEDULE``), one real ``scrapy crawl`` runs in
its own process in scheduled mode: new articles are fetched, known ones skipped unless due
or moved. All state lives in the database, so a restarted scheduler carries on where the
last one stopped:

- leases (``lock`` table) keep two schedulers, or two runs of one site, from overlapping;
- with ``SCRAPYD_URLS`` the crawls of a round run at once on several scrapyd nodes, the least
  busy first, each holding its site's lease (``crawler.scheduling.dispatch``); schedulers on several
  hosts then run rounds side by side, and the sites of a node that died run elsewhere;
- every crawl reports into a ``CrawlRun`` made here; a crawl that crashes, is killed or
  times out is recorded as ``failed`` with its exit status and the tail of its log, and the
  round goes on;
- SIGTERM / SIGINT let the running crawl finish, then the scheduler stops.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from scrapy.settings import BaseSettings

from archive.run_records import backfill_lease, site_lease
from archive.store import Archive
from crawler.scheduling.backfill import BackfillError, divided_politeness, fetcher, shards_of
from crawler.scheduling.dispatch import FOLLOW_EVERY, Dispatch, Dispatcher
from crawler.scheduling.local_runs import CrawlJob, LocalRunner
from crawler.scheduling.scrapyd import ScrapydNode, node_urls

SCHEDULER_LOCK = "scheduler"


@dataclass
class ScheduleConfig:
    spiders: dict[str, str]
    """Spider name → site name of every scheduled site."""
    interval: timedelta = timedelta(minutes=10)
    site_intervals: dict[str, timedelta] = field(default_factory=dict)
    run_timeout: timedelta = timedelta(hours=1)
    crawl_args: list[str] = field(default_factory=list)
    """Extra ``scrapy crawl`` arguments (``-a start=…``, ``-s NAME=value``) for every crawl."""
    log_dir: Path = Path("data/logs")
    scrapyd_urls: list[str] = field(default_factory=list)
    """When set, the round's crawls are dispatched to these scrapyd nodes instead of run here."""
    scrapyd_project: str = "newsarchive"
    lease_ttl: timedelta = timedelta(minutes=2)
    """How long a dispatched crawl's lease lasts without being renewed."""
    clock: str = ""
    """The clock of rounds and crawls (``CLOCK``, ``archive.clock``): "" the wall clock, an ISO
    8601 time, or ``file:PATH``, a simulation's."""
    crawl_settings: BaseSettings = field(default_factory=BaseSettings)
    """The settings each crawl runs with (``--set`` included): a backfill divides their politeness."""

    @classmethod
    def from_settings(
        cls,
        settings: BaseSettings,
        spiders: dict[str, str],
        crawl_args: list[str] | None = None,
        clock: str | None = None,
        scrapyd_urls: str | None = None,
        lease_seconds: float | None = None,
    ) -> ScheduleConfig:
        """The schedule the project's settings describe (``SCHEDULE_*``, ``SCRAPYD_URLS``); the
        arguments given override them."""
        return cls(
            spiders=spiders,
            interval=timedelta(minutes=settings.getfloat("SCHEDULE_INTERVAL")),
            site_intervals={
                k: timedelta(minutes=float(v)) for k, v in settings.getdict("SCHEDULE_SITE_INTERVALS").items()
            },
            run_timeout=timedelta(seconds=settings.getfloat("SCHEDULE_RUN_TIMEOUT")),
            crawl_args=list(crawl_args or ()),
            clock=settings.get("CLOCK") or "" if clock is None else clock,
            scrapyd_urls=node_urls(scrapyd_urls or settings.get("SCRAPYD_URLS")),
            lease_ttl=timedelta(seconds=lease_seconds or settings.getfloat("SCHEDULE_LEASE_SECONDS")),
            crawl_settings=settings,
        )


@dataclass
class RunReport:
    spider: str
    run_id: int | None
    outcome: str
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def line(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items())) or "nothing fetched"
        error = f" — {self.error}" if self.error else ""
        return f"{self.spider}: {self.outcome} ({counts}){error}"


class Scheduler:
    def __init__(self, archive: Archive, config: ScheduleConfig, out: TextIO | None = None):
        self.archive = archive
        self.config = config
        self.out = out or sys.stdout  # looked up now: whatever stdout is when the scheduler starts
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = False
        self.tty = self.out.isatty()
        self.runner = LocalRunner(config.log_dir)
        nodes = [ScrapydNode(url, config.scrapyd_project) for url in config.scrapyd_urls]
        self.dispatcher = (
            Dispatcher(archive, nodes, self.owner, config.lease_ttl, config.run_timeout, self._settings)
            if nodes
            else None
        )

    # -- rounds -------------------------------------------------------------------------
    def run_round(self) -> list[RunReport]:
        """One round over every scheduled site: on the scrapyd nodes, or one crawl after the other
        here ([] when another scheduler is running a round here)."""
        if self.dispatcher is not None:
            return self._dispatched_round()
        if not self.archive.acquire(SCHEDULER_LOCK, self.owner, self.config.run_timeout * len(self.config.spiders)):
            self._say("another scheduler is running a round: this one is skipped")
            return []
        reports = []
        try:
            for spider, site in self.config.spiders.items():
                if self.stopping:
                    break
                if report := self._maybe_crawl(spider, site):
                    reports.append(report)
        finally:
            self.archive.release(SCHEDULER_LOCK, self.owner)
        return self._done(reports)

    def _done(self, reports: list[RunReport]) -> list[RunReport]:
        self._say(
            f"round done at {self.now().isoformat(timespec='seconds')}: "
            + ("; ".join(r.line() for r in reports) or "nothing was due")
        )
        return reports

    def _dispatched_round(self) -> list[RunReport]:
        """Lost crawls failed and due again, then every due site dispatched, then followed to its end."""
        dispatcher = self.dispatcher
        for lost in dispatcher.reap():
            self._say(f"{lost.spider}: run {lost.run_id} failed ({lost.error}); the site runs again")
        reports, dispatched = [], []
        loads = dispatcher.loads()
        for spider, site in self.config.spiders.items():
            if self.stopping:
                break
            dispatcher.keep_alive(dispatched)
            sent = self._dispatch(spider, site, loads)
            if isinstance(sent, Dispatch):
                self._say(f"{spider}: run {sent.run_id} sent to {sent.node.url} (job {sent.job})")
                dispatched.append(sent)
            elif sent is not None:
                reports.append(sent)
        failed = {ending.run_id: ending.error for ending in dispatcher.follow(dispatched)}
        reports += [self._report(d, failed) for d in dispatched]
        return self._done(reports)

    def _dispatch(self, spider: str, site: str, loads: dict[str, int | None]) -> Dispatch | RunReport | None:
        """Under the site's lease, and only if it is still due then: its crawl sent to a node."""
        lease = site_lease(spider)
        if not self.archive.acquire(lease, self.owner, self.config.lease_ttl):
            return RunReport(spider, None, "skipped", error="a crawl of this site is already running")
        now = self.now()
        poll_due = self.archive.poll_due(spider, now)
        if not poll_due and not self.archive.due_articles(site, now):  # another scheduler has just run it
            self.archive.release(lease, self.owner)
            return None
        sent = self.dispatcher.send(spider, self.config.crawl_args, loads, lease, {})
        if isinstance(sent, str):
            return RunReport(spider, None, "failed", error=sent)
        if poll_due:
            self.archive.set_next_poll(spider, now + self.config.site_intervals.get(spider, self.config.interval))
        return sent

    def backfill(self, spider: str, sources: list[str]) -> list[RunReport]:
        """The site's whole sitemap: one crawl per sitemap shard of ``sources`` on the scrapyd nodes,
        as many at once as there are nodes, each with its share of the site's politeness
        (``divided_politeness``); a shard another scheduler is crawling is skipped. Raises
        ``BackfillError`` when the sources cannot be read or hold no sitemap."""
        if self.dispatcher is None:
            raise BackfillError("a backfill is split over scrapyd nodes: give them with --scrapyd URL or $SCRAPYD_URLS")
        shards = shards_of(sources, fetcher(self.config.crawl_settings))
        if not shards:
            raise BackfillError(f"no sitemap among {', '.join(sources)} nor in its robots.txt")
        self._say(f"{spider}: {len(shards)} sitemap shard(s) to crawl")
        dispatcher, queue, running, reports = self.dispatcher, list(shards), [], []
        at_once = min(len(shards), len(dispatcher.nodes)) or 1
        settings = divided_politeness(self.config.crawl_settings, at_once)
        failed: dict[int, str] = {}
        while queue or running:
            loads = dispatcher.loads() if queue and len(running) < at_once else {}
            while queue and len(running) < at_once and not self.stopping:
                dispatcher.keep_alive(running)
                shard = queue.pop(0)
                lease = backfill_lease(spider, shard)
                if not self.archive.acquire(lease, self.owner, self.config.lease_ttl):
                    reports.append(RunReport(spider, None, "skipped", error=f"{shard} is being crawled"))
                    continue
                args = [*self.config.crawl_args, "-a", f"start={shard}"]
                sent = dispatcher.send(spider, args, loads, lease, settings)
                if isinstance(sent, str):
                    reports.append(RunReport(spider, None, "failed", error=f"{shard}: {sent}"))
                    continue
                self._say(f"{spider}: run {sent.run_id} sent to {sent.node.url} for {shard}")
                running.append(sent)
            if self.stopping:
                queue.clear()
            for d, ending in dispatcher.poll(running):
                running.remove(d)
                if ending is not None:
                    failed[d.run_id] = ending.error
                reports.append(self._report(d, failed))
            if running:
                time.sleep(FOLLOW_EVERY)
        return self._done(reports)

    def _report(self, d: Dispatch, failed: dict[int, str]) -> RunReport:
        counts = self._counts(d.run_id)
        if d.run_id in failed:
            return RunReport(d.spider, d.run_id, "failed", counts, failed[d.run_id])
        return RunReport(d.spider, d.run_id, self.archive.run_outcome(d.run_id), counts)

    def run_forever(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Rounds until SIGTERM or SIGINT; the crawl running then is allowed to finish."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop)
        while not self.stopping:
            self.run_round()
            waited = 0.0
            while not self.stopping and waited < 60:
                sleep(1)
                waited += 1
        self._say("scheduler stopped")

    def _stop(self, signum, _frame) -> None:
        self._say(f"{signal.Signals(signum).name}: stopping after the current crawl")
        self.stopping = True

    def now(self) -> datetime:
        return self.archive.clock()

    def _maybe_crawl(self, spider: str, site: str) -> RunReport | None:
        now = self.now()
        poll_due = self.archive.poll_due(spider, now)
        rechecks = self.archive.due_articles(site, now)
        if not poll_due and not rechecks:
            return None
        if not self.archive.acquire(site_lease(spider), self.owner, self.config.run_timeout):
            return RunReport(spider, None, "skipped", error="a crawl of this site is already running")
        try:
            report = self._crawl(spider)
            if poll_due:
                self.archive.set_next_poll(spider, now + self.config.site_intervals.get(spider, self.config.interval))
            return report
        finally:
            self.archive.release(site_lease(spider), self.owner)

    # -- one crawl ----------------------------------------------------------------------
    def _crawl(self, spider: str) -> RunReport:
        """One crawl as a local process, concluded from its exit and its run row."""
        run_id = self.archive.start_run(spider)
        progress = (lambda: self._show(f"{spider}: {self._progress(run_id)}")) if self.tty else None
        job = CrawlJob(spider, run_id, self.config.crawl_args, self._settings(run_id))
        try:
            returncode, log = self.runner.run(job, self.config.run_timeout.total_seconds(), progress)
        finally:
            if self.tty:
                self.out.write("\r\x1b[K")
        return self._conclude(spider, run_id, returncode, log)

    def _show(self, line: str) -> None:
        self.out.write(f"\r\x1b[K{line}")
        self.out.flush()

    def _settings(self, run_id: int) -> dict[str, str]:
        settings = {
            "SCHEDULED": "True",
            "CRAWL_RUN_ID": str(run_id),
            "CRAWL_SUMMARY_PRINT": "False",
            "DATABASE_URL": self.archive.database_url,
        }
        if self.archive.warc_dir and self.dispatcher is None:  # where the archive's WARC names are relative to
            # (a scrapyd node writes into its own WARC_DIR: a shared volume, or a folder of its own)
            settings["WARC_DIR"] = str(Path(self.archive.warc_dir).resolve())
        if self.config.clock:
            settings["CLOCK"] = self.config.clock
        return settings

    def _progress(self, run_id: int) -> str:
        counts = self._counts(run_id)
        pages = sum(counts.values())
        parts = [f"{pages} page(s)"] + [f"{n} {k}" for k, n in sorted(counts.items())]
        return ", ".join(parts)

    def _counts(self, run_id: int) -> dict[str, int]:
        return self.archive.run_counts(run_id)

    def _conclude(self, spider: str, run_id: int, returncode: int, log_path: Path) -> RunReport:
        """Failed when the crawl exited badly or never recorded its end (killed, crashed at start)."""
        recorded = self.archive.run_outcome(run_id)
        if returncode != 0 or recorded in (None, "running"):
            reason = f"exit status {returncode}" if returncode >= 0 else f"killed by {signal.Signals(-returncode).name}"
            error = f"{reason}; log {log_path}: {_tail(log_path)}" if log_path.exists() else f"{reason}; {log_path}"
            self.archive.finish_run(run_id, {}, "failed", error)
            return RunReport(spider, run_id, "failed", self._counts(run_id), reason)
        return RunReport(spider, run_id, recorded, self._counts(run_id))

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])
