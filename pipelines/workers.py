"""Where the CPU-heavy steps run, so the reactor thread only moves bytes.

Parsing, extracting and cleaning a page costs milliseconds of pure Python; run on the
reactor thread they cap the crawl at one core. ``WorkerPool``, a Scrapy extension, is the
crawler's pool of worker processes (``PIPELINE_WORKERS``, default one per core; 0 runs the steps inline,
as in a debugger); ``reextract`` maps its jobs over a pool of the same kind.
``in_executor`` awaits any ``concurrent.futures`` executor from a pipeline coroutine,
whatever reactor Scrapy runs (the capture's WARC writer thread uses it).
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

from pipelines.garbage_collection import tune
from pipelines.lifeline import die_with_parent

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)
T = TypeVar("T")
PRELOAD = ("pipelines.lifeline", "pipelines.extraction.article", "datasketch", "dateparser", "trafilatura")
"""Imported once in the forkserver, which every worker is forked from: not once per worker
(dateparser and trafilatura, which extraction imports on first use, too)."""


def _settle(deferred: Deferred, future: Future) -> None:
    from twisted.python.failure import Failure

    if (error := future.exception()) is not None:
        deferred.errback(Failure(error))
    else:
        deferred.callback(future.result())


async def in_executor(executor: Executor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` on ``executor``, awaited without blocking the reactor. Twisted
    and Scrapy are imported here, for crawls: ``archive import`` starts its pool without them."""
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor  # the one Scrapy installed, never a default one
    from twisted.internet.defer import Deferred

    deferred: Deferred = Deferred()
    future = executor.submit(fn, *args, **kwargs)
    future.add_done_callback(lambda done: reactor.callFromThread(_settle, deferred, done))
    return await maybe_deferred_to_future(deferred)


def _warm_up(gc_thresholds: tuple[int, ...], crawl_pid: int) -> None:
    """Die with the forkserver (``pipelines.lifeline``); tune the collector. The extraction stack
    is imported already, in the forkserver the worker was forked from (``_pool``)."""
    die_with_parent(crawl_pid)
    if gc_thresholds:
        tune(gc_thresholds)


class WorkerPool:
    """Worker processes (forkserver: no reactor threads are forked), started with the spider so
    they are ready when the first page arrives."""

    def __init__(self, workers: int, gc_thresholds: tuple[int, ...] = (), preload: tuple[str, ...] = ()):
        self.workers = workers
        self.gc_thresholds = gc_thresholds
        self.preload = preload
        """Modules of the tasks, imported in the forkserver too (``PRELOAD``)."""
        self._executor: ProcessPoolExecutor | None = None
        self._starting: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings) -> WorkerPool:
        workers = settings.get("PIPELINE_WORKERS")
        return cls(
            (os.cpu_count() or 1) if workers in (None, "") else int(workers),
            tuple(int(n) for n in settings.getlist("GC_THRESHOLDS")),
        )

    @classmethod
    def from_crawler(cls, crawler) -> WorkerPool:
        """The crawler's pool, shut down when the engine stops; its workers start when a step that
        uses it asks (``start``, with the spider), so a crawl without extraction forks none."""
        from scrapy import signals  # here: the importing process of ``archive import`` runs without Scrapy

        pool = cls.from_settings(crawler.settings)
        crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    @classmethod
    def for_command(cls, workers: int | None, tasks: str) -> WorkerPool:
        """A command's pool (``reextract``, ``import``) for the tasks of module ``tasks``: one
        worker per core unless told; one worker is none (the tasks run inline, nothing to feed)."""
        workers = (os.cpu_count() or 1) if workers is None else workers
        return cls(workers if workers > 1 else 0, preload=(tasks,))

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if not self.workers:
            return fn(*args, **kwargs)
        try:
            return await in_executor(self._pool(), fn, *args, **kwargs)
        except BrokenProcessPool:  # a worker died (out of memory, a crash in C code): start afresh
            logger.error("a pipeline worker process died; restarting the pool")
            self.close()
            raise

    def map(self, fn: Callable[[Any], T], jobs: list, window: int = 512) -> Iterator[T]:
        """``fn`` over ``jobs`` in order, outside a reactor (``reextract``): a window at a time,
        so the results of a large archive are not all held at once."""
        if not self.workers:
            yield from map(fn, jobs)
            return
        for start in range(0, len(jobs), window):
            yield from self._pool().map(fn, jobs[start : start + window], chunksize=16)

    def submit(self, fn: Callable[[Any], T], jobs: list) -> Callable[[], Iterator[T]]:
        """Start ``fn`` over ``jobs`` now; the function returned yields their results in order
        (waiting for each): a caller stores one batch while the workers extract the next."""
        if not self.workers:
            return lambda: map(fn, jobs)
        futures = [self._pool().submit(fn, job) for job in jobs]
        return lambda: (future.result() for future in futures)

    def start(self) -> None:
        """Start the workers without waiting for them: the forkserver imports the extraction
        stack (a second or more) while the caller goes on (reads the first batch, fetches the
        first pages); the first task waits for the workers."""
        if self.workers and self._executor is None and self._starting is None:
            self._fork_server()
            self._starting = threading.Thread(target=self._spawn_quietly, name="worker-pool-start", daemon=True)
            self._starting.start()

    def _pool(self) -> ProcessPoolExecutor:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._executor is None:
            self._fork_server()
            self._spawn()
        return self._executor

    def _fork_server(self) -> None:
        """The forkserver, spawned from the calling thread (the crawl's reactor thread, the
        command's main thread): Linux's parent-death signal (``pipelines.lifeline``) is tied
        to the thread that spawned a process, so never from a short-lived one."""
        multiprocessing.get_context("forkserver").set_forkserver_preload([*PRELOAD, *self.preload])
        os.environ["NEWSARCHIVE_FORKSERVER_OF"] = str(os.getpid())  # for pipelines.lifeline in the forkserver
        try:
            multiprocessing.forkserver.ensure_running()
        finally:
            del os.environ["NEWSARCHIVE_FORKSERVER_OF"]

    def _spawn(self) -> None:
        """The workers, forked by the forkserver once it has imported the extraction stack
        (a task per worker spawns them all now, not one by one as tasks arrive)."""
        executor = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=_warm_up,
            initargs=(self.gc_thresholds, os.getpid()),
        )
        for _ in range(self.workers):
            executor.submit(int)
        self._executor = executor

    def _spawn_quietly(self) -> None:
        """``_spawn`` on the start thread: a failure is left to ``_pool``, which tries again in
        the caller's thread and raises there (no traceback printed by a background thread)."""
        try:
            self._spawn()
        except Exception:
            logger.debug("the worker pool did not start in the background", exc_info=True)

    def close(self) -> None:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
