"""``make bench-scale``: what each operation costs as the archive grows, from 10 thousand articles
to millions, on PostgreSQL and SQLite.

Each archive is built in two steps. A block of ``BLOCK`` articles goes through the store's own
path (``Archive.save``: versions, aliases, snapshots, search entries, near-duplicate bands, re-check
times), Vietnamese and English text drawn with real word frequencies, 20 sites, one article in
five edited, one in four with a second URL. The block is then copied by SQL, row for row, until the
archive has its size: ids shifted, URLs and band keys made distinct, each copy a day older (copies
older than the re-check ladder are no longer due). Archives are kept between runs
(``bench/.scale/`` for SQLite, databases ``newsarchive_scale_<size>`` on the PostgreSQL server).

Then, at each size, the same operations are timed: saving a new article, an unchanged re-check and
an edit; the start of a scheduled crawl of a site (its due re-checks and a sitemap of 1,000 URLs
looked up; memory by ``tracemalloc``); the due re-checks query; a near-duplicate look-up; the
browser's pages; export and re-extraction rates; ``verify`` time per 100,000 snapshots; database
bytes per article. Printed as a table of cost by size and written to
``bench/results/scale-<UTC time>.json``.

    python -m bench.scale [--postgres URL] [--sizes 10000,100000,2000000] [--sqlite-sizes …]
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib.util
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Table, create_engine, func, select, text

from archive.database import close, sqlite_file, upgrade
from archive.keys import band_keys, signature, to_bytes
from archive.models import Article, ArticleVersion, Base
from archive.search_text import WORD
from archive.store import _NEAR_CANDIDATES, Archive
from archive.verify import snapshot_problems
from archive.warc import Exchange, WarcStore, existing
from pipelines.extraction.article import article_from_page
from pipelines.reextract import reextract

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).parent / ".scale"
RESULTS = Path(__file__).parent / "results"
RECORDINGS = ROOT / "tests" / "recordings"
BLOCK = 10_000
EDITION = 3
"""The kept archives' edition (in their names): a block built another way is built anew."""
SITES = tuple(f"bao{n:02d}.vn" for n in range(14)) + tuple(f"news{n:02d}.example" for n in range(6))
ENGLISH = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "at",
    "from",
    "government",
    "city",
    "council",
    "said",
    "minister",
    "report",
    "market",
    "prices",
    "river",
    "flood",
    "school",
    "hospital",
    "police",
    "court",
    "election",
    "vote",
    "team",
    "match",
    "season",
    "company",
    "workers",
    "budget",
    "housing",
    "transport",
    "bridge",
    "climate",
    "energy",
    "water",
    "health",
    "festival",
    "museum",
]
LADDER_DAYS = 90
"""Copies of the block older than this (a day a copy) are past the re-check ladder: never due."""
COPIES_PER_STATEMENT = 20
COPIES = (
    "WITH RECURSIVE copies(k) AS (SELECT CAST(:first AS INTEGER) UNION ALL SELECT k + 1 FROM copies WHERE k < :last) "
)
"""The numbers of the copies one statement makes (``copies.k``, from ``first`` to ``last``)."""
REPEAT = 20
STARTED = datetime(2026, 12, 1, tzinfo=UTC)


def vietnamese() -> tuple[list[str], list[int]]:
    """The recordings' words with their counts (a real text's word frequencies)."""
    counts: dict[str, int] = {}
    for expected in RECORDINGS.glob("*/article.expected.json"):
        article = json.loads(expected.read_text(encoding="utf-8"))
        for paragraph in [article.get("title") or "", article.get("lead") or "", *article.get("body", [])]:
            for word in WORD.findall(paragraph):
                counts[word] = counts.get(word, 0) + 1
    return list(counts), list(counts.values())


PAGE_HEADERS = [("Content-Type", "text/html; charset=utf-8")]


