"""WARC snapshots: writing request/response pairs, reading records back, indexing files.

Files are gzip-compressed per record (so every record can be read from its
offset alone), start with a ``warcinfo`` record and rotate at a size limit.
Scrapy hands over decoded bodies with the original ``Content-Length`` and
``Content-Encoding``: the stored HTTP headers are corrected to describe the
body actually stored, the original values kept as ``X-Archive-Orig-*`` (the
pywb convention).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import socket
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SOFTWARE = "newsarchive (Scrapy, warcio)"
WARC_VERSION = "1.1"  # every record and the warcinfo say the same
OPEN_SUFFIX = ".open"
NODE = socket.gethostname().replace("-", "_")  # in file names: WARC files of several machines never collide
RENDERED_TYPE = "text/html; charset=utf-8"
"""Content type of a rendered page's DOM (a ``conversion`` record has no HTTP headers)."""


class DamagedWarcError(ValueError):
    """A WARC file holds something that is not a whole WARC record."""


READ_ERRORS = (ArchiveLoadFailed, DamagedWarcError, OSError, EOFError, zlib.error, ValueError, AttributeError)
"""What a torn, truncated or corrupt WARC file raises while it is read (warcio's parser
can fail inside itself on a torn gzip member)."""


def whole_records(fh, check_digests: bool = False):
    """(record, offset, length) of each record of an open WARC file, its payload read; raises
    ``DamagedWarcError`` at the first thing that is not a whole WARC record (warcio reads garbage
    as an ARC record and a torn record as a short one)."""
    iterator = ArchiveIterator(fh, check_digests="raise" if check_digests else False)
    end = 0
    for record in iterator:
        if not record.format.startswith("warc") or not record.rec_headers.get_header("WARC-Record-ID"):
            raise DamagedWarcError(f"no WARC record at offset {iterator.get_record_offset()}")
        record.raw_stream.read()
        if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended inside the record
            raise DamagedWarcError(f"record at offset {iterator.get_record_offset()} is torn")
        iterator.read_to_end(record)
        end = iterator.get_record_offset() + iterator.get_record_length()
        yield record, iterator.get_record_offset(), iterator.get_record_length()
    if fh.seek(0, os.SEEK_END) > end:  # warcio stops quietly at a torn last gzip member
        raise DamagedWarcError(f"{fh.tell() - end} byte(s) after the last whole record (offset {end}) are torn")


_HOP_BY_HOP = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}


@dataclass(frozen=True)
class RecordRef:
    """The one reference to a WARC record an item, a capture or a snapshot row carries: where it
    lives (file, offset, length in the file), its payload digest and its record type
    (``response``, ``revisit``, ``conversion`` for a rendered page)."""

    file: str
    offset: int
    length: int
    digest: str
    record_id: str
    record_type: str = "response"


