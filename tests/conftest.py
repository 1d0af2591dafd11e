"""Shared fixtures: the recordings, databases (a real SQLite file and a real PostgreSQL
server started by ``make test``), and running the real ``scrapy crawl`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from archive.recordings import pack

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "tests" / "recordings"
SITES = ("kinhtedothi.vn", "thanhnien.vn", "hanhkhatkito.net")
SPIDER_OF = {"kinhtedothi.vn": "kinhtedothi", "thanhnien.vn": "thanhnien", "hanhkhatkito.net": "hanhkhatkito"}


def recording(site: str, name: str) -> Path:
    return RECORDINGS / site / name


def expected(site: str) -> dict:
    return json.loads(recording(site, "article.expected.json").read_text(encoding="utf-8"))


def article_entry(site: str) -> dict:
    manifest = json.loads(recording(site, "manifest.json").read_text(encoding="utf-8"))
    return next(f for f in manifest["files"] if f.get("expected"))


@pytest.fixture(scope="session")
def recordings_warc(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("replay") / "recordings.warc.gz"
    pack([RECORDINGS / site for site in SITES], out)
    return out


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture
def postgres_url() -> str:
    """A fresh database on the PostgreSQL server ``make test`` starts (scripts/postgres.sh)."""
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        pytest.skip("TEST_POSTGRES_URL not set: run the suite with `make test`, which starts PostgreSQL")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + "/" + name
    from archive.database import sessions

    sessions.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


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


def run_crawl(
    folder: Path, spider: str, *args: str, database_url: str | None = None, settings: dict | None = None
) -> Crawl:
    """Run ``scrapy crawl`` for real, in a subprocess, into ``folder``'s database and WARC folder."""
    command, env = crawl_command(folder, spider, *args, database_url=database_url, settings=settings)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return Crawl(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def crawl(tmp_path):
    """``run_crawl`` into this test's folder."""

    def run(spider: str, *args: str, database_url: str | None = None, settings: dict | None = None) -> Crawl:
        return run_crawl(tmp_path, spider, *args, database_url=database_url, settings=settings)

    return run
