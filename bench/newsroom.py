"""A simulated newsroom: sites that publish and edit stories over simulated time, served on
loopback as they stand at the time of a driven clock (``archive.clock``: ``file:PATH``), with
a truth log of every version — what scheduled archiving is measured against.

Everything is drawn up front from one seed, so a run is reproducible: per site a publishing
rate (10–300 stories a day, in a daily rhythm) and its behaviours (sitemap ``lastmod`` honest,
absent, always "now" or frozen at publication; ``ETag``/``Last-Modified`` honest, absent or
new on every fetch); per story its edits — about a third never edited, the first edit most
often within the hour, a long tail to days, some late corrections 1–20 days on — each
cosmetic (a typo), substantive (a paragraph added, changed or removed) or of the headline
only. Every fetch of a page differs outside the story (a clock, an ad id, "most read"
teasers), as news pages do.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LASTMOD = ("honest", "absent", "now", "frozen")
VALIDATORS = ("honest", "absent", "always_new")
EDIT_KINDS = ("cosmetic", "substantive", "headline")
_VOCABULARY = (
    "Hà Nội thành phố người dân giao thông dự án mưa lớn tuyến đường kinh tế thị trường giá cả "
    "chính phủ quốc hội bộ trưởng doanh nghiệp xuất khẩu nông sản học sinh giáo dục bệnh viện "
    "bác sĩ y tế du lịch văn hóa lễ hội bóng đá đội tuyển trận đấu cầu thủ công an điều tra vụ "
    "việc ngân hàng lãi suất đầu tư xây dựng nhà ở chung cư môi trường rác thải nước sạch"
)
_WORDS = tuple(_VOCABULARY.split())


@dataclass(frozen=True)
class SiteBehaviour:
    name: str
    per_day: int
    lastmod: str
    validators: str


@dataclass
class Version:
    at: datetime
    kind: str
    """``first``, or the kind of edit that made it: ``cosmetic``, ``substantive``, ``headline``."""
    title: str
    paragraphs: tuple[str, ...]


@dataclass
class Story:
    site: str
    number: int
    published: datetime
    versions: list[Version] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/{self.site}/{self.published:%Y/%m/%d}/tin-{self.number}.html"

    def at(self, when: datetime) -> Version | None:
        """The version in effect at ``when``; None before publication."""
        current = None
        for version in self.versions:
            if version.at > when:
                break
            current = version
        return current


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(12, 24))
    return (" ".join(words) + ".").capitalize()


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def _edit_delays(rng: random.Random, horizon: timedelta) -> list[timedelta]:
    """When a story is edited after publication: a third never; the first edit most often within
    the hour (exponential, mean 40 min; one in seven later, log-normal around 6 h), further ones
    with a long tail (log-normal, median 3 h); one story in ten gets a late correction 1–20 days on."""
    if rng.random() < 1 / 3:
        return []
    first = rng.expovariate(1 / 40) if rng.random() < 0.85 else rng.lognormvariate(math.log(360), 1.0)
    delays = [timedelta(minutes=first)]
    while rng.random() < 0.45:
        delays.append(delays[-1] + timedelta(minutes=rng.lognormvariate(math.log(180), 1.2)))
    if rng.random() < 0.1:
        delays.append(timedelta(days=rng.uniform(1, 20)))
    return sorted(d for d in delays if d < horizon)


def _edited(rng: random.Random, before: Version, at: datetime) -> Version:
    kind = rng.choices(EDIT_KINDS, weights=(0.4, 0.45, 0.15))[0]
    title, paragraphs = before.title, list(before.paragraphs)
    if kind == "headline":
        title = f"{before.title.rstrip('.')} {rng.choice(_WORDS)}"
    elif kind == "cosmetic":  # a typo fixed: one word of one paragraph
        i = rng.randrange(len(paragraphs))
        words = paragraphs[i].split()
        j = rng.randrange(len(words))
        words[j] = words[j] + rng.choice("aeiou")
        paragraphs[i] = " ".join(words)
    else:
        action = rng.choice(("add", "change", "remove") if len(paragraphs) > 2 else ("add", "change"))
        i = rng.randrange(len(paragraphs))
        if action == "add":
            paragraphs.insert(i + 1, _paragraph(rng))
        elif action == "change":
            paragraphs[i] = _paragraph(rng)
        else:
            del paragraphs[i]
    return Version(at, kind, title, tuple(paragraphs))


def _rhythm(hour: int) -> float:
    """Publishing through the day (Vietnam time): quiet at night, busiest in the morning."""
    return 0.15 if hour < 5 else 1.6 if hour < 11 else 1.2 if hour < 18 else 0.7


def _publication_times(rng: random.Random, per_day: int, start: datetime, days: float) -> list[datetime]:
    """A Poisson process of ``per_day`` stories a day thinned by ``_rhythm`` (hours at UTC+7)."""
    times, t, end, peak = [], start, start + timedelta(days=days), 1.6
    while True:
        t += timedelta(days=rng.expovariate(per_day * peak))
        if t >= end:
            return times
        if rng.random() < _rhythm((t + timedelta(hours=7)).hour) / peak:
            times.append(t)


@dataclass
class Newsroom:
    """Every site, story and version of a run, drawn from ``seed``."""

    seed: int
    sites: int = 20
    days: float = 7.0
    start: datetime = datetime(2026, 3, 2, tzinfo=UTC)
    behaviours: list[SiteBehaviour] = field(init=False)
    stories: dict[str, list[Story]] = field(init=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.behaviours = [
            SiteBehaviour(
                name=f"site{index:02d}",
                per_day=round(math.exp(rng.uniform(math.log(10), math.log(300)))),
                lastmod=rng.choice(LASTMOD),
                validators=rng.choice(VALIDATORS),
            )
            for index in range(self.sites)
        ]
        horizon = timedelta(days=self.days)
        self.stories = {}
        for behaviour in self.behaviours:
            stories = []
            for number, published in enumerate(_publication_times(rng, behaviour.per_day, self.start, self.days)):
                first = Version(
                    published, "first", _sentence(rng), tuple(_paragraph(rng) for _ in range(rng.randint(3, 8)))
                )
                story = Story(behaviour.name, 1000 + number, published, [first])
                for delay in _edit_delays(rng, horizon):
                    story.versions.append(_edited(rng, story.versions[-1], published + delay))
                stories.append(story)
            self.stories[behaviour.name] = stories

    def site(self, name: str) -> SiteBehaviour:
        return next(b for b in self.behaviours if b.name == name)

    def live(self, site: str, when: datetime) -> list[Story]:
        """The site's stories published by ``when``, newest first."""
        return sorted((s for s in self.stories[site] if s.published <= when), key=lambda s: s.published, reverse=True)

    def story(self, path: str) -> Story | None:
        site = path.strip("/").split("/", 1)[0]
        return next((s for s in self.stories.get(site, ()) if s.path == path), None)

    def truth(self) -> list[dict]:
        """The truth log: every version of every story, with its time and kind."""
        return [
            {"path": s.path, "at": v.at.isoformat(), "kind": v.kind, "title": v.title}
            for stories in self.stories.values()
            for s in stories
            for v in s.versions
        ]


