"""Crawl runs and leases in the database: who runs what, on which node, still alive or not.

Their times are the wall clock's (``wall_clock``, injectable), never the archive's clock: a
heartbeat or a lease is compared across processes and machines, whatever time a test or a
replay makes the archive see.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from archive.models import CrawlRun, Lock
from archive.recheck import aware

NODE = socket.gethostname()
"""This machine's name in ``crawl_run.node``."""


def wall_time() -> datetime:
    return datetime.now(UTC)


class RunRecords:
    """Mixed into ``archive.store.Archive``: needs ``Session`` and ``wall_clock``."""

    wall_clock: Callable[[], datetime] = staticmethod(wall_time)

    def start_run(self, spider: str, node: str | None = None, pid: int | None = None) -> int:
        with self.Session.begin() as session:
            now = self.wall_clock()
            run = CrawlRun(spider=spider, started_at=now, outcome="running", node=node, pid=pid, heartbeat_at=now)
            session.add(run)
            session.flush()
            return run.id

    def claim_run(self, run_id: int, node: str, pid: int) -> None:
        """The crawl process of a run made by the scheduler says who it is."""
        with self.Session.begin() as session:
            session.execute(
                update(CrawlRun).where(CrawlRun.id == run_id).values(node=node, pid=pid, heartbeat_at=self.wall_clock())
            )

    def heartbeat(self, run_id: int) -> None:
        with self.Session.begin() as session:
            session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(heartbeat_at=self.wall_clock()))

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