class Writer:
    """Synthetic fetched articles as the extract step hands them to the store: each fetch's page
    written as a WARC record of its own and read by the extractor, so ``verify`` and
    ``reextract`` meet real records, and a re-extraction finds what is stored."""

    def __init__(self, warc_dir: Path, seed: int = 11, prefix: str = "scale-block"):
        self.rng = random.Random(seed)
        self.vi = vietnamese()
        self.warcs = WarcStore(warc_dir, prefix=prefix)

    def close(self) -> None:
        self.warcs.close()

    def sentence(self, site: str, n: int) -> str:
        words = self.rng.choices(*self.vi, k=n) if site.endswith(".vn") else self.rng.choices(ENGLISH, k=n)
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def article(self, site: str, number: int, when: datetime, alias: bool = False) -> dict:
        url = f"https://{site}/bai-viet-{number}.htm"
        written = {
            "url": url + "?utm_source=rss" if alias else url,
            "canonical_url": url,
            "site": site,
            "title": self.sentence(site, self.rng.randint(8, 14)),
            "lead": self.sentence(site, 25),
            "body": [self.sentence(site, self.rng.randint(20, 40)) for _ in range(self.rng.randint(3, 9))],
            "author": " ".join(w.capitalize() for w in self.sentence(site, 2).rstrip(".").split()),
            "section": self.sentence(site, 1).rstrip("."),
            "published_at": when.isoformat(),
        }
        return self.fetch(written, when)

    def fetch(self, written: dict, when: datetime) -> dict:
        """The page as fetched at ``when``: its record written, its article as extracted."""
        page = _page(written).encode("utf-8")
        ref = self.warcs.write(Exchange(written["url"], 200, PAGE_HEADERS, page, when))
        article = article_from_page(page, written["url"], dict(PAGE_HEADERS), None, when)
        del article["needs_browser"]
        return article | {
            "written": written,
            "url": written["url"],
            "canonical_url": written["canonical_url"],
            "site": written["site"],
            "fetched_at": when.isoformat(),
            "status": 200,
            "final_url": written["url"],
            "snapshot": asdict(ref),
        }

    def edited(self, item: dict, when: datetime) -> dict:
        written = item["written"]
        return self.fetch(written | {"body": [*written["body"][:-1], self.sentence(written["site"], 30)]}, when)


def _page(written: dict) -> str:
    """A news page as a simple CMS prints one: headline, standfirst, byline, paragraphs."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in written["body"])
    lang = "vi" if written["site"].endswith(".vn") else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(written["title"])}'
        f'</title><link rel="canonical" href="{written["canonical_url"]}">'
        f'<meta name="author" content="{html.escape(written["author"])}">'
        f'<meta property="article:published_time" content="{written["published_at"]}">'
        f'<meta property="article:section" content="{html.escape(written["section"])}"></head><body>'
        f'<nav><a href="/">{written["site"]}</a></nav><article><h1>{html.escape(written["title"])}</h1>'
        f'<p class="sapo">{html.escape(written["lead"])}</p>{paragraphs}</article></body></html>'
    )


def seed_block(database_url: str, warc_dir: Path) -> None:
    """``BLOCK`` articles through ``Archive.save``, as crawls store them."""
    writer = Writer(warc_dir)
    clock_at = [STARTED]
    archive = Archive(database_url, clock=lambda: clock_at[0], warc_dir=warc_dir)
    for number in range(1, BLOCK + 1):
        when = STARTED - timedelta(seconds=86_400 * (BLOCK - number) / BLOCK)
        clock_at[0] = when
        item = writer.article(SITES[number % len(SITES)], number, when, alias=number % 4 == 0)
        archive.save(item)
        if number % 5 == 0:
            clock_at[0] = when + timedelta(minutes=40)
            archive.save(writer.edited(item, clock_at[0]))
    writer.close()
    close(database_url)


def _tables() -> dict[str, Table]:
    return Base.metadata.tables


def _shifted(dialect: str, column: str) -> str:
    """A time column, a day older for each copy."""
    if dialect == "sqlite":
        return f"strftime('%Y-%m-%d %H:%M:%S', {column}, '-' || copies.k || ' days') || substr({column}, 20)"
    return f"{column} - copies.k * interval '1 day'"


def copy_file(name: str, k: str) -> str:
    """Copy ``k``'s name of a block WARC file (SQL over ``name``, or a Python name with ``k`` an
    int): a link to the block's file (``link_copies``), so each copy's rows point at records
    that exist, at the block's offsets, and stay unique."""
    if k.isdigit():
        return name.replace(".warc.gz", f"-c{k}.warc.gz")
    return f"replace({name}, '.warc.gz', '-c' || {k} || '.warc.gz')"