@dataclass(frozen=True)
class Exchange:
    """One HTTP fetch as it is archived."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    method: str = "GET"
    request_headers: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    ip_address: str | None = None  # the peer the response came from (WARC-IP-Address)

    @cached_property
    def digest(self) -> str:
        """The body's WARC-Payload-Digest, computed once for the revisit check and the record."""
        return payload_digest(self.body)


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for ``body``."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_headers(headers: Iterable[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """HTTP headers describing the decoded body that is stored."""
    out = []
    for name, value in headers:
        if name.lower() in _HOP_BY_HOP:
            if name.lower() in ("content-encoding", "transfer-encoding"):
                out.append((f"X-Archive-Orig-{name}", value))
            continue
        out.append((name, value))
    out.append(("Content-Length", str(body_length)))
    return out


class GzipMembers:
    """A file that gzips every WARC record as a member of its own (warcio calls ``flush``
    after each record), at a chosen level. On 80 KB news pages: level 9 (warcio's own)
    2.1 ms and 25.4 % of the size, level 6 1.5 ms and 25.8 %, level 4 0.7 ms and 26.5 %."""

    def __init__(self, raw, level: int):
        self.raw, self.level = raw, level
        self._compressor = None

    def write(self, data: bytes) -> None:
        if self._compressor is None:
            self._compressor = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.raw.write(self._compressor.compress(data))

    def flush(self) -> None:
        if self._compressor is not None:
            self.raw.write(self._compressor.flush())
            self._compressor = None
        self.raw.flush()


class WarcStore:
    """Appends exchanges to rotating ``.warc.gz`` files in a folder. Thread-safe."""

    def __init__(
        self,
        directory: str | os.PathLike,
        prefix: str = "archive",
        max_size: int = 1_000_000_000,
        compression_level: int = 4,
    ):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.compression_level = compression_level
        self._file = None
        self._path: Path | None = None
        self._serial = 0
        self._lock = threading.Lock()

    def write(self, exchange: Exchange) -> RecordRef:
        """Write the response and its request; the reference points at the response record."""
        with self._lock:
            writer = self._writer()
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=self._status_and_headers(exchange),
                warc_headers_dict=self._warc_headers(exchange, {"WARC-Payload-Digest": exchange.digest}),
            )
            return self._write_pair(writer, exchange, response)

    def write_revisit(self, exchange: Exchange, refers_to_uri: str, refers_to_date: datetime) -> RecordRef:
        """An unchanged payload: a ``revisit`` record (identical-payload-digest profile) pointing
        at the earlier capture, with this fetch's HTTP headers and no body."""
        with self._lock:
            writer = self._writer()
            revisit = writer.create_revisit_record(
                exchange.url,
                exchange.digest,
                refers_to_uri,
                warc_date(refers_to_date),
                http_headers=self._status_and_headers(exchange),
                warc_headers_dict=self._warc_headers(exchange),
            )
            return self._write_pair(writer, exchange, revisit)

    def write_conversion(self, url: str, html: bytes, refers_to: str, when: datetime) -> RecordRef:
        """A page as a browser rendered it: a ``conversion`` record of the DOM (UTF-8 HTML)
        referring to the response record it was rendered from."""
        digest = payload_digest(html)
        with self._lock:
            writer = self._writer()
            record = writer.create_warc_record(
                url,
                "conversion",
                payload=BytesIO(html),
                length=len(html),
                warc_content_type=RENDERED_TYPE,
                warc_headers_dict={
                    "WARC-Date": warc_date(when),
                    "WARC-Refers-To": refers_to,
                    "WARC-Payload-Digest": digest,
                },
            )
            offset = self._file.tell()
            writer.write_record(record)
            self._file.flush()
            return RecordRef(
                file=str(self._path),
                offset=offset,
                length=self._file.tell() - offset,
                digest=digest,
                record_id=record.rec_headers.get_header("WARC-Record-ID"),
                record_type="conversion",
            )

    @staticmethod
    def _warc_headers(exchange: Exchange, extra: dict | None = None) -> dict:
        headers = {"WARC-Date": warc_date(exchange.fetched_at), **(extra or {})}
        if exchange.ip_address:
            headers["WARC-IP-Address"] = exchange.ip_address
        return headers

    @staticmethod
    def _status_and_headers(exchange: Exchange) -> StatusAndHeaders:
        return StatusAndHeaders(
            f"{exchange.status} {exchange.reason}".strip(),
            stored_headers(exchange.headers, len(exchange.body)),
            protocol="HTTP/1.1",
        )

    def _write_pair(self, writer: WARCWriter, exchange: Exchange, response) -> RecordRef:
        offset = self._file.tell()
        writer.write_record(response)
        length = self._file.tell() - offset
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        parts = urlsplit(exchange.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"{exchange.method} {target} HTTP/1.1", list(exchange.request_headers), is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": warc_date(exchange.fetched_at), "WARC-Concurrent-To": record_id},
        )
        writer.write_record(request)
        self._file.flush()
        return RecordRef(
            file=str(self._path),
            offset=offset,
            length=length,
            digest=response.rec_headers.get_header("WARC-Payload-Digest"),
            record_id=record_id,
            record_type=response.rec_type,
        )

    def close(self) -> None:
        with self._lock:
            self._finish()

    def _finish(self) -> None:
        """Close the file being written and give it its final name (without ``.open``)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            os.replace(open_path(self._path), self._path)

    def _writer(self) -> WARCWriter:
        if self._file is not None and self._file.tell() >= self.max_size:
            self._finish()
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            name = f"{self.prefix}-{stamp}-{NODE}-{os.getpid()}-{self._serial:05d}.warc.gz"
            self._path = self.directory / name
            self._file = open(open_path(self._path), "ab")  # noqa: SIM115 - kept open across writes, closed in close()
            writer = self._new_writer()
            writer.write_record(
                writer.create_warcinfo_record(
                    self._path.name, {"software": SOFTWARE, "format": f"WARC File Format {WARC_VERSION}"}
                )
            )
            return writer
        return self._new_writer()

    def _new_writer(self) -> WARCWriter:
        return WARCWriter(GzipMembers(self._file, self.compression_level), gzip=False, warc_version=WARC_VERSION)


@dataclass(frozen=True)
class StoredResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    ref: RecordRef
    fetched_at: str
    """The record's ``WARC-Date``: when the response was captured."""


def open_path(path: Path) -> Path:
    """Where a WARC file is while it is written (the Heritrix convention): ``….warc.gz.open``."""
    return path.with_name(path.name + OPEN_SUFFIX)


def final_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name.removesuffix(OPEN_SUFFIX))


