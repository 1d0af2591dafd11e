"""WARC snapshots, as warcio splits them: building records (``records``), writing files with
rotation (``writer``), reading and indexing them (``reader``), and naming them (``files``)."""

from archive.warc.files import (
    NODE,
    OPEN_SUFFIX,
    existing,
    final_path,
    located,
    open_path,
    stored_name,
    warc_dirs,
    warc_files,
    warc_location,
    writer_pid,
)
from archive.warc.reader import READ_ERRORS, DamagedWarcError, WarcIndex, finish_orphans, read_response, whole_records
from archive.warc.records import (
    RENDERED_TYPE,
    SOFTWARE,
    WARC_VERSION,
    Exchange,
    RecordRef,
    StoredResponse,
    payload_digest,
    stored_headers,
    warc_date,
)
from archive.warc.writer import GzipMembers, WarcStore

__all__ = [
    "NODE",
    "OPEN_SUFFIX",
    "READ_ERRORS",
    "RENDERED_TYPE",
    "SOFTWARE",
    "WARC_VERSION",
    "DamagedWarcError",
    "Exchange",
    "GzipMembers",
    "RecordRef",
    "StoredResponse",
    "WarcIndex",
    "WarcStore",
    "existing",
    "final_path",
    "finish_orphans",
    "located",
    "open_path",
    "payload_digest",
    "read_response",
    "stored_headers",
    "stored_name",
    "warc_date",
    "warc_dirs",
    "warc_files",
    "warc_location",
    "whole_records",
    "writer_pid",
]
