"""A real crawl of a hostile site (``tests.faultserver``) inside a network namespace that has
only loopback: good articles survive, every fault ends in its recorded outcome, nothing
reaches the trap addresses (127.0.0.2, 169.254.169.254), memory stays bounded, traps are
cut at their bounds, and the outcome rows add up to the requests made.

The crawl runs once for the module; each test reads one behaviour from its result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive.models import Article, ArticleAlias, ArticleVersion, CrawlRun, Snapshot
from tests.conftest import ROOT, crawl_command, run_crawl
from tests.faultserver import FAULTS, GOOD, META_TARGET, REDIRECT_TARGET, RENDERED, TRAPPED, title_of

PORT, TRAP_PORT = 8080, 8081
BASE = f"http://127.0.0.1:{PORT}"
GUARDED = {  # start URLs on internal addresses: the offsite rule allows them, the destination guard does not
    "http://127.0.0.2:8081/feed.xml": "refused:loopback",
    "http://169.254.169.254/latest/feed.xml": "refused:link_local",
    "http://[::ffff:127.0.0.2]:8081/feed.xml": "refused:loopback",
    "http://0x7f000002:8081/feed.xml": "refused:loopback",  # 127.0.0.2, spelt as one number
}
SOURCES = [
    *GUARDED,
    f"{BASE}/feed.xml",
    f"{BASE}/chuyen-muc/trang-1",
    f"{BASE}/sitemap-chain-1.xml",
    f"{BASE}/sitemap-private.xml",
    f"{BASE}/sitemap-xxe.xml",
]
SETTINGS = {
    "ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32",
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 1,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LISTING_MAX_PAGES": 3,
    "DISCOVERY_MAX_DEPTH": 3,
    "PIPELINE_WORKERS": 1,
}
MEMORY_BOUND_MB = 256  # over a crawl of the same site without the faults


def _ns(name: str, *command: str, **kwargs):
    return subprocess.run(["ip", "netns", "exec", name, *command], check=True, **kwargs)


@dataclass
class HostileCrawl:
    db: str
    log: Path
    warc: Path
    stdout: str
    stderr: str
    peak_mb: float
    baseline_mb: float
    started: float  # when the hostile crawl began (the baseline crawl's requests came before)

    @cached_property
    def records(self) -> list:
        """Every WARC record of the crawl (read once: the tests only look)."""
        found = []
        for path in sorted(self.warc.glob("*.warc.gz")):
            with open(path, "rb") as fh:
                for record in ArchiveIterator(fh):
                    found.append((record.rec_type, record.rec_headers, record.http_headers))
        return found

    @cached_property
    def rows(self) -> list[Snapshot]:
        """Every snapshot row of the crawl (read once: the tests only look)."""
        with Session(create_engine(self.db), expire_on_commit=False) as s:
            return list(s.scalars(select(Snapshot)))

    def outcome(self, url: str) -> str:
        """The outcome of the last row for ``url`` (a path on the fault server, or a full URL)."""
        url = url if "://" in url else BASE + url
        return [r.outcome for r in self.rows if r.url == url][-1]

    def requests(self) -> list[dict]:
        """What the fault server answered during the hostile crawl."""
        entries = [json.loads(line) for line in (self.log / "requests.jsonl").read_text().splitlines()]
        return [e for e in entries if e["t"] >= self.started]

    def stats(self) -> dict:
        with Session(create_engine(self.db)) as s:
            return s.scalar(select(CrawlRun)).stats


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process we started and of everything it started (workers, browser)."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        seen.add(current)
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split() if int(c) not in seen]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def crawl_in(namespace: str, folder: Path, sources: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    """A real crawl of ``sources`` inside the namespace; its peak memory (process tree, sampled)."""
    folder.mkdir(parents=True, exist_ok=True)
    command, env = crawl_command(folder, "news", "-a", "start=" + ",".join(sources), settings=SETTINGS)
    crawl = subprocess.Popen(
        ["ip", "netns", "exec", namespace, *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak, stop = [0.0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            peak[0] = max(peak[0], tree_rss_mb(crawl.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = crawl.communicate(timeout=240)
    stop.set()
    sampler.join()
    (folder / "crawl.log").write_text(stderr)
    return peak[0], subprocess.CompletedProcess(command, crawl.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> HostileCrawl:
    if os.geteuid() != 0 or not shutil.which("ip"):
        if os.environ.get("CI"):
            pytest.fail("the hostile-web tests need root and iproute2 (network namespaces)")
        pytest.skip("needs root and iproute2 for a network namespace")
    tmp = tmp_path_factory.mktemp("hostile")
    name = f"na-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    server = None
    try:
        _ns(name, "ip", "link", "set", "lo", "up")
        _ns(name, "ip", "addr", "add", "169.254.169.254/32", "dev", "lo")  # the trap answers there, in here only
        log = tmp / "server"
        server = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                name,
                sys.executable,
                "-m",
                "tests.faultserver",
                "--port",
                str(PORT),
                "--trap",
                f"127.0.0.2:{TRAP_PORT}",
                "--trap",
                "169.254.169.254:80",
                "--log",
                str(log),
                "--seconds",
                "150",
            ],
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while not (log / "ready").exists():
            assert time.monotonic() < deadline and server.poll() is None, "fault server did not start"
            time.sleep(0.1)
        baseline_mb, _ = crawl_in(name, tmp / "baseline", [f"{BASE}/feed-good.xml"])
        started = time.time()
        peak_mb, done = crawl_in(name, tmp, SOURCES)
        return HostileCrawl(
            f"sqlite:///{tmp / 'archive.db'}",
            log,
            tmp / "warc",
            done.stdout,
            done.stderr,
            peak_mb,
            baseline_mb,
            started,
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", name], check=False)


def test_every_good_article_is_archived_intact(hostile):
    with Session(create_engine(hostile.db)) as s:
        titles = set(s.scalars(select(ArticleVersion.title)))
    assert {title_of(p) for p in GOOD} <= titles


@pytest.mark.parametrize("path", sorted(FAULTS))
def test_each_fault_ends_in_its_recorded_outcome(hostile, path):
    assert hostile.outcome(path).startswith(FAULTS[path])


def test_a_permanent_redirect_archives_its_target_with_the_old_url_as_alias(hostile):
    with Session(create_engine(hostile.db)) as s:
        article = s.scalar(select(Article).where(Article.canonical_url == BASE + REDIRECT_TARGET))
        aliases = set(s.scalars(select(ArticleAlias.url).where(ArticleAlias.article_id == article.id)))
    assert BASE + "/tin/chuyen-huong-vinh-vien-300001.html" in aliases


def test_a_redirect_loop_is_cut_at_its_first_hop_back(hostile):
    assert hostile.outcome("/tin/vong-lap-chuyen-huong-b-300002.html") == "refused:redirect_loop"


def test_a_meta_refresh_is_followed_like_a_redirect(hostile):
    (row,) = [r for r in hostile.rows if r.final_url == BASE + META_TARGET]
    assert row.outcome == "new"


@pytest.mark.parametrize("url", sorted(GUARDED))
def test_internal_start_urls_are_refused_by_the_destination_guard(hostile, url):
    assert hostile.outcome(url) == GUARDED[url]


@pytest.mark.parametrize("url", TRAPPED)
def test_redirects_and_refreshes_to_internal_addresses_are_refused(hostile, url):
    assert hostile.outcome(url).startswith("refused:")


def test_a_redirect_to_another_site_is_recorded_with_its_target(hostile):
    assert hostile.outcome("http://other-site.invalid/tin/x-1.html") == "refused:offsite"


def test_nothing_reaches_the_internal_addresses_neither_from_scrapy_nor_from_the_browser(hostile):
    trap_log = hostile.log / "trap.jsonl"
    assert not trap_log.exists() or trap_log.read_text() == ""
    assert hostile.outcome(RENDERED) == "new"  # the browser did render the page whose scripts reached out


def test_memory_stays_bounded_whatever_the_server_sends(hostile):
    assert hostile.peak_mb < hostile.baseline_mb + MEMORY_BOUND_MB, (
        f"{hostile.peak_mb:.0f} vs {hostile.baseline_mb:.0f} MB"
    )


def test_an_endless_listing_is_cut_at_its_page_bound(hostile):
    listing = [r for r in hostile.requests() if r["path"].startswith("/chuyen-muc/")]
    assert len(listing) == SETTINGS["LISTING_MAX_PAGES"]
    assert hostile.stats()["discovery/cut/listing_pages"] == 1


def test_an_endless_sitemap_index_chain_is_cut_at_the_discovery_depth(hostile):
    chain = [r for r in hostile.requests() if r["path"].startswith("/sitemap-chain-")]
    assert len(chain) == SETTINGS["DISCOVERY_MAX_DEPTH"] + 1
    assert hostile.stats()["discovery/cut/depth"] == 1


def test_robots_disallowed_urls_are_counted_not_logged_one_by_one(hostile):
    assert hostile.stats()["refused/robots_txt"] == 50_001  # the sitemap's 50,000 and the feed's one
    assert hostile.stderr.count("/private/") < 10


def test_each_robots_disallowed_url_has_its_refused_row(hostile):
    refused = {r.url for r in hostile.rows if r.outcome == "refused:robots_txt"}
    assert len(refused) == 50_001 and BASE + "/private/bai-so-49999-449999.html" in refused


def test_xml_entities_are_never_expanded(hostile):
    assert not any("root:" in r.url or "aaaaaaaaaa" in r.url for r in hostile.rows)


def test_retry_after_is_honoured(hostile):
    times = [r["t"] for r in hostile.requests() if r["path"] == "/tin/qua-tai-429-300009.html"]
    assert len(times) == 2 and times[1] - times[0] >= 2


def test_outcome_rows_add_up_to_the_requests_made(hostile):
    made = [r for r in hostile.rows if r.warc_file or not r.outcome.startswith("refused:")]  # a loop's hop was made
    stats = hostile.stats()
    failed_renders = sum(v for k, v in stats.items() if k.startswith("render/failed/"))  # their page's row says so
    assert len(made) == stats["downloader/request_count"] - failed_renders


def test_every_request_the_server_answered_has_a_row(hostile):
    answered = {BASE + r["path"] for r in hostile.requests() if not r["browser"]}  # a rendered page's own loads aside
    assert answered <= {r.url for r in hostile.rows} | {r.final_url for r in hostile.rows}


def test_the_warc_keeps_every_response_robots_and_discovery_pages_included(hostile):
    responses = {h.get_header("WARC-Target-URI") for kind, h, _ in hostile.records if kind == "response"}
    assert {
        f"{BASE}/robots.txt",
        f"{BASE}/feed.xml",
        f"{BASE}/chuyen-muc/trang-2",
        f"{BASE}{REDIRECT_TARGET}",
    } <= responses
    assert BASE + "/tin/chuyen-huong-vinh-vien-300001.html" in responses  # the 301 hop itself


def test_the_warc_keeps_the_original_encoding_and_the_peer_address(hostile):
    (record,) = [
        (h, http)
        for kind, h, http in hostile.records
        if kind == "response" and h.get_header("WARC-Target-URI") == BASE + GOOD[0]
    ]
    warc_headers, http_headers = record
    assert http_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert http_headers.get_header("Content-Encoding") is None
    assert warc_headers.get_header("WARC-IP-Address") == "127.0.0.1"


def test_every_record_is_warc_1_1_and_every_file_was_closed(hostile):
    assert {h.protocol for _, h, _ in hostile.records} == {"WARC/1.1"}
    assert list(hostile.warc.glob("*.open")) == []


def test_the_crawl_s_warc_files_replay_the_crawl_offline(hostile, tmp_path):
    db = f"sqlite:///{tmp_path / 'replayed.db'}"
    sources = "start=" + ",".join(SOURCES)
    done = run_crawl(
        tmp_path,
        "news",
        "-a",
        sources,
        database_url=db,
        settings=SETTINGS | {"REPLAY_FROM": hostile.warc, "PIPELINE_WORKERS": 0},
    )
    assert done.returncode == 0, done.stderr

    def titles(url: str) -> set[str]:
        with Session(create_engine(url)) as s:
            return set(s.scalars(select(ArticleVersion.title)))

    assert titles(db) == titles(hostile.db)


def test_the_database_threads_cpu_time_is_in_the_run_record(hostile):
    assert hostile.stats()["store/cpu_seconds"] > 0