def article_page(story: Story, version: Version, now: datetime, noise: random.Random) -> bytes:
    """The story's page as of ``now``: the story itself, and what changes on every fetch around it."""
    teasers = "".join(
        f"<li><a href='/{story.site}/tin-{noise.randrange(10**6)}.html'>{_sentence(noise)}</a></li>" for _ in range(5)
    )
    body = "".join(f"<p>{escape(p)}</p>" for p in version.paragraphs)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": version.title,
        "datePublished": story.published.isoformat(),
    }
    return (
        f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>{escape(version.title)}</title>"
        f"<meta property='og:title' content='{escape(version.title)}'><meta property='og:type' content='article'>"
        f"<script type='application/ld+json'>{json.dumps(data, ensure_ascii=False)}</script></head><body>"
        f"<nav><a href='/{story.site}/'>Trang chủ</a></nav><div class='clock'>{now:%H:%M:%S %d/%m/%Y}</div>"
        f"<article><h1>{escape(version.title)}</h1>{body}</article>"
        f"<aside class='most-read'><h2>Đọc nhiều</h2><ul>{teasers}</ul></aside>"
        f"<div class='ad' data-ad-id='{noise.randrange(10**9)}'></div></body></html>"
    ).encode()


def sitemap(newsroom: Newsroom, site: str, now: datetime, base: str) -> bytes:
    behaviour = newsroom.site(site)
    entries = []
    for story in newsroom.live(site, now)[:1000]:
        version = story.at(now)
        lastmod = {
            "honest": version.at,
            "now": now,
            "frozen": story.published,
            "absent": None,
        }[behaviour.lastmod]
        stamp = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        entries.append(f"<url><loc>{base}{story.path}</loc>{stamp}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</urlset>"
    ).encode()


@dataclass
class Request:
    """One line of the server's own request log."""

    at: datetime
    site: str
    path: str
    status: int


@contextmanager
def serve(newsroom: Newsroom, clock: Callable[[], datetime], host: str = "127.0.0.1") -> Iterator[tuple[str, list]]:
    """The newsroom on loopback as of ``clock()``: ``/<site>/sitemap.xml`` and the stories'
    pages; yields the base URL and the request log."""
    log: list[Request] = []
    lock = threading.Lock()
    noise = random.Random(newsroom.seed + 1)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            now = clock()
            path = self.path.split("?", 1)[0]
            site = path.strip("/").split("/", 1)[0]
            status, body, headers = 404, b"<h1>Not found</h1>", {"Content-Type": "text/html; charset=utf-8"}
            if site in newsroom.stories and path.endswith("/sitemap.xml"):
                status, body, headers = 200, sitemap(newsroom, site, now, base), {"Content-Type": "application/xml"}
            elif (story := newsroom.story(path)) is not None and (version := story.at(now)) is not None:
                with lock:
                    page = article_page(story, version, now, noise)
                status, body = 200, page
                headers |= self._validators(newsroom.site(site), story, version)
                if self._not_modified(headers):
                    status, body = 304, b""
            with lock:
                log.append(Request(now, site, path, status))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def _validators(self, behaviour: SiteBehaviour, story: Story, version: Version) -> dict:
            if behaviour.validators == "absent":
                return {}
            if behaviour.validators == "always_new":
                return {"ETag": f'"{noise.getrandbits(64):x}"', "Last-Modified": format_datetime(clock(), usegmt=True)}
            digest = hashlib.sha1(f"{story.path}{version.at.isoformat()}".encode()).hexdigest()[:16]
            return {"ETag": f'"{digest}"', "Last-Modified": format_datetime(version.at, usegmt=True)}

        def _not_modified(self, headers: dict) -> bool:
            if "ETag" in headers and self.headers.get("If-None-Match") == headers["ETag"]:
                return True
            since = self.headers.get("If-Modified-Since")
            if since and "Last-Modified" in headers and "If-None-Match" not in self.headers:
                return parsedate_to_datetime(headers["Last-Modified"]) <= parsedate_to_datetime(since)
            return False

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, log
    finally:
        server.shutdown()
        server.server_close()
