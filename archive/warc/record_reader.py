"""Reading WARC files back: whole records only (a torn or damaged file is used up to the damage),
one response by its offset, an index of a file or folder for replay, and finishing the files a
killed crawl left open."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.warc.naming import OPEN_SUFFIX, existing, final_path, warc_files, writer_pid
from archive.warc.records import RecordRef, StoredResponse


class DamagedWarcError(ValueError):
    """A WARC file holds something that is not a whole WARC record."""


MAX_PAYLOAD = 16 * 1024 * 1024
"""Bytes of a decoded payload read from a WARC someone else wrote, at most: a crawl's
``DOWNLOAD_MAXSIZE``, which Scrapy applies after decompression too. Anyone's WARC may hold a
compression bomb (kilobytes that inflate to gigabytes)."""


class PayloadTooLargeError(ValueError):
    """A record's payload decodes (``Content-Encoding``, chunks) to more bytes than the reader
    allows: a compression bomb, or a page no crawl of ours would have kept."""


READ_ERRORS = (ArchiveLoadFailed, DamagedWarcError, OSError, EOFError, zlib.error, ValueError, AttributeError)
"""What a torn, truncated or corrupt WARC file raises while it is read (warcio's parser
can fail inside itself on a torn gzip member)."""


_RECORD_END = b"\r\n\r\n"
"""What ends a record; warcio leaves it out of the last record of an uncompressed file."""


def whole_records(fh, check_digests: bool = False, start: int = 0):
    """(record, offset, length) of each record of an open WARC file from offset ``start`` (a
    record's), its payload read through in blocks (a record of gigabytes is never held); raises
    ``DamagedWarcError`` at the first thing that is not a whole WARC record (warcio reads garbage
    as an ARC record and a torn record as a short one)."""
    fh.seek(start)
    iterator = ArchiveIterator(fh, check_digests="raise" if check_digests else False)
    end = start
    for record in iterator:
        if not record.format.startswith("warc") or not record.rec_headers.get_header("WARC-Record-ID"):
            raise DamagedWarcError(f"no WARC record at offset {iterator.get_record_offset()}")
        while record.raw_stream.read(1 << 16):
            pass
        if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended inside the record
            raise DamagedWarcError(f"record at offset {iterator.get_record_offset()} is torn")
        iterator.read_to_end(record)
        end = iterator.get_record_offset() + iterator.get_record_length()
        yield record, iterator.get_record_offset(), iterator.get_record_length()
    size = fh.seek(0, os.SEEK_END)
    if size > end:  # warcio stops quietly at a torn last gzip member
        fh.seek(end)
        if size - end > len(_RECORD_END) or fh.read().strip(b"\r\n"):  # not just the last record's blank lines
            raise DamagedWarcError(f"{size - end} byte(s) after the last whole record (offset {end}) are torn")


def finish_orphans(directory: str | os.PathLike, alive) -> list[Path]:
    """Give ``.open`` files whose writer on this machine is gone (a killed crawl) their final
    name, cut after their last whole record: a torn tail is never part of an archived fetch."""
    directory = Path(directory)
    done = []
    for path in sorted(directory.rglob(f"*.warc.gz{OPEN_SUFFIX}")) if directory.is_dir() else ():
        pid = writer_pid(path)
        if pid is None or alive(pid):
            continue
        end = 0
        with path.open("rb") as fh:
            try:
                for _record, offset, length in whole_records(fh):
                    end = offset + length
            except READ_ERRORS:
                pass
        with path.open("r+b") as fh:
            fh.truncate(end)
        os.replace(path, final_path(path))
        done.append(final_path(path))
    return done


def read_response(file: str | os.PathLike, offset: int, length: int = 0, max_size: int | None = None) -> StoredResponse:
    """The response record at ``offset`` of ``file`` (its payload decoded; ``length`` is what
    its reference says the record takes in the file). A payload decoding to more than
    ``max_size`` bytes raises ``PayloadTooLargeError`` once that much is read, never more."""
    with open(existing(file), "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return _stored(record, str(file), offset, length, max_size)


def _stored(record, file: str, offset: int, length: int, max_size: int | None = None) -> StoredResponse:
    """A response record as an HTTP response; a rendered page (``conversion``) as a 200 of HTML."""
    body = record.content_stream().read(None if max_size is None else max_size + 1)  # warcio: None is all
    if max_size is not None and len(body) > max_size:
        raise PayloadTooLargeError(f"the payload decodes to more than {max_size} bytes")
    http = record.http_headers
    return StoredResponse(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode() or 200) if http else 200,
        headers=list(http.headers) if http else [("Content-Type", record.rec_headers.get_header("Content-Type"))],
        body=body,
        fetched_at=record.rec_headers.get_header("WARC-Date"),
        ref=RecordRef(
            file=file,
            offset=offset,
            length=length,
            digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            record_type=record.rec_type,
        ),
    )


class WarcIndex:
    """URL → latest capture, over a WARC file or folder (read lazily per lookup). A revisit
    record resolves to the response record holding the same payload; a rendered page's
    ``conversion`` record is kept apart (``get_rendered``)."""

    def __init__(self, path: str | os.PathLike):
        self.entries: dict[str, tuple[str, int, int]] = {}  # URL -> (file, offset, length)
        self.rendered: dict[str, tuple[str, int, int]] = {}
        self.damaged: dict[str, str] = {}  # file -> what is wrong with it (records before it are indexed)
        by_digest: dict[str, tuple[str, int, int]] = {}
        for file in warc_files(path):
            try:
                self._index_file(file, by_digest)
            except READ_ERRORS as exc:
                self.damaged[str(file)] = f"{exc.__class__.__name__}: {exc}"[:300]

    def _index_file(self, file: Path, by_digest: dict[str, tuple[str, int, int]]) -> None:
        name = str(final_path(file))  # what snapshot rows call it, written or still open
        with open(file, "rb") as fh:
            for record, offset, length in whole_records(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                digest = record.rec_headers.get_header("WARC-Payload-Digest")
                if record.rec_type == "response":
                    self.entries[uri] = by_digest[digest] = (name, offset, length)
                elif record.rec_type == "revisit" and digest in by_digest:
                    self.entries[uri] = by_digest[digest]
                elif record.rec_type == "conversion":
                    self.rendered[uri] = (name, offset, length)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, url: str) -> StoredResponse | None:
        entry = self.entries.get(url)
        return read_response(*entry) if entry else None

    def get_rendered(self, url: str) -> StoredResponse | None:
        entry = self.rendered.get(url)
        return read_response(*entry) if entry else None