def link_copies(url: str, warc_dir: Path) -> None:
    """The copies' WARC files: symbolic links to the block's (``copy_file``)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        copies = conn.scalar(select(func.count()).select_from(Article)) // BLOCK - 1
        files = list(
            conn.scalars(
                text(f"SELECT DISTINCT warc_file FROM snapshot WHERE article_id <= {BLOCK} AND warc_file IS NOT NULL")
            )
        )
    engine.dispose()
    for name in (n for n in files if "/" not in n):  # the block's own files, named inside WARC_DIR
        for k in range(1, copies + 1):
            link = warc_dir / copy_file(name, str(k))
            if not link.is_symlink():
                link.symlink_to(name)


def _copy_statements(dialect: str, maxima: dict[str, int]) -> list[str]:
    """One ``INSERT … SELECT`` per table: the block's rows, copied ``copies.k`` times over."""
    url = "replace({c}, '.htm', '-c' || copies.k || '.htm')"
    article, snapshot, version, alias = (maxima[t] for t in ("article", "snapshot", "article_version", "article_alias"))
    moved = {
        "article": {
            "id": f"id + copies.k * {article}",
            "canonical_url": url,
            "key": url,
            "next_check_at": f"CASE WHEN copies.k > {LADDER_DAYS} THEN NULL ELSE next_check_at END",
        },
        "article_alias": {
            "id": f"id + copies.k * {alias}",
            "article_id": f"article_id + copies.k * {article}",
            "url": url,
        },
        "snapshot": {
            "id": f"id + copies.k * {snapshot}",
            "url": url,
            "final_url": url,
            "article_id": f"article_id + copies.k * {article}",
            "warc_file": copy_file("warc_file", "copies.k"),
        },
        "article_version": {
            "id": f"id + copies.k * {version}",
            "article_id": f"article_id + copies.k * {article}",
            "snapshot_id": f"snapshot_id + copies.k * {snapshot}",
        },
        "search_entry": {
            "article_id": f"article_id + copies.k * {article}",
            "version_id": f"version_id + copies.k * {version}",
        },
        "article_band": {"article_id": f"article_id + copies.k * {article}", "band": "band + copies.k * 7919"},
    }
    times = {"first_seen_at", "last_seen_at", "fetched_at", "extracted_at"}
    statements = []
    for name, changes in moved.items():
        table = _tables()[name]
        limit = "article_id" if name in ("search_entry", "article_band") else "id"
        bound = maxima["article"] if limit == "article_id" else maxima[name]
        columns = [c.name for c in table.columns]
        values = [changes.get(c, _shifted(dialect, c) if c in times else c).format(c=c) for c in columns]
        statements.append(
            COPIES + f", block AS MATERIALIZED (SELECT * FROM {name} WHERE {limit} <= {bound}) "
            f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(values)} FROM block, copies"
        )
    if dialect == "sqlite":
        statements.append(
            COPIES
            + f"INSERT INTO article_search (rowid, title, text, ftitle, ftext) SELECT rowid + copies.k * {article}, "
            f"title, text, ftitle, ftext FROM article_search, copies WHERE article_search.rowid <= {article}"
        )
    else:
        statements.append(
            COPIES
            + f"INSERT INTO search_document (article_id, exact, folded) SELECT article_id + copies.k * {article}, "
            f"exact, folded FROM search_document, copies WHERE search_document.article_id <= {article}"
        )
    return statements


