"""Commands that look after the archive itself: create or upgrade it, verify it, serve it (and
configure pywb to replay it in place)."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import timedelta

from archive.cli.arguments import (
    Command,
    CommandError,
    Walked,
    a_port,
    a_record_key,
)
from archive.cli.lookups import archive_for
from archive.cli.printing import clear_progress, progress
from archive.database import create_db_engine, reading_sessions, shown, upgrade
from archive.warc import warc_dirs


def cmd_migrate(args) -> int:
    engine = create_db_engine(args.database)
    try:
        before, head = upgrade(engine)
    finally:
        engine.dispose()
    where = shown(args.database)
    if before is None:
        print(f"archive at {where}: created at schema revision {head}")
    elif before != head:
        print(f"archive at {where}: upgraded from schema revision {before} to {head}")
    else:
        print(f"archive at {where}: already at schema revision {head}")
    return 0


def cmd_verify(args) -> int:
    from archive.processes import process_alive
    from archive.run_records import NODE
    from archive.verify import verify

    walked = Walked(progress("snapshots checked", every=10_000))
    found = 0
    stale_after = timedelta(seconds=args.stale_after)
    problems = verify(archive_for(args), args.warc_dir, NODE, process_alive, stale_after, walked.reached, args.after)
    with walked.stoppable("verify", key=lambda record: "{}@{}".format(*record), what="snapshot(s)"):
        for problem in problems:
            found += 1
            clear_progress()
            print(problem, flush=True)
    print(f"{found} problem(s)" if found else "archive verified: every record, file and run is in order")
    return 1 if found else 0


def cmd_serve(args) -> int:
    import uvicorn

    from archive.browser import create_app

    reading_sessions(args.database)  # a missing or older archive: the one-line error, before serving
    app = create_app(args.database, args.warc_dir, warc_dirs(os.environ.get("WARC_DIRS")))
    print(f"archive browser on http://{args.host}:{args.port}/ (read-only; Ctrl-C stops it)", file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, server_header=False)
    except SystemExit as exc:  # uvicorn exits when it cannot bind the port
        raise CommandError(f"cannot serve on {args.host}:{args.port} (in use or not allowed?)") from exc
    return 0


def cmd_pywb_config(args) -> int:
    from pathlib import Path

    from sqlalchemy import select

    from archive.models import WarcFile

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", args.collection):
        raise CommandError(f"a pywb collection name is letters, digits, - and _: {args.collection!r}", 2)
    with reading_sessions(args.database)() as session:
        recorded = set(session.scalars(select(WarcFile.directory).distinct()))
    folders = [args.warc_dir, *warc_dirs(os.environ.get("WARC_DIRS")), *sorted(f for f in recorded if f)]
    paths = [*dict.fromkeys(str(Path(f).resolve()) + "/" for f in folders), "/"]
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    config = output / "config.yaml"
    lines = [
        "# pywb replays this archive in place: `wayback` in this folder (python -m archive pywb-config)",
        "collections:",
        f"  {args.collection}:",
        f"    index_paths: cdx+{args.cdx_url}",
        "    archive_paths:  # the archive's WARC folders; '/' for files the archive names by full path",
        *(f"      - {json.dumps(path)}" for path in paths),
        "framed_replay: false",
        "",
    ]
    config.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {config}: collection {args.collection!r}, index {args.cdx_url}, {len(paths)} archive path(s)")
    print(f"start `python -m archive serve`, then `wayback` in {output}: http://localhost:8080/{args.collection}/<url>")
    return 0


def add_commands(command: Command) -> None:
    command("migrate", cmd_migrate, "create the archive, or upgrade an older one to this version's schema")

    p = command("verify", cmd_verify, "check every snapshot's WARC record, every WARC file, and runs left running")
    p.add_argument("--stale-after", type=float, default=900, help="seconds without a heartbeat (default: 900)")
    p.add_argument(
        "--after",
        type=a_record_key,
        metavar="WARC_FILE@OFFSET",
        help="go on from the snapshot after this record (an interrupted check says which); the files are read again",
    )

    p = command(
        "serve", cmd_serve, "browse the archive in a web page: search, articles, versions, captures (read-only)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    p.add_argument("--port", type=a_port, default=8080, help="port to listen on (default: %(default)s)")
    p.add_argument(
        "--log-level", choices=("critical", "error", "warning", "info"), default="warning", help="default: %(default)s"
    )

    p = command("pywb-config", cmd_pywb_config, "write a pywb config that replays the archive from its WARC folders")
    p.add_argument("collection", help="the collection's name in pywb (its URLs: /COLLECTION/<url>)")
    p.add_argument(
        "--cdx-url",
        default="http://127.0.0.1:8080/cdx",
        help="the CDX API of a running `python -m archive serve` (default: %(default)s)",
    )
    p.add_argument("--output", default=".", help="the folder pywb runs in; config.yaml is written there (default: .)")
