"""Commands that look after the archive itself: create or upgrade it, verify it, serve it."""

from __future__ import annotations

import os
import sys
from datetime import timedelta

from archive.cli.arguments import (
    Command,
    CommandError,
    a_port,
)
from archive.cli.lookups import archive_for
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

    problems = verify(archive_for(args), args.warc_dir, NODE, process_alive, timedelta(seconds=args.stale_after))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else "archive verified: every record, file and run is in order")
    return 1 if problems else 0


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


def add_commands(command: Command) -> None:
    command("migrate", cmd_migrate, "create the archive, or upgrade an older one to this version's schema")

    p = command("verify", cmd_verify, "check every snapshot's WARC record, every WARC file, and runs left running")
    p.add_argument("--stale-after", type=float, default=900, help="seconds without a heartbeat (default: 900)")

    p = command(
        "serve", cmd_serve, "browse the archive in a web page: search, articles, versions, captures (read-only)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this machine only)")
    p.add_argument("--port", type=a_port, default=8080, help="port to listen on (default: %(default)s)")
    p.add_argument(
        "--log-level", choices=("critical", "error", "warning", "info"), default="warning", help="default: %(default)s"
    )
