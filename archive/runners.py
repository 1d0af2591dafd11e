"""Where a scheduled crawl runs: a local process or a scrapyd node, behind one small interface.

A runner starts ``scrapy crawl <spider>`` with the job's arguments and settings, waits for it
(calling ``progress`` about once a second), stops it at the timeout, and returns its exit status
and where its log is; it raises ``RunnerError`` when the crawl could not be run at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROGRESS_EVERY = 1.0


class RunnerError(Exception):
    """The crawl could not be started or followed (scrapyd unreachable, refused the job, …)."""


@dataclass(frozen=True)
class CrawlJob:
    spider: str
    run_id: int
    args: list[str]
    """``scrapy crawl`` arguments: ``-a name=value`` and ``-s NAME=value`` pairs."""
    settings: dict[str, str]


class Runner(Protocol):
    def run(self, job: CrawlJob, timeout: float, progress: Callable[[], None] | None) -> tuple[int, Path]: ...


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


class ScrapydRunner:
    """The same crawl submitted to a scrapyd node (``schedule.json``), followed through
    ``listjobs.json`` and cancelled at the timeout; its log is scrapyd's."""

    def __init__(self, url: str, project: str = "newsarchive"):
        self.url = url
        self.project = project

    def run(self, job: CrawlJob, timeout: float, progress: Callable[[], None] | None) -> tuple[int, Path]:
        fields = [("project", self.project), ("spider", job.spider)]
        args = iter(job.args)
        for flag, value in zip(args, args, strict=True):
            fields.append(("setting", value) if flag == "-s" else tuple(value.split("=", 1)))
        fields += [("setting", f"{name}={value}") for name, value in job.settings.items()]
        try:
            jobid = self._call("schedule.json", fields)["jobid"]
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                jobs = self._call(f"listjobs.json?project={self.project}")
                if any(j["id"] == jobid for j in jobs.get("finished", [])):
                    break
                if progress:
                    progress()
                time.sleep(PROGRESS_EVERY)
            else:
                self._call("cancel.json", [("project", self.project), ("job", jobid)])
        except (OSError, ValueError, KeyError) as exc:
            raise RunnerError(f"scrapyd: {exc}") from exc
        return 0, Path(f"scrapyd job {jobid}")

    def _call(self, endpoint: str, fields: list[tuple[str, str]] | None = None) -> dict:
        """One call of scrapyd's JSON API (POST when there are fields)."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        with urllib.request.urlopen(f"{self.url.rstrip('/')}/{endpoint}", data=data, timeout=30) as response:
            answer = json.load(response)
        if answer.get("status") != "ok":
            raise ValueError(answer.get("message", answer))
        return answer
