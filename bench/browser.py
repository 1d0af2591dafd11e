"""``make bench``, the archive browser: an archive of ``--articles`` articles (default 100,000)
generated straight into the database — Vietnamese text drawn from the recordings' words with
their frequencies, a second version for one in five, runs, captures, near-duplicates, the
search index — then every page timed through the application (server time, no network).

    python -m bench.browser [--articles N] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from archive.database import close, sessions
from archive.keys import fingerprint
from archive.models import Article, ArticleVersion, CrawlRun, NearDuplicate, Site, Snapshot
from archive.search import index_version
from archive.search_text import WORD
from archive.warc import Exchange, WarcStore

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "tests" / "recordings"
SITES = ("thanhnien.vn", "kinhtedothi.vn", "hanhkhatkito.net")
SECTIONS = ("Thời sự", "Thế giới", "Kinh tế", "Đô thị", "Văn hóa", "Thể thao")
AUTHORS = ("Bảo Vinh", "Ngọc Mai", "Minh Đức", "Thu Hà", "Quang Huy")
RUNS = 60
TARGET_MS = 200
BATCH = 5000


def vocabulary() -> tuple[list[str], list[float]]:
    """The recordings' words, weighted by how often they occur (a real text's word frequencies)."""
    counts: Counter[str] = Counter()
    for expected in RECORDINGS.glob("*/article.expected.json"):
        article = json.loads(expected.read_text(encoding="utf-8"))
        for paragraph in [article.get("title") or "", article.get("lead") or "", *article.get("body", [])]:
            counts.update(WORD.findall(paragraph))
    words = list(counts)
    return words, [counts[w] for w in words]


def generate(database_url: str, articles: int, warc_dir: Path, seed: int = 7) -> dict:
    """Fill an empty archive; the ids and URLs the timed pages open."""
    rng = random.Random(seed)
    words, weights = vocabulary()

    def sentence(n: int) -> str:
        text = " ".join(rng.choices(words, weights, k=n))
        return text[0].upper() + text[1:] + "."

    page = (RECORDINGS / "thanhnien.vn" / "article.html").read_bytes()
    ref = WarcStore(warc_dir).write(
        Exchange(
            "https://thanhnien.vn/bench-1.htm",
            200,
            [("Content-Type", "text/html; charset=utf-8")],
            page,
            datetime.now(UTC),
        )
    )
    factory = sessions(database_url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with factory.begin() as session:
        conn = session.connection()
        site_ids = [
            conn.execute(insert(Site).returning(Site.id), {"name": s, "created_at": start}).scalar_one() for s in SITES
        ]
        run_ids = [
            conn.execute(
                insert(CrawlRun).returning(CrawlRun.id),
                {
                    "spider": SITES[i % 3].split(".")[0],
                    "started_at": start + timedelta(hours=i),
                    "finished_at": start + timedelta(hours=i, minutes=20),
                    "outcome": "finished",
                    "stats": {"response_received_count": articles // RUNS, "articles/new": articles // RUNS},
                },
            ).scalar_one()
            for i in range(RUNS)
        ]
        snapshot_id = version_id = 0
        for first in range(1, articles + 1, BATCH):
            ids = range(first, min(first + BATCH, articles + 1))
            article_rows, snapshot_rows, version_rows, index_rows = [], [], [], []
            for i in ids:
                site = i % 3
                url = f"https://{SITES[site]}/bai-viet-{i}.htm"
                when = start + timedelta(minutes=i)
                article_rows.append(
                    {
                        "id": i,
                        "site_id": site_ids[site],
                        "canonical_url": url,
                        "key": f"{SITES[site]}:{i}",
                        "first_seen_at": when,
                        "last_seen_at": when,
                    }
                )
                title = sentence(rng.randint(8, 14))
                body = [sentence(rng.randint(20, 40)) for _ in range(rng.randint(3, 7))]
                fields = {
                    "title": title,
                    "lead": sentence(25),
                    "body": body,
                    "authors": [rng.choice(AUTHORS)],
                    "section": rng.choice(SECTIONS),
                    "published_at": when.isoformat(),
                    "tags": [],
                    "images": [],
                }
                for number in (1, 2) if i % 5 == 0 else (1,):
                    snapshot_id += 1
                    version_id += 1
                    real = i == 1 and number == 1
                    snapshot_rows.append(
                        {
                            "id": snapshot_id,
                            "url": url,
                            "final_url": url,
                            "status": 200,
                            "fetched_at": when,
                            "content_type": "text/html",
                            "warc_file": ref.file if real else "bench-synthetic.warc.gz",
                            "warc_offset": ref.offset if real else snapshot_id * 10,
                            "warc_length": ref.length,
                            "payload_digest": f"sha1:{snapshot_id}",
                            "record_type": "response",
                            "outcome": "new" if number == 1 else "updated",
                            "article_id": i,
                            "crawl_run_id": run_ids[(i * RUNS // articles + number - 1) % RUNS],
                        }
                    )
                    if number == 2:
                        fields = fields | {"body": [*body[:-1], sentence(30)]}
                    version_rows.append(
                        {
                            "id": version_id,
                            "article_id": i,
                            "number": number,
                            "fingerprint": fingerprint(fields["title"], fields["body"]),
                            **fields,
                            "extracted_at": when,
                            "extractor_version": "bench",
                            "snapshot_id": snapshot_id,
                            "provenance": {f: "rules" for f in ("title", "lead", "body", "authors", "published_at")},
                            "change_class": None if number == 1 else rng.choice(("minor", "substantive")),
                            "diff": None
                            if number == 1
                            else {"body": {"removed": [body[-1]], "added": [fields["body"][-1]]}},
                            "paywalled": False,
                        }
                    )
                index_rows.append((i, version_id, site_ids[site], fields))
            conn.execute(insert(Article), article_rows)
            conn.execute(insert(Snapshot), snapshot_rows)
            conn.execute(insert(ArticleVersion), version_rows)
            for row in index_rows:
                index_version(conn, *row)
        conn.execute(
            insert(NearDuplicate),
            [{"article_id": i + 3, "original_id": i, "similarity": 0.9, "found_at": start} for i in range(1, 3000, 30)],
        )
    return {
        "article": 5,
        "single": 1,
        "snapshot": 1,
        "run": run_ids[-1],
        "url": "https://thanhnien.vn/bai-viet-3.htm",
        "common": words[max(range(len(words)), key=weights.__getitem__)],
        "rare": rng.choice(words),
    }


def pages(known: dict) -> list[str]:
    return [
        "/",
        "/search",
        f"/search?q={known['common']}",
        "/search?q=thuong+dinh",
        "/search?q=thượng+đỉnh",
        f"/search?q={known['rare']}&page=3",
        "/search?q=biden&site=thanhnien.vn&since=2026-01-10&until=2026-02-01",
        "/search?author=bao+vinh&change=substantive",
        f"/url?u={known['url']}?utm_source=x",
        "/sites",
        "/sites/thanhnien.vn/urls?prefix=https://thanhnien.vn/bai-viet-5",
        f"/article/{known['article']}",
        f"/article/{known['article']}/diff",
        f"/article/{known['article']}/feed.atom",
        f"/snapshot/{known['snapshot']}",
        f"/snapshot/{known['snapshot']}/page",
        "/runs",
        f"/runs/{known['run']}",
        "/duplicates",
        "/sites/thanhnien.vn/feed.atom",
    ]


def timed(client, path: str, repeat: int = 5) -> tuple[int, float, float]:
    """(status, median ms, slowest ms) of ``repeat`` requests after one to warm up."""
    status = client.get(path).status_code
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    return status, statistics.median(times), max(times)


def run(articles: int, database_url: str | None = None) -> list[dict]:
    from starlette.testclient import TestClient

    from archive.browser import create_app

    with tempfile.TemporaryDirectory(prefix="newsarchive-browser-bench-") as tmp:
        url = database_url or f"sqlite:///{tmp}/archive.db"
        began = time.perf_counter()
        known = generate(url, articles, Path(tmp) / "warc")
        close(url)
        print(f"browser: {articles} articles generated in {time.perf_counter() - began:.0f} s ({url.split(':')[0]})")
        client = TestClient(create_app(url, Path(tmp) / "warc"), raise_server_exceptions=True)
        rows = []
        for path in pages(known):
            status, median, slowest = timed(client, path)
            rows.append({"page": path, "status": status, "median_ms": median, "max_ms": slowest})
            print(f"  {path[:70]:70} {status:4} {median:8.1f} ms  (max {slowest:.1f})")
        close(url)
    worst = max(r["median_ms"] for r in rows)
    print(
        f"browser: slowest page {worst:.1f} ms median (target < {TARGET_MS} ms), "
        f"{'met' if worst < TARGET_MS else 'NOT met'}; every page 200: {all(r['status'] == 200 for r in rows)}"
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database", help="an empty database to fill (default: a new SQLite file)")
    args = parser.parse_args()
    run(args.articles, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
