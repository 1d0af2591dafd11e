"""What every command shares on its command line: the argument types (a mistake is argparse's
one-line message), the global options, ``--json`` and ``--site``, and ``CommandError``."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from archive.database import DEFAULT_DATABASE_URL

Command = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]
"""``command(name, func, help)``: a sub-command's parser, running ``func(args)``."""


class CommandError(Exception):
    """A user's mistake: the message is printed as it is, the exit status is ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


class Walked:
    """How far a long walk of the archive got — how many done (articles, snapshots), the last
    one — told to a terminal's counter (``printing.progress``) as it goes."""

    def __init__(self, tick: Callable[[int], None]):
        self.tick, self.done, self.last = tick, 0, None

    def reached(self, done: int, last) -> None:
        self.done, self.last = done, last
        self.tick(done)

    def written(self, last) -> None:
        self.reached(self.done + 1, last)

    @contextlib.contextmanager
    def stoppable(self, command: str, key: Callable[[Any], str] = str, then: str = "", what: str = "article(s)"):
        """Ctrl-C in the walk ends the command with how far it got and how to go on: ``--after``
        the last one's ``key`` (exit status 130); before the first one, as any Ctrl-C does."""
        from archive.cli.printing import clear_progress

        try:
            yield self
        except KeyboardInterrupt:
            clear_progress()
            if self.last is None:
                raise
            told = f"{command} interrupted after {self.done:,} {what}; to go on: the same command with"
            raise CommandError(f"{told} --after {key(self.last)}" + (f" ({then})" if then else ""), 130) from None
        clear_progress()


def a_record_key(value: str) -> tuple[str, int]:
    """``WARC_FILE@OFFSET``: a record, as ``verify`` names where it stopped."""
    file, _, offset = value.rpartition("@")
    if not file or not offset.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a record (WARC_FILE@OFFSET)")
    return file, int(offset)


def a_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def a_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a time (ISO 8601: 2021-01-28T10:00:00+07:00)") from None


def a_count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of 1 or more")
    return int(value)


def a_port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (1-65535)")
    return int(value)


def a_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds above 0")
    return seconds


def as_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


def site_option(p: argparse.ArgumentParser, what: str = "site name, e.g. thanhnien.vn") -> None:
    p.add_argument("--site", help=f"only this site ({what})")


def global_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """``--database`` and ``--warc-dir``, accepted before and after the sub-command."""
    database, warc_dir = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), os.environ.get("WARC_DIR", "data/warc")
    parser.add_argument(
        "--database",
        default=database if defaults else argparse.SUPPRESS,
        help=f"SQLAlchemy URL of the archive (default: $DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--warc-dir",
        default=warc_dir if defaults else argparse.SUPPRESS,
        help="where WARC paths are resolved (default: $WARC_DIR or data/warc)",
    )
