"""Where the CPU-heavy steps run, so the reactor thread only moves bytes.

Parsing, extracting and cleaning a page costs milliseconds of pure Python; run on the
reactor thread they cap the crawl at one core. ``pool_of(crawler)`` is the crawler's pool
of worker processes (``PIPELINE_WORKERS``, default one per core; 0 runs the steps inline,
as in a debugger); ``reextract`` maps its jobs over a pool of the same kind.
``in_executor`` awaits any ``concurrent.futures`` executor from a pipeline coroutine,
whatever reactor Scrapy runs (the snapshot step's writer thread uses it).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from pipelines.base import crawler_shared
from pipelines.garbage_collection import tune
from pipelines.lifeline import die_with_parent

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _settle(deferred: Deferred, future: Future) -> None:
    if (error := future.exception()) is not None:
        deferred.errback(Failure(error))
    else:
        deferred.callback(future.result())


async def in_executor(executor: Executor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` on ``executor``, awaited without blocking the reactor."""
    from twisted.internet import reactor  # the one Scrapy installed, never a default one

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
        """Modules of the tasks: imported once in the forkserver, not once per worker when the
        first task arrives (``pipelines.warc_import`` brings the store and Scrapy's utilities)."""
        self._executor: ProcessPoolExecutor | None = None

    @classmethod
    def from_settings(cls, settings) -> WorkerPool:
        workers = settings.get("PIPELINE_WORKERS")
        return cls(
            (os.cpu_count() or 1) if workers in (None, "") else int(workers),
            tuple(int(n) for n in settings.getlist("GC_THRESHOLDS")),
        )

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
        if self.workers:
            for _ in range(self.workers):  # the executor spawns lazily; a no-op task per worker starts them
                self._pool().submit(int)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            # imported once in the forkserver, which every worker is forked from: not once per worker
            # (dateparser and trafilatura, which extraction imports on first use, too)
            preload = ["pipelines.lifeline", "pipelines.extraction.article", "datasketch", "dateparser", "trafilatura"]
            context.set_forkserver_preload([*preload, *self.preload])
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_warm_up, initargs=(self.gc_thresholds, os.getpid())
            )
            os.environ["NEWSARCHIVE_FORKSERVER_OF"] = str(os.getpid())  # for pipelines.lifeline in the forkserver
            try:
                self._executor.submit(int)  # starts the forkserver (and the workers) now
            finally:
                del os.environ["NEWSARCHIVE_FORKSERVER_OF"]
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def pool_of(crawler) -> WorkerPool:
    """The crawler's worker pool, shut down when the engine stops."""

    def build() -> WorkerPool:
        pool = WorkerPool.from_settings(crawler.settings)
        crawler.signals.connect(pool.start, signal=signals.spider_opened)
        crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    return crawler_shared(crawler, "workers", build)
