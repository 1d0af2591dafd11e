"""A scheduled crawl as a process of this machine (``crawler.scheduling.dispatch`` sends them to scrapyd nodes).

The runner starts ``scrapy crawl <spider>`` with the job's arguments and settings, waits for it
(calling ``progress`` about once a second), stops it at the timeout, and returns its exit status
and where its log is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROGRESS_EVERY = 1.0


@dataclass(frozen=True)
class CrawlJob:
    spider: str
    run_id: int
    args: list[str]
    """``scrapy crawl`` arguments: ``-a name=value`` and ``-s NAME=value`` pairs."""
    settings: dict[str, str]


def signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the crawl's whole process group (it runs in a session of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


class LocalRunner:
    """``scrapy crawl`` as a process of this machine, in its own session (its workers and browser
    go with it), its output in ``log_dir/<spider>-run<id>.log``."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir

    def run(self, job: CrawlJob, timeout: float, progress: Callable[[], None] | None) -> tuple[int, Path]:
        command = [sys.executable, "-m", "scrapy", "crawl", job.spider, *job.args]
        for name, value in job.settings.items():
            command += ["-s", f"{name}={value}"]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{job.spider}-run{job.run_id}.log"
        with open(log_path, "w", encoding="utf-8") as log:
            process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            deadline = time.monotonic() + timeout
            while process.poll() is None:
                if time.monotonic() > deadline:
                    signal_group(process, signal.SIGTERM)  # the crawl and its workers, browser, …
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        signal_group(process, signal.SIGKILL)
                    break
                if progress:
                    progress()
                time.sleep(PROGRESS_EVERY)
            return process.wait(), log_path
