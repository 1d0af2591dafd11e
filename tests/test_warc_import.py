"""``python -m archive import``: other crawlers' WARC files — written here by Debian's
``wget --warc-file`` and by warcio's ``capture_http`` from a loopback server sending gzip and
chunked payloads, and by warcio directly for revisits, WARC/1.1, truncation and torn tails —
archived through the crawl's steps with snapshot rows pointing into the original files."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.browser import create_app
from archive.models import Article, ArticleVersion, Snapshot, WarcFile
from archive.warc import MAX_PAYLOAD
from bench.imports import wget_warc as write_with_wget
from pipelines.warc_import import BATCH, Record, triage
from tests.conftest import ROOT, archive_main, expected, recording
from tests.loopback import serve

KTDT = recording("kinhtedothi.vn", "article.html").read_bytes()
WORDS = sorted(set(" ".join(expected("thanhnien.vn")["body"]).split()))
THANHNIEN = recording("thanhnien.vn", "article.html").read_bytes()
HTML = "text/html; charset=utf-8"
PAGES = {
    "/tin/ngoai-truong-my-417984.html": (200, HTML, gzip.compress(KTDT), {"Content-Encoding": "gzip"}),
    "/tin/pha-bang-1851335421.htm": (200, HTML, THANHNIEN, {"Transfer-Encoding": "chunked"}),
    "/anh/putin.jpg": (200, "image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    "/khong-co.html": (404, HTML, b"<h1>Not found</h1>"),
}


def count(url: str, model) -> int:
    with Session(create_engine(url)) as session:
        return session.scalar(select(func.count()).select_from(model))


def imported(*paths, database_url: str, **options) -> str:
    args = [f"--{k}={v}" for k, v in options.items()]
    done = archive_main("import", *map(str, paths), *args, "--workers", "0", database_url=database_url)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def site():
    with serve(PAGES) as base:
        yield base


@pytest.fixture(scope="module")
def wget_warc(site, tmp_path_factory) -> Path:
    return write_with_wget([site + path for path in PAGES], tmp_path_factory.mktemp("wget") / "crawl")


CAPTURE = """
import sys
from warcio.capture_http import capture_http
import requests  # after capture_http, which patches the connections requests is built on

with capture_http(sys.argv[1], gzip=True, warc_version="1.1"):
    for url in sys.argv[2:]:
        requests.get(url, timeout=5)
"""


@pytest.fixture(scope="module")
def captured_warc(site, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("capture") / "capture.warc.gz"
    urls = [site + path for path in PAGES]
    subprocess.run([sys.executable, "-c", CAPTURE, str(out), *urls], check=True, timeout=60)
    return out


def write_warc(path: Path, records: list[tuple], version: str = "1.0", gz: bool = True) -> Path:
    """A WARC of (type, url, payload, extra WARC headers, http headers or None) records."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz, warc_version=version)
        for rec_type, url, payload, warc_headers, http in records:
            http_headers = StatusAndHeaders("200 OK", http, protocol="HTTP/1.1") if http is not None else None
            record = writer.create_warc_record(
                url, rec_type, payload=io.BytesIO(payload), http_headers=http_headers, warc_headers_dict=warc_headers
            )
            writer.write_record(record)
    return path


def response(url: str, body: bytes, date: str = "2026-11-30T08:00:00Z", **warc) -> tuple:
    return ("response", url, body, {"WARC-Date": date, **warc}, [("Content-Type", HTML)])


# -- what a record is (pure) ---------------------------------------------------------------
def rec(**fields) -> Record:
    base = dict(
        file="f",
        offset=0,
        length=1,
        rec_type="response",
        url="https://x.vn/a.html",
        date=datetime(2026, 1, 1, tzinfo=UTC),
        digest=None,
        status=200,
        content_type="text/html",
        truncated=None,
    )
    return Record(**(base | fields))