def grow(database_url: str, size: int) -> None:
    """Copy the block until the archive holds ``size`` articles."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        maxima = {  # the block's: its articles are the first BLOCK, the other rows theirs
            name: conn.scalar(select(func.max(_tables()[name].c.id)).where(_tables()[name].c.article_id <= BLOCK))
            for name in ("snapshot", "article_version", "article_alias")
        } | {"article": BLOCK}
        copies_done = conn.scalar(select(func.count()).select_from(Article)) // BLOCK - 1
    statements = _copy_statements(engine.dialect.name, maxima)
    wanted = size // BLOCK - 1
    for first in range(copies_done + 1, wanted + 1, COPIES_PER_STATEMENT):
        last = min(first + COPIES_PER_STATEMENT - 1, wanted)
        began = time.perf_counter()
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement), {"first": first, "last": last})
        print(
            f"  {(last + 1) * BLOCK:>9,} articles ({time.perf_counter() - began:.0f} s for {last - first + 1} copies)"
        )
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # rows copied with their ids: the next ones come after them
            for name in ("article", "snapshot", "article_version", "article_alias"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
        conn.execute(text(_site_recount()))  # the counts the store keeps, as migration 0014 makes them
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # as autovacuum would in time: fresh statistics, no dead rows (SQLite has no dead rows to clear)
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()


def _site_recount() -> str:
    path = ROOT / "archive" / "migrations" / "versions" / "0014_site_counts.py"
    spec = importlib.util.spec_from_file_location("site_counts_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RECOUNT


def _admin(server: str):
    return create_engine(server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")


def _postgres_database(server: str, name: str, template: str | None = None) -> tuple[str, bool]:
    """The URL of database ``name`` on ``server``, made (from ``template``) if missing; whether it was."""
    admin = _admin(server)
    with admin.connect() as conn:
        exists = bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}))
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name, not exists


def _count(url: str) -> int:
    engine = create_engine(_driver(url))
    upgrade(engine)
    with engine.connect() as conn:
        have = conn.scalar(select(func.count()).select_from(Article))
    engine.dispose()
    return have


def block_archive(kind: str, server: str | None) -> str:
    """The block, stored once through the store and kept: every size starts as a copy of it."""
    CACHE.mkdir(exist_ok=True)
    if kind == "sqlite":
        url = f"sqlite:///{CACHE / f'block-{EDITION}.db'}"
    else:
        url, _ = _postgres_database(server, f"newsarchive_scale{EDITION}_block")
    if _count(url) < BLOCK:
        began = time.perf_counter()
        seed_block(url, CACHE / "warc")
        print(f"{kind}: block of {BLOCK:,} articles stored through the store in {time.perf_counter() - began:.0f} s")
    close(url)
    return url


def archive_of(kind: str, size: int, server: str | None) -> str:
    """The archive of ``size`` articles, built from the block or kept from an earlier run."""
    block = block_archive(kind, server)
    if kind == "sqlite":
        path = CACHE / f"sqlite-{EDITION}-{size}.db"
        if not path.exists():
            shutil.copyfile(sqlite_file(block), path)
        url = f"sqlite:///{path}"
    else:
        url, _ = _postgres_database(
            server, f"newsarchive_scale{EDITION}_{size}", template=f"newsarchive_scale{EDITION}_block"
        )
    if _count(url) < size:
        began = time.perf_counter()
        grow(_driver(url), size)
        print(f"{kind} {size:,}: built in {time.perf_counter() - began:.0f} s")
    link_copies(_driver(url), CACHE / "warc")
    return url


def _driver(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def median_seconds(operation: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        operation()
        times.append(time.perf_counter() - began)
    return round(statistics.median(times), 5)


def measure(url: str, warc_dir: Path, size: int) -> dict[str, float]:
    """Every operation's cost on this archive (each leaves the archive as it found it, but for
    the articles it saves, which are ``REPEAT`` × 3 in an archive of ``size``)."""
    clock_at = [STARTED + timedelta(hours=1)]
    archive = Archive(url, clock=lambda: clock_at[0], warc_dir=warc_dir)
    run = int(time.time())  # this run's articles and records are its own: the archive is kept between runs
    writer = Writer(warc_dir, seed=run, prefix=f"scale-measured-{run}")
    site = SITES[3]
    # the pages are written and extracted before the saves are timed
    saved = [writer.article(site, run * 1000 + n, clock_at[0]) for n in range(REPEAT)]
    new = iter(saved)
    results = {"save_new": median_seconds(lambda: archive.save(next(new)))}
    again = iter([writer.fetch(item["written"], clock_at[0]) for item in saved])
    results["save_unchanged"] = median_seconds(lambda: archive.save(next(again)))
    edits = iter([writer.edited(item, clock_at[0]) for item in saved])
    results["save_updated"] = median_seconds(lambda: archive.save(next(edits)))
    known = [f"https://{site}/bai-viet-{n}.htm" for n in range(4, BLOCK, len(SITES))][:500]
    sitemap = known + [f"https://{site}/moi-{n}.htm" for n in range(1000 - len(known))]

    def scheduled_start() -> None:
        archive.hints_trusted(site)
        archive.due_articles(site, None, 300)
        archive.last_seen(sitemap)

    results["scheduled_start"] = median_seconds(scheduled_start, 5)
    tracemalloc.start()
    scheduled_start()
    results["scheduled_start_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
    tracemalloc.stop()
    results["due_rechecks"] = median_seconds(lambda: archive.due_articles(site, None, 300), 5)
    item = saved[0]
    bands = list(set(band_keys(to_bytes(signature(item["title"], item["body"])))))
    with archive.engine.connect() as conn:
        results["near_duplicate_lookup"] = median_seconds(
            lambda: conn.execute(_NEAR_CANDIDATES, {"bands": bands, "article": 0}).all()
        )
    results |= browser_pages(url, warc_dir, archive, writer, site, clock_at)
    results |= export_rate(url, SITES[5])
    writer.close()
    results |= verify_time(archive)
    results |= reextract_rate(archive)
    results["database_bytes_per_article"] = database_bytes(archive) // size
    close(url)
    return results


def browser_pages(url: str, warc_dir: Path, archive: Archive, writer: Writer, site: str, clock_at) -> dict:
    """The browser's pages, server time through the application (no network)."""
    from starlette.testclient import TestClient

    from archive.browser import create_app

    item = writer.article(site, int(time.time()) * 1000 + 999, clock_at[0])
    for _ in range(50):  # an article with 50 versions
        archive.save(item)
        clock_at[0] += timedelta(minutes=30)
        item = writer.edited(item, clock_at[0])
    with archive.Session() as session:
        article_id = session.scalar(select(Article.id).where(Article.canonical_url == item["canonical_url"]))
    common = max(range(len(writer.vi[0])), key=writer.vi[1].__getitem__)
    word = writer.vi[0][common]
    pages = {
        "browser:home": "/",
        "browser:search_common_word": f"/search?q={word}",
        "browser:search_filtered": f"/search?q={word}&site={site}&since=2026-11-20&until=2026-11-30",
        "browser:site": f"/sites/{site}/urls?prefix=https://{site}/bai-viet-5",
        "browser:article_50_versions": f"/article/{article_id}",
        "browser:diff": f"/article/{article_id}/diff",
    }
    client = TestClient(create_app(url, warc_dir), raise_server_exceptions=True)
    results = {}
    for name, path in pages.items():
        assert client.get(path).status_code == 200, path
        results[name] = median_seconds(lambda p=path: client.get(p), 11)
    return results


