"""``python -m archive export --format wacz``: a package of the archive's captures that py-wacz
validates and whose index points at whole records (read back with warcio), with pages for
ReplayWeb.page; selections; bad input (nothing selected, a missing WARC file) writes no package."""

from __future__ import annotations

import gzip
import io
import json
import random
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.wacz import _sorted_lines
from tests import browser_archive as fixture
from tests.conftest import archive_main, tool


def export(archive, out: Path, *args: str) -> subprocess.CompletedProcess:
    database, warc_dir = archive
    return archive_main(
        "export", "--format", "wacz", "--output", str(out), "--warc-dir", str(warc_dir), *args, database_url=database
    )


def index_lines(package: Path) -> list[tuple[str, str, dict]]:
    with zipfile.ZipFile(package) as z:
        text = gzip.decompress(z.read("indexes/index.cdx.gz")).decode("utf-8")
    return [(key, ts, json.loads(block)) for key, ts, block in (line.split(" ", 2) for line in text.splitlines())]


def pages(package: Path) -> list[dict]:
    with zipfile.ZipFile(package) as z:
        return [json.loads(line) for line in z.read("pages/pages.jsonl").decode("utf-8").splitlines()]


def record_at(package: Path, filename: str, offset: int):
    with zipfile.ZipFile(package) as z:
        data = z.read(f"archive/{filename}")
    record = next(iter(ArchiveIterator(io.BytesIO(data[offset:]))))
    return record, record.content_stream().read()


