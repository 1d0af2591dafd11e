"""Shared fixtures: the recordings, databases (a real SQLite file and a real PostgreSQL
server started by ``make test``), and running the real ``scrapy crawl`` in a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from archive.recordings import pack
from crawler.sites import all_rules

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "tests" / "recordings"
SITES = tuple(rules.name for rules in all_rules())
"""Every site with rules (``crawler.sites``, the one list): each has its recording."""
SPIDER_OF = {rules.name: rules.spider for rules in all_rules()}


pytest_plugins = ["tests.browser_archive"]  # its ``archive`` and ``client``: the shared browser archive

SLOW_FIRST = (
    "test_cluster",
    "test_crash_safety",
    "test_scheduler",
    "test_hostile_web",
    "test_continuous_crawl",
    "test_identity_versions",
    "test_rendering",
    "test_bench_gate_wcxb",
    "test_scheduler_processes",
    "test_crawl_replay",
    "test_simulated_archiving",
    "test_browser",
    "test_archive_store",
    "test_crawl_http",
    "test_search",
    "test_warc_import",
    "test_bench_gate",
    "test_disk_guard",
    "test_replaywebpage",
    "test_newsroom",
    "test_round_trips",
    "test_scheduled_fetches",
    "test_concurrent_saves",
    "test_wacz_export",
    "test_wayback_interfaces",
)
"""The test files that take longest (wall time on a worker), longest first: pytest-xdist hands
whole files to its workers in collection order (``--dist loadfile --no-loadscope-reorder``; by
default it orders them by their number of tests), so a long file started last would hold up the
end."""


def pytest_collection_modifyitems(items) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.module.__name__.rsplit(".", 1)[-1], len(rank)))


TOOLS_WAIT = 300
"""Seconds a test waits for the other tools' virtualenvs, which ``make test`` installs while the
suite starts (tests/tools-requirements.txt, tests/pywb-requirements.txt)."""


def tool(venv: str, program: str) -> Path:
    """``program`` of the ``tests/.<venv>`` virtualenv, once its installation has finished."""
    return installed(venv) / "bin" / program


def installed(venv: str) -> Path:
    """The ``tests/.<venv>`` folder once ``make test`` has installed it (it marks it
    ``tests/.<venv>.installing`` meanwhile, ``.failed`` with its log)."""
    folder, marks = ROOT / "tests" / f".{venv}", ROOT / "tests" / f".{venv}"
    deadline = time.monotonic() + TOOLS_WAIT
    while not (folder / ".installed").exists():
        if (failed := Path(f"{marks}.failed")).exists():
            pytest.fail(f"installing tests/.{venv} failed:\n{failed.read_text()[-2000:]}")
        if not Path(f"{marks}.installing").exists() and not (folder / ".installed").exists():
            (pytest.fail if os.environ.get("CI") else pytest.skip)(
                f"tests/.{venv} is not installed: `make test` does it"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"tests/.{venv} still installing after {TOOLS_WAIT} s")
        time.sleep(0.5)
    return folder


def recording(site: str, name: str) -> Path:
    return RECORDINGS / site / name


def expected(site: str) -> dict:
    return json.loads(recording(site, "article.expected.json").read_text(encoding="utf-8"))


def article_entry(site: str) -> dict:
    manifest = json.loads(recording(site, "manifest.json").read_text(encoding="utf-8"))
    return next(f for f in manifest["files"] if f.get("expected"))


def recorded(tmp_path, site: str, name: str, url: str, edit=None):
    """A WARC holding one recorded page of ``site`` under ``url``, optionally edited."""
    folder = tmp_path / name
    shutil.copytree(RECORDINGS / site, folder)
    page = folder / "article.html"
    if edit:
        page.write_text(edit(page.read_text(encoding="utf-8")), encoding="utf-8")
    (folder / "manifest.json").write_text(
        json.dumps(
            {"site": site, "files": [{"file": "article.html", "url": url, "content_type": "text/html; charset=utf-8"}]}
        ),
        encoding="utf-8",
    )
    out = tmp_path / f"{name}.warc.gz"
    pack([folder], out)
    return out


@pytest.fixture(scope="session")
def recordings_warc(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("replay") / "recordings.warc.gz"
    pack([RECORDINGS / site for site in SITES], out)
    return out


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@contextlib.contextmanager
def fresh_postgres_database():
    """A new database on the PostgreSQL server ``make test`` starts (scripts/postgres.sh), dropped after."""
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.skip("TEST_POSTGRES_URL not set: run the suite with `make test`, which starts PostgreSQL")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        from archive.database import close

        close(url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> str:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


def archive_main(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    """``python -m archive …`` in this process (its ``main`` is the whole command line; the
    entry point itself is run as a process by ``test_cli``)."""
    out, err = io.StringIO(), io.StringIO()
    argv = [*args, *(["--database", database_url] if database_url else [])]
    from archive.cli import main

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    return subprocess.CompletedProcess(["python", "-m", "archive", *argv], code, out.getvalue(), err.getvalue())


@dataclass
class Crawl:
    returncode: int
    stdout: str
    stderr: str


def crawl_command(
    folder: Path, spider: str, *args: str, database_url: str | None = None, settings: dict | None = None
) -> tuple[list[str], dict]:
    """The ``scrapy crawl`` command line and environment of a test crawl into ``folder``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env["DATABASE_URL"] = database_url or f"sqlite:///{folder / 'archive.db'}"
    env["WARC_DIR"] = str(folder / "warc")
    env["FAILED_ITEMS_FILE"] = str(folder / "failed-items.jsonl")
    env.setdefault("ALLOWED_PRIVATE_NETWORKS", "127.0.0.1/32")  # the loopback test servers, nothing else
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    # worker processes only where a test is about them: each one imports the extraction stack again
    for name, value in ({"PIPELINE_WORKERS": 0} | (settings or {})).items():
        command += ["-s", f"{name}={value}"]
    return command, env


