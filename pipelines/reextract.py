"""Re-running extraction on archived snapshots with the current extractor, offline.

For each article (optionally of one site, or fetched since a date), the latest snapshot is
read back from its WARC record (a revisit resolves to the response it refers to) and
extracted again; the archive stores a new version only where the result changed, with
the current extractor version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from archive.keys import content_digest
from archive.models import Snapshot
from archive.queries import latest_snapshot_batches
from archive.recheck_policy import aware
from archive.store import Archive
from archive.warc import RecordRef, read_response
from pipelines.extraction.article import article_from_page
from pipelines.extraction.classify import ARCHIVED_TYPES
from pipelines.extraction.site_rules import SiteRules
from pipelines.workers import WorkerPool


@dataclass(frozen=True)
class Job:
    """What a worker needs to re-extract one snapshot (no database access)."""

    warc_file: str
    warc_offset: int
    url: str
    rules: SiteRules | None
    fetched_at: datetime


def extract_record(job: Job) -> dict | str:
    """The cleaned article of an archived record with its content digest, or why it failed
    (run in a worker process: reading, parsing and cleaning are the CPU-heavy part)."""
    try:
        stored = read_response(job.warc_file, job.warc_offset)
        # unsigned: most re-extractions change nothing, and the store signs what becomes a version
        article = article_from_page(
            stored.body, job.url, dict(stored.headers), job.rules, aware(job.fetched_at), sign=False
        )
    except (OSError, ValueError) as exc:
        return f"failed: {exc.__class__.__name__}"
    if article["page_type"] not in ARCHIVED_TYPES:
        return f"not archived: {article['page_type']}"
    article["content_digest"] = content_digest(article)
    return article


def reextract(
    archive: Archive,
    rules_of: Callable[[str, datetime], SiteRules | None],
    site: str | None = None,
    since: datetime | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] = lambda articles, last: None,
    after: int = 0,
) -> Counter:
    """Outcome counts (``updated``, ``unchanged``, …, ``failed``) of re-extracting every article
    with the rules ``rules_of(site name, fetch time)`` (the article's site's, wherever its pages
    were fetched from, in the version in force when the snapshot was fetched). Extraction runs
    on ``workers`` processes (default: one per core; 0 or 1: in this process); an article whose
    re-extracted content equals its latest version costs no database write. Articles are read
    a batch at a time, and the workers extract the next batch while this one is stored, so
    memory stays that of a batch whatever the archive's size; ``progress`` is told how many
    articles are done and the id of the last one stored, from which ``after`` goes on (a batch
    re-extracted twice stores nothing twice: the second time its articles read as stored)."""
    outcomes: Counter = Counter()
    pool = WorkerPool.for_command(workers, __name__)
    done = 0
    try:
        pending = None
        for batch in latest_snapshot_batches(archive.Session, site, since, after=after):
            started = (batch, pool.submit(extract_record, [_job(archive, rules_of, s, name) for s, name, _ in batch]))
            if pending is not None:
                done += _store(archive, *pending, outcomes)
                progress(done, max(s.article_id for s, _, _ in pending[0]))
            pending = started
        if pending is not None:
            done += _store(archive, *pending, outcomes)
            progress(done, max(s.article_id for s, _, _ in pending[0]))
    finally:
        pool.close()
    return outcomes


def _job(archive: Archive, rules_of, snapshot: Snapshot, site_name: str) -> Job:
    """The snapshot's record to read again (a revisit's: the response it refers to)."""
    source = snapshot
    if snapshot.record_type == "revisit":
        source = archive.previous_capture(snapshot.url, snapshot.payload_digest) or snapshot
    file = str(archive.warc_path(source.warc_file))
    return Job(
        file, source.warc_offset, snapshot.final_url, rules_of(site_name, snapshot.fetched_at), snapshot.fetched_at
    )


def _store(archive: Archive, batch: list[tuple], results: Callable[[], Iterator], outcomes: Counter) -> int:
    """The batch's re-extracted articles counted, those that changed stored as new versions."""
    for (snapshot, _, digest), article in zip(batch, results(), strict=True):
        if isinstance(article, str):
            outcomes[article] += 1
        elif digest == article["content_digest"]:
            outcomes["unchanged"] += 1
        else:
            item = article | {
                "url": snapshot.url,
                "final_url": snapshot.final_url,
                "status": snapshot.status,
                "fetched_at": snapshot.fetched_at,
                "snapshot": asdict(snapshot_ref(snapshot, str(archive.warc_path(snapshot.warc_file)))),
            }
            outcomes[archive.save(item).outcome] += 1
    return len(batch)


def snapshot_ref(snapshot: Snapshot, path: str) -> RecordRef:
    """The snapshot's record as a fetch hands it to the store: by its file's path (``path``), which
    the store names again relative to ``WARC_DIR`` and so finds the row it has — the stored name
    itself would be read from the working directory, and the new version would point at a
    snapshot row of a file that is not there."""
    return RecordRef(
        file=path,
        offset=snapshot.warc_offset,
        length=snapshot.warc_length,
        digest=snapshot.payload_digest,
        record_id="",
        record_type=snapshot.record_type,
    )