@pytest.mark.parametrize(
    ("fields", "outcome"),
    [
        ({}, "extract"),
        ({"rec_type": "resource", "status": None}, "extract"),
        ({"rec_type": "conversion", "status": None}, "extract"),
        ({"rec_type": "request"}, "skipped:request"),
        ({"rec_type": "metadata"}, "skipped:metadata"),
        ({"rec_type": "warcinfo"}, "skipped:warcinfo"),
        ({"rec_type": "revisit"}, "revisit"),
        ({"content_type": "image/jpeg"}, "skipped:media:image/jpeg"),
        ({"status": 404}, "dropped:not_found"),
        ({"status": 301}, "dropped:http_301"),
        ({"truncated": "length"}, "dropped:truncated_length"),
        ({"url": "dns:thanhnien.vn"}, "skipped:not_web"),
        ({"content_type": ""}, "extract"),  # no type said: looked at as a page
    ],
)
def test_each_record_is_imported_skipped_or_recorded_with_its_reason(fields, outcome):
    assert triage(rec(**fields)) == outcome


# -- real crawlers' files ------------------------------------------------------------------
def test_a_wget_warc_archives_its_articles_with_rows_pointing_into_it(wget_warc, sqlite_url, site):
    out = imported(wget_warc, database_url=sqlite_url)
    assert "new                              2" in out
    assert "skipped:media:image/jpeg" in out and "dropped:not_found" in out and "skipped:request" in out
    with Session(create_engine(sqlite_url)) as session:
        titles = sorted(session.scalars(select(ArticleVersion.title)))
        assert titles == sorted([expected("kinhtedothi.vn")["title"], expected("thanhnien.vn")["title"]])
        for snapshot in session.scalars(select(Snapshot).where(Snapshot.article_id.is_not(None))):
            assert snapshot.warc_file == str(wget_warc)
            with open(wget_warc, "rb") as fh:  # the row's offset is the original record
                fh.seek(snapshot.warc_offset)
                record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == snapshot.url
            assert snapshot.fetched_at.isoformat()[:19] == record.rec_headers.get_header("WARC-Date")[:19]


def test_gzip_and_chunked_payloads_are_decoded_for_extraction_and_kept_as_they_travelled(wget_warc, sqlite_url):
    imported(wget_warc, database_url=sqlite_url)
    with open(wget_warc, "rb") as fh:
        kept = {
            r.rec_headers.get_header("WARC-Target-URI").rsplit("/", 1)[1]: r.http_headers
            for r in ArchiveIterator(fh)
            if r.rec_type == "response"
        }
    assert kept["ngoai-truong-my-417984.html"].get_header("Content-Encoding") == "gzip"
    assert kept["pha-bang-1851335421.htm"].get_header("Transfer-Encoding") == "chunked"
    assert count(sqlite_url, ArticleVersion) == 2


def test_a_capture_http_warc_1_1_imports_like_wget_s(captured_warc, sqlite_url):
    with open(captured_warc, "rb") as fh:
        assert next(iter(ArchiveIterator(fh))).rec_headers.protocol == "WARC/1.1"
    out = imported(captured_warc, database_url=sqlite_url)
    assert "new                              2" in out
    assert count(sqlite_url, Article) == 2


def test_importing_the_same_file_twice_adds_nothing(wget_warc, sqlite_url):
    imported(wget_warc, database_url=sqlite_url)
    before = [count(sqlite_url, m) for m in (Article, ArticleVersion, Snapshot)]
    assert "imported 0 record(s)" in imported(wget_warc, database_url=sqlite_url)
    assert [count(sqlite_url, m) for m in (Article, ArticleVersion, Snapshot)] == before


