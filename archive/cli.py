"""``python -m archive``: look into the archive and extract pages from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

from archive.database import DEFAULT_DATABASE_URL, sessions


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_extract(args) -> int:
    from pipelines import extract_article

    path = Path(args.file)
    headers = {"Content-Type": args.content_type} if args.content_type else None
    _print_json(extract_article(path.read_bytes(), args.url or path.resolve().as_uri(), headers))
    return 0


def cmd_list(args) -> int:
    from archive.queries import list_articles

    with sessions(args.database)() as session:
        rows = list_articles(session, site=args.site, limit=args.limit)
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        published = (row["published_at"] or "")[:16].replace("T", " ")
        print(f"{published:16}  {row['site']:18}  v{row['versions']:<3} {row['title'] or '(no title)'}")
        print(f"{'':38}{row['url']}")
    print(f"{len(rows)} article(s)")
    return 0


def cmd_show(args) -> int:
    from archive.queries import article_dict, find_article

    with sessions(args.database)() as session:
        article = find_article(session, args.url)
        if article is None:
            print(f"not in the archive: {args.url}", file=sys.stderr)
            return 1
        data = article_dict(session, article)
    if args.json:
        _print_json(data)
        return 0
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
    return 0


def cmd_stats(args) -> int:
    from archive.queries import totals

    with sessions(args.database)() as session:
        data = totals(session)
    if args.json:
        _print_json(data)
        return 0
    print(
        f"articles: {data['articles']}  versions: {data['versions']}  aliases: {data['aliases']}  "
        f"snapshots: {data['snapshots']}  crawl runs: {data['crawl_runs']}"
    )
    for site, count in data["sites"].items():
        print(f"  {site:24} {count} article(s)")
    if data["snapshot_outcomes"]:
        print("snapshots by outcome: " + ", ".join(f"{k} {v}" for k, v in data["snapshot_outcomes"].items()))
    if data["last_run"]:
        run = data["last_run"]
        print(f"last run: {run['spider']} at {run['started_at']} ({run['outcome'] or 'running'})")
    return 0


def cmd_pack(args) -> int:
    from archive.recordings import pack

    refs = pack(args.folders, args.out)
    print(f"{len(refs)} page(s) written to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        help="SQLAlchemy URL (default: $DATABASE_URL or %(default)s)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="print the article extracted from a saved page, as JSON")
    p.add_argument("file")
    p.add_argument("--url", help="the URL the page was fetched from (selects the site rules)")
    p.add_argument("--content-type", help="the Content-Type header it was served with")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("list", help="list archived articles, newest first")
    p.add_argument("--site")
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one article with its versions and snapshots")
    p.add_argument("url")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("stats", help="totals of the archive")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("pack", help="pack saved pages (folders with a manifest.json) into a WARC for replay")
    p.add_argument("folders", nargs="+")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_pack)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