PEAK_MEMORY = (
    "import atexit, resource, runpy, sys; "
    "atexit.register(lambda: sys.stderr.write(f'peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')); "
    "sys.argv = ['archive', *sys.argv[1:]]; runpy.run_module('archive', run_name='__main__')"
)
"""``python -m archive`` that says its peak memory (KB) on its last line of stderr."""


def export_rate(url: str, site: str) -> dict[str, float]:
    """``archive export`` of one site (a twentieth of the archive), in a process of its own:
    articles a second, and the process's peak memory."""
    began = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        command = [sys.executable, "-c", PEAK_MEMORY, "export", "--site", site, "--database", url]
        done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, check=True)
        seconds = time.perf_counter() - began
        out.seek(0)
        lines = sum(1 for _ in out)
    peak_kb = int(done.stderr.strip().splitlines()[-1].split()[-1])
    return {"export_articles_per_s": round(lines / seconds), "export_peak_mb": round(peak_kb / 1024)}


VERIFIED = 100_000
"""Snapshots ``verify`` checks for its time (the first ones in record order)."""
REEXTRACTED = 2_000
"""Articles ``reextract`` re-reads for its rate."""


class _EnoughError(Exception):
    """Raised by a progress callback to end a long command once it has been timed long enough."""


def verify_time(archive: Archive) -> dict[str, float]:
    """``verify``'s check of the first ``VERIFIED`` snapshots in record order (each record read
    and its digest checked): seconds per 100,000 snapshots, and the problems it found (none)."""
    found, checked = [], [0]

    def told(count: int, _last: tuple) -> None:
        checked[0] = count
        if count >= VERIFIED:
            raise _EnoughError

    began = time.perf_counter()
    with archive.Session() as session, contextlib.suppress(_EnoughError):
        found.extend(snapshot_problems(session, lambda name: existing(archive.warc_path(name)), {}, told))
    seconds = time.perf_counter() - began
    return {"verify_s_per_100k": round(seconds * 100_000 / max(checked[0], 1), 2), "verify_problems": len(found)}


