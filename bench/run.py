"""``make bench``: the archive's speed and memory next to plain Scrapy and trafilatura.

Generates a site (``--pages`` articles in the recordings' layout, sitemaps), serves it with
nginx on 127.0.0.1, runs each variant as a real
``scrapy crawl`` and prints pages/s, CPU seconds and peak memory (of
the whole process tree, worker processes included), the ratios the speed issue
asks for, and writes everything to ``bench/results/<time>.json``. Then the archive browser's
pages are timed on a generated archive of 100,000 articles (``bench.browser``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import browser, imports
from bench.site import generate, generate_huge, generate_rendered

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "tests" / "recordings" / "thanhnien.vn" / "article.html"
SPIDER = "thanhnien"
"""The generated pages have the Thanh Niên layout: its spider crawls them with its rules, as in
production (the ``news`` spider, extracting without rules, is measured alongside)."""
HUGE_SECONDS = 120
"""How long the crawl of the huge sitemap index runs: its memory must stay that of one sitemap."""
FAST = {
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "LOG_LEVEL": "INFO",
    "CRAWL_SUMMARY_PRINT": False,
    "SPIDER_MODULES": "crawler.spiders,bench.spiders",
}


@dataclass
class Result:
    variant: str
    pages: int
    seconds: float
    pages_per_second: float
    cpu_seconds: float
    peak_mb: float
    database_ms: float | None = None
    """CPU milliseconds per page of the crawl's database thread (``store/cpu_seconds``)."""
    database_calls: float | None = None
    """The crawl's archive calls (its database round trips, ``archive/calls/<kind>`` stats) per page."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compile_bytecode() -> None:
    """Every module the crawls import compiled before the first is timed: without bytecode
    (``PYTHONDONTWRITEBYTECODE`` in a shell, a fresh virtualenv) each run compiles Scrapy's lazily
    imported modules again inside its timed part, and plain Scrapy's real-page crawl took 8.9 s
    instead of 5.9 (2026-12-07): the ratios moved by a half from one shell to the next."""
    import sysconfig

    folders = [
        sysconfig.get_paths()["purelib"],
        *(str(ROOT / name) for name in ("crawler", "pipelines", "archive", "bench")),
    ]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *folders], stdout=subprocess.DEVNULL, check=False
    )


@contextmanager
def served(folder: Path, port: int):
    """nginx serving ``folder`` on 127.0.0.1:``port``, stopped afterwards. Python's ``http.server``
    is no stand-in: its listen queue of 5 drops connections opened 64 at once, and each dropped
    one stalls the crawl for seconds of TCP retransmission (a real-page crawl measured 27 to 47 s
    from one run to the next, with its CPU time the same)."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        raise SystemExit("bench: nginx is missing (`make bench` installs nginx-light)")
    prefix = folder.parent / "nginx"
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"worker_processes 1; daemon off; error_log {prefix}/logs/error.log; pid {prefix}/nginx.pid;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; sendfile on; types {{ text/html htm html; text/xml xml; }}\n"
        f"  server {{ listen 127.0.0.1:{port}; root {folder}; }} }}\n"
    )
    process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(prefix)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def fresh_postgres(server_url: str):
    """An empty database on the PostgreSQL server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"bench_{int(time.time())}"
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class TreeMonitor(threading.Thread):
    """Samples a process and all its descendants (the crawl's worker processes too) from
    /proc: CPU seconds per process (the last reading of each) and the peak of their summed
    proportional set size (shared pages counted once)."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.cpu: dict[int, float] = {}
        self.peak_pss_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            pss = 0
            for pid in self._tree():
                try:
                    self.cpu[pid] = self.cpu_seconds(pid)
                    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                    pss += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
                except (OSError, AttributeError):
                    continue  # the process just ended
            self.peak_pss_kb = max(self.peak_pss_kb, pss)

    @classmethod
    def cpu_seconds(cls, pid: int) -> float:
        """A process's own user and system CPU time (not that of the children it reaped)."""
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / cls.TICK

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        return tree


def measured(command: list[str], env: dict) -> tuple[str, float, float, float]:
    """Run a command; its output, wall seconds, CPU seconds and peak memory in MB of the
    whole process tree (worker processes included)."""
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    monitor = TreeMonitor(process.pid)
    monitor.start()
    output = b""
    while chunk := process.stdout.read(65536):
        output += chunk
    monitor.done.set()
    # Ended but not reaped: its /proc entry still holds its own final CPU time. The CPU time
    # wait4 reports adds that of every descendant it reaped (the browser's driver and the
    # browser with it), which the monitor has already counted.
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    own_cpu = TreeMonitor.cpu_seconds(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    monitor.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} failed:\n{output.decode(errors='replace')[-3000:]}")
    others = sum(cpu for pid, cpu in monitor.cpu.items() if pid != process.pid)
    return (
        output.decode(errors="replace"),
        time.monotonic() - start,
        own_cpu + others,
        (monitor.peak_pss_kb or usage.ru_maxrss) / 1024,
    )


def crawl(
    variant: str,
    spider: str,
    start: str,
    env: dict,
    render: str = "auto",
    counted: str = "response_received_count",
    **settings,
) -> Result:
    """A real ``scrapy crawl``; its pages are the ``counted`` stat."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"start={start}", "-a", f"render={render}"]
    for name, value in {**FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    output, _, cpu, rss = measured(command, env)
    pages = int(re.search(rf"'{counted}': (\d+)", output).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", output).group(1))
    database = re.search(r"'store/cpu_seconds': ([\d.e-]+)", output)
    database_ms = round(float(database.group(1)) * 1000 / pages, 3) if database else None
    calls = sum(int(n) for n in re.findall(r"'archive/calls/\w+': (\d+)", output))
    return Result(
        variant,
        pages,
        round(elapsed, 2),
        round(pages / elapsed, 1),
        round(cpu, 2),
        round(rss, 1),
        database_ms,
        round(calls / pages, 3) if calls else None,
    )


def reextract_speed(database_url: str, env: dict) -> Result:
    """``python -m archive reextract`` as a user runs it; pages/s over the time it reports
    for the work itself (as for crawls, Scrapy's elapsed time), CPU of its workers included."""
    command = [sys.executable, "-m", "archive", "reextract"]
    output, _, cpu, memory = measured(command, dict(env, DATABASE_URL=database_url))
    summary = output.rsplit("re-extracted:", 1)[-1]
    pages = sum(int(n) for n in re.findall(r"(\d+) [a-z]", summary.split(" in ")[0]))
    seconds = float(re.search(r" in ([\d.]+) s", summary).group(1))
    return Result("reextract (SQLite)", pages, seconds, round(pages / seconds, 1), round(cpu, 2), round(memory, 1))


def wacz_export(label: str, database_url: str, warc_dir: Path, env: dict, out: Path) -> Result:
    """``python -m archive export --format wacz`` of a crawl's archive, as a user runs it:
    records per second and the peak memory (which must not grow with the archive)."""
    command = [sys.executable, "-m", "archive", "export", "--format", "wacz", "--output", str(out)]
    command += ["--database", database_url, "--warc-dir", str(warc_dir)]
    output, seconds, cpu, memory = measured(command, env)
    records = int(re.search(r": ([\d,]+) record\(s\)", output).group(1).replace(",", ""))
    out.unlink()
    return Result(label, records, round(seconds, 2), round(records / seconds, 1), round(cpu, 2), round(memory, 1))


def rendering(base: str, env: dict, tmp: Path, args) -> list[Result]:
    """Every page through Chromium (``-a render=always``): its cost per page, and whether
    memory stays bounded over five times as many pages (context recycling, closed pages)."""
    runs = []
    for label, sitemap, count in (
        ("rendered in Chromium", "sitemap-rendered-subset.xml", args.rendered // 5),
        ("rendered in Chromium", "sitemap-rendered.xml", args.rendered),
    ):
        database = f"sqlite:///{tmp / f'rendered-{count}.db'}"
        result = crawl(
            f"{label}, {count} pages",
            "news",
            f"{base}/{sitemap}",
            dict(env, DATABASE_URL=database, WARC_DIR=str(tmp / f"warc-rendered-{count}")),
            render="always",
            counted="render/rendered",
        )
        runs.append(result)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="articles of the generated site's crawls (0: skip)")
    parser.add_argument("--large", type=int, default=20000, help="pages of the memory-growth crawl (0: skip)")
    parser.add_argument(
        "--huge", type=int, default=1_000_000, help="URLs of the sitemap index crawled for HUGE_SECONDS (0: skip)"
    )
    parser.add_argument("--rendered", type=int, default=1000, help="script-built pages rendered in Chromium (0: skip)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument(
        "--browser-articles", type=int, default=100_000, help="articles of the archive browser's archive (0: skip)"
    )
    parser.add_argument(
        "--real-copies",
        type=int,
        default=5,
        help="copies of the real pages served and imported: 5 make a WARC of 2,254 records (0: skip)",
    )
    parser.add_argument(
        "--imports", action=argparse.BooleanOptionalAction, default=True, help="import the real pages' WARC"
    )
    parser.add_argument(
        "--peers", help="python of the peers' virtualenv (news-please, trafilatura): bench/.peers/bin/python"
    )
    args = parser.parse_args()
    results: list[Result] = []
    imported: list[imports.ImportResult] = []
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        tmp = Path(tmp)
        tmp.chmod(0o755)  # nginx workers run as an unprivileged user
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        template = TEMPLATE.read_text(encoding="utf-8")
        generate(tmp / "site", max(args.pages, args.large), template, base, subset=args.pages)
        generate_rendered(tmp / "site", args.rendered, base, subset=args.rendered // 5)
        huge = generate_huge(tmp / "site", args.huge, template, base) if args.huge else None
        if args.real_copies:
            imports.build_site(tmp / "site", base, imports.real_pages(), args.real_copies, "real")
        # the benchmark site is on loopback: the destination guard lets exactly that through
        env = dict(
            os.environ, PYTHONPATH=str(ROOT), WARC_DIR=str(tmp / "warc"), ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32"
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        compile_bytecode()
        with served(tmp / "site", port):
            if args.pages:
                results += generated_site_crawls(base, env, tmp, args)
            if args.rendered:
                results += rendering(base, env, tmp, args)
            if args.real_copies:
                results += real_page_crawls(base, env, tmp, args)
                if args.imports:
                    imported += real_page_imports(base, env, tmp, args)
            if args.large:
                large_db = f"sqlite:///{tmp / 'large.db'}"
                results.append(
                    crawl(
                        f"full pipeline, {args.large} pages",
                        SPIDER,
                        f"{base}/sitemap.xml",
                        dict(env, DATABASE_URL=large_db, WARC_DIR=str(tmp / "warc-large")),
                    )
                )
                label = f"wacz export, {args.large} pages"
                results.append(wacz_export(label, large_db, tmp / "warc-large", env, tmp / "large.wacz"))
            if huge:
                huge_db = f"sqlite:///{tmp / 'huge.db'}"
                label = f"sitemap index of {args.huge:,} URLs, {HUGE_SECONDS} s"
                huge_env = dict(env, DATABASE_URL=huge_db, WARC_DIR=str(tmp / "warc-huge"))
                results.append(crawl(label, SPIDER, huge, huge_env, CLOSESPIDER_TIMEOUT=HUGE_SECONDS))
    pages = browser.run(args.browser_articles) if args.browser_articles else []
    report(results, args, pages, imported)
    return 0


def generated_site_crawls(base: str, env: dict, tmp: Path, args) -> list[Result]:
    """Plain Scrapy, trafilatura and the full pipeline (with and without site rules, SQLite and
    PostgreSQL) on the generated site, then ``reextract`` of what the crawl stored."""
    results = []
    small = f"{base}/sitemap-subset.xml"
    sqlite = f"sqlite:///{tmp / 'archive.db'}"
    results.append(crawl("plain Scrapy (title only)", "bench_plain", small, env))
    results.append(crawl("trafilatura in the callback", "bench_trafilatura", small, env))
    results.append(crawl("full pipeline, SQLite", SPIDER, small, dict(env, DATABASE_URL=sqlite)))
    generic_db = f"sqlite:///{tmp / 'generic.db'}"
    results.append(crawl("full pipeline, no site rules", "news", small, dict(env, DATABASE_URL=generic_db)))
    if args.postgres:
        with fresh_postgres(args.postgres) as url:
            results.append(crawl("full pipeline, PostgreSQL", SPIDER, small, dict(env, DATABASE_URL=url)))
    results.append(reextract_speed(sqlite, env))
    results.append(wacz_export(f"wacz export, {args.pages} pages", sqlite, tmp / "warc", env, tmp / "small.wacz"))
    return results


def real_page_crawls(base: str, env: dict, tmp: Path, args) -> list[Result]:
    """The crawl variants on the real pages: the generic ``news`` spider (no rules for their publishers)."""
    start = f"{base}/real/sitemap.xml"
    database = f"sqlite:///{tmp / 'real.db'}"
    return [
        crawl("real pages: plain Scrapy (title only)", "bench_plain", start, env),
        crawl("real pages: trafilatura in the callback", "bench_trafilatura", start, env),
        crawl(
            "real pages: full pipeline",
            "news",
            start,
            dict(env, DATABASE_URL=database, WARC_DIR=str(tmp / "warc-real")),
        ),
    ]


def real_page_imports(base: str, env: dict, tmp: Path, args) -> list[imports.ImportResult]:
    """The real pages in a WARC written by wget, imported by ``archive import`` and by the peers;
    and the same WARC ten times over, imported, for memory against the number of records."""
    pages = imports.real_pages()
    urls = [
        f"{base}/real/2026/11/{copy % 28 + 1:02d}/bai-{index}-{copy}-{10_000_000 + copy * 1000 + index}.html"
        for copy in range(args.real_copies)
        for index in range(len(pages))
    ]
    warc = imports.wget_warc(urls, tmp / "real")
    tenfold = tmp / "real-x10.warc.gz"
    with open(tenfold, "wb") as out:  # concatenated gzip members are a WARC file too
        for _ in range(10):
            out.write(warc.read_bytes())
    results = [imports.import_speed(warc, env, "archive import", measured)]
    if args.peers:
        results.append(imports.peer_speed(args.peers, "newsplease", warc, env, "news-please from_warc", measured))
        results.append(imports.peer_speed(args.peers, "trafilatura", warc, env, "warcio + trafilatura", measured))
    results.append(imports.import_speed(tenfold, env, "archive import, 10x the records", measured))
    return results


def report(results: list[Result], args, pages: list[dict], imported: list) -> None:
    by = {r.variant: r for r in results}
    header = f"{'pages':>6} {'s':>7} {'pages/s':>8} {'CPU s':>7} {'peak MB':>8} {'db ms/page':>10}"
    header += f" {'db calls/page':>13}"
    print(f"{'variant':34} {header}")
    for r in results:
        figures = f"{r.pages:6} {r.seconds:7.2f} {r.pages_per_second:8.1f} {r.cpu_seconds:7.2f} {r.peak_mb:8.1f}"
        database = f"{r.database_ms:10.3f}" if r.database_ms is not None else f"{'':10}"
        calls = f"{r.database_calls:13.3f}" if r.database_calls is not None else ""
        print(f"{r.variant:34} {figures} {database} {calls}".rstrip())
    ratios: dict[str, float] = {}
    if args.pages:
        full, plain = by["full pipeline, SQLite"], by["plain Scrapy (title only)"]
        ratios["full / plain Scrapy (target >= 0.5)"] = full.pages_per_second / plain.pages_per_second
        ratios["full / trafilatura in callback (target >= 3)"] = (
            full.pages_per_second / by["trafilatura in the callback"].pages_per_second
        )
        ratios["reextract pages/s (target >= 300)"] = by["reextract (SQLite)"].pages_per_second
        ratios["database ms per page, SQLite (target < 1)"] = full.database_ms
        if "full pipeline, PostgreSQL" in by:
            postgres = by["full pipeline, PostgreSQL"]
            ratios["SQLite / PostgreSQL pages/s (target <= 2)"] = full.pages_per_second / postgres.pages_per_second
            ratios["database ms per page, PostgreSQL / SQLite (target <= 2)"] = postgres.database_ms / full.database_ms
        if args.large:
            ratios[f"peak memory {args.large} / {args.pages} pages (target <= 1.5)"] = (
                by[f"full pipeline, {args.large} pages"].peak_mb / full.peak_mb
            )
            small_export, large_export = by[f"wacz export, {args.pages} pages"], by[f"wacz export, {args.large} pages"]
            ratios[f"wacz export: peak memory {args.large} / {args.pages} pages (target <= 1.2)"] = (
                large_export.peak_mb / small_export.peak_mb
            )
    if args.huge:
        huge = by[f"sitemap index of {args.huge:,} URLs, {HUGE_SECONDS} s"]
        ratios[f"sitemap index of {args.huge:,} URLs: peak MB (one sitemap's articles at a time)"] = huge.peak_mb
        ratios[f"sitemap index of {args.huge:,} URLs: articles fetched in {HUGE_SECONDS} s"] = huge.pages
    if args.rendered:
        small, large = (by[f"rendered in Chromium, {n} pages"] for n in (args.rendered // 5, args.rendered))
        ratios[f"rendered: peak memory {large.pages} / {small.pages} pages (bounded)"] = large.peak_mb / small.peak_mb
        ratios["rendered: ms of wall time per page"] = 1000 / large.pages_per_second
    if imported:
        print(f"{'import':34} {'records':>7} {'articles':>8} {'s':>7} {'articles/s':>10} {'peak MB':>8}")
        for r in imported:
            figures = f"{r.seconds:7.2f} {r.articles_per_second:10.1f} {r.peak_mb:8.1f}"
            print(f"{r.variant:34} {r.records:7} {r.articles:8} {figures}")
        got = {r.variant: r for r in imported}
        ours = got["archive import"]
        if "news-please from_warc" in got:
            ratios["import / news-please from_warc (target >= 5)"] = (
                ours.articles_per_second / got["news-please from_warc"].articles_per_second
            )
            ratios["import / warcio + trafilatura (target >= 2)"] = (
                ours.articles_per_second / got["warcio + trafilatura"].articles_per_second
            )
        ratios["import: peak memory 10x / 1x records (target <= 1.2)"] = (
            got["archive import, 10x the records"].peak_mb / ours.peak_mb
        )
    real = {r.variant: r for r in results if r.variant.startswith("real pages")}
    if real:
        full_real = real["real pages: full pipeline"].pages_per_second
        ratios["real pages: full / plain Scrapy (target >= 0.5)"] = (
            full_real / real["real pages: plain Scrapy (title only)"].pages_per_second
        )
        ratios["real pages: full / trafilatura in callback (target >= 1.5)"] = (
            full_real / real["real pages: trafilatura in the callback"].pages_per_second
        )
    if pages:
        ratios[f"browser: slowest page, ms, {args.browser_articles} articles (target < 200)"] = max(
            p["median_ms"] for p in pages
        )
    for name, value in ratios.items():
        print(f"{name:52} {value:8.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"{stamp}.json").write_text(
        json.dumps(
            {
                "results": [asdict(r) for r in results],
                "ratios": ratios,
                "browser": pages,
                "import": [asdict(r) for r in imported],
            },
            indent=2,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
