"""``archive export`` of JSON lines or CSV: the archive walked a batch of articles at a time,
resumable after any article, and stopped by Ctrl-C between two articles with the key to go
on from — so an export of millions that is cut short is finished, not started again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from archive.keys import fingerprint
from archive.queries import export_rows
from archive.store import Archive
from archive.warc import Exchange, WarcStore
from tests.conftest import ROOT, archive_main
from tests.test_archive_store import fetched

PARAGRAPH = "Đoạn văn dài của bài báo, kể lại từng chi tiết của sự việc cho người đọc. " * 8


def filled(url: str, tmp_path, articles: int, paragraphs: int = 2) -> Archive:
    """An archive of ``articles`` stories of the recorded Thanh Niên article's make, each with a
    WARC record of its own; the third also archived under a second address (an alias)."""
    archive, base, warc = Archive(url), fetched("thanhnien.vn", tmp_path), WarcStore(tmp_path / "warc")
    for n in range(1, articles + 1):
        story = f"https://thanhnien.vn/bai-{n}-{1851335000 + n}.htm"
        for address in [story] + ([story + "?utm_source=zalo"] if n == 3 else []):
            ref = warc.write(Exchange(address, 200, [("Content-Type", "text/html")], b"<p>x</p>", datetime.now(UTC)))
            title, body = f"Bài số {n}", [f"{n}: {PARAGRAPH}"] * paragraphs
            archive.save(
                base
                | {"url": address, "final_url": address, "canonical_url": story, "article_key": f"thanhnien.vn:{n}"}
                | {"title": title, "body": body, "fingerprint": fingerprint(title, body), "minhash": None}
                | {"snapshot": asdict(ref)}
            )
    return archive


def exported(archive: Archive, **options) -> list[dict]:
    with archive.Session() as session:
        return list(export_rows(session, **options))


def test_an_export_read_in_small_batches_is_the_export_read_at_once(database_url, tmp_path):
    archive = filled(database_url, tmp_path, 7)
    assert exported(archive, size=2) == exported(archive, size=500)
    assert [row["article_key"] for row in exported(archive, size=2)] == [f"thanhnien.vn:{n}" for n in range(1, 8)]


def test_each_exported_article_carries_its_own_aliases(sqlite_url, tmp_path):
    rows = {row["article_key"]: row for row in exported(filled(sqlite_url, tmp_path, 4), size=2)}
    assert rows["thanhnien.vn:3"]["aliases"] == ["https://thanhnien.vn/bai-3-1851335003.htm?utm_source=zalo"]
    assert rows["thanhnien.vn:2"]["aliases"] == []


def test_an_export_after_an_article_gives_exactly_the_ones_after_it(sqlite_url, tmp_path):
    filled(sqlite_url, tmp_path, 5)
    done = archive_main("export", "--after", "thanhnien.vn:2", database_url=sqlite_url)
    assert [json.loads(line)["article_key"] for line in done.stdout.splitlines()] == [
        "thanhnien.vn:3",
        "thanhnien.vn:4",
        "thanhnien.vn:5",
    ]


def test_a_csv_export_going_on_after_an_article_writes_no_second_header(sqlite_url, tmp_path):
    filled(sqlite_url, tmp_path, 3)
    whole = archive_main("export", "--format", "csv", database_url=sqlite_url).stdout
    rest = archive_main("export", "--format", "csv", "--after", "thanhnien.vn:1", database_url=sqlite_url).stdout
    assert not rest.startswith("url,") and whole.endswith(rest)


def test_an_unknown_article_to_go_on_after_is_one_error_line(sqlite_url, tmp_path):
    filled(sqlite_url, tmp_path, 1)
    done = archive_main("export", "--after", "thanhnien.vn:99", database_url=sqlite_url)
    (line,) = done.stderr.strip().splitlines()
    told = "error: no article with key thanhnien.vn:99 in this archive (--after takes an exported article_key)"
    assert done.returncode == 1 and line.endswith(told)


def hears_ctrl_c() -> None:
    """Ctrl-C at its default in the export's process, as at a terminal: a suite started in the
    background (``make test &``) passes SIGINT on ignored, and Python then never raises
    KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="Ctrl-C is held back with pthread_sigmask")
def test_an_export_stopped_by_ctrl_c_says_where_to_go_on_and_going_on_doubles_nothing(sqlite_url, tmp_path):
    filled(sqlite_url, tmp_path, 40, paragraphs=12)  # 40 articles of 9 KB: more than a pipe holds
    command = [sys.executable, "-m", "archive", "--database", sqlite_url, "export", "--all-versions"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    export = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=hears_ctrl_c
    )
    first = export.stdout.read(4096)  # the export has begun and waits for its reader
    export.send_signal(signal.SIGINT)
    rest, err = export.communicate(timeout=60)
    said = err.decode().strip().splitlines()
    told = said[-1] if said else ""
    assert export.returncode == 130 and "export interrupted after" in told, (export.returncode, len(first), said)
    key = told.split("--after ")[1].split()[0]
    going_on = subprocess.run([*command, "--after", key], cwd=ROOT, env=env, capture_output=True, check=True)
    whole = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    assert first + rest + going_on.stdout == whole.stdout
    assert 0 < len(first + rest) < len(whole.stdout)
