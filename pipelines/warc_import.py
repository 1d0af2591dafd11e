"""Importing other crawlers' WARC files (``python -m archive import``): Browsertrix, Heritrix,
``wget --warc-file``, pywb, Common Crawl. Every HTML capture becomes a fetch through the same
steps as a crawl's — extraction with the URL's site rules, classification (what is not an
article is recorded with its reason), identity, aliases, versions in capture order,
near-duplicates — with snapshot rows pointing at the original records (no copy) and
``fetched_at`` its ``WARC-Date``.

Records are read in order, a batch at a time (memory stays flat), their payloads extracted on
worker processes; after each batch the file's checkpoint (``warc_file.imported_to``) moves past
it. Every write is idempotent (a record's snapshot row is unique, an unchanged capture makes no
version), so an import killed between a batch and its checkpoint repeats that batch harmlessly.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.decisions import NOT_FOUND, http_status
from archive.store import Archive
from archive.warc import NODE, READ_ERRORS, warc_files, whole_records
from pipelines.extraction.site_rules import SiteRules
from pipelines.extraction.urls import registered_host
from pipelines.record_extraction import Job, extract
from pipelines.workers import WorkerPool

PAYLOAD_RECORDS = ("response", "resource", "conversion")
"""Records holding a page: a response, a page stored as such, a rendered page."""
HTML_TYPES = ("text/html", "application/xhtml+xml")
BATCH = 128
"""Records read, extracted and stored together (memory per batch, not per file)."""
EXTRACT = "extract"
REVISIT = "revisit"


@dataclass(frozen=True)
class Record:
    """What the import needs of a WARC record; its payload stays in the file."""

    file: str
    offset: int
    length: int
    rec_type: str
    url: str
    date: datetime
    digest: str | None
    status: int | None
    content_type: str
    truncated: str | None

    def ref(self) -> dict:
        """The snapshot row's record: the original, where it is."""
        return {
            "file": self.file,
            "offset": self.offset,
            "length": self.length,
            "digest": self.digest,
            "record_id": "",
            "record_type": self.rec_type,
        }


def record_of(record, file: str, offset: int, length: int) -> Record:
    headers = record.rec_headers
    http = record.http_headers if record.rec_type in ("response", "revisit") else None
    content_type = (http.get_header("Content-Type") if http else headers.get_header("Content-Type")) or ""
    status = http.get_statuscode() if http else None
    date = headers.get_header("WARC-Date") or ""
    try:
        when = datetime.fromisoformat(date.replace("Z", "+00:00"))
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError:
        when = datetime.fromtimestamp(0, UTC)
    return Record(
        file=file,
        offset=offset,
        length=length,
        rec_type=record.rec_type,
        url=(headers.get_header("WARC-Target-URI") or "").strip("<>"),
        date=when,
        digest=headers.get_header("WARC-Payload-Digest"),
        status=int(status) if status and status.isdigit() else None,
        content_type=content_type.split(";")[0].strip().lower(),
        truncated=headers.get_header("WARC-Truncated"),
    )


def triage(record: Record) -> str:
    """What becomes of a record: ``extract``, ``revisit``, ``skipped:<why>`` (counted only) or
    ``dropped:<reason>`` (a snapshot row saying why it is not an article)."""
    if record.rec_type == REVISIT:
        return REVISIT
    if record.rec_type not in PAYLOAD_RECORDS:
        return f"skipped:{record.rec_type}"  # warcinfo, request, metadata
    if not record.url.startswith(("http://", "https://")):
        return "skipped:not_web"  # dns:, urn:, a crawler's own log
    if record.status is not None and record.status != 200:
        return f"dropped:{NOT_FOUND if record.status in (404, 410) else http_status(record.status)}"
    if record.content_type and record.content_type not in HTML_TYPES:
        return f"skipped:media:{record.content_type}"
    if record.truncated:
        return f"dropped:truncated_{record.truncated}"
    return EXTRACT


