"""``python -m archive verify``: does the archive hold what its rows say?

Every snapshot row's WARC record must exist at its offset, be of its record type, carry
its payload digest (and the payload must hash to it), and span the stored length; every
WARC file must read to its end; no crawl run may be left ``running`` by a crawl that is
gone. Each mismatch is reported; nothing is changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive.models import Snapshot
from archive.store import Archive
from archive.warc import OPEN_SUFFIX, READ_ERRORS, existing, warc_files, whole_records, writer_pid


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _read_record(path: Path, offset: int):
    """(record type, WARC-Payload-Digest, digest check passed, record length) at ``offset``."""
    with path.open("rb") as fh:
        fh.seek(offset)
        iterator = ArchiveIterator(fh, check_digests=True)
        record = next(iterator)
        record.content_stream().read()
        passed = record.digest_checker.passed is not False
        kind, digest = record.rec_type, record.rec_headers.get_header("WARC-Payload-Digest")
        iterator.read_to_end(record)
        return kind, digest, passed, iterator.get_record_length()


RecordKey = tuple[str, int]
"""(WARC file, offset): where a snapshot's record is, the order ``verify`` walks them in."""


def snapshot_problems(
    session: Session,
    resolve: Callable[[str], Path],
    paths: dict[str, Path],
    progress: Callable[[int, RecordKey], None],
    after: RecordKey | None = None,
) -> Iterator[Problem]:
    """The snapshot rows' problems, read in the order of their records (file, offset: one pass
    along each file, whatever the disk), from the record after ``after`` on, streamed a thousand
    rows at a time (millions of rows are never held at once); each file's path is resolved once
    into ``paths``. ``progress`` is told how many were checked and the last one's key."""
    query = (
        select(
            Snapshot.id,
            Snapshot.warc_file,
            Snapshot.warc_offset,
            Snapshot.warc_length,
            Snapshot.payload_digest,
            Snapshot.record_type,
        )
        .where(Snapshot.warc_file.is_not(None))
        .order_by(Snapshot.warc_file, Snapshot.warc_offset)
        .execution_options(yield_per=1000)
    )
    if after is not None:
        query = query.where(tuple_(Snapshot.warc_file, Snapshot.warc_offset) > tuple_(*after))
    for count, (sid, file, offset, length, digest, record_type) in enumerate(session.execute(query), 1):
        if (path := paths.get(file)) is None:
            path = paths[file] = resolve(file)
        for what in _record_problems(path, offset, length, digest, record_type):
            yield Problem(f"snapshot {sid} ({file}@{offset})", what)
        progress(count, (file, offset))


def _record_problems(path: Path, offset: int, length: int | None, digest: str | None, record_type: str):
    if not path.exists():
        yield "WARC file missing"
        return
    try:
        kind, stored_digest, passed, record_length = _read_record(path, offset)
    except (*READ_ERRORS, StopIteration) as exc:
        yield f"no readable record at the offset ({exc.__class__.__name__})"
        return
    if kind != record_type:
        yield f"record is a {kind}, the row says {record_type}"
    if digest and stored_digest != digest:
        yield f"payload digest {stored_digest} != {digest}"
    if not passed:
        yield "payload does not hash to its digest"
    if length and record_length != length:
        yield f"record length {record_length} != {length}"


def file_problems(files: list[Path]) -> Iterator[Problem]:
    for path in files:
        try:
            with path.open("rb") as fh:
                for _ in whole_records(fh, check_digests=True):
                    pass
        except READ_ERRORS as exc:
            yield Problem(str(path), f"unreadable past some point ({exc.__class__.__name__}: {str(exc)[:120]})")


def run_problems(
    archive: Archive, node: str, alive: Callable[[int], bool], stale_after: timedelta
) -> Iterator[Problem]:
    for run in archive.stale_runs(node, alive, stale_after):
        yield Problem(f"crawl run {run.id} ({run.spider})", "left running by a crawl that is gone")


def verify(
    archive: Archive,
    warc_dir: str | os.PathLike | None,
    node: str,
    alive,
    stale_after,
    progress: Callable[[int, RecordKey], None] = lambda snapshots, last: None,
    after: RecordKey | None = None,
) -> Iterator[Problem]:
    """Every problem, as it is found (a long check of a large archive says what it found so
    far when interrupted); the snapshots from the record after ``after`` on (an interrupted
    check goes on), then every file; ``progress`` is told how many snapshots were checked and
    the last one's record."""
    directory = Path(warc_dir) if warc_dir else None

    def resolve(name: str) -> Path:
        return existing(archive.warc_path(name))

    paths: dict[str, Path] = {}
    with archive.Session() as session:
        yield from snapshot_problems(session, resolve, paths, progress, after)
    referenced = set(paths.values())
    on_disk = set(warc_files(directory)) if directory is not None and directory.is_dir() else set()
    files = sorted(p for p in referenced | on_disk if p.exists())
    being_written = [p for p in files if p.name.endswith(OPEN_SUFFIX) and alive(writer_pid(p) or 0)]
    for p in files:
        if p.name.endswith(OPEN_SUFFIX) and p not in being_written:
            yield Problem(str(p), "left open by a crawl that died (the next crawl's start finishes it)")
    yield from file_problems([p for p in files if not p.name.endswith(OPEN_SUFFIX)])
    yield from run_problems(archive, node, alive, stale_after)
