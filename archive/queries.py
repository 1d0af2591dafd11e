"""Reading the archive: article lists, one article with its history, totals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from archive.keys import canonical_url
from archive.models import Article, ArticleAlias, ArticleVersion, CrawlRun, NearDuplicate, Site, Snapshot
from archive.recheck_policy import aware
from archive.schema import VERSIONED_FIELDS


def _iso(value) -> str | None:
    """A stored time in ISO 8601, in UTC (SQLite gives it back without its zone)."""
    return aware(value).isoformat() if value is not None else None


def list_articles(session: Session, site: str | None = None, limit: int | None = None) -> list[dict]:
    latest = (
        select(ArticleVersion.article_id, func.max(ArticleVersion.number).label("number"))
        .group_by(ArticleVersion.article_id)
        .subquery()
    )
    query = (
        select(Site.name, Article.canonical_url, ArticleVersion.title, ArticleVersion.published_at, latest.c.number)
        .join(Article, Article.site_id == Site.id)
        .join(latest, latest.c.article_id == Article.id)
        .join(ArticleVersion, (ArticleVersion.article_id == Article.id) & (ArticleVersion.number == latest.c.number))
        .order_by(ArticleVersion.published_at.desc(), Article.id)
    )
    if site:
        query = query.where(Site.name == site)
    if limit:
        query = query.limit(limit)
    return [
        {"site": s, "url": u, "title": t, "published_at": p, "versions": n} for s, u, t, p, n in session.execute(query)
    ]


def find_article(session: Session, url: str) -> Article | None:
    """The article at ``url``: its canonical URL or any alias, as given or canonicalized."""
    candidates = {url, canonical_url(url)}
    options = (selectinload(Article.versions), selectinload(Article.aliases), selectinload(Article.site))
    article = session.scalar(select(Article).where(Article.canonical_url.in_(candidates)).options(*options))
    if article is None:
        article = session.scalar(
            select(Article).join(ArticleAlias).where(ArticleAlias.url.in_(candidates)).options(*options)
        )
    return article


def version_dict(version: ArticleVersion) -> dict:
    return {
        "number": version.number,
        "fingerprint": version.fingerprint,
        "extracted_at": _iso(version.extracted_at),
        **{f: getattr(version, f) for f in VERSIONED_FIELDS},
        "snapshot_id": version.snapshot_id,
        "paywalled": version.paywalled,
        "extractor_version": version.extractor_version,
        "provenance": version.provenance,
        "change_class": version.change_class,
    }


def article_dict(session: Session, article: Article) -> dict:
    """The latest version's fields at the top, with every version and snapshot below."""
    snapshots = session.scalars(select(Snapshot).where(Snapshot.article_id == article.id).order_by(Snapshot.id))
    latest = version_dict(article.versions[-1]) if article.versions else {}
    return {
        "url": article.canonical_url,
        "canonical_url": article.canonical_url,
        "site": article.site.name,
        **{k: v for k, v in latest.items() if k not in ("number", "fingerprint", "extracted_at", "snapshot_id")},
        "fingerprint": latest.get("fingerprint"),
        "aliases": [a.url for a in article.aliases],
        "first_seen_at": _iso(article.first_seen_at),
        "last_seen_at": _iso(article.last_seen_at),
        "versions": [version_dict(v) for v in article.versions],
        "snapshots": [
            {
                "id": s.id,
                "url": s.url,
                "status": s.status,
                "fetched_at": _iso(s.fetched_at),
                "outcome": s.outcome,
                "warc_file": s.warc_file,
                "warc_offset": s.warc_offset,
                "payload_digest": s.payload_digest,
            }
            for s in snapshots
        ],
    }


def totals(session: Session) -> dict:
    per_site = session.execute(
        select(Site.name, func.count(Article.id)).join(Article, isouter=True).group_by(Site.name).order_by(Site.name)
    ).all()
    outcomes = session.execute(select(Snapshot.outcome, func.count()).group_by(Snapshot.outcome)).all()
    last_run = session.scalar(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1))
    return {
        "sites": {name: count for name, count in per_site},
        "articles": session.scalar(select(func.count(Article.id))),
        "versions": session.scalar(select(func.count(ArticleVersion.id))),
        "aliases": session.scalar(select(func.count(ArticleAlias.id))),
        "snapshots": session.scalar(select(func.count(Snapshot.id))),
        "near_duplicates": session.scalar(select(func.count(NearDuplicate.id))),
        "snapshot_outcomes": dict(sorted(outcomes)),
        "crawl_runs": session.scalar(select(func.count(CrawlRun.id))),
        "last_run": None
        if last_run is None
        else {"spider": last_run.spider, "started_at": _iso(last_run.started_at), "outcome": last_run.outcome},
    }


