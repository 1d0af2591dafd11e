"""Crawl runs and leases in the database: who runs what, on which node, still alive or not.

Their times are the wall clock's (``wall_clock``, injectable), never the archive's clock: a
heartbeat or a lease is compared across processes and machines, whatever time a test or a
replay makes the archive see.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from archive import clock
from archive.models import CrawlRun, Lock, Snapshot
from archive.recheck_policy import aware

NODE = socket.gethostname()
"""This machine's name in ``crawl_run.node``."""


def site_lease(spider: str) -> str:
    """The lease a crawl of the site holds while it runs."""
    return f"site:{spider}"


def backfill_lease(spider: str, shard: str) -> str:
    """The lease a backfill's crawl of one sitemap shard holds (shards of a site run side by side)."""
    return f"backfill:{spider}:{hashlib.sha1(shard.encode()).hexdigest()[:16]}"


def run_owner(run_id: int) -> str:
    """Who holds a dispatched crawl's lease: the run itself, renewing it with its heartbeat."""
    return f"run:{run_id}"


class RunRecords:
    """Mixed into ``archive.store.Archive``: needs ``Session`` and ``wall_clock``."""

    wall_clock: Callable[[], datetime] = staticmethod(clock.wall)

    def start_run(
        self,
        spider: str,
        node: str | None = None,
        pid: int | None = None,
        dispatched_to: str | None = None,
        lease: str | None = None,
    ) -> int:
        with self.Session.begin() as session:
            now = self.wall_clock()
            run = CrawlRun(
                spider=spider,
                started_at=now,
                outcome="running",
                node=node,
                pid=pid,
                heartbeat_at=now,
                dispatched_to=dispatched_to,
                lease=lease,
            )
            session.add(run)
            session.flush()
            return run.id

    def claim_run(self, run_id: int, node: str, pid: int) -> None:
        """The crawl process of a run made by the scheduler says who it is."""
        with self.Session.begin() as session:
            session.execute(
                update(CrawlRun).where(CrawlRun.id == run_id).values(node=node, pid=pid, heartbeat_at=self.wall_clock())
            )

    def set_job(self, run_id: int, job: str) -> None:
        """The scrapyd job id of a dispatched run."""
        with self.Session.begin() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(job=job))

    def heartbeat(self, run_id: int) -> None:
        with self.Session.begin() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(heartbeat_at=self.wall_clock()))

    def run_outcome(self, run_id: int) -> str | None:
        """``running`` until the run ends; None for no such run."""
        with self.Session() as session:
            run = session.get(CrawlRun, run_id)
            return run.outcome if run is not None else None

    def run_counts(self, run_id: int) -> dict[str, int]:
        """The run's requests so far, by outcome (its progress, and its report at the end)."""
        query = select(Snapshot.outcome, func.count()).where(Snapshot.crawl_run_id == run_id).group_by(Snapshot.outcome)
        with self.Session() as session:
            return {outcome: count for outcome, count in session.execute(query)}

    def dispatched_runs(self) -> list[CrawlRun]:
        """Runs sent to a scrapyd node and not finished."""
        with self.Session() as session:
            query = select(CrawlRun).where(CrawlRun.outcome == "running", CrawlRun.dispatched_to.is_not(None))
            return list(session.scalars(query))

    def stale_runs(self, node: str, alive: Callable[[int], bool], stale_after: timedelta) -> list[CrawlRun]:
        """Runs still marked ``running`` whose crawl is gone: on this node, a dead process; on
        any node, no heartbeat for ``stale_after``."""
        now = self.wall_clock()
        with self.Session() as session:
            running = session.scalars(select(CrawlRun).where(CrawlRun.outcome == "running")).all()
        return [
            run
            for run in running
            if (run.node == node and run.pid is not None and not alive(run.pid))
            or aware(run.heartbeat_at or run.started_at) < now - stale_after
        ]

    def mark_stale_runs(self, node: str, alive: Callable[[int], bool], stale_after: timedelta) -> list[int]:
        """Record the stale runs as ``failed``: their crawl died without saying so."""
        ids = []
        for run in self.stale_runs(node, alive, stale_after):
            reason = "crawl process gone" if run.node == node and run.pid and not alive(run.pid) else "no heartbeat"
            self.finish_run(run.id, run.stats or {}, "failed", f"{reason} (found stale by a later start)")
            ids.append(run.id)
        return ids

    def finish_run(self, run_id: int, stats: Mapping, outcome: str, error: str | None = None) -> None:
        with self.Session.begin() as session:
            run = session.get(CrawlRun, run_id)
            run.finished_at = self.wall_clock()
            run.stats = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in stats.items()}
            run.outcome = outcome
            run.error = error

    def acquire(self, name: str, owner: str, ttl: timedelta) -> bool:
        """Take the named lease unless someone else holds an unexpired one."""
        now = self.wall_clock()
        try:
            with self.Session.begin() as session:
                lock = session.scalar(select(Lock).where(Lock.name == name).with_for_update())
                if lock is None:
                    session.add(Lock(name=name, owner=owner, expires_at=now + ttl))
                    return True
                if lock.owner != owner and aware(lock.expires_at) > now:
                    return False
                lock.owner, lock.expires_at = owner, now + ttl
                return True
        except IntegrityError:  # another process inserted it first
            return False

    def release(self, name: str, owner: str) -> None:
        with self.Session.begin() as session:
            session.execute(delete(Lock).where(Lock.name == name, Lock.owner == owner))

    def renew(self, name: str, owner: str, ttl: timedelta, new_owner: str | None = None) -> bool:
        """Extend a lease its owner still holds (and hand it to ``new_owner``); False when it is
        no longer theirs (expired and reaped, or taken)."""
        values = {"expires_at": self.wall_clock() + ttl} | ({"owner": new_owner} if new_owner else {})
        with self.Session.begin() as session:
            changed = session.execute(update(Lock).where(Lock.name == name, Lock.owner == owner).values(**values))
            return changed.rowcount == 1

    def reap(self, name: str, owner: str) -> bool:
        """Delete ``owner``'s lease if it has expired; True when it did, or when the owner holds
        none (it lost it, or died before it got it)."""
        with self.Session.begin() as session:
            held = session.scalar(select(Lock).where(Lock.name == name, Lock.owner == owner).with_for_update())
            if held is not None and aware(held.expires_at) >= self.wall_clock():
                return False
            if held is not None:
                session.delete(held)
            return True
