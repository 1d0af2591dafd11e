"""Re-running extraction on archived snapshots with the current extractor, offline.

For each article (optionally of one site, or fetched since a date), the latest snapshot is
read back from its WARC record (a revisit resolves to the response it refers to) and
extracted again; the archive stores a new version only where the result changed, with
the current extractor version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, select

from archive.models import Article, Site, Snapshot
from archive.store import Archive
from archive.warc import RecordRef, read_response
from pipelines.extraction.article import extract_article


def latest_snapshots(archive: Archive, site: str | None = None, since: datetime | None = None) -> list[Snapshot]:
    with archive.Session() as session:
        latest = (
            select(func.max(Snapshot.id))
            .where(Snapshot.article_id.is_not(None), Snapshot.outcome.not_like("dropped:%"))
            .group_by(Snapshot.article_id)
        )
        query = select(Snapshot).where(Snapshot.id.in_(latest)).order_by(Snapshot.id)
        if site:
            query = query.join(Article, Article.id == Snapshot.article_id).join(Site).where(Site.name == site)
        if since:
            query = query.where(Snapshot.fetched_at >= since)
        return list(session.scalars(query))


def reextract(archive: Archive, site: str | None = None, since: datetime | None = None) -> Counter:
    """Outcome counts (``updated``, ``unchanged``, …, ``failed``) of re-extracting every article."""
    outcomes: Counter = Counter()
    for snapshot in latest_snapshots(archive, site, since):
        source = snapshot
        if snapshot.record_type == "revisit":
            source = archive.previous_capture(snapshot.url, snapshot.payload_digest) or snapshot
        try:
            stored = read_response(source.warc_file, source.warc_offset)
            article = extract_article(stored.body, snapshot.final_url, dict(stored.headers))
        except (OSError, ValueError) as exc:
            outcomes[f"failed: {exc.__class__.__name__}"] += 1
            continue
        if article["page_type"] not in ("article", "paywalled"):
            outcomes[f"not archived: {article['page_type']}"] += 1
            continue
        item = article | {
            "url": snapshot.url,
            "final_url": snapshot.final_url,
            "status": snapshot.status,
            "fetched_at": snapshot.fetched_at,
            "snapshot": asdict(snapshot_ref(snapshot)),
        }
        outcomes[archive.save(item).outcome] += 1
    return outcomes


def snapshot_ref(snapshot: Snapshot) -> RecordRef:
    return RecordRef(
        file=snapshot.warc_file,
        offset=snapshot.warc_offset,
        length=snapshot.warc_length,
        digest=snapshot.payload_digest,
        record_id="",
        record_type=snapshot.record_type,
    )
