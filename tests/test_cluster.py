"""Many crawl nodes: real scrapyd processes on loopback, one PostgreSQL archive. A round of the
recordings over three nodes (run by two schedulers at once) gives the archive one process gives
on SQLite; a backfill runs one crawl per sitemap shard (a killed node: ``test_cluster_node_loss``)."""

from collections import Counter

import pytest
from sqlalchemy import select

from archive.models import Article, ArticleAlias, ArticleVersion, CrawlRun, NearDuplicate, Snapshot
from tests.cluster import scheduler, started_nodes
from tests.conftest import fresh_postgres_database, run_crawl
from tests.loopback import serve
from tests.scheduled_site import FAST, FIRST, SECOND, db, localized, second_article

SPIDERS = ("kinhtedothi", "thanhnien", "hanhkhatkito")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    """Three nodes for the module, and their home folder."""
    home = tmp_path_factory.mktemp("nodes")
    for started in started_nodes(home, 3):
        yield started, home


def contents(url: str) -> dict:
    """What an archive holds, by the stories' identities (row ids differ between archives)."""
    with db(url) as s:
        key = dict(s.execute(select(Article.id, Article.key)).all())
        return {
            "articles": sorted(s.scalars(select(Article.canonical_url))),
            "versions": sorted((key[v.article_id], v.number, v.fingerprint) for v in s.scalars(select(ArticleVersion))),
            "aliases": sorted((key[a.article_id], a.url) for a in s.scalars(select(ArticleAlias))),
            "near_duplicates": sorted(
                (key[d.article_id], key[d.original_id]) for d in s.scalars(select(NearDuplicate))
            ),
            "snapshots": Counter((x.url, x.outcome) for x in s.scalars(select(Snapshot))),
        }


@pytest.fixture(scope="module")
def rounds(nodes, recordings_warc, tmp_path_factory):
    """One round of the three recorded sites over the nodes into PostgreSQL, started by two
    schedulers at once, and meanwhile the same crawls here, one after the other, on SQLite:
    (PostgreSQL URL, the two outputs and exit statuses, SQLite URL)."""
    folder = tmp_path_factory.mktemp("single")
    single = f"sqlite:///{folder / 'archive.db'}"
    with fresh_postgres_database() as database:
        both = [scheduler(database, nodes[0], "--set", f"REPLAY_FROM={recordings_warc}") for _ in range(2)]
        for spider in SPIDERS:  # as the scheduler runs them: scheduled mode
            here = run_crawl(
                folder, spider, database_url=single, settings={"REPLAY_FROM": recordings_warc, "SCHEDULED": True}
            )
            assert here.returncode == 0, here.stderr[-2000:]
        outputs = [process.communicate(timeout=300)[0] for process in both]
        yield database, outputs, [process.returncode for process in both], single


def test_a_round_over_three_nodes_gives_the_archive_one_process_gives(rounds):
    database, outputs, codes, single_process = rounds
    assert codes == [0, 0], outputs
    cluster, single = contents(database), contents(single_process)
    assert cluster["articles"] and cluster == single


def test_two_schedulers_at_once_run_each_site_once(rounds):
    database, outputs, _, _ = rounds
    with db(database) as s:
        runs = s.scalars(select(CrawlRun)).all()
    assert sorted(r.spider for r in runs) == sorted(SPIDERS)
    assert {r.outcome for r in runs} == {"finished"}
    sent = sum(output.count(" sent to ") for output in outputs)
    assert sent == len(SPIDERS)


def test_the_crawls_of_a_round_are_spread_over_the_nodes(rounds):
    with db(rounds[0]) as s:
        assert len({r.dispatched_to for r in s.scalars(select(CrawlRun))}) > 1


SITEMAPS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


@pytest.fixture(scope="module")
def backfilled(nodes):
    """``schedule --backfill`` of the recorded site on loopback, whose sitemap index has two shards."""
    pages: dict = {}
    with serve(pages) as base:
        shards = "".join(f"<sitemap><loc>{base}/sitemap-{i}.xml</loc></sitemap>" for i in (1, 2))
        pages["/sitemap.xml"] = (200, "application/xml", f"<sitemapindex {SITEMAPS}>{shards}</sitemapindex>".encode())
        for i, path in enumerate((FIRST, SECOND), 1):
            urlset = f"<urlset {SITEMAPS}><url><loc>{base}{path}</loc></url></urlset>"
            pages[f"/sitemap-{i}.xml"] = (200, "application/xml", urlset.encode())
        pages[FIRST] = (200, "text/html; charset=utf-8", localized(base, "article.html"))
        pages[SECOND] = (200, "text/html; charset=utf-8", second_article(base))
        with fresh_postgres_database() as database:
            backfill = scheduler(
                database, nodes[0], "--backfill", "thanhnien.vn", "--start", f"{base}/sitemap.xml", *FAST
            )
            output, _ = backfill.communicate(timeout=300)
            assert backfill.returncode == 0, output
            yield database


def test_a_backfill_crawls_each_sitemap_shard_in_a_crawl_of_its_own(backfilled):
    with db(backfilled) as s:
        runs = s.scalars(select(CrawlRun)).all()
        keys = sorted(s.scalars(select(Article.key)))
    assert [r.outcome for r in runs] == ["finished", "finished"]
    assert keys == ["thanhnien.vn:1851335421", "thanhnien.vn:1851335487"]


def test_a_backfill_s_shards_run_side_by_side_on_several_nodes(backfilled):
    with db(backfilled) as s:
        assert len({r.dispatched_to for r in s.scalars(select(CrawlRun))}) == 2


def test_each_shard_crawl_gets_its_share_of_the_site_s_politeness(backfilled, nodes):
    with db(backfilled) as s:
        jobs = [r.job for r in s.scalars(select(CrawlRun))]
    logs = [next(nodes[1].glob(f"node-*/logs/newsarchive/thanhnien/{job}.log")).read_text() for job in jobs]
    assert all("'CONCURRENT_REQUESTS_PER_DOMAIN': '2'" in log for log in logs)  # 4 for one crawl of the site
