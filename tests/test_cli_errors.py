"""``python -m archive`` on a user's mistakes: one line on standard error, exit 1 or 2, no
traceback, nothing created; and the conventions around it (options anywhere, ``migrate``,
Alembic's own command line, a self-contained database file, WARC names that move with it)."""

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from archive.cli import build_parser, main
from archive.database import close, create_db_engine, head_revision, migrate
from archive.models import Article, Snapshot, WarcFile
from tests.conftest import ROOT, recording, run_crawl
from tests.loopback import serve

PAGE = "/the-gioi/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "ROBOTSTXT_OBEY": False}


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """One crawl of the recorded article served on 127.0.0.1 into a folder (database + WARC
    files); its tests only read it, or copy it first."""
    folder = tmp_path_factory.mktemp("archived")
    pages = {PAGE: (200, "text/html; charset=utf-8", recording("thanhnien.vn", "article.html").read_bytes())}
    with serve(pages) as base:
        done = run_crawl(folder, "news", "-a", f"start={base}{PAGE}", settings=FAST)
    assert done.returncode == 0, done.stderr
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """``python -m archive`` in this process (``main`` is the whole command line)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err and lines
    return lines[-1]


def test_a_mistyped_sqlite_path_is_no_archive_and_nothing_is_created(capsys, tmp_path):
    missing = tmp_path / "typo" / "archve.db"
    code, out, err = run(capsys, "--database", f"sqlite:///{missing}", "stats")
    assert code == 1 and out == ""
    assert one_error_line(err).endswith(
        f"no archive at {missing}; run `python -m archive migrate` (or a crawl) to make one"
    )
    assert not missing.parent.exists()


def test_an_unreachable_postgresql_server_is_one_line(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    code, _, err = run(capsys, "--database", f"postgresql://archive:secret@127.0.0.1:{port}/archive", "list")
    line = one_error_line(err)
    assert code == 1 and f"cannot use the database at postgresql://archive:***@127.0.0.1:{port}/archive" in line
    assert "secret" not in err


def test_since_must_be_a_date(capsys, archived):
    code, _, err = run(capsys, "export", "--since", "yesterday", "--database", f"sqlite:///{archived / 'archive.db'}")
    assert code == 2 and one_error_line(err).endswith("argument --since: 'yesterday' is not a date (YYYY-MM-DD)")


def test_an_unknown_site_is_an_error_naming_the_known_ones(capsys, archived):
    code, out, err = run(capsys, "list", "--site", "thanhnien", "--database", f"sqlite:///{archived / 'archive.db'}")
    assert code == 2 and out == ""
    assert one_error_line(err).endswith("no site 'thanhnien' in the archive (have: 127.0.0.1)")


def test_reextract_going_on_after_an_unknown_article_is_one_error_line(capsys, archived):
    code, _, err = run(capsys, "reextract", "--after", "x:1", "--database", f"sqlite:///{archived / 'archive.db'}")
    assert code == 1 and one_error_line(err).endswith(
        "no article with key x:1 in this archive (--after takes an exported article_key)"
    )


def test_verify_going_on_after_something_not_a_record_is_a_usage_error(capsys, archived):
    code, _, err = run(
        capsys, "verify", "--after", "file.warc.gz", "--database", f"sqlite:///{archived / 'archive.db'}"
    )
    assert code == 2 and one_error_line(err).endswith(
        "argument --after: 'file.warc.gz' is not a record (WARC_FILE@OFFSET)"
    )


def test_extract_of_a_missing_file_names_it(capsys, tmp_path):
    code, _, err = run(capsys, "extract", str(tmp_path / "nope.html"))
    assert code == 1 and one_error_line(err).endswith(f"no such file or directory: {tmp_path / 'nope.html'}")


def test_extract_of_a_binary_file_says_it_is_not_a_page(capsys, tmp_path):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    code, out, err = run(capsys, "extract", str(binary))
    assert code == 1 and out == ""
    assert one_error_line(err).endswith(f"{binary} is not an HTML page: empty or binary document")


def test_pack_without_a_manifest_names_the_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "pack", str(tmp_path), "--out", str(tmp_path / "out.warc.gz"))
    assert code == 1 and one_error_line(err).endswith(f"no such file or directory: {tmp_path / 'manifest.json'}")


def test_global_options_are_accepted_after_the_sub_command(capsys, archived):
    code, out, _ = run(capsys, "stats", "--json", "--database", f"sqlite:///{archived / 'archive.db'}")
    assert code == 0 and json.loads(out)["articles"] == 1


def test_every_option_of_every_sub_command_is_explained_in_its_help():
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    unexplained = [
        f"{name} {action.option_strings or action.dest}"
        for name, sub in commands.choices.items()
        for action in sub._actions
        if not action.help
    ]
    assert unexplained == []


def test_a_read_only_command_refuses_an_older_schema_and_migrate_upgrades_it(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_db_engine(url)
    migrate(engine, "0005")
    engine.dispose()
    code, _, err = run(capsys, "--database", url, "list")
    assert code == 1 and f"has schema revision 0005, this version needs {head_revision()}" in one_error_line(err)
    code, out, _ = run(capsys, "--database", url, "migrate")
    assert code == 0 and out.strip().endswith(f"upgraded from schema revision 0005 to {head_revision()}")
    assert run(capsys, "--database", url, "list")[0] == 0


def test_alembic_s_own_command_line_works_on_the_archive(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}", PYTHONPATH=str(ROOT))
    alembic = [sys.executable, "-m", "alembic"]
    subprocess.run([*alembic, "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)
    current = subprocess.run([*alembic, "current"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert f"{head_revision()} (head)" in current.stdout


def test_export_into_a_closed_pipe_ends_quietly(archived):
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{archived / 'archive.db'}")
    script = f"{sys.executable} -m archive export --all-versions | head -c 10 > /dev/null"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_export_rows_carry_the_warc_record_fetch_time_extractor_and_identity(capsys, archived):
    code, out, _ = run(capsys, "--database", f"sqlite:///{archived / 'archive.db'}", "export")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and row["article_key"] == f"url:127.0.0.1{PAGE}" and row["extractor_version"]
    assert row["fetched_at"].endswith("+00:00") and row["snapshot"]["length"] > 0
    assert row["snapshot"]["record_type"] == "response"


def test_after_a_crawl_the_database_file_alone_is_the_archive(recordings_warc, tmp_path):
    done = run_crawl(tmp_path, "thanhnien", settings={"REPLAY_FROM": recordings_warc})
    assert done.returncode == 0, done.stderr
    shutil.copy(tmp_path / "archive.db", tmp_path / "copy.db")  # without its -wal file
    engine = create_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
    engine.dispose()


def test_warc_names_are_relative_to_warc_dir_so_a_moved_archive_reextracts(capsys, archived, tmp_path):
    with Session(create_engine(f"sqlite:///{archived / 'archive.db'}")) as session:
        assert not any(name.startswith("/") for name in session.scalars(select(Snapshot.warc_file)) if name)
    moved = tmp_path / "moved"
    shutil.copytree(archived, moved)
    url = f"sqlite:///{moved / 'archive.db'}"
    code, out, _ = run(capsys, "--database", url, "--warc-dir", str(moved / "warc"), "reextract", "--workers", "0")
    close(url)
    assert code == 0 and out.startswith("re-extracted: 1 unchanged")


def test_reextract_without_its_warc_files_fails_and_says_so(capsys, archived, tmp_path):
    shutil.copy(archived / "archive.db", tmp_path / "archive.db")
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with Session(create_engine(url)) as session:  # gone from where the archive recorded them too
        session.execute(update(WarcFile).values(directory=str(tmp_path / "gone")))
        session.commit()
    code, out, err = run(capsys, "--database", url, "--warc-dir", str(tmp_path / "none"), "reextract", "--workers", "0")
    close(url)
    assert code == 1 and "failed: FileNotFoundError" in out, err


def test_the_recorded_page_extracts_through_the_command_line(capsys):
    page = recording("thanhnien.vn", "article.html")
    code, out, _ = run(capsys, "extract", str(page), "--url", "https://thanhnien.vn/a-1851335421.htm")
    assert code == 0 and json.loads(out)["article_key"] == "thanhnien.vn:1851335421"