def reextract_rate(archive: Archive) -> dict[str, float]:
    """``reextract`` of the archive, its first ``REEXTRACTED`` articles (records read again,
    extracted by two workers, compared with the stored versions): articles a second, and the
    versions it stored (none: the pages read as they were stored). The block's own articles:
    a copy's snapshot is dated days before the page it points at says it was published, which
    a re-extraction rightly reads otherwise."""
    done = [0]

    def told(count: int, _last: int = 0) -> None:
        done[0] = count
        if count >= REEXTRACTED:
            raise _EnoughError

    versions = _versions(archive)
    began = time.perf_counter()
    with contextlib.suppress(_EnoughError):
        reextract(archive, lambda name, when: None, workers=2, progress=told)
    rate = round(done[0] / (time.perf_counter() - began))
    return {"reextract_articles_per_s": rate, "reextract_new_versions": _versions(archive) - versions}


def _versions(archive: Archive) -> int:
    with archive.engine.connect() as conn:
        return conn.scalar(select(func.max(ArticleVersion.id)))


def database_bytes(archive: Archive) -> int:
    if (path := sqlite_file(archive.database_url)) is not None:
        return path.stat().st_size
    with archive.engine.connect() as conn:
        return conn.scalar(text("SELECT pg_database_size(current_database())"))


def table(results: dict) -> str:
    lines = []
    for kind, by_size in results.items():
        sizes = list(by_size)
        operations = list(next(iter(by_size.values())))
        lines.append(f"{kind:32}" + "".join(f"{int(s):>14,}" for s in sizes) + f"{'largest/smallest':>18}")
        for op in operations:
            values = [by_size[s][op] for s in sizes]
            ratio = values[-1] / values[0] if values[0] else float("nan")
            lines.append(f"  {op:30}" + "".join(f"{v:>14}" for v in values) + f"{ratio:>18.2f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL server URL (make bench-scale starts one)")
    parser.add_argument("--sizes", default="10000,100000,2000000", help="PostgreSQL archive sizes")
    parser.add_argument("--sqlite-sizes", default="10000,100000,1000000", help="SQLite archive sizes")
    args = parser.parse_args()
    runs = {"postgresql": args.sizes if args.postgres else "", "sqlite": args.sqlite_sizes}
    results: dict[str, dict[str, dict]] = {}
    for kind, sizes in runs.items():
        for size in (int(s) for s in sizes.split(",") if s):
            if size % BLOCK:
                raise SystemExit(f"sizes are multiples of {BLOCK:,}: {size:,}")
            url = archive_of(kind, size, args.postgres)
            results.setdefault(kind, {})[str(size)] = measure(url, CACHE / "warc", size)
            print(f"{kind} {size:,}: measured")
    print(table(results))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scale-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
