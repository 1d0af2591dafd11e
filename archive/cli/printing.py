"""How ``python -m archive`` shows things: text for a terminal or a pipe, JSON on request.
Commands (``archive.cli``) fetch the data; these functions only write it."""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import json
import os
import signal
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby
from operator import itemgetter

from archive.schema import csv_cell


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def article_list(rows: list[dict]) -> None:
    for row in rows:
        published = (row["published_at"] or "")[:16].replace("T", " ")
        print(f"{published:16}  {row['site']:18}  v{row['versions']:<3} {row['title'] or '(no title)'}")
        print(f"{'':38}{row['url']}")
    print(f"{len(rows)} article(s)")


def article(data: dict) -> None:
    wrap = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    print(data["title"])
    print(
        f"{data['url']}\n{data['site']} · {data['section'] or '-'} · published {data['published_at'] or '-'}"
        f" · updated {data['updated_at'] or '-'}"
    )
    print(f"authors: {', '.join(data['authors']) or '-'} · tags: {', '.join(data['tags']) or '-'}")
    if data["lead"]:
        print("\n" + wrap.fill(data["lead"]))
    for paragraph in data["body"]:
        print("\n" + wrap.fill(paragraph))
    for image in data["images"]:
        print(f"\n  [image] {image['src']}\n          {image['caption'] or ''}")
    print(
        f"\n{len(data['versions'])} version(s), {len(data['snapshots'])} snapshot(s), aliases: {len(data['aliases'])}"
    )
    for s in data["snapshots"]:
        print(f"  {s['fetched_at']}  {s['status']}  {s['outcome']:9}  {s['warc_file']}@{s['warc_offset']}")


def totals(data: dict) -> None:
    print(
        f"articles: {data['articles']}  versions: {data['versions']}  aliases: {data['aliases']}  "
        f"snapshots: {data['snapshots']}  near-duplicate links: {data['near_duplicates']}  "
        f"crawl runs: {data['crawl_runs']}"
    )
    for site, count in data["sites"].items():
        print(f"  {site:24} {count} article(s)")
    if data["snapshot_outcomes"]:
        print("snapshots by outcome: " + ", ".join(f"{k} {v}" for k, v in data["snapshot_outcomes"].items()))
    if data["last_run"]:
        run = data["last_run"]
        print(f"last run: {run['spider']} at {run['started_at']} ({run['outcome'] or 'running'})")


def history(rows: list[dict]) -> None:
    for row in rows:
        print(f"v{row['number']:<3} {(row['fetched_at'] or '')[:19]:19}  {row['summary']}")


def _version_lines(version) -> list[str]:
    return [f"# {version.title or ''}", *([f"> {version.lead}"] if version.lead else []), *version.body]


def _colour(line: str) -> str:
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        return line
    if line.startswith("+") and not line.startswith("+++"):
        return f"\033[32m{line}\033[0m"
    if line.startswith("-") and not line.startswith("---"):
        return f"\033[31m{line}\033[0m"
    return f"\033[36m{line}\033[0m" if line.startswith("@@") else line


def version_diff(old, new) -> None:
    """Paragraph-level unified diff of two versions, coloured on a terminal."""
    lines = difflib.unified_diff(
        _version_lines(old), _version_lines(new), f"v{old.number}", f"v{new.number}", lineterm="", n=1
    )
    for line in lines:
        print(_colour(line))


def clusters(found: list[list[dict]]) -> None:
    for cluster in found:
        for member in cluster:
            score = "original" if member["role"] == "original" else f"copy, similarity {member['similarity']}"
            print(f"  {member['site']:20} {score:26} {member['title'] or ''}\n  {'':20} {member['url']}")
        print()
    print(f"{len(found)} cluster(s)")


def runs(rows: list[dict]) -> None:
    for row in rows:
        counts = ", ".join(f"{n} {k}" for k, n in row["counts"].items()) or "-"
        print(
            f"#{row['id']:<5} {row['spider']:14} {(row['started_at'] or '')[:19]:19}  {row['outcome'] or '':9} {counts}"
        )
        if row["error"]:
            print(f"{'':7}{row['error'][:200]}")


def failures(run_id: int | None, rows: list[dict]) -> None:
    for row in rows:
        print(f"{row['outcome']:32} {row['status'] or '-':>4}  {row['url']}")
        if row["detail"]:
            print(f"{'':38}{row['detail'][:200]}")
    print(f"run #{run_id}: {len(rows)} request(s) dropped, refused or failed")


def export_lines(rows: Iterable[dict], csv_format: bool, header: bool, written: Callable[[str], None]) -> None:
    """The export's rows as JSON lines or CSV (cells as in feed exports, ``archive.schema.csv_cell``),
    an article's rows in one write, then ``written(its key)``: an export stopped by Ctrl-C ends
    between two articles and knows the last one out."""
    buffer, writer = io.StringIO(), None
    for key, group in groupby(rows, key=itemgetter("article_key")):
        for row in group:
            if not csv_format:
                buffer.write(json.dumps(row, ensure_ascii=False) + "\n")
                continue
            if writer is None:
                writer = csv.DictWriter(buffer, fieldnames=list(row))
                if header:
                    writer.writeheader()
            writer.writerow({name: csv_cell(name, value) for name, value in row.items()})
        with _ctrl_c_held():
            sys.stdout.write(buffer.getvalue())
            written(key)
        buffer.seek(0)
        buffer.truncate()


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Ctrl-C (SIGINT) held back for the block and raised at its end: a write interrupted in
    its middle would leave half an article out, or a part of it in Python's buffer."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def progress(what: str, every: int = 1000):
    """A counter shown in place on standard error while a long command runs, when it is a
    terminal (never in a pipe or a log)."""
    if not sys.stderr.isatty():
        return lambda count: None

    def show(count: int) -> None:
        if count % every == 0:
            print(f"\r{count:,} {what}", end="", file=sys.stderr, flush=True)

    return show


def clear_progress() -> None:
    """Wipe the ``progress`` counter's line, so what is printed next starts a clean line."""
    if sys.stderr.isatty():
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def packaged(result) -> None:
    """What an export wrote: a WACZ package (``archive.wacz.Packaged``)."""
    if sys.stderr.isatty():
        print("\r", end="", file=sys.stderr)
    files = f"{result.warc_files} WARC file(s)"
    print(f"wrote {result.path}: {result.records:,} record(s) in {files}, {result.pages:,} page(s)")
    for record in result.skipped[:20]:
        print(f"  left out (its WARC file is missing): {record}")
    if len(result.skipped) > 20:
        print(f"  … and {len(result.skipped) - 20:,} more")