# -- revisits, versions, damage ------------------------------------------------------------
def test_a_revisit_is_resolved_to_the_payload_it_repeats(tmp_path, sqlite_url):
    url = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
    digest = "sha1:" + __import__("base64").b32encode(__import__("hashlib").sha1(THANHNIEN).digest()).decode()
    revisit = (
        "revisit",
        url,
        b"",
        {
            "WARC-Date": "2026-12-01T08:00:00Z",
            "WARC-Payload-Digest": digest,
            "WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
        },
        [],
    )
    warc = write_warc(tmp_path / "r.warc.gz", [response(url, THANHNIEN, WARC_Payload_Digest=digest), revisit])
    out = imported(warc, database_url=sqlite_url)
    assert "new " in out and "unchanged " in out
    with Session(create_engine(sqlite_url)) as session:
        rows = session.scalars(select(Snapshot).order_by(Snapshot.id)).all()
        assert [(r.record_type, r.outcome) for r in rows] == [("response", "new"), ("revisit", "unchanged")]
        assert rows[1].article_id == rows[0].article_id
    assert count(sqlite_url, ArticleVersion) == 1


def test_an_older_capture_imported_after_a_newer_one_is_the_older_version(tmp_path, sqlite_url):
    url = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
    edited = THANHNIEN.replace(
        "Trong cuộc gọi, hai nhà lãnh đạo".encode(), "Trong cuộc gọi video, hai nhà lãnh đạo".encode()
    )
    newer = write_warc(tmp_path / "newer.warc.gz", [response(url, edited, "2026-11-30T08:00:00Z")])
    older = write_warc(tmp_path / "older.warc.gz", [response(url, THANHNIEN, "2026-11-01T08:00:00Z")])
    imported(newer, database_url=sqlite_url)
    imported(older, database_url=sqlite_url)
    with Session(create_engine(sqlite_url)) as session:
        versions = session.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()
        assert [any("cuộc gọi video" in p for p in v.body) for v in versions] == [False, True]
        assert versions[1].change_class == "minor"
    page = archive_main("show", url, "--json", database_url=sqlite_url)
    assert any("cuộc gọi video" in p for p in json.loads(page.stdout)["body"])  # the latest is still the newer


def test_a_torn_last_record_is_reported_and_the_records_before_it_imported(tmp_path, sqlite_url):
    url = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
    other = (
        "https://kinhtedothi.vn/ngoai-truong-my-thuong-dinh-biden-putin-co-loi-cho-ca-washington-va-moscow-417984.html"
    )
    warc = write_warc(tmp_path / "torn.warc.gz", [response(url, THANHNIEN), response(other, KTDT)])
    warc.write_bytes(warc.read_bytes()[:-500])
    done = archive_main("import", str(warc), "--workers", "0", database_url=sqlite_url)
    assert done.returncode == 1
    assert f"damaged: {warc}" in done.stderr and "Traceback" not in done.stderr
    assert count(sqlite_url, Article) == 1


def test_a_truncated_record_is_recorded_not_archived(tmp_path, sqlite_url):
    url = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
    warc = write_warc(tmp_path / "t.warc", [response(url, THANHNIEN[:3000], **{"WARC-Truncated": "length"})], gz=False)
    imported(warc, database_url=sqlite_url)
    with Session(create_engine(sqlite_url)) as session:
        (row,) = session.scalars(select(Snapshot)).all()
        assert (row.outcome, row.detail) == ("dropped:truncated_length", "WARC-Truncated: length")
    assert count(sqlite_url, Article) == 0


