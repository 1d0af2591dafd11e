"""Snapshots are real WARC records, read back with warcio, with digests that check."""

import gzip
import os
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.warc import Exchange, WarcIndex, WarcStore, finish_orphans, read_response
from archive.warc.naming import NODE, file_name, located, warc_dirs

BODY = "<html><body><p>Tổng thống Biden</p></body></html>".encode()


def exchange(url="https://thanhnien.vn/a-1851335421.htm", body=BODY) -> Exchange:
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"), ("Content-Length", "17")]
    return Exchange(url, 200, headers, body, datetime(2021, 1, 28, tzinfo=UTC), request_headers=(("Accept", "*/*"),))


def written_file(folder) -> Path:
    """A closed WARC file holding one exchange."""
    store = WarcStore(folder)
    store.write(exchange())
    store.close()
    (path,) = folder.glob("*.warc.gz")
    return path


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
    path = written_file(tmp_path)
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


def test_compression_level_trades_size_for_speed_and_every_level_reads_back(tmp_path):
    """Levels 0-3 are ISA-L's, 4-9 zlib's: both write members that gzip and warcio read."""
    body = " ".join(f"<p>Đoạn văn số {i} của bài báo thử nghiệm.</p>" for i in range(2000)).encode()
    refs = {}
    for level in (0, 2, 3, 4, 9):
        store = WarcStore(tmp_path / str(level), compression_level=level)
        refs[level] = store.write(exchange(body=body))
        store.close()
        assert read_response(refs[level].file, refs[level].offset).body == body
        with open(refs[level].file, "rb") as fh:
            fh.seek(refs[level].offset)
            assert body in gzip.decompress(fh.read(refs[level].length))
    assert refs[9].length < refs[2].length


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


def test_every_record_and_the_warcinfo_say_one_warc_version(tmp_path):
    path = written_file(tmp_path)
    with open(path, "rb") as fh:
        records = [(r.rec_headers.protocol, r.content_stream().read()) for r in ArchiveIterator(fh)]
    assert {protocol for protocol, _ in records} == {"WARC/1.1"}
    assert b"WARC File Format 1.1" in records[0][1]


def test_the_peer_address_is_kept_as_warc_ip_address(tmp_path):
    store = WarcStore(tmp_path)
    ref = store.write(replace(exchange(), ip_address="203.0.113.7"))
    store.close()
    with open(ref.file, "rb") as fh:
        fh.seek(ref.offset)
        record = next(iter(ArchiveIterator(fh)))
    assert record.rec_headers.get_header("WARC-IP-Address") == "203.0.113.7"


def test_a_file_being_written_is_named_open_and_gets_its_final_name_when_closed(tmp_path):
    store = WarcStore(tmp_path)
    ref = store.write(exchange())
    assert [p.name.endswith(".warc.gz.open") for p in tmp_path.iterdir()] == [True]
    assert read_response(ref.file, ref.offset).body == BODY  # readable by its final name meanwhile
    store.close()
    assert [p.name for p in tmp_path.iterdir()] == [Path(ref.file).name]


def test_a_file_left_open_by_a_dead_writer_is_cut_after_its_last_whole_record(tmp_path):
    store = WarcStore(tmp_path)
    ref = store.write(exchange())
    (open_file,) = tmp_path.iterdir()
    with open_file.open("ab") as fh:
        fh.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n")[:20])  # a record torn by a kill
    (done,) = finish_orphans(tmp_path, alive=lambda pid: False)
    with open(done, "rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh, check_digests="raise")]
    assert types == ["warcinfo", "response", "request"]
    assert read_response(ref.file, ref.offset).body == BODY


def test_a_file_whose_writer_lives_is_left_open(tmp_path):
    WarcStore(tmp_path).write(exchange())
    assert finish_orphans(tmp_path, alive=lambda pid: True) == []


def test_a_damaged_file_is_skipped_by_the_index_and_reported(tmp_path):
    store = WarcStore(tmp_path / "good")
    store.write(exchange())
    store.close()
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(b"\x1f\x8b\x08\x00garbage, not a gzip member at all" * 10)
    index = WarcIndex(tmp_path)
    assert index.get("https://thanhnien.vn/a-1851335421.htm").body == BODY
    assert list(index.damaged) == [str(damaged)]


def test_warc_file_names_are_unique_across_writers_and_say_when_where_and_who():
    when = datetime(2026, 12, 1, 16, 24, 31, 695000, tzinfo=UTC)
    names = {file_name("kinhtedothi", when, 1) for _ in range(200)}  # same prefix, instant and serial
    assert len(names) == 200
    pattern = rf"kinhtedothi-20261201162431695-00001-{re.escape(NODE)}-\d+-[0-9a-f]{{8}}\.warc\.gz"
    assert all(re.fullmatch(pattern, n) for n in names)


def test_a_record_written_under_another_nodes_warc_folder_is_found_there(tmp_path):
    node_a, node_b = tmp_path / "node-a", tmp_path / "node-b"
    store = WarcStore(node_a)
    store.write(Exchange("https://a.example/x", 200, [("Content-Type", "text/html")], b"<p>x</p>", datetime.now(UTC)))
    store.close()
    (name,) = [p.name for p in node_a.iterdir()]  # as a snapshot row names it: relative to WARC_DIR
    node_b.mkdir()
    assert located(name, node_b, [node_a]) == node_a / name
    assert located(name, node_b) == node_b / name  # without the other folders: where this node keeps its own


def test_warc_dirs_setting_is_split_on_the_path_separator():
    assert warc_dirs(os.pathsep.join(["/mnt/node1/warc", "", "/mnt/node2/warc"])) == [
        "/mnt/node1/warc",
        "/mnt/node2/warc",
    ]
