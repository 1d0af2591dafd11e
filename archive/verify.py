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

from sqlalchemy import select
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


def snapshot_problems(
    session: Session, resolve: Callable[[str], Path], paths: dict[str, Path], progress: Callable[[int], None]
) -> Iterator[Problem]:
    """The snapshot rows' problems, read in the order of their records (file, offset: one pass
    along each file, whatever the disk), streamed a thousand rows at a time (millions of rows
    are never held at once); each file's path is resolved once into ``paths``."""
    rows = session.execute(
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
    for count, (sid, file, offset, length, digest, record_type) in enumerate(rows, 1):
        progress(count)
        where = f"snapshot {sid} ({file}@{offset})"
        if (path := paths.get(file)) is None:
            path = paths[file] = resolve(file)
        if not path.exists():
            yield Problem(where, "WARC file missing")
            continue
        try:
            kind, stored_digest, passed, record_length = _read_record(path, offset)
        except (*READ_ERRORS, StopIteration) as exc:
            yield Problem(where, f"no readable record at the offset ({exc.__class__.__name__})")
            continue
        if kind != record_type:
            yield Problem(where, f"record is a {kind}, the row says {record_type}")
        if digest and stored_digest != digest:
            yield Problem(where, f"payload digest {stored_digest} != {digest}")
        if not passed:
            yield Problem(where, "payload does not hash to its digest")
        if length and record_length != length:
            yield Problem(where, f"record length {record_length} != {length}")


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
    progress: Callable[[int], None] = lambda snapshots: None,
) -> Iterator[Problem]:
    """Every problem, as it is found (a long check of a large archive says what it found so
    far when interrupted); ``progress`` is told how many snapshots were checked."""
    directory = Path(warc_dir) if warc_dir else None

    def resolve(name: str) -> Path:
        return existing(archive.warc_path(name))

    paths: dict[str, Path] = {}
    with archive.Session() as session:
        yield from snapshot_problems(session, resolve, paths, progress)
    referenced = set(paths.values())
    on_disk = set(warc_files(directory)) if directory is not None and directory.is_dir() else set()
    files = sorted(p for p in referenced | on_disk if p.exists())
    being_written = [p for p in files if p.name.endswith(OPEN_SUFFIX) and alive(writer_pid(p) or 0)]
    for p in files:
        if p.name.endswith(OPEN_SUFFIX) and p not in being_written:
            yield Problem(str(p), "left open by a crawl that died (the next crawl's start finishes it)")
    yield from file_problems([p for p in files if not p.name.endswith(OPEN_SUFFIX)])
    yield from run_problems(archive, node, alive, stale_after)
