"""Crawl nodes for the cluster tests: real scrapyd processes on 127.0.0.1 with the project's egg,
and the scheduler dispatching to them (``test_cluster``)."""

import os
import subprocess
import sys

from scripts.scrapyd_nodes import build_egg, deploy, start_node, stop_node, wait_until_up
from tests.conftest import ROOT
from tests.loopback import free_port

LEASE = "30"  # seconds: longer than a loaded test machine takes between two renewals
FOLLOW = ["--set", "RUN_HEARTBEAT_SECONDS=1", "--set", "PIPELINE_WORKERS=0"]


def started_nodes(home, count: int):
    """``count`` scrapyd nodes on 127.0.0.1, each in a folder of its own under ``home`` (its WARC
    files there), the project's egg deployed to each; yields {url: process}, stops them after."""
    egg = build_egg(home / "newsarchive.egg")
    started = {}
    for i in range(count):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        started[url] = start_node(home / f"node-{i}", "127.0.0.1", port, {"ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32"})
    try:
        for url, process in started.items():
            wait_until_up(url, process)
            deploy(url, egg)
        yield started
    finally:
        for process in started.values():
            stop_node(process)


def scheduler(database: str, urls, *extra: str, lease: str = LEASE) -> subprocess.Popen:
    """``schedule --once`` dispatching to the nodes at ``urls``."""
    nodes = [a for url in urls for a in ("--scrapyd", url)]
    command = [sys.executable, "-m", "archive", "--database", database, "schedule", "--once", "--lease", lease]
    return subprocess.Popen(
        [*command, *nodes, *FOLLOW, *extra],
        cwd=ROOT,
        env=os.environ | {"ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32"},  # the loopback sites, for a backfill's index
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