def history(article: Article) -> list[dict]:
    """Versions in order, each with its time, change class and a one-line summary."""
    from archive.versions import summary

    return [
        {
            "number": v.number,
            "fetched_at": _iso(v.snapshot.fetched_at),
            "extracted_at": _iso(v.extracted_at),
            "change_class": v.change_class or "first",
            "summary": summary(v.diff or {}, v.change_class or "first"),
            "extractor_version": v.extractor_version,
        }
        for v in article.versions
    ]


def near_duplicate_clusters(session: Session, site: str | None = None) -> list[list[dict]]:
    """Each original with the copies linked to it, the most similar first."""
    copies: dict[int, list[NearDuplicate]] = defaultdict(list)
    for link in session.scalars(select(NearDuplicate).order_by(NearDuplicate.similarity.desc())):
        copies[link.original_id].append(link)
    clusters = []
    for original_id, links in copies.items():
        members = [(session.get(Article, original_id), None), *((link.article, link.similarity) for link in links)]
        if site and not any(article.site.name == site for article, _ in members):
            continue
        clusters.append(
            [
                {
                    "url": article.canonical_url,
                    "site": article.site.name,
                    "title": article.versions[-1].title if article.versions else None,
                    "role": "original" if similarity is None else "copy",
                    "similarity": similarity,
                }
                for article, similarity in members
            ]
        )
    return clusters


def _aware_iso(value: datetime | None) -> str | None:
    """A stored time with its offset (SQLite keeps UTC times without one)."""
    return None if value is None else aware(value).astimezone(UTC).isoformat()


EXPORT_BATCH = 500
"""Articles an export reads at once (``export_rows``)."""


def export_rows(
    session: Session,
    since: date | None = None,
    site: str | None = None,
    all_versions: bool = False,
    until: date | None = None,
    after: int = 0,
    size: int = EXPORT_BATCH,
) -> Iterator[dict]:
    """The latest version of every article (or every version), as a flat dict with the schema's
    fields, its identity key and the WARC record it was read from, in article order from the
    article after id ``after`` (an export cut short goes on from its last article). Walked
    ``size`` articles at a time, three short reads each (the articles by key order, their
    versions with snapshots, their aliases): memory stays flat, and nothing is sorted or grouped
    over the whole archive, nor looked up once per article."""
    while True:
        articles = _next_articles(after, size, site, Article.canonical_url, Article.key, Site.name)
        batch = {row.id: row for row in session.execute(articles)}
        if not batch:
            return
        after = max(batch)
        yield from _export_batch(session, batch, all_versions, since, until)
        session.expunge_all()  # the batch's versions and snapshots: read, written, let go


def _next_articles(after: int, size: int, site: str | None, *columns):
    """The next ``size`` articles after id ``after`` (of ``site``, when given), in id order: the
    step of every walk of the whole archive (their id, then ``columns``)."""
    query = select(Article.id, *columns).join(Site).where(Article.id > after).order_by(Article.id).limit(size)
    return query.where(Site.name == site) if site else query


def _export_batch(session: Session, batch: dict, all_versions: bool, since, until) -> Iterator[dict]:
    ids = list(batch)
    versions = (
        select(ArticleVersion, Snapshot)
        .outerjoin(Snapshot, Snapshot.id == ArticleVersion.snapshot_id)
        .where(ArticleVersion.article_id.in_(ids))
        .order_by(ArticleVersion.article_id, ArticleVersion.number)
    )
    if not all_versions:
        latest = select(func.max(ArticleVersion.id)).where(ArticleVersion.article_id.in_(ids))
        versions = versions.where(ArticleVersion.id.in_(latest.group_by(ArticleVersion.article_id)))
    aliases = defaultdict(list)
    query = select(ArticleAlias.article_id, ArticleAlias.url).where(ArticleAlias.article_id.in_(ids))
    for article_id, url in session.execute(query.order_by(ArticleAlias.id)):
        aliases[article_id].append(url)
    for version, snapshot in session.execute(versions).all():
        published = datetime.fromisoformat(version.published_at).date() if version.published_at else None
        if (since and not (published and published >= since)) or (until and not (published and published <= until)):
            continue
        article = batch[version.article_id]
        yield {
            "url": snapshot.url if snapshot else article.canonical_url,
            "canonical_url": article.canonical_url,
            "site": article.name,
            **{f: getattr(version, f) for f in VERSIONED_FIELDS},
            "article_key": article.key,
            "page_type": "paywalled" if version.paywalled else "article",
            "provenance": version.provenance,
            "extractor_version": version.extractor_version,
            "fingerprint": version.fingerprint,
            "fetched_at": _aware_iso(snapshot.fetched_at) if snapshot else None,
            "snapshot": _record(snapshot),
            "version": version.number,
            "change_class": version.change_class,
            "aliases": aliases[version.article_id],
        }


