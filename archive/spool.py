"""The spool: what the database could not take, kept as JSON lines until it can.

When a write fails for good (a dead server, a locked file, a schema it cannot migrate),
the decide-and-store step appends the write here — the article item (without its page: the WARC has
it) or the outcome rows — and the crawl goes on. ``load`` replays the writes into the
archive; each is idempotent (a WARC record keeps one row, an article met again is
``unchanged``), so a spool loaded twice stores nothing twice. Crawls and the scheduler
load it when they start; ``python -m archive spool load`` does it by hand.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from archive.store import Archive

SAVE, SNAPSHOT, FETCHES = "save", "snapshot", "fetches"
_NOT_SPOOLED = ("page", "minhash")  # in the WARC; recomputed from the text


@dataclass
class SpoolReport:
    loaded: int = 0
    failed: int = 0


def archive_name(database_url: str | None) -> str | None:
    """Which archive a spooled write belongs to: its database URL without the password."""
    return make_url(database_url).render_as_string(hide_password=True) if database_url else None


def append(
    path: str | os.PathLike,
    op: str,
    payload: Mapping,
    run_id: int | None,
    error: str,
    database_url: str | None = None,
) -> None:
    """Keep one failed write (``save`` an item, ``snapshot`` of a dropped item, outcome ``fetches``)
    for the archive at ``database_url``: crawls of several archives from one folder share the
    default spool file, and each loads only its own writes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"op": op, "run_id": run_id, "error": error, "archive": archive_name(database_url)}
    if op == FETCHES:
        record["rows"] = list(payload["rows"])
    else:
        record["item"] = {k: v for k, v in payload.items() if k not in _NOT_SPOOLED}
        record["outcome"] = payload.get("outcome")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def _replay(archive: Archive, record: Mapping) -> None:
    op, run_id = record["op"], record.get("run_id")
    if op == SAVE:
        archive.save(record["item"], run_id)
    elif op == SNAPSHOT:
        archive.record_snapshot(record["item"], record["outcome"], run_id)
    elif op == FETCHES:
        archive.record_fetches(record["rows"], run_id)
    else:
        raise ValueError(f"unknown spool operation {op!r}")


def load(archive: Archive, path: str | os.PathLike) -> SpoolReport:
    """Store every spooled write meant for ``archive`` (or for no archive in particular: spools
    written before writes named theirs); the ones that fail again, and other archives', stay in
    the spool."""
    path = Path(path)
    report = SpoolReport()
    if not path.exists() or path.stat().st_size == 0:
        return report
    taken = path.with_name(path.name + ".loading")
    if not taken.exists():
        path.rename(taken)  # new failures meanwhile start a new spool
    kept = []
    for line in taken.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line torn by a crash: kept as it is, for a person to look at
            kept.append(line)
            report.failed += 1
            continue
        if record.get("archive") not in (None, archive_name(archive.database_url)):
            kept.append(line)  # another archive's: its own crawl loads it
            continue
        try:
            _replay(archive, record)
            report.loaded += 1
        except Exception as exc:
            record["error"] = str(exc)
            kept.append(json.dumps(record, ensure_ascii=False, default=str))
            report.failed += 1
    with path.open("a", encoding="utf-8") as fh:
        for line in kept:
            fh.write(line + "\n")
    taken.unlink()
    return report