@dataclass
class Planned:
    """A batch being extracted: its records with pages, the rows of the others, the results to come."""

    file: str
    end: int
    work: list[Record]
    rows: list[dict]
    results: Callable[[], Iterator[dict | str]]


class Progress:
    """A progress line on a terminal (records, articles, rate, time left); silent otherwise."""

    def __init__(self, total_bytes: int, stream=sys.stderr):
        self.total, self.stream = max(total_bytes, 1), stream
        self.on = bool(getattr(stream, "isatty", lambda: False)())
        self.start = self.last = time.monotonic()

    def show(self, done_bytes: int, counts: Counter, final: bool = False) -> None:
        now = time.monotonic()
        if not self.on or (now - self.last < 0.5 and not final):
            return
        self.last = now
        seconds = max(now - self.start, 1e-6)
        left = (self.total - done_bytes) / max(done_bytes / seconds, 1)
        articles = counts["new"] + counts["updated"]
        line = (
            f"\r{counts['records']} records, {articles} articles ({articles / seconds:.0f}/s), "
            f"{100 * done_bytes / self.total:.0f} %, {left:.0f} s left "
        )
        self.stream.write(line + ("\n" if final else ""))
        self.stream.flush()


class Importer:
    """Imports WARC files into ``archive``, extracting on ``pool`` (running
    ``pipelines.record_extraction``'s tasks)."""

    def __init__(
        self,
        archive: Archive,
        rules_for_url: Callable[[str, datetime | None], SiteRules | None],
        pool: WorkerPool,
        site: str | None = None,
        since: datetime | None = None,
    ):
        self.archive = archive
        self.rules_for_url = rules_for_url
        self.pool = pool
        self.site = site
        self.since = since
        self.counts: Counter = Counter()
        self.damaged: dict[str, str] = {}
        self.payloads: dict[str, tuple[str, int]] = {}
        """Payload digest -> the record holding it, for this import's revisits."""
        self.run_id: int | None = None

    def site_of(self, url: str) -> str:
        rules = self.rules_for_url(url)
        return rules.name if rules else registered_host(url)

    def run(self, paths: Iterable[str | os.PathLike]) -> Counter:
        files = [f.resolve() for path in paths for f in warc_files(path)]
        progress = Progress(sum(f.stat().st_size for f in files))
        self.run_id = self.archive.start_run("import", node=NODE, pid=os.getpid())
        self.pool.start()  # a no-op when the caller started it first (`archive import` does)
        outcome, done_before = "failed", 0
        try:
            for file in files:
                for offset in self._file(str(file)):
                    progress.show(done_before + offset, self.counts)
                done_before += file.stat().st_size
            outcome = "finished"
        except KeyboardInterrupt:
            outcome = "shutdown"
            raise
        finally:
            self.pool.close()
            progress.show(done_before, self.counts, final=True)
            stats = {k: v for k, v in self.counts.items()} | {
                "response_received_count": self.counts["payloads"],
                **{f"articles/{k}": self.counts[k] for k in ("new", "updated", "unchanged", "alias") if self.counts[k]},
            }
            error = "; ".join(f"{f}: {why}" for f, why in self.damaged.items()) or None
            self.archive.finish_run(self.run_id, stats, outcome, error)
        return self.counts

    def _file(self, file: str) -> Iterator[int]:
        """Import one file from its checkpoint, a batch at a time, the next batch extracting
        while the one before is stored; yields the offset reached after each batch."""
        start = self.archive.imported_to(file)
        batch: list[tuple[Record, str]] = []
        end, pending = start, None
        with open(file, "rb") as fh:
            try:
                for record, offset, length in whole_records(fh, start=start):
                    batch.append((rec := record_of(record, file, offset, length), triage(rec)))
                    end = offset + length
                    if len(batch) == BATCH:
                        planned, batch = self._plan(batch, file, end), []
                        if pending is not None:
                            yield self._store(pending)
                        pending = planned
            except READ_ERRORS as exc:
                self.damaged[file] = f"{exc.__class__.__name__}: {exc}"[:300]
                self.counts["damaged"] += 1
        last = self._plan(batch, file, end) if batch or pending is None else None
        for planned in (pending, last):
            if planned is not None:
                yield self._store(planned)

    def _plan(self, batch: list[tuple[Record, str]], file: str, end: int) -> Planned:
        """Sort a batch's records out and start extracting its pages on the workers."""
        jobs, work, rows = [], [], []
        for record, what in batch:
            self.counts["records"] += 1
            if what in (EXTRACT, REVISIT):
                what = self._selected(record) or what
            if what == EXTRACT:
                self.payloads.setdefault(record.digest or "", (record.file, record.offset))
                jobs.append(
                    Job(
                        record.file, record.offset, record.url, record.date, self.rules_for_url(record.url, record.date)
                    )
                )
                work.append(record)
            elif what == REVISIT:
                source = self._revisited(record)
                if source is None:
                    rows.append(self._row(record, "dropped:revisit_unresolved"))
                    continue
                jobs.append(Job(*source, record.url, record.date, self.rules_for_url(record.url, record.date)))
                work.append(record)
            elif what.startswith("skipped:"):
                self.counts[what] += 1
            else:
                rows.append(self._row(record, what))
        self.counts["payloads"] += len(jobs)
        return Planned(file, end, work, rows, self.pool.submit(extract, jobs))

    def _store(self, planned: Planned) -> int:
        """Store a batch's articles and rows in record order, then move the file's checkpoint past it."""
        rows = planned.rows
        for record, article in zip(planned.work, planned.results(), strict=True):
            if isinstance(article, str):
                rows.append(self._row(record, article))
                continue
            item = article | {
                "url": record.url,
                "final_url": record.url,
                "status": record.status or 200,
                "fetched_at": record.date.isoformat(),
                "content_type": record.content_type or "text/html",
                "site": self.site_of(record.url),
                "snapshot": record.ref(),
            }
            self.counts[self.archive.save(item, self.run_id).outcome] += 1
        if rows:
            self.archive.record_fetches(rows, self.run_id)
            for row in rows:
                self.counts[row["outcome"]] += 1
        self.archive.set_imported_to(planned.file, planned.end)
        return planned.end

    def _selected(self, record: Record) -> str | None:
        """``skipped:…`` when ``--since`` or ``--site`` leaves the record out."""
        if self.since and record.date < self.since:
            return "skipped:before_since"
        if self.site and self.site_of(record.url) not in (self.site, self.site.split(".")[0]):
            return "skipped:other_site"
        return None

    def _revisited(self, record: Record) -> tuple[str, int] | None:
        """The record holding a revisit's payload: one this import read, else one the archive has."""
        if record.digest in self.payloads:
            return self.payloads[record.digest]
        capture = self.archive.previous_capture(record.url, record.digest or "")
        if capture is None or capture.warc_file is None:
            return None
        return str(self.archive.warc_path(capture.warc_file)), capture.warc_offset

    @staticmethod
    def _row(record: Record, outcome: str) -> dict:
        return {
            "url": record.url,
            "final_url": record.url,
            "status": record.status,
            "fetched_at": record.date.isoformat(),
            "content_type": record.content_type or None,
            "ref": record.ref(),
            "outcome": outcome,
            "detail": record.truncated and f"WARC-Truncated: {record.truncated}",
        }


def import_warcs(
    archive: Archive,
    paths: Iterable[str | os.PathLike],
    rules_for_url: Callable[[str, datetime | None], SiteRules | None],
    pool: WorkerPool,
    site: str | None = None,
    since: datetime | None = None,
) -> tuple[Counter, dict[str, str]]:
    """Outcome counts of importing ``paths`` (files or folders), and the files found damaged."""
    importer = Importer(archive, rules_for_url, pool, site, since)
    counts = importer.run(paths)
    return counts, importer.damaged