def existing(file: str | os.PathLike) -> Path:
    """A WARC file by its final name, or the ``.open`` file it still is."""
    path = Path(file)
    return path if path.exists() or not open_path(path).exists() else open_path(path)


def writer_pid(path: Path) -> int | None:
    """The writing process of a file named by ``WarcStore`` on this machine, else None."""
    parts = final_path(path).name.split(".", 1)[0].rsplit("-", 3)
    if len(parts) == 4 and parts[1] == NODE and parts[2].isdigit():
        return int(parts[2])
    return None


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


def read_response(file: str | os.PathLike, offset: int, length: int = 0) -> StoredResponse:
    """The response record at ``offset`` of ``file`` (its payload decoded; ``length`` is what
    its reference says the record takes in the file)."""
    with open(existing(file), "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return _stored(record, str(file), offset, length)


def _stored(record, file: str, offset: int, length: int) -> StoredResponse:
    """A response record as an HTTP response; a rendered page (``conversion``) as a 200 of HTML."""
    body = record.content_stream().read()
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


def stored_name(file: str | os.PathLike, warc_dir: str | os.PathLike | None) -> str:
    """How the archive names a WARC file: relative to ``WARC_DIR`` when it lies inside it (the
    archive moves as a folder and is read from any working directory), else its absolute path
    (a replayed or imported file stays where it is)."""
    path = Path(file).resolve()
    if warc_dir is not None:
        with contextlib.suppress(ValueError):
            return path.relative_to(Path(warc_dir).resolve()).as_posix()
    return str(path)


def located(name: str, warc_dir: str | os.PathLike | None) -> Path:
    """The file a stored WARC name stands for (``stored_name`` reversed)."""
    path = Path(name)
    return path if path.is_absolute() or warc_dir is None else Path(warc_dir) / path


def warc_files(path: str | os.PathLike) -> list[Path]:
    """A WARC file, or the WARC files of a folder (recursively, sorted)."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.name.removesuffix(OPEN_SUFFIX).endswith((".warc", ".warc.gz")))
    if not path.exists():
        raise FileNotFoundError(f"no WARC file or folder at {path}")
    return [path]


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
