"""Saving is idempotent under concurrency: processes archiving the same stories at the same
moment (some under alias URLs) give one article and one version per story and every snapshot,
and lose no item to a unique-key race (real PostgreSQL)."""

import functools
import multiprocessing
from datetime import UTC, datetime

from sqlalchemy import func, select

from archive.models import Article, ArticleAlias, ArticleVersion, Snapshot
from archive.store import Archive
from pipelines import extract_article

PROCESSES = 8
STORIES = 50


def story(n: int) -> bytes:
    paragraphs = "".join(
        f"<p>Bài số {n}, đoạn {k}: hội đồng thành phố thông qua kế hoạch mở rộng tuyến tàu điện thứ {n} tới năm 2030.</p>"
        for k in range(4)
    )
    return f"""<html lang="vi"><head><title>Tin số {n}</title><meta property="og:type" content="article">
    </head><body><article><h1>Tuyến tàu điện số {n} được mở rộng ra ngoại thành</h1>{paragraphs}</article></body></html>""".encode()


def url_of(n: int) -> str:
    return f"https://baothu.example/tin/tuyen-tau-dien-so-{n}-mo-rong-{10000 + n}.html"


@functools.cache
def extracted(n: int) -> dict:
    """Extracted once, before the processes fork: the race is in the store, not in extraction."""
    return extract_article(story(n), url_of(n))


def fetched(n: int, process: int) -> dict:
    """Story ``n`` as node ``process`` fetched it, its snapshot a record of that node's WARC file."""
    url = url_of(n) + (f"?utm_source=node{process}" if process % 2 else "")  # odd nodes: an alias URL
    ref = {"file": f"node{process}.warc.gz", "offset": 1000 * n, "length": 999, "digest": f"sha1:{process}-{n}"}
    return extracted(n) | {
        "url": url,
        "final_url": url,
        "status": 200,
        "fetched_at": datetime.now(UTC).isoformat(),
        "snapshot": ref,
    }


def _save_all(process: int, database_url: str, start, errors) -> None:
    items = [fetched(n, process) for n in range(STORIES)]
    archive = Archive(database_url)
    start.wait(60)
    for item in items:
        try:
            archive.save(item)
        except Exception as exc:  # a lost item: what the test is about
            errors.put(f"{process}: {exc!r}"[:300])


def test_eight_processes_saving_the_same_stories_give_one_article_and_version_each(postgres_url):
    Archive(postgres_url)  # the schema exists before the race starts
    for n in range(STORIES):
        extracted(n)
    context = multiprocessing.get_context("fork")
    start, errors = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=_save_all, args=(p, postgres_url, start, errors)) for p in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    lost = []
    while not errors.empty():
        lost.append(errors.get())
    archive = Archive(postgres_url)
    with archive.Session() as s:
        found = [s.scalar(select(func.count()).select_from(m)) for m in (Article, ArticleVersion, Snapshot)]
        aliases = s.scalar(select(func.count()).select_from(ArticleAlias))
    assert lost == []
    assert found == [STORIES, STORIES, PROCESSES * STORIES]
    assert aliases == STORIES * (PROCESSES // 2)  # each story seen under four tracking-parameter URLs