class _Zygote:
    """This test worker's ``tests.crawl_zygote``: forks a process per crawl (started on first use)."""

    process: subprocess.Popen | None = None

    @classmethod
    def run(cls, command: list[str], env: dict, timeout: float) -> Crawl:
        if cls.process is None or cls.process.poll() is not None:
            cls.process = subprocess.Popen(
                [sys.executable, "-m", "tests.crawl_zygote"],
                cwd=ROOT,
                env=dict(os.environ, PYTHONPATH=str(ROOT)),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        out = Path(tempfile.mkdtemp(prefix="crawl-"))
        job = {
            "argv": command[3:],
            "env": env,
            "cwd": str(ROOT),
            "stdout": str(out / "out"),
            "stderr": str(out / "err"),
        }
        cls.process.stdin.write(json.dumps(job) + "\n")
        cls.process.stdin.flush()
        pid = json.loads(cls.process.stdout.readline())["pid"]
        if not select.select([cls.process.stdout], [], [], timeout)[0]:
            os.kill(pid, signal.SIGKILL)
            raise subprocess.TimeoutExpired(command, timeout)
        returncode = json.loads(cls.process.stdout.readline())["returncode"]
        crawl = Crawl(returncode, (out / "out").read_text(), (out / "err").read_text())
        shutil.rmtree(out)
        return crawl


def run_crawl(
    folder: Path, spider: str, *args: str, database_url: str | None = None, settings: dict | None = None
) -> Crawl:
    """Run ``scrapy crawl`` for real, in its own process, into ``folder``'s database and WARC folder
    (forked from the worker's ``tests.crawl_zygote``, which has the imports done)."""
    command, env = crawl_command(folder, spider, *args, database_url=database_url, settings=settings)
    return _Zygote.run(command, env, timeout=300)


@pytest.fixture
def crawl(tmp_path):
    """``run_crawl`` into this test's folder."""

    def run(spider: str, *args: str, database_url: str | None = None, settings: dict | None = None) -> Crawl:
        return run_crawl(tmp_path, spider, *args, database_url=database_url, settings=settings)

    return run


ONE_ARTICLE = "/the-gioi/ngoai-truong-my-thuong-dinh-biden-putin-417984.html"


def crawl_one_article(crawl, database_url: str, settings: dict) -> Crawl:
    """The ``news`` spider on a loopback site of one recorded article (``ONE_ARTICLE``) with ``settings``."""
    from tests.loopback import serve

    pages = {ONE_ARTICLE: (200, "text/html; charset=utf-8", recording("kinhtedothi.vn", "article.html").read_bytes())}
    with serve(pages) as base:
        return crawl("news", "-a", f"start={base}{ONE_ARTICLE}", database_url=database_url, settings=settings)


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium for the test file (the one the product renders with)."""
    from playwright.sync_api import sync_playwright

    from crawler.rendering.browser import launch_options

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        yield browser
        browser.close()
