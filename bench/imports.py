"""``make bench``, real pages: the development sets' pages (``../shared/bench/``, read in place)
served by nginx as one site, crawled by each crawl variant, and written by ``wget --warc-file``
into WARC files that ``archive import``, news-please's ``from_warc`` loop and a warcio loop
calling ``trafilatura.bare_extraction`` each read (the peers in their own virtualenv,
``bench/.peers``, made by ``make bench``)."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
SETS = ("article-extraction", "fundus")
NETNS = "newsarchive-peers"


def real_pages() -> list[bytes]:
    """Every page of both development sets, as served (their ``.html.gz`` unpacked)."""
    return [
        gzip.decompress(p.read_bytes()) for name in SETS for p in sorted((SHARED / name / "html").rglob("*.html.gz"))
    ]


def build_site(folder: Path, base: str, pages: list[bytes], copies: int, name: str) -> list[str]:
    """``copies`` of every page under story-shaped paths of ``folder/name/``, listed by
    ``name/sitemap.xml``; the URLs."""
    urls = []
    for copy in range(copies):
        for index, page in enumerate(pages):
            path = f"/{name}/2026/11/{copy % 28 + 1:02d}/bai-{index}-{copy}-{10_000_000 + copy * 1000 + index}.html"
            (folder / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
            (folder / path.lstrip("/")).write_bytes(page)
            urls.append(base + path)
    entries = "".join(f"<url><loc>{u}</loc><lastmod>2026-11-30T08:00:00+00:00</lastmod></url>" for u in urls)
    (folder / name / "sitemap.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</urlset>",
        encoding="utf-8",
    )
    return urls


def wget_warc(urls: list[str], out: Path) -> Path:
    """The pages fetched by Debian's ``wget --warc-file`` (request, response and metadata
    records); wget exits 8 for a page that is not there, which is no failure here."""
    listing = out.with_suffix(".urls")
    listing.write_text("\n".join(urls) + "\n", encoding="utf-8")
    subprocess.run(
        [
            "wget",
            "--quiet",
            f"--warc-file={out}",
            "-e",
            "robots=off",
            "--tries=1",
            "--timeout=5",
            "-O",
            "/dev/null",
            "-i",
            str(listing),
        ],
        check=False,
        timeout=1800,
    )
    return out.with_name(out.name + ".warc.gz")


@dataclass
class ImportResult:
    variant: str
    records: int
    articles: int
    seconds: float
    articles_per_second: float
    peak_mb: float


def import_speed(warc: Path, env: dict, label: str, measured) -> ImportResult:
    """``python -m archive import`` as a user runs it, into a new SQLite archive; articles are the
    pages it recognised as articles (new, alias, unchanged, … of an article)."""
    database = f"sqlite:///{warc.with_suffix('.db')}"
    output, seconds, _cpu, memory = measured(
        [sys.executable, "-m", "archive", "--database", database, "import", str(warc)], env
    )
    outcomes = dict((k, int(n)) for k, n in re.findall(r"^  (\S+)\s+(\d+)$", output, re.M))
    articles = sum(outcomes.get(k, 0) for k in ("new", "updated", "alias", "unchanged", "cosmetic", "teaser"))
    records = int(re.search(r"imported (\d+) record", output).group(1))
    return ImportResult(label, records, articles, round(seconds, 2), round(articles / seconds, 1), round(memory, 1))


def offline() -> list[str]:
    """A command prefix running a peer without a network (a namespace with only loopback, when
    root): they read files only, and news-please's domain parser otherwise waits on the public
    suffix list's server for every page here."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        return []
    if subprocess.run(["ip", "netns", "exec", NETNS, "true"], capture_output=True).returncode != 0:
        subprocess.run(["ip", "netns", "add", NETNS], check=True)
        subprocess.run(["ip", "netns", "exec", NETNS, "ip", "link", "set", "lo", "up"], check=True)
    return ["ip", "netns", "exec", NETNS]


def peer_speed(python: str, tool: str, warc: Path, env: dict, label: str, measured) -> ImportResult:
    command = [*offline(), python, str(Path(__file__).with_name("peers.py")), tool, str(warc)]
    output, seconds, _cpu, memory = measured(command, env)
    result = json.loads(output.strip().splitlines()[-1])
    return ImportResult(
        label,
        result["records"],
        result["articles"],
        round(seconds, 2),
        round(result["articles"] / seconds, 1),
        round(memory, 1),
    )
