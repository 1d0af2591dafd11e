"""Snapshots are real WARC records, read back with warcio, with digests that check."""

import gzip
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator

from archive.warc import Exchange, WarcIndex, WarcStore, read_response

BODY = "<html><body><p>Tổng thống Biden</p></body></html>".encode()


def exchange(url="https://thanhnien.vn/a-1851335421.htm", body=BODY) -> Exchange:
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("Content-Length", "17")]
    return Exchange(url, 200, headers, body, datetime(2021, 1, 28, tzinfo=UTC), request_headers=(("Accept", "*/*"),))


def test_written_response_reads_back_with_its_body(tmp_path):
    store = WarcStore(tmp_path)
    ref = store.write(exchange())
    store.close()
    stored = read_response(ref.file, ref.offset)
    assert (stored.url, stored.status, stored.body) == ("https://thanhnien.vn/a-1851335421.htm", 200, BODY)


def test_headers_describe_the_decoded_body_that_is_stored(tmp_path):
    store = WarcStore(tmp_path)
    ref = store.write(exchange())
    store.close()
    headers = dict(read_response(ref.file, ref.offset).headers)
    assert headers["Content-Length"] == str(len(BODY))
    assert "Content-Encoding" not in headers
    assert headers["X-Archive-Orig-Content-Encoding"] == "gzip"


def test_file_has_warcinfo_then_response_and_request_with_valid_digests(tmp_path):
    store = WarcStore(tmp_path)
    store.write(exchange())
    store.close()
    (path,) = tmp_path.glob("*.warc.gz")
    with open(path, "rb") as fh:
        records = list(ArchiveIterator(fh, check_digests="raise"))
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]
    assert records[2].rec_headers.get_header("WARC-Concurrent-To") == records[1].rec_headers.get_header(
        "WARC-Record-ID"
    )


def test_every_record_is_its_own_gzip_member(tmp_path):
    store = WarcStore(tmp_path)
    ref = store.write(exchange())
    store.close()
    with open(ref.file, "rb") as fh:
        fh.seek(ref.offset)
        assert gzip.decompress(fh.read(ref.length)).startswith(b"WARC/1.")


def test_compression_level_trades_size_for_speed_and_both_read_back(tmp_path):
    body = " ".join(f"<p>Đoạn văn số {i} của bài báo thử nghiệm.</p>" for i in range(2000)).encode()
    refs = {}
    for level in (1, 9):
        store = WarcStore(tmp_path / str(level), compression_level=level)
        refs[level] = store.write(exchange(body=body))
        store.close()
        assert read_response(refs[level].file, refs[level].offset).body == body
    assert refs[9].length < refs[1].length


def test_files_rotate_at_the_size_limit(tmp_path):
    store = WarcStore(tmp_path, max_size=1)
    refs = [store.write(exchange(f"https://example.org/a-{i}-123456.html")) for i in range(3)]
    store.close()
    assert len({r.file for r in refs}) == 3


def test_index_finds_the_latest_record_of_a_url(tmp_path):
    store = WarcStore(tmp_path)
    store.write(exchange(body=b"<p>first</p>"))
    store.write(exchange(body=b"<p>second</p>"))
    store.close()
    assert WarcIndex(tmp_path).get("https://thanhnien.vn/a-1851335421.htm").body == b"<p>second</p>"


def test_rendered_page_is_a_conversion_record_referring_to_its_response(tmp_path):
    store = WarcStore(tmp_path)
    response = store.write(exchange())
    rendered = store.write_conversion(
        exchange().url, b"<html><p>rendered</p></html>", response.record_id, datetime.now(UTC)
    )
    store.close()
    with open(rendered.file, "rb") as fh:
        fh.seek(rendered.offset)
        record = next(iter(ArchiveIterator(fh, check_digests="raise")))
        assert (record.rec_type, record.rec_headers.get_header("WARC-Refers-To")) == ("conversion", response.record_id)
        assert record.rec_headers.get_header("WARC-Payload-Digest") == rendered.digest
    stored = read_response(rendered.file, rendered.offset)
    assert (stored.status, stored.body) == (200, b"<html><p>rendered</p></html>")
