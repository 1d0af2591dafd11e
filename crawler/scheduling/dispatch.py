"""A round over several scrapyd nodes: each due site's crawl goes to the least busy node and holds
a lease in the database while it runs.

The lease (``site:<spider>``, owned by ``run:<id>``) is what keeps a site from running twice:
several schedulers on several hosts may run rounds at once, and a site is only dispatched by
the one that takes its lease and then still finds it due. The lease is renewed by the crawl's
heartbeat (``SITE_LEASE``) and, while the node lists the job as pending or running, by the
scheduler following it. A node that dies stops both: its leases expire, any scheduler's next
round marks those runs failed and makes their sites due again, and they run on another node.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from archive.recheck_policy import aware
from archive.run_records import run_owner, site_lease
from archive.store import Archive
from crawler.scheduling.scrapyd import NodeError, ScrapydNode, least_busy

FOLLOW_EVERY = 1.0
"""Seconds between two looks at the dispatched crawls."""


@dataclass
class Dispatch:
    spider: str
    run_id: int
    node: ScrapydNode
    job: str
    lease: str
    deadline: float
    renewed: float = field(default_factory=time.monotonic)
    """When its lease was last renewed here (monotonic seconds)."""

    @property
    def owner(self) -> str:
        return run_owner(self.run_id)


@dataclass(frozen=True)
class Ending:
    """How a dispatched crawl ended, when the scheduler had to say it (the crawl could not)."""

    run_id: int
    spider: str
    error: str


class Dispatcher:
    """Dispatches and follows the crawls of one round; ``settings(run_id)`` gives a crawl's settings."""

    def __init__(
        self,
        archive: Archive,
        nodes: list[ScrapydNode],
        owner: str,
        lease_ttl: timedelta,
        run_timeout: timedelta,
        settings: Callable[[int], dict[str, str]],
    ):
        self.archive = archive
        self.nodes = {node.url: node for node in nodes}
        self.owner = owner
        self.lease_ttl = lease_ttl
        self.run_timeout = run_timeout
        self.settings = settings

    # -- lost crawls --------------------------------------------------------------------
    def reap(self) -> list[Ending]:
        """Runs whose lease expired (their node died or lost the database): failed, and their
        site due again, whichever scheduler dispatched them."""
        endings = []
        grace = self.archive.wall_clock() - self.lease_ttl  # a run's lease is handed to it just after its row is made
        for run in self.archive.dispatched_runs():
            if aware(run.started_at) < grace and self.archive.reap(run.lease, run_owner(run.id)):
                error = f"lease expired: no sign of life from {run.dispatched_to}"
                endings.append(self._lost(run.id, run.spider, run.lease, error))
        return endings

    def _lost(self, run_id: int, spider: str, lease: str, error: str) -> Ending:
        self.archive.finish_run(run_id, {}, "failed", error)
        if lease == site_lease(spider):  # due again: the next round runs it on a node that answers
            self.archive.set_next_poll(spider, self.archive.clock())
        return Ending(run_id, spider, error)

    # -- dispatching --------------------------------------------------------------------
    def loads(self) -> dict[str, int | None]:
        return {url: node.load() for url, node in self.nodes.items()}

    def send(
        self, spider: str, args: list[str], loads: dict[str, int | None], lease: str, settings: dict[str, str]
    ) -> Dispatch | str:
        """Send one crawl, whose lease this scheduler holds, to the least busy node; the lease
        passes to the run. The dispatch, or why it was not sent (the lease is then released)."""
        url = least_busy(loads)
        if url is None:
            self.archive.release(lease, self.owner)
            return "no scrapyd node answers"
        run_id = self.archive.start_run(spider, dispatched_to=url, lease=lease)
        self.archive.renew(lease, self.owner, self.lease_ttl, new_owner=run_owner(run_id))
        settings = self.settings(run_id) | settings
        settings |= {"SITE_LEASE": lease, "SCHEDULE_LEASE_SECONDS": str(self.ttl_seconds)}
        try:
            job = self.nodes[url].submit(spider, args, settings)
        except NodeError as exc:
            loads[url] = None  # not this round again
            self.archive.finish_run(run_id, {}, "failed", str(exc))
            self.archive.release(lease, run_owner(run_id))
            return str(exc)
        self.archive.set_job(run_id, job)
        loads[url] = (loads[url] or 0) + 1
        return Dispatch(
            spider, run_id, self.nodes[url], job, lease, time.monotonic() + self.run_timeout.total_seconds()
        )

    @property
    def ttl_seconds(self) -> int:
        return max(1, round(self.lease_ttl.total_seconds()))

    # -- following ----------------------------------------------------------------------
    def follow(self, dispatched: list[Dispatch], sleep: Callable[[float], None] = time.sleep) -> list[Ending]:
        """Look at the crawls (``poll``) until every one has ended."""
        waiting, endings = list(dispatched), []
        while waiting:
            for d, ending in self.poll(waiting):
                waiting.remove(d)
                if ending is not None:
                    endings.append(ending)
            if waiting:
                sleep(FOLLOW_EVERY)
        return endings

    def poll(self, waiting: list[Dispatch]) -> list[tuple[Dispatch, Ending | None]]:
        """One look at the crawls: renew the leases of jobs their node still lists, and end the
        runs of crawls that ended without recording it, timed out, or whose lease expired. The
        crawls that ended, each with its Ending when the scheduler had to record it."""
        states = {node.url: node.jobs() for node in {d.node.url: d.node for d in waiting}.values()}
        ended = []
        for d in waiting:
            ending = self._look(d, (states[d.node.url] or {}).get(d.job), states[d.node.url] is not None)
            if ending is not False:
                ended.append((d, ending))
        return ended

    def _look(self, d: Dispatch, state: str | None, node_answers: bool) -> Ending | bool | None:
        """False: still running; None: ended by itself; an Ending: ended here."""
        if self.archive.run_outcome(d.run_id) != "running":
            self.archive.release(d.lease, d.owner)  # in case the crawl could not
            return None
        if state in ("pending", "running"):
            if time.monotonic() > d.deadline:
                with contextlib.suppress(NodeError):  # unanswered: its lease expires instead
                    d.node.cancel(d.job)
                return self._ended(d, f"timed out after {self.run_timeout}: cancelled on {d.node.url}")
            self._renew(d, at_once=True)
            return False
        if state == "finished":  # the row read after the node's answer: the crawl ended without recording it
            return self._ended(d, f"the crawl ended on {d.node.url} without recording its end (job {d.job})")
        if self.archive.reap(d.lease, d.owner):  # no heartbeat either: the crawl is gone with its node
            why = f"no longer lists job {d.job}" if node_answers else "stopped answering"
            return self._lost(d.run_id, d.spider, d.lease, f"lease expired: {d.node.url} {why}")
        return False

    def keep_alive(self, dispatched: list[Dispatch]) -> None:
        """Renew the leases of crawls sent earlier in a round that is still sending (a round of
        many sites takes longer than a lease), a third of a lease after their last renewal."""
        for d in dispatched:
            self._renew(d)

    def _renew(self, d: Dispatch, at_once: bool = False) -> None:
        if at_once or time.monotonic() - d.renewed > self.lease_ttl.total_seconds() / 3:
            self.archive.renew(d.lease, d.owner, self.lease_ttl)
            d.renewed = time.monotonic()

    def _ended(self, d: Dispatch, error: str) -> Ending:
        self.archive.finish_run(d.run_id, {}, "failed", error)
        self.archive.release(d.lease, d.owner)
        return Ending(d.run_id, d.spider, error)
