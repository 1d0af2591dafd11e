"""Article identity, versions, revisits and near-duplicates through real ``scrapy crawl``
runs (each run a new process: everything survives a restart)."""

import csv
import io
import json

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive.models import Article, ArticleAlias, ArticleVersion, NearDuplicate, Snapshot
from tests.conftest import archive_main, expected, recorded, recording
from tests.loopback import serve

KTDT = expected("kinhtedothi.vn")["url"]
ARTICLE = "/the-gioi/ngoai-truong-my-thuong-dinh-biden-putin-417984.html"
SETTINGS = {"DOWNLOAD_TIMEOUT": 10, "RETRY_TIMES": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}


def db(url: str) -> Session:
    return Session(create_engine(url))


def count(url: str, model) -> int:
    with db(url) as s:
        return s.scalar(select(func.count()).select_from(model))


def crawl_ktdt(crawl, database_url: str, warc) -> None:
    """The kinhtedothi spider on the recorded article only, replayed from ``warc``."""
    assert (
        crawl(
            "kinhtedothi", "-a", f"start={KTDT}", database_url=database_url, settings={"REPLAY_FROM": warc}
        ).returncode
        == 0
    )


def archive_cli(*args, database_url) -> str:
    done = archive_main(*args, database_url=database_url)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_repost_on_another_site_is_linked_to_its_original(crawl, recordings_warc, sqlite_url):
    for spider in ("thanhnien", "hanhkhatkito"):
        crawl(spider, database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    with db(sqlite_url) as s:
        (link,) = s.scalars(select(NearDuplicate)).all()
        assert (link.article.site.name, link.original.site.name) == ("hanhkhatkito.net", "thanhnien.vn")
        assert link.similarity >= 0.8
    assert count(sqlite_url, Article) == 2
    (cluster,) = json.loads(archive_cli("duplicates", "--json", database_url=sqlite_url))
    assert [m["role"] for m in cluster] == ["original", "copy"]


def test_slug_edit_and_mobile_variant_are_aliases_of_one_article(crawl, tmp_path, sqlite_url):
    for name, url in (
        ("original", KTDT),
        ("slug", KTDT.replace("ngoai-truong-my", "ngoai-truong-hoa-ky")),
        ("mobile", KTDT.replace("//kinhtedothi", "//m.kinhtedothi")),
    ):
        warc = recorded(
            tmp_path, "kinhtedothi.vn", name, url, edit=lambda h: h.replace('<link rel="canonical"', '<link rel="x"')
        )
        crawl("kinhtedothi", "-a", f"start={url}", database_url=sqlite_url, settings={"REPLAY_FROM": warc})
    assert (count(sqlite_url, Article), count(sqlite_url, ArticleVersion), count(sqlite_url, ArticleAlias)) == (1, 1, 2)


@pytest.mark.parametrize(
    ("edit", "change"),
    [
        (lambda h: h.replace("cuộc gặp trực tiếp cấp cao", "cuộc gặp trực tiếp"), "minor"),
        (
            lambda h: h.replace(
                "</div>\n    </article>",
                "<p>" + "Một đoạn tin mới được thêm vào bài viết. " * 4 + "</p></div>\n    </article>",
            ),
            "substantive",
        ),
        (lambda h: h.replace('content="Antony Blinken"', 'content="Ngoại giao"'), "metadata-only"),
    ],
)
def test_edit_makes_one_new_version_with_its_change_class(edit, change, crawl, tmp_path, sqlite_url):
    crawl_ktdt(crawl, sqlite_url, recorded(tmp_path, "kinhtedothi.vn", "v1", KTDT))
    edited = recorded(tmp_path, "kinhtedothi.vn", "v2", KTDT, edit=edit)
    for _ in range(2):
        crawl_ktdt(crawl, sqlite_url, edited)
    with db(sqlite_url) as s:
        versions = s.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()
        assert [v.change_class for v in versions] == [None, change]
        assert versions[1].diff
    history = json.loads(archive_cli("history", KTDT, "--json", database_url=sqlite_url))
    assert [h["change_class"] for h in history] == ["first", change]


def test_diff_shows_the_changed_paragraph(crawl, tmp_path, sqlite_url):
    crawl_ktdt(crawl, sqlite_url, recorded(tmp_path, "kinhtedothi.vn", "v1", KTDT))
    edited = recorded(tmp_path, "kinhtedothi.vn", "v2", KTDT, edit=lambda h: h.replace("hôm 4/5", "hôm 5/5"))
    crawl_ktdt(crawl, sqlite_url, edited)
    out = archive_cli("diff", KTDT, database_url=sqlite_url)
    assert "-Trong bài trả lời phỏng vấn tờ Financial Times hôm 4/5" in out
    assert "+Trong bài trả lời phỏng vấn tờ Financial Times hôm 5/5" in out


@pytest.fixture
def live_site():
    pages = {ARTICLE: (200, "text/html; charset=utf-8", recording("kinhtedothi.vn", "article.html").read_bytes())}
    with serve(pages) as base:
        yield base, pages


def test_unchanged_recrawl_is_a_revisit_record_and_no_version(live_site, crawl, sqlite_url, tmp_path):
    base, _ = live_site
    for _ in range(2):
        crawl("news", "-a", f"start={base}{ARTICLE}", database_url=sqlite_url, settings=SETTINGS)
    with db(sqlite_url) as s:
        rows = s.scalars(select(Snapshot).where(Snapshot.url == base + ARTICLE).order_by(Snapshot.id))
        assert [x.record_type for x in rows] == ["response", "revisit"]
    assert count(sqlite_url, ArticleVersion) == 1
    records = []
    for path in sorted((tmp_path / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            records += [
                r
                for r in ArchiveIterator(fh)
                if r.rec_type in ("response", "revisit")
                and r.rec_headers.get_header("WARC-Target-URI") == base + ARTICLE
            ]
    revisit = records[-1]
    assert revisit.rec_type == "revisit"
    assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == base + ARTICLE
    assert revisit.rec_headers.get_header("WARC-Payload-Digest") == records[0].rec_headers.get_header(
        "WARC-Payload-Digest"
    )


def test_replay_of_a_warc_with_revisits_gives_the_article(live_site, crawl, sqlite_url, tmp_path):
    base, _ = live_site
    for _ in range(2):
        crawl("news", "-a", f"start={base}{ARTICLE}", database_url=sqlite_url, settings=SETTINGS)
    replayed = f"sqlite:///{tmp_path / 'replayed.db'}"
    crawl("news", "-a", f"start={base}{ARTICLE}", database_url=replayed, settings={"REPLAY_FROM": tmp_path / "warc"})
    with db(replayed) as s:
        assert s.scalar(select(ArticleVersion)).title == expected("kinhtedothi.vn")["title"]


def test_markup_only_change_is_counted_as_cosmetic_without_a_version(live_site, crawl, sqlite_url):
    base, pages = live_site
    crawl("news", "-a", f"start={base}{ARTICLE}", database_url=sqlite_url, settings=SETTINGS)
    status, kind, body = pages[ARTICLE]
    pages[ARTICLE] = (status, kind, body.replace(b"<p>", b'<p class="normal">  '))
    done = crawl("news", "-a", f"start={base}{ARTICLE}", database_url=sqlite_url, settings=SETTINGS)
    assert "1 cosmetic" in done.stdout
    assert count(sqlite_url, ArticleVersion) == 1


def test_reextract_makes_a_version_only_where_the_extractor_now_differs(crawl, recordings_warc, sqlite_url):
    crawl("thanhnien", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    with db(sqlite_url) as s:  # what an older extractor stored: boilerplate left in, an old version
        version = s.scalar(select(ArticleVersion))
        version.body = [*version.body, "Tin liên quan"]
        version.extractor_version, version.content_digest = "0.9.0", None
        s.commit()
    assert "1 updated" in archive_cli("reextract", database_url=sqlite_url)
    assert "1 unchanged" in archive_cli("reextract", "--site", "thanhnien.vn", database_url=sqlite_url)
    with db(sqlite_url) as s:
        latest = s.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()[-1]
    assert latest.number == 2 and latest.body == expected("thanhnien.vn")["body"]
    assert latest.extractor_version != "0.9.0"


def test_export_writes_one_json_line_per_article(crawl, recordings_warc, sqlite_url):
    for spider in ("thanhnien", "kinhtedothi"):
        crawl(spider, database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    rows = [
        json.loads(line) for line in archive_cli("export", "--format", "jsonl", database_url=sqlite_url).splitlines()
    ]
    assert sorted(r["site"] for r in rows) == ["kinhtedothi.vn", "thanhnien.vn"]
    csv_out = archive_cli("export", "--format", "csv", "--since", "2021-05-01", database_url=sqlite_url)
    (row,) = list(csv.DictReader(io.StringIO(csv_out)))
    assert (row["site"], row["body"].split("\n\n")) == ("kinhtedothi.vn", expected("kinhtedothi.vn")["body"])


def test_reextract_in_one_process_decides_as_with_worker_processes(crawl, recordings_warc, tmp_path):
    outcomes = []
    for workers in ("1", "2"):
        url = f"sqlite:///{tmp_path / f'reextract-{workers}.db'}"
        crawl("thanhnien", database_url=url, settings={"REPLAY_FROM": recordings_warc})
        with db(url) as s:  # an older extractor's version
            version = s.scalar(select(ArticleVersion))
            version.body, version.content_digest = [*version.body, "Tin liên quan"], None
            s.commit()
        outcomes.append(archive_cli("reextract", "--workers", workers, database_url=url).split(" in ")[0])
    assert outcomes[0] == outcomes[1] == "re-extracted: 1 updated"
