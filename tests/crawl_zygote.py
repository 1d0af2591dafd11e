"""A process that has imported Scrapy and the project once and forks one child per test crawl.

Each child is a separate process that runs exactly what ``scrapy crawl …`` runs
(``scrapy.cmdline.execute`` with the test's arguments, environment and working folder), so
every crawl still starts from nothing the previous one left in memory; only the 3 s of
imports a fresh interpreter spends before its first request are paid once per test worker
instead of once per crawl. Nothing here installs a reactor or starts a thread before the
fork. Protocol, one JSON line each way: ``{"argv", "env", "cwd", "stdout", "stderr"}`` in,
``{"pid"}`` then ``{"returncode"}`` out. The loop ends when the test worker closes stdin.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import sys

PRELOAD = (
    "scrapy.cmdline",
    "scrapy.crawler",
    "scrapy.core.engine",
    "scrapy.core.downloader.handlers.http11",
    "crawler.spiders.archive_spider",
    "crawler.middlewares.capture",
    "crawler.middlewares.replay",
    "pipelines.extract",
    "pipelines.store_article",
    "archive.near_duplicates",
    "datasketch",  # imported on a crawl's first signature (archive.keys), with scipy: 1 s and more
    "alembic.command",  # imported when a crawl opens the archive (archive.database)
    "alembic.runtime.migration",
    "alembic.script",
    "crawler.rendering.browser_handler",  # scrapy-playwright, imported for the first page a browser renders
)
"""Modules that read no environment at import time (``crawler.settings`` does: it is not
preloaded, so each child reads its own ``DATABASE_URL``, ``WARC_DIR``, …)."""


def _child(job: dict) -> None:
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    for fd, path in ((1, job["stdout"]), (2, job["stderr"])):
        out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, fd)
        os.close(out)
    sys.stdin.close()
    os.close(0)
    from scrapy.cmdline import execute

    sys.argv = ["scrapy", *job["argv"]]
    code = 0
    try:
        execute(sys.argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()  # what an interpreter does at exit (the fork's own ``os._exit`` would skip it)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    assert "twisted.internet.reactor" not in sys.modules and "crawler.settings" not in sys.modules
    for line in sys.stdin:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(job)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    main()
