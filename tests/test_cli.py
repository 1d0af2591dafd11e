"""``python -m archive``: extract, list, show and stats, run as a user runs them."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SITES, SPIDER_OF, archive_main, article_entry, expected, recording, run_crawl


def archive_process(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    """``python -m archive`` as its own process, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "archive", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def archived(recordings_warc, tmp_path_factory) -> str:
    """The three recorded sites crawled once for the module; its tests only read the archive."""
    folder = tmp_path_factory.mktemp("archived")
    url = f"sqlite:///{folder / 'archive.db'}"
    for site in SITES:
        assert (
            run_crawl(folder, SPIDER_OF[site], database_url=url, settings={"REPLAY_FROM": recordings_warc}).returncode
            == 0
        )
    return url


def test_extract_prints_the_article_as_json():
    entry = article_entry("thanhnien.vn")
    done = archive_process("extract", str(recording("thanhnien.vn", "article.html")), "--url", entry["url"])
    got, want = json.loads(done.stdout), expected("thanhnien.vn")
    assert {k: got[k] for k in want} == want


def test_show_json_prints_the_clean_article_with_versions_and_snapshots(archived):
    want = expected("kinhtedothi.vn")
    got = json.loads(archive_main("show", want["url"], "--json", database_url=archived).stdout)
    assert {k: got[k] for k in want} == want
    assert len(got["versions"]) == 1 and got["snapshots"][0]["outcome"] == "new"


def test_show_finds_an_article_by_a_tracking_url(archived):
    url = expected("thanhnien.vn")["url"] + "?utm_source=facebook"
    done = archive_main("show", url, database_url=archived)
    assert done.returncode == 0 and "Tổng thống Biden ‘phá băng’ quan hệ Mỹ – Nga ?" in done.stdout


def test_show_unknown_url_fails_with_a_clear_message(archived):
    done = archive_main("show", "https://example.org/none", database_url=archived)
    assert done.returncode == 1 and "not in the archive" in done.stderr


def test_list_filters_by_site(archived):
    rows = json.loads(archive_main("list", "--site", "thanhnien.vn", "--json", database_url=archived).stdout)
    assert [r["url"] for r in rows] == [expected("thanhnien.vn")["url"]]


def test_stats_counts_articles_per_site(archived):
    data = json.loads(archive_main("stats", "--json", database_url=archived).stdout)
    assert data["sites"] == {site: 1 for site in sorted(SITES)}
    assert (data["articles"], data["versions"], data["crawl_runs"]) == (3, 3, 3)
