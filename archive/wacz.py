"""``python -m archive export --format wacz``: a WACZ 1.1.1 package of the archive (or of a
selection of its articles) that ReplayWeb.page opens without a server and pywb replays.

The package holds the selected captures' WARC records copied byte for byte (each record is
its own gzip member, so a copy is a slice of the file): responses, the originals the selected
revisits refer to, each one's request record, and rendered pages' conversions; a ZipNum CDXJ
index of them (``indexes/index.cdx.gz`` in blocks, ``indexes/index.idx``), the articles as
pages (``pages/pages.jsonl``, with their extracted text for ReplayWeb.page's search), and
``datapackage.json`` with the SHA-256 of every file. Everything streams: a record is copied in
blocks, index lines are sorted in bounded runs on disk, and large selections are split into
several WARC files.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, tuple_, union
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive.cdx import INDEXED_TYPES, cdxj_line, snapshot_fields
from archive.keys import fold
from archive.models import Article, ArticleVersion, Snapshot
from archive.recheck_policy import aware
from archive.warc import READ_ERRORS, SOFTWARE

WACZ_VERSION = "1.1.1"
PACKAGED_TYPES = (*INDEXED_TYPES, "conversion")
WARC_SIZE = 1 << 30
"""Bytes of records in one WARC file of the package before the next one starts (as crawlers
rotate theirs): a player reads any of them by offset, none has to be read whole."""
SORT_RUN = 100_000
"""Index lines sorted in memory at once; more are merged from sorted runs on disk."""
INDEX_BLOCK = 1024
"""Index lines per gzip member of ``index.cdx.gz`` (py-wacz's figure): a replay tool reads the
small ``index.idx`` whole and then only the blocks a look-up needs (a ZipNum index)."""
BLOCK = 1 << 20


class PackageError(Exception):
    """The package cannot be made as asked (nothing selected, records missing on disk)."""


@dataclass(frozen=True)
class Packaged:
    """What went into a package."""

    path: Path
    records: int
    pages: int
    warc_files: int
    skipped: list[str] = field(default_factory=list)
    """Records left out because they could not be read (only with ``keep_going``)."""


def _capture_ids(articles):
    """The ids of the recorded captures of the selected articles (``articles``: a statement of
    their ids; None: every capture of the archive, discovery pages too) and of the originals
    their revisits refer to."""
    recorded = Snapshot.warc_file.is_not(None) & Snapshot.record_type.in_(PACKAGED_TYPES)
    chosen = select(Snapshot.id).where(recorded)
    if articles is not None:
        chosen = chosen.where(Snapshot.article_id.in_(articles))
    chosen = chosen.cte("chosen")
    revisited = select(Snapshot.url, Snapshot.payload_digest).where(
        Snapshot.id.in_(select(chosen.c.id)), Snapshot.record_type == "revisit"
    )
    originals = (
        select(func.min(Snapshot.id))
        .where(Snapshot.record_type == "response", tuple_(Snapshot.url, Snapshot.payload_digest).in_(revisited))
        .group_by(Snapshot.url, Snapshot.payload_digest)
    )
    ids = union(select(chosen.c.id), originals).subquery()
    return select(ids.c[0])


def captures(session: Session, articles) -> Iterator[Snapshot]:
    """The selection's captures in file order (each WARC file read front to back once)."""
    query = select(Snapshot).where(Snapshot.id.in_(_capture_ids(articles)))
    query = query.order_by(Snapshot.warc_file, Snapshot.warc_offset)
    return session.scalars(query.execution_options(yield_per=1000))


def missing_files(session: Session, articles, resolve: Callable[[str], Path]) -> list[str]:
    """The WARC files of the selection's records that are not on disk (checked before a byte
    of the package is written)."""
    names = select(Snapshot.warc_file).where(Snapshot.id.in_(_capture_ids(articles))).distinct()
    return sorted(name for name in session.scalars(names) if not resolve(name).is_file())


def page_rows(session: Session, articles) -> Iterator[dict]:
    """Each selected article's latest version as a ReplayWeb.page page: URL and time of the
    capture it was read from, title, and its text (title, lead and body) for text search —
    followed by its fold when it has diacritics: ReplayWeb.page 2.5 matches words only as
    written, and Vietnamese is searched without marks as often as with them."""
    latest = select(func.max(ArticleVersion.id)).group_by(ArticleVersion.article_id)
    if articles is not None:
        latest = latest.where(ArticleVersion.article_id.in_(articles))
    query = (
        select(ArticleVersion, Snapshot.url, Snapshot.fetched_at, Article.canonical_url)
        .join(Article, Article.id == ArticleVersion.article_id)
        .join(Snapshot, Snapshot.id == ArticleVersion.snapshot_id)
        .where(ArticleVersion.id.in_(latest))
        .order_by(ArticleVersion.article_id)
    )
    for version, url, fetched_at, canonical in session.execute(query.execution_options(yield_per=500)):
        text = "\n".join(filter(None, [version.title, version.lead, *(version.body or [])]))
        if (folded := fold(text)) != text.lower():
            text = f"{text}\n\n{folded}"
        yield {
            "id": f"article-{version.article_id}",
            "url": url or canonical,
            "ts": aware(fetched_at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "title": version.title or url,
            "text": text,
        }


class _Hashed:
    """A writable that passes bytes on and counts and hashes them (the datapackage's figures)."""

    def __init__(self, raw) -> None:
        self.raw, self.size, self.sha256 = raw, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    @property
    def resource(self) -> dict:
        return {"hash": f"sha256:{self.sha256.hexdigest()}", "bytes": self.size}


class _Package:
    """The zip being written: entries opened one at a time, each hashed as it streams."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", allowZip64=True)
        self.resources: list[dict] = []

    def entry(self, name: str) -> _Entry:
        """A file of the package, stored as it is (WACZ asks it of WARC files and compressed
        indexes; the page list is small beside them)."""
        info = zipfile.ZipInfo(name, datetime.now(UTC).timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED
        # no ZIP64 field in a file's own header: ReplayWeb.page 2.5 reads its data from where the
        # central directory's (shorter) header says; files stay under 4 GB (WARC_SIZE rotates at 1)
        return _Entry(self, name, self.zip.open(info, "w"))

    def close(self) -> None:
        self.zip.close()


class _Entry(_Hashed):
    def __init__(self, package: _Package, name: str, raw) -> None:
        super().__init__(raw)
        self.package, self.name = package, name

    def __enter__(self) -> _Entry:
        return self

    def __exit__(self, *exc) -> None:
        self.raw.close()
        if exc[0] is None:
            resource = {"name": os.path.basename(self.name).lower(), "path": self.name, **self.resource}
            self.package.resources.append(resource)


def _copy(src, dst, length: int) -> None:
    while length > 0:
        block = src.read(min(BLOCK, length))
        if not block:
            raise EOFError("the WARC file ends inside the record")
        dst.write(block)
        length -= len(block)


def _request_after(fh, offset: int, url: str) -> int:
    """The length of the request record written right after a response (as this archive writes
    them), or 0 when what follows is not that request (another tool's WARC, the file's end)."""
    fh.seek(offset)
    try:
        iterator = ArchiveIterator(fh)
        record = next(iterator, None)
        if record is None or record.rec_type != "request" or record.rec_headers.get_header("WARC-Target-URI") != url:
            return 0
        iterator.read_to_end(record)
        return iterator.get_record_length()
    except READ_ERRORS:
        return 0


class _Records:
    """The package's WARC files: records appended to the current one, a new one past ``limit``."""

    def __init__(self, package: _Package, limit: int) -> None:
        self.package, self.limit = package, limit
        self.count, self.records, self.current, self.name = 0, 0, None, ""

    def out(self) -> _Entry:
        if self.current is None or self.current.size >= self.limit:
            if self.current is not None:
                self.current.__exit__(None, None, None)
            self.count += 1
            self.name = f"data-{self.count:05d}.warc.gz"
            self.current = self.package.entry(f"archive/{self.name}")
        return self.current

    def close(self) -> None:
        if self.current is not None:
            self.current.__exit__(None, None, None)


def _sorted_lines(lines: Iterable[str], folder: Path) -> Iterator[str]:
    """``lines`` in order, holding at most ``SORT_RUN`` of them: sorted runs on disk, merged."""
    runs: list[Path] = []
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= SORT_RUN:
            runs.append(_write_run(sorted(chunk), folder, len(runs)))
            chunk = []
    if not runs:
        yield from sorted(chunk)
        return
    runs.append(_write_run(sorted(chunk), folder, len(runs)))
    with ExitStack() as stack:
        files = [stack.enter_context(run.open(encoding="utf-8")) for run in runs]
        yield from heapq.merge(*files)


def _write_run(lines: list[str], folder: Path, number: int) -> Path:
    path = folder / f"run-{number}.cdxj"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def write_wacz(
    session: Session,
    articles,
    output: Path,
    resolve: Callable[[str], Path],
    *,
    keep_going: bool = False,
    warc_size: int = WARC_SIZE,
    title: str = "News archive",
    progress: Callable[[int], None] = lambda records: None,
) -> Packaged:
    """Write the package of the selected articles (``articles``: a statement of their ids, None
    for everything) to ``output``. It is written beside ``output`` and renamed into place once
    whole: a failure or an interruption leaves no half package behind. A WARC file missing on
    disk stops it before it starts (``PackageError`` naming it) unless ``keep_going``, which
    leaves its records out and lists them in ``Packaged.skipped``; a damaged record always stops it."""
    if not keep_going and (missing := missing_files(session, articles, resolve)):
        raise PackageError(f"{len(missing)} WARC file(s) of the selection missing: {', '.join(missing[:5])}")
    partial = output.with_name(output.name + ".part")
    try:
        with tempfile.TemporaryDirectory(prefix="wacz-", dir=output.parent) as scratch:
            package = _Package(partial)
            try:
                warcs = _Records(package, warc_size)
                index = Path(scratch) / "index.cdxj"
                with index.open("w", encoding="utf-8") as lines:
                    skipped = _copy_captures(captures(session, articles), resolve, warcs, lines, keep_going, progress)
                warcs.close()
                if not warcs.records:
                    raise PackageError("nothing to package: the selection holds no archived capture")
                _write_index(package, index, Path(scratch))
                pages = _write_pages(package, page_rows(session, articles), title)
                _write_datapackage(package, title)
            finally:
                package.close()
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return Packaged(output, warcs.records, pages, warcs.count, skipped)


def _copy_captures(snapshots, resolve, warcs: _Records, lines, keep_going: bool, progress) -> list[str]:
    """Copy each capture's record (and a response's request) into the package's WARC files and
    write its index line; the records of missing files left out (listed) with ``keep_going``."""
    skipped: list[str] = []
    source_name, source = None, None
    try:
        for snapshot in snapshots:
            if snapshot.warc_file != source_name:
                if source is not None:
                    source.close()
                source_name, source = snapshot.warc_file, _opened(resolve(snapshot.warc_file), keep_going)
            if source is None:
                skipped.append(f"{snapshot.warc_file}@{snapshot.warc_offset}")
                continue
            offset = _copy_record(source, snapshot, warcs)
            warcs.records += 1
            progress(warcs.records)
            if snapshot.record_type in INDEXED_TYPES:
                fields = snapshot_fields(snapshot, offset, warcs.name)
                lines.write(cdxj_line(fields))
    finally:
        if source is not None:
            source.close()
    return skipped


def _opened(path: Path, keep_going: bool):
    try:
        return path.open("rb")
    except OSError as exc:
        if keep_going:
            return None
        raise PackageError(f"cannot read {path}: {exc.strerror}") from exc


def _copy_record(source, snapshot: Snapshot, warcs: _Records) -> int:
    """Copy the record (and the request record after a response) into the package; the offset
    it has there."""
    out = warcs.out()
    offset = out.size
    end = snapshot.warc_offset + snapshot.warc_length
    try:
        source.seek(snapshot.warc_offset)
        _copy(source, out, snapshot.warc_length)
        if snapshot.record_type in INDEXED_TYPES and (request := _request_after(source, end, snapshot.url)):
            source.seek(end)
            _copy(source, out, request)
    except READ_ERRORS as exc:
        raise PackageError(f"cannot read the record at {snapshot.warc_file}@{snapshot.warc_offset}: {exc}") from exc
    return offset


def _write_index(package: _Package, index: Path, scratch: Path) -> None:
    """The sorted lines as a ZipNum index: ``index.cdx.gz``, blocks of ``INDEX_BLOCK`` lines each
    its own gzip member, and ``index.idx``, the first key of every block with its place and
    digest (the layout py-wacz writes; ReplayWeb.page reads a CDX only as ``.cdx``/``.cdxj``
    whole or through an ``.idx``)."""
    blocks = scratch / "index.idx"
    with (
        package.entry("indexes/index.cdx.gz") as out,
        index.open(encoding="utf-8") as unsorted,
        blocks.open("w", encoding="utf-8") as idx,
    ):
        meta = {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}
        idx.write(f"!meta 0 {json.dumps(meta)}\n")
        block: list[str] = []
        for line in _sorted_lines(unsorted, scratch):
            block.append(line)
            if len(block) == INDEX_BLOCK:
                _write_block(block, out, idx)
                block = []
        if block:
            _write_block(block, out, idx)
    with package.entry("indexes/index.idx") as out, blocks.open("rb") as idx:
        _copy(idx, out, blocks.stat().st_size)


def _write_block(lines: list[str], out: _Entry, idx) -> None:
    packed = gzip.compress("".join(lines).encode("utf-8"), mtime=0)
    place = {"offset": out.size, "length": len(packed), "digest": f"sha256:{hashlib.sha256(packed).hexdigest()}"}
    out.write(packed)
    idx.write(f"{lines[0].split(' {', 1)[0]} {json.dumps(place)}\n")


def _write_pages(package: _Package, pages: Iterable[dict], title: str) -> int:
    count = 0
    with package.entry("pages/pages.jsonl") as out:
        header = {"format": "json-pages-1.0", "id": "pages", "title": title, "hasText": True}
        out.write((json.dumps(header) + "\n").encode("utf-8"))
        for page in pages:
            out.write((json.dumps(page, ensure_ascii=False) + "\n").encode("utf-8"))
            count += 1
    return count


def _write_datapackage(package: _Package, title: str) -> None:
    """``datapackage.json`` (every file with its SHA-256 and size) and its own digest."""
    datapackage = json.dumps(
        {
            "profile": "data-package",
            "resources": package.resources,
            "title": title,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wacz_version": WACZ_VERSION,
            "software": SOFTWARE,
        },
        indent=2,
    ).encode("utf-8")
    package.zip.writestr("datapackage.json", datapackage)
    digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(datapackage).hexdigest()}"}
    package.zip.writestr("datapackage-digest.json", json.dumps(digest, indent=2))
