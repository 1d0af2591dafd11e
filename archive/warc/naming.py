"""WARC file names: unique across hosts and processes, ``.open`` while written (the Heritrix
convention), and stored relative to ``WARC_DIR`` so an archive moves as a folder."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

OPEN_SUFFIX = ".open"
NODE = socket.gethostname().replace("-", "_")  # in file names: WARC files of several machines never collide


def open_path(path: Path) -> Path:
    """Where a WARC file is while it is written (the Heritrix convention): ``….warc.gz.open``."""
    return path.with_name(path.name + OPEN_SUFFIX)


def final_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name.removesuffix(OPEN_SUFFIX))


def existing(file: str | os.PathLike) -> Path:
    """A WARC file by its final name, or the ``.open`` file it still is."""
    path = Path(file)
    return path if path.exists() or not open_path(path).exists() else open_path(path)


def file_name(prefix: str, when: datetime, serial: int) -> str:
    """A new WARC file's name, unique across hosts, processes and restarts (the warcprox and
    Browsertrix convention, with the writer's process for the liveness check of ``.open``
    files): ``<prefix>-<17-digit UTC time>-<serial>-<host>-<pid>-<random token>.warc.gz``."""
    stamp = when.astimezone(UTC).strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    return f"{prefix}-{stamp}-{serial:05d}-{NODE}-{os.getpid()}-{secrets.token_hex(4)}.warc.gz"


def writer_pid(path: Path) -> int | None:
    """The writing process of a file named by ``WarcStore`` on this machine, else None."""
    parts = final_path(path).name.split(".", 1)[0].rsplit("-", 3)
    if len(parts) == 4 and parts[1] == NODE and parts[2].isdigit():
        return int(parts[2])
    return None


def stored_name(file: str | os.PathLike, warc_dir: str | os.PathLike | None) -> str:
    """How the archive names a WARC file: relative to ``WARC_DIR`` when it lies inside it (the
    archive moves as a folder and is read from any working directory), else its absolute path
    (a replayed or imported file stays where it is)."""
    path = Path(file).resolve()
    if warc_dir is not None:
        with contextlib.suppress(ValueError):
            return path.relative_to(Path(warc_dir).resolve()).as_posix()
    return str(path)


def located(name: str, warc_dir: str | os.PathLike | None, other_dirs: Iterable[str | os.PathLike] = ()) -> Path:
    """The file a stored WARC name stands for (``stored_name`` reversed): under ``warc_dir``, or
    under the first of ``other_dirs`` that has it (the WARC folders of other crawl nodes)."""
    path = Path(name)
    if path.is_absolute() or warc_dir is None:
        return path
    here = Path(warc_dir) / path
    if here.exists() or open_path(here).exists():
        return here
    for folder in other_dirs:
        there = Path(folder) / path
        if there.exists() or open_path(there).exists():
            return there
    return here


def warc_location(conn, name: str, warc_dir, other_dirs: Iterable[str | os.PathLike] = ()) -> Path:
    """The file a snapshot row's WARC name stands for: under ``warc_dir`` or ``other_dirs``, else
    in the folder its node recorded (the ``warc_file`` table, read on ``conn``) when reachable."""
    from sqlalchemy import select

    from archive.models import WarcFile

    path = located(name, warc_dir, other_dirs)
    if path.exists() or open_path(path).exists():
        return path
    folder = conn.scalar(select(WarcFile.directory).where(WarcFile.name == name))
    return located(name, warc_dir, [folder]) if folder else path


def warc_dirs(value: str | None) -> list[str]:
    """``WARC_DIRS``: the other nodes' WARC folders, separated by the platform's path separator."""
    return [part for part in (value or "").split(os.pathsep) if part.strip()]


def warc_files(path: str | os.PathLike) -> list[Path]:
    """A WARC file, or the WARC files of a folder (recursively, sorted)."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.name.removesuffix(OPEN_SUFFIX).endswith((".warc", ".warc.gz")))
    if not path.exists():
        raise FileNotFoundError(f"no WARC file or folder at {path}")
    return [path]