@pytest.fixture(scope="module")
def whole(archive, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package") / "archive.wacz"
    done = export(archive, out)
    assert done.returncode == 0, done.stderr
    return out


def test_the_package_of_the_whole_archive_passes_py_wacz_validation(whole):
    done = subprocess.run([tool("tools", "wacz"), "validate", "-f", whole], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passed WACZ is valid" in done.stdout


def test_every_index_line_points_at_a_whole_record_of_its_url_and_digest(whole):
    lines = index_lines(whole)
    assert len(lines) >= 15
    for _key, _ts, block in lines:
        record, _ = record_at(whole, block["filename"], int(block["offset"]))
        assert record.rec_type == ("revisit" if block["mime"] == "warc/revisit" else "response")
        assert record.rec_headers.get_header("WARC-Target-URI") == block["url"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == f"sha1:{block['digest']}"


def test_the_index_is_sorted_by_surt_key_then_time(whole):
    keys = [(key, ts) for key, ts, _ in index_lines(whole)]
    assert keys == sorted(keys)
    assert any(key.startswith("vn,kinhtedothi)/") for key, _ in keys)


def test_each_response_travels_with_its_request_record(whole):
    with zipfile.ZipFile(whole) as z:
        names = [n for n in z.namelist() if n.startswith("archive/")]
        records = [r for n in names for r in ArchiveIterator(io.BytesIO(z.read(n)))]
    responses = [r for r in records if r.rec_type in ("response", "revisit")]
    requests = {r.rec_headers.get_header("WARC-Concurrent-To") for r in records if r.rec_type == "request"}
    crawled = [r for r in responses if r.rec_headers.get_header("WARC-Record-ID") in requests]
    assert len(crawled) >= 4  # the live fetches and the edited versions, each with its request


def test_a_revisit_brings_the_response_it_refers_to(whole):
    lines = index_lines(whole)
    revisits = [b for _, _, b in lines if b["mime"] == "warc/revisit" and b["url"] == fixture.LIVE_URL]
    assert revisits
    originals = [b for _, _, b in lines if b["url"] == fixture.LIVE_URL and b["mime"] == "text/html"]
    assert [o["digest"] for o in originals] == [revisits[0]["digest"]]


def test_pages_list_each_article_with_its_capture_time_title_and_text(whole):
    header, *rows = pages(whole)
    assert header["format"] == "json-pages-1.0" and header["hasText"] is True
    page = next(r for r in rows if r["title"] == fixture.TITLE and r["url"].startswith("https://kinhtedothi.vn/"))
    assert len(page["ts"]) == 20 and page["ts"].endswith("Z")
    assert "Ngoại trưởng Mỹ" in page["text"] or "ngoại trưởng Mỹ" in page["text"]
    assert fixture.ADDED.strip() in page["text"]  # the latest version's text


def test_a_pages_text_carries_its_words_without_diacritics_for_replaywebpages_search(whole):
    """ReplayWeb.page matches words as written: the text is followed by its fold."""
    _, *rows = pages(whole)
    page = next(r for r in rows if r["title"] == fixture.TITLE and r["url"].startswith("https://kinhtedothi.vn/"))
    text, folded = page["text"].split("\n\n", 1)
    assert "leo thang căng thẳng" in text and "leo thang cang thang" in folded
    assert "thuong dinh" in folded  # đ folded as d, which Unicode decomposition leaves


def test_datapackage_lists_every_file_with_its_sha256(whole):
    with zipfile.ZipFile(whole) as z:
        package = json.loads(z.read("datapackage.json"))
        listed = {r["path"]: r for r in package["resources"]}
        for name in z.namelist():
            if name.startswith("datapackage"):
                continue
            import hashlib

            data = z.read(name)
            assert listed[name]["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
            assert listed[name]["bytes"] == len(data)
        assert package["wacz_version"] == "1.1.1"
        assert all(z.getinfo(n).compress_type == zipfile.ZIP_STORED for n in listed if n.startswith("archive/"))


def test_a_search_without_diacritics_selects_only_the_articles_it_matches(archive, tmp_path):
    out = tmp_path / "search.wacz"
    done = export(archive, out, "--search", "doan tin moi duoc them")  # "đoạn tin mới được thêm": the edit
    assert done.returncode == 0, done.stderr
    assert [row["url"].split("/")[2] for row in pages(out)[1:]] == ["kinhtedothi.vn"]
    assert {b["url"].split("/")[2] for _, _, b in index_lines(out)} == {"kinhtedothi.vn"}


def test_a_site_selection_packages_that_sites_captures_only(archive, tmp_path):
    out = tmp_path / "site.wacz"
    done = export(archive, out, "--site", "thanhnien.vn")
    assert done.returncode == 0, done.stderr
    assert {b["url"].split("/")[2] for _, _, b in index_lines(out)} == {"thanhnien.vn"}


def test_a_selection_that_matches_nothing_is_an_error_and_writes_no_file(archive, tmp_path):
    out = tmp_path / "none.wacz"
    done = export(archive, out, "--search", "zyxwvu")
    assert done.returncode == 1
    assert "nothing to package" in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_site_is_an_error_naming_the_sites(archive, tmp_path):
    done = export(archive, tmp_path / "x.wacz", "--site", "nosuch.example")
    assert done.returncode == 2 and "thanhnien.vn" in done.stderr


def test_the_output_is_required(archive):
    database, _ = archive
    done = archive_main("export", "--format", "wacz", database_url=database)
    assert done.returncode == 2 and "--output" in done.stderr


def test_an_output_that_is_a_folder_is_refused_in_one_line(archive, tmp_path):
    done = export(archive, tmp_path)
    assert done.returncode == 2 and "is a folder" in done.stderr and "Traceback" not in done.stderr
    assert not list(tmp_path.parent.glob(f"{tmp_path.name}.part"))


def _without_one_warc(archive, tmp_path) -> tuple[str, Path, str]:
    """A copy of the archive whose WARC folder lacks the file of the live fetches."""
    database, warc_dir = archive
    copy = tmp_path / "copy.db"
    shutil.copy(database.removeprefix("sqlite:///"), copy)
    folder = tmp_path / "warc"
    shutil.copytree(warc_dir, folder)
    with sqlite3.connect(copy) as db:
        gone = db.execute(
            "SELECT warc_file FROM snapshot WHERE url = ? AND record_type = 'response'", (fixture.LIVE_URL,)
        ).fetchone()[0]
        db.execute("DELETE FROM warc_file WHERE name = ?", (gone,))
    (folder / gone).unlink()
    return f"sqlite:///{copy}", folder, gone


def test_a_missing_warc_file_is_named_and_no_package_is_written(archive, tmp_path):
    database, folder, gone = _without_one_warc(archive, tmp_path)
    out = tmp_path / "out" / "broken.wacz"
    out.parent.mkdir()
    done = export((database, folder), out)
    assert done.returncode == 1
    assert gone in done.stderr and "no package written" in done.stderr
    assert list(out.parent.iterdir()) == []


def test_keep_going_packages_the_rest_and_lists_what_it_left_out(archive, tmp_path):
    database, folder, gone = _without_one_warc(archive, tmp_path)
    out = tmp_path / "partial.wacz"
    done = export((database, folder), out, "--keep-going")
    assert done.returncode == 1
    assert f"left out (its WARC file is missing): {gone}@" in done.stdout
    kept = [b for _, _, b in index_lines(out)]
    assert kept and not any(b["url"] == fixture.LIVE_URL and b["mime"] == "text/html" for b in kept)


def test_a_large_selection_is_split_over_several_warc_files(archive, tmp_path):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from archive.wacz import write_wacz

    database, warc_dir = archive
    out = tmp_path / "split.wacz"
    with Session(create_engine(database)) as session:
        done = write_wacz(
            session,
            None,
            out,
            lambda name: Path(name) if Path(name).is_absolute() else warc_dir / name,
            warc_size=20_000,
        )
    assert done.warc_files > 2
    with zipfile.ZipFile(out) as z:
        assert len([n for n in z.namelist() if n.startswith("archive/")]) == done.warc_files
    for _key, _ts, block in index_lines(out):
        record, _ = record_at(out, block["filename"], int(block["offset"]))
        assert record.rec_headers.get_header("WARC-Target-URI") == block["url"]


def test_the_idx_locates_every_block_of_the_index_by_its_first_key(archive, tmp_path, monkeypatch):
    """A ZipNum index, as replay tools read one: ``index.idx`` names each gzip member of
    ``index.cdx.gz`` (place, length, SHA-256) by its first line's key; the blocks hold every line."""
    import hashlib

    monkeypatch.setattr("archive.wacz.INDEX_BLOCK", 4)
    out = tmp_path / "blocks.wacz"
    assert export(archive, out).returncode == 0
    with zipfile.ZipFile(out) as z:
        data, idx = z.read("indexes/index.cdx.gz"), z.read("indexes/index.idx").decode("utf-8").splitlines()
    assert idx[0].startswith("!meta 0 ") and json.loads(idx[0][8:])["filename"] == "index.cdx.gz"
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    assert len(idx) - 1 == -(-len(lines) // 4) > 3
    read: list[str] = []
    for entry in idx[1:]:
        key, ts, place = entry.split(" ", 2)
        place = json.loads(place)
        block = data[place["offset"] : place["offset"] + place["length"]]
        assert place["digest"] == f"sha256:{hashlib.sha256(block).hexdigest()}"
        block_lines = gzip.decompress(block).decode("utf-8").splitlines()
        assert block_lines[0].startswith(f"{key} {ts} ")
        read += block_lines
    assert read == lines


def test_index_lines_are_sorted_through_bounded_runs_on_disk(tmp_path, monkeypatch):
    monkeypatch.setattr("archive.wacz.SORT_RUN", 7)
    lines = [f"com,example)/{random.random():.12f} 2026 {{}}\n" for _ in range(100)]
    assert list(_sorted_lines(iter(lines), tmp_path)) == sorted(lines)
    assert len(list(tmp_path.glob("run-*.cdxj"))) == 15


def test_a_crawl_into_either_database_packages_its_response_and_revisit(crawl, database_url, tmp_path):
    from tests.conftest import ONE_ARTICLE, recording
    from tests.loopback import serve

    page = (200, "text/html; charset=utf-8", recording("kinhtedothi.vn", "article.html").read_bytes())
    with serve({ONE_ARTICLE: page}) as base:
        for _ in range(2):  # the second fetch is the same page: a revisit record
            done = crawl("news", "-a", f"start={base}{ONE_ARTICLE}", database_url=database_url, settings=fixture.LIVE)
            assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "crawl.wacz"
    done = archive_main(
        "export",
        "--format",
        "wacz",
        "--output",
        str(out),
        "--warc-dir",
        str(tmp_path / "warc"),
        database_url=database_url,
    )
    assert done.returncode == 0, done.stderr
    article = [b["mime"] for _, _, b in index_lines(out) if b["url"].endswith(ONE_ARTICLE)]
    assert sorted(article) == ["text/html", "warc/revisit"]
    assert len(pages(out)) == 2  # the header and the article


def test_no_file_header_carries_a_zip64_field_that_replaywebpage_would_misread(whole):
    """ReplayWeb.page 2.5 takes a file's data to start where the central directory's header
    says; a ZIP64 field only in the file's own header shifts it (seen: pages.jsonl unreadable)."""
    import struct

    raw = whole.read_bytes()
    with zipfile.ZipFile(whole) as z:
        for info in z.infolist():
            name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
            assert (name_length, extra_length) == (len(info.filename.encode()), len(info.extra)), info.filename