def _record(snapshot: Snapshot | None) -> dict | None:
    """A snapshot's WARC record, as ``archive.warc.RecordRef`` names its fields."""
    if snapshot is None or snapshot.warc_file is None:
        return None
    return {
        "file": snapshot.warc_file,
        "offset": snapshot.warc_offset,
        "length": snapshot.warc_length,
        "digest": snapshot.payload_digest,
        "record_type": snapshot.record_type,
    }


RUN_COUNTS = ("articles/new", "articles/updated", "articles/unchanged", "articles/cosmetic", "articles/alias")


def recent_runs(session: Session, site: str | None = None, limit: int = 20) -> list[dict]:
    """Newest crawl runs first, with their article counts, errors and outcome."""
    query = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
    if site:
        spider = site.split(".")[0]
        query = query.where(CrawlRun.spider.in_((site, spider)))
    rows = []
    for run in session.scalars(query):
        stats = run.stats or {}
        counts = {k.split("/", 1)[1]: stats[k] for k in RUN_COUNTS if stats.get(k)}
        errors = sum(v for k, v in stats.items() if k.startswith(("fetch/failed/", "store/failed")))
        if errors:
            counts["errors"] = errors
        rows.append(
            {
                "id": run.id,
                "spider": run.spider,
                "started_at": _iso(run.started_at),
                "finished_at": _iso(run.finished_at),
                "outcome": run.outcome,
                "counts": counts,
                "error": run.error,
            }
        )
    return rows


PROBLEM_OUTCOMES = ("dropped:", "refused:", "failed:")


def run_failures(session: Session, run_id: int | None = None) -> tuple[int | None, list[dict]]:
    """The requests of a run (default: the latest) that did not end well: dropped, refused or
    failed, with the reason and its detail."""
    if run_id is None:
        run_id = session.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1))
    query = (
        select(Snapshot.url, Snapshot.status, Snapshot.outcome, Snapshot.detail)
        .where(Snapshot.crawl_run_id == run_id)
        .where(or_(*(Snapshot.outcome.startswith(p) for p in PROBLEM_OUTCOMES)))
        .order_by(Snapshot.outcome, Snapshot.id)
    )
    return run_id, [
        {"url": url, "status": status, "outcome": outcome, "detail": detail}
        for url, status, outcome, detail in session.execute(query)
    ]


LATEST_BATCH = 500
"""Articles whose latest snapshots are read at once by ``latest_snapshot_batches``."""


def latest_snapshot_batches(
    sessions: Callable[[], Session],
    site: str | None = None,
    since: datetime | None = None,
    size: int = LATEST_BATCH,
    after: int = 0,
) -> Iterator[list[tuple]]:
    """Every article's latest kept snapshot, with the name of the article's site and the
    content digest of its latest version (what ``reextract`` reads again and compares), a
    batch of ``size`` articles at a time in article order: each batch one short read of its
    own (``sessions``), through the articles' keys and the snapshots' and versions' article
    indexes — never a grouping of the whole snapshot table, nor every article's digest held
    at once (at 2 million articles, a 2-million-entry dict). From the article after id ``after``."""
    while True:
        with sessions() as session:
            ids = list(session.scalars(_next_articles(after, size, site)))
            if not ids:
                return
            after = ids[-1]
            latest = (
                select(func.max(Snapshot.id))
                .where(Snapshot.article_id.in_(ids), Snapshot.outcome.not_like("dropped:%"))
                .group_by(Snapshot.article_id)
            )
            query = (
                select(Snapshot, Site.name)
                .join(Article, Article.id == Snapshot.article_id)
                .join(Site)
                .where(Snapshot.id.in_(latest))
                .order_by(Snapshot.id)
            )
            if since:
                query = query.where(Snapshot.fetched_at >= since)
            rows = session.execute(query).all()
            digests = latest_digests(session, ids)
        if rows:
            yield [(snapshot, name, digests.get(snapshot.article_id)) for snapshot, name in rows]


def latest_digests(session: Session, article_ids: list[int]) -> dict[int, str]:
    """Article id -> content digest of its latest version, for these articles."""
    latest = (
        select(func.max(ArticleVersion.id))
        .where(ArticleVersion.article_id.in_(article_ids))
        .group_by(ArticleVersion.article_id)
    )
    rows = session.execute(
        select(ArticleVersion.article_id, ArticleVersion.content_digest).where(ArticleVersion.id.in_(latest))
    )
    return {article_id: digest for article_id, digest in rows if digest}