def bomb(url: str) -> tuple:
    """A response of some 50 KB of gzip that inflates past the size limit."""
    page = gzip.compress(b"<html><body><p>" + b"a " * (MAX_PAYLOAD // 2 + 1) + b"</p></body></html>", 9)
    return ("response", url, page, {}, [("Content-Type", HTML), ("Content-Encoding", "gzip")])


def test_a_compression_bomb_is_recorded_too_large_not_inflated(tmp_path, sqlite_url):
    url = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
    records = [bomb("https://bomb.example/2026/11/30/bai-1.html"), response(url, THANHNIEN)]
    out = imported(write_warc(tmp_path / "b.warc.gz", records), database_url=sqlite_url)
    assert "dropped:too_large                1" in out
    assert count(sqlite_url, Article) == 1


def test_the_browser_refuses_to_inflate_an_imported_bomb(tmp_path, sqlite_url):
    warc = write_warc(tmp_path / "b.warc.gz", [bomb("https://bomb.example/a.html")])
    imported(warc, database_url=sqlite_url)
    page = TestClient(create_app(sqlite_url), raise_server_exceptions=False).get("/snapshot/1/page")
    assert page.status_code == 413 and "more than can be shown" in page.text


def test_since_and_site_leave_captures_out(tmp_path, sqlite_url):
    url = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
    other = (
        "https://kinhtedothi.vn/ngoai-truong-my-thuong-dinh-biden-putin-co-loi-cho-ca-washington-va-moscow-417984.html"
    )
    warc = write_warc(tmp_path / "s.warc.gz", [response(url, THANHNIEN, "2025-01-01T00:00:00Z"), response(other, KTDT)])
    assert "skipped:before_since             1" in imported(warc, database_url=sqlite_url, since="2026-01-01")
    assert count(sqlite_url, Article) == 1


def test_a_missing_file_is_a_one_line_error(tmp_path, sqlite_url):
    done = archive_main("import", str(tmp_path / "nothing.warc.gz"), database_url=sqlite_url)
    assert done.returncode == 1 and "no such file or folder" in done.stderr and "Traceback" not in done.stderr


# -- resuming ------------------------------------------------------------------------------
def test_an_import_killed_mid_file_resumes_from_its_checkpoint_with_nothing_doubled(tmp_path, sqlite_url):
    words = (WORDS * 3)[:600]
    rng = random.Random(5)
    records = []
    for i in range(5 * BATCH):  # five batches, different stories: no two are near-duplicates
        url = f"https://news.example/tin/bai-{i}.html"
        paragraphs = "".join(f"<p>{' '.join(rng.sample(words, 60))}.</p>" for _ in range(5))
        page = f'<html lang="vi"><head><title>Bài {i}</title><link rel="canonical" href="{url}"></head>'
        page += f"<body><article><h1>Bài số {i}</h1>{paragraphs}</article></body></html>"
        records.append(response(url, page.encode()))
    warc = write_warc(tmp_path / "big.warc.gz", records)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "archive", "--database", sqlite_url, "import", str(warc), "--workers", "2"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    engine = create_engine(sqlite_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        try:
            with Session(engine) as session:
                if (session.scalar(select(WarcFile.imported_to)) or 0) > 0:
                    break
        except Exception:  # the schema is being created
            continue
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    with Session(engine) as session:
        checkpoint = session.scalar(select(WarcFile.imported_to))
    assert 0 < checkpoint < warc.stat().st_size  # killed mid-file
    imported(warc, database_url=sqlite_url)
    assert count(sqlite_url, Snapshot) == 5 * BATCH
    assert count(sqlite_url, Article) == count(sqlite_url, ArticleVersion) == 5 * BATCH
    shutil.rmtree(tmp_path / "warc", ignore_errors=True)


def loaded_after(*modules: str) -> set[str]:
    """Which heavy packages a fresh interpreter holds after importing ``modules``."""
    heavy = ("scrapy", "twisted", "lxml", "trafilatura", "extruct", "alembic", "sqlalchemy")
    code = f"import sys, {', '.join(modules)}; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_the_importing_process_loads_neither_scrapy_nor_the_extractor():
    """It feeds the workers and stores: their start-up is not its own."""
    assert loaded_after("pipelines.warc_import", "crawler.sites", "pipelines.workers") == {"sqlalchemy"}


def test_the_workers_task_module_loads_neither_the_store_nor_scrapy():
    """The forkserver imports it before any worker can start."""
    assert loaded_after("pipelines.record_extraction") == set()
