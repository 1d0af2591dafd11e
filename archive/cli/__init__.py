"""``python -m archive``: look into the archive, keep it up to date, extract pages.

The composition root: the one package of ``archive/`` that may import the layers above it
(site rules, extraction, re-extraction, scheduling), to wire them together. Each command is
thin (parse, call, print), in a module of its area. A mistake of the user's (a missing file,
a wrong date, an unknown site, an archive that is not there or is older) is one line on
standard error and exit status 1 or 2, never a traceback; output cut short by a closed pipe
(``… | head``) ends quietly. Commands that only read never create or upgrade an archive:
``python -m archive migrate`` does.
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy.exc import DBAPIError

from archive.cli import crawl_commands, extraction_commands, reading_commands, upkeep_commands
from archive.cli.arguments import CommandError, global_options
from archive.clock import ClockSpecError
from archive.database import ArchiveUnavailableError, close, shown
from archive.recheck_policy import UnknownPolicyError

AREAS = (extraction_commands, reading_commands, crawl_commands, upkeep_commands)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__.split("\n\n")[0])
    global_options(parser, defaults=True)
    common = argparse.ArgumentParser(add_help=False)
    global_options(common, defaults=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(func=func)
        return p

    for area in AREAS:
        area.add_commands(command)
    return parser


def _error(message: str) -> None:
    print(f"python -m archive: error: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # a usage mistake: argparse's message, exit status 2
    try:
        return args.func(args)
    except (CommandError, ArchiveUnavailableError, ClockSpecError, UnknownPolicyError) as exc:
        _error(str(exc))
        return getattr(exc, "code", 1)
    except DBAPIError as exc:  # unreachable server, wrong password, locked or corrupt file
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else exc.__class__.__name__
        _error(f"cannot use the database at {shown(args.database)}: {reason}")
        return 1
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        _error(f"{exc.strerror.lower() if exc.strerror else exc}: {exc.filename or ''}".rstrip(": "))
        return 1
    except BrokenPipeError:  # `… | head` closed the pipe: stop quietly (Python's documented recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        close(args.database)
