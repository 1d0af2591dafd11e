"""scrapyd nodes as the scheduler sees them: how busy each is (``daemonstatus.json``), submitting
a crawl (``schedule.json``), what became of it (``listjobs.json``), cancelling it (``cancel.json``).

A node that does not answer is not an error of the round: its load is ``None`` (no crawl is
sent to it) and its jobs are unknown (their leases are not renewed, so they expire).
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

ANSWER_TIMEOUT = 10.0
"""Seconds a node has to answer one call."""


class NodeError(Exception):
    """The node did not answer, or refused the call (unknown project, bad arguments, …)."""


def node_urls(value: str | None) -> list[str]:
    """``SCRAPYD_URLS``: node URLs separated by commas or white space, in order, without repeats."""
    urls = [part.strip().rstrip("/") for part in re.split(r"[,\s]+", value or "") if part.strip()]
    return list(dict.fromkeys(urls))


def least_busy(loads: Mapping[str, int | None]) -> str | None:
    """The node with the fewest running and pending crawls (the first listed on a tie); None
    when no node answers."""
    answering = [(load, order, url) for order, (url, load) in enumerate(loads.items()) if load is not None]
    return min(answering)[2] if answering else None


@dataclass(frozen=True)
class ScrapydNode:
    url: str
    project: str = "newsarchive"

    def load(self) -> int | None:
        """Running plus pending crawls of the node, or None when it does not answer."""
        try:
            status = self._call("daemonstatus.json")
            return int(status["running"]) + int(status["pending"])
        except (NodeError, KeyError, TypeError, ValueError):
            return None

    def submit(self, spider: str, args: list[str], settings: Mapping[str, str]) -> str:
        """Queue ``scrapy crawl spider`` with ``-a``/``-s`` arguments; its job id."""
        fields = [("project", self.project), ("spider", spider)]
        pairs = iter(args)
        for flag, value in zip(pairs, pairs, strict=True):
            fields.append(("setting", value) if flag == "-s" else tuple(value.split("=", 1)))
        fields += [("setting", f"{name}={value}") for name, value in settings.items()]
        try:
            return str(self._call("schedule.json", fields)["jobid"])
        except KeyError as exc:
            raise NodeError(f"{self.url}: no job id in the answer") from exc

    def jobs(self) -> dict[str, str] | None:
        """Job id → pending, running or finished, for the project's jobs; None when the node
        does not answer."""
        try:
            answer = self._call(f"listjobs.json?project={urllib.parse.quote(self.project)}")
        except NodeError:
            return None
        jobs = {}
        for state in ("pending", "running", "finished"):
            listed = answer.get(state)
            for job in listed if isinstance(listed, list) else ():
                if isinstance(job, dict) and "id" in job:
                    jobs[str(job["id"])] = state
        return jobs

    def cancel(self, job: str) -> None:
        self._call("cancel.json", [("project", self.project), ("job", job)])

    def _call(self, endpoint: str, fields: list[tuple[str, str]] | None = None) -> dict:
        """One call of scrapyd's JSON API (POST when there are fields)."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with urllib.request.urlopen(f"{self.url}/{endpoint}", data=data, timeout=ANSWER_TIMEOUT) as response:
                answer = json.loads(response.read(1_000_000))
        except (OSError, ValueError) as exc:  # refused, reset, timed out, HTTP error, not JSON
            raise NodeError(f"{self.url}: {exc}") from exc
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            message = answer.get("message", answer) if isinstance(answer, dict) else answer
            raise NodeError(f"{self.url}: {message}")
        return answer
