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
teasers), as news pages do. Story pages come in the layouts of the recorded sites
(``newsroom_layouts``: kinhtedothi.vn, thanhnien.vn, a WordPress blog; 14–38 KB with their
menus, related boxes and scripts) or as the newsroom's own 2 KB page, drawn per site.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import newsroom_layouts
from bench.newsroom_layouts import LAYOUTS

LASTMOD = ("honest", "absent", "now", "frozen")
DISCOVERY = ("sitemap", "sitemap_index", "feed", "listing")
"""Where a site lists its stories: a news sitemap, a sitemap index of daily sitemaps, an RSS feed
(publication dates only) or a home page of links (no dates)."""
SOURCES = {
    "sitemap": "sitemap.xml",
    "sitemap_index": "sitemap-index.xml",
    "feed": "rss.xml",
    "listing": "",
}
LISTED = {"sitemap": 1000, "feed": 50, "listing": 30}
"""How many of its latest stories each kind of source lists (a daily sitemap: the day's)."""
VALIDATORS = ("honest", "absent", "always_new")
GENERIC = "generic"
"""The newsroom's own story page (2 KB: a headline, paragraphs, a clock, teasers); the site that
changes its layout has it, as its rules are written for it (``bench.simulate.rules_for``)."""
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
    outage: tuple[datetime, datetime] | None = None
    """Down (``503``, ``Retry-After``) between these simulated times."""
    rate_limit: int | None = None
    """Requests a minute (wall clock) above which it answers ``429``."""
    layout_change: datetime | None = None
    """From this simulated time its pages wrap the story in another layout (no ``<article>``)."""
    discovery: str = "sitemap"
    """``DISCOVERY``: where it lists its stories; only sitemaps carry ``lastmod``."""
    layout: str = GENERIC
    """What its story pages look like: a recorded site's layout (``newsroom_layouts.LAYOUTS``) or
    the newsroom's own small page."""

    @property
    def source(self) -> str:
        """The path of its discovery page."""
        return f"/{self.name}/{SOURCES[self.discovery]}"

    @property
    def announces(self) -> bool:
        """Whether its listing says when a story changed (an honest sitemap ``lastmod``)."""
        return self.lastmod == "honest" and self.discovery in ("sitemap", "sitemap_index")


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
    gone: tuple[datetime, int] | None = None
    """Unpublished from this time, answering this status (``404`` or ``410``)."""
    moved: datetime | None = None
    """From this time at ``new_path``, its old path redirecting there (``301``)."""

    @property
    def path(self) -> str:
        return f"/{self.site}/{self.published:%Y/%m/%d}/tin-{self.number}.html"

    @property
    def new_path(self) -> str:
        return self.path.replace(".html", "-cap-nhat.html")

    def path_at(self, when: datetime) -> str:
        return self.new_path if self.moved is not None and when >= self.moved else self.path

    def gone_at(self, when: datetime) -> int | None:
        """The status it answers with when unpublished by ``when``, else None."""
        return self.gone[1] if self.gone is not None and when >= self.gone[0] else None

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


def _fate(rng: random.Random, story: Story) -> None:
    """One story in fifty is unpublished (404 or 410) within two days; one in fifty moves to a
    new URL within a day (its old one redirecting)."""
    if rng.random() < 0.02:
        story.gone = (story.published + timedelta(hours=rng.uniform(1, 48)), rng.choice((404, 410)))
        story.versions = [v for v in story.versions if v.at < story.gone[0]]  # no edits once it is down
    elif rng.random() < 0.02:
        story.moved = story.published + timedelta(hours=rng.uniform(1, 24))


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
    scale: float = 1.0
    """Publishing rates times this (each at least one story a day): a smaller newsroom with the
    same sites, behaviours and edit process, for runs that crawl it for real."""
    rate_limit: int = 60
    """Requests a minute (wall clock) the rate-limited site allows."""
    behaviours: list[SiteBehaviour] = field(init=False)
    stories: dict[str, list[Story]] = field(init=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.behaviours = [
            SiteBehaviour(
                name=f"site{index:02d}",
                per_day=max(1, round(math.exp(rng.uniform(math.log(10), math.log(300))) * self.scale)),
                lastmod=rng.choice(LASTMOD),
                validators=rng.choice(VALIDATORS),
            )
            for index in range(self.sites)
        ]
        sources = random.Random(f"{self.seed}:discovery")  # drawn apart: the other draws stay as they were
        self.behaviours = [replace(b, discovery=sources.choice(DISCOVERY)) for b in self.behaviours]
        self._troubles(random.Random(f"{self.seed}:troubles"))
        looks = random.Random(f"{self.seed}:layout")
        self.behaviours = [
            replace(b, layout=GENERIC if b.layout_change else looks.choice((*LAYOUTS, GENERIC)))
            for b in self.behaviours
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
                _fate(random.Random(f"{self.seed}:{behaviour.name}:{number}"), story)
                stories.append(story)
            self.stories[behaviour.name] = stories

    def _troubles(self, rng: random.Random) -> None:
        """Three sites in trouble: one down for hours, one answering 429 above a rate, one
        changing its layout mid-run (when there are sites enough)."""
        middle = self.start + timedelta(days=self.days / 2)
        troubled = dict.fromkeys(("outage", "rate_limit", "layout_change"))
        for kind, behaviour in zip(troubled, rng.sample(self.behaviours, min(3, len(self.behaviours))), strict=False):
            index = self.behaviours.index(behaviour)
            if kind == "outage":
                down = middle + timedelta(hours=rng.uniform(-12, 0))
                self.behaviours[index] = replace(behaviour, outage=(down, down + timedelta(hours=rng.uniform(2, 6))))
            elif kind == "rate_limit":
                self.behaviours[index] = replace(behaviour, rate_limit=self.rate_limit)
            else:
                self.behaviours[index] = replace(behaviour, layout_change=middle)

    def site(self, name: str) -> SiteBehaviour:
        return next(b for b in self.behaviours if b.name == name)

    def live(self, site: str, when: datetime) -> list[Story]:
        """The site's stories published by ``when``, newest first."""
        return sorted((s for s in self.stories[site] if s.published <= when), key=lambda s: s.published, reverse=True)

    def story(self, path: str) -> Story | None:
        """The story at ``path`` (its first path or the one it moved to)."""
        site = path.strip("/").split("/", 1)[0]
        return next((s for s in self.stories.get(site, ()) if path in (s.path, s.new_path)), None)

    def truth(self) -> list[dict]:
        """The truth log: every version of every story with its time and kind, and when stories
        moved or were unpublished."""
        log = []
        for stories in self.stories.values():
            for s in stories:
                log += [{"path": s.path, "at": v.at.isoformat(), "kind": v.kind, "title": v.title} for v in s.versions]
                if s.moved is not None:
                    log.append({"path": s.path, "at": s.moved.isoformat(), "kind": "moved", "to": s.new_path})
                if s.gone is not None:
                    log.append({"path": s.path, "at": s.gone[0].isoformat(), "kind": f"gone:{s.gone[1]}"})
        return log


def article_page(
    story: Story, version: Version, now: datetime, noise: random.Random, new_layout: bool, layout: str = GENERIC
) -> bytes:
    """The story's page as of ``now``: the story itself, and what changes on every fetch around it,
    in the site's ``layout``; in the ``new_layout`` the story is no longer an ``<article>``."""
    teasers = "".join(
        f"<li><a href='/{story.site}/tin-{noise.randrange(10**6)}.html'>{_sentence(noise)}</a></li>" for _ in range(5)
    )
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": version.title,
        "datePublished": story.published.isoformat(),
    }
    head = f"<script type='application/ld+json'>{json.dumps(data, ensure_ascii=False)}</script>"
    around = (
        f"<div class='clock'>{now:%H:%M:%S %d/%m/%Y}</div>"
        f"<aside class='most-read'><h2>Đọc nhiều</h2><ul>{teasers}</ul></aside>"
        f"<div class='ad' data-ad-id='{noise.randrange(10**9)}'></div>"
    )
    if layout != GENERIC:
        return newsroom_layouts.page(
            layout, story.site, story.path_at(now), version.title, version.paragraphs, head, around
        )
    body = "".join(f"<p>{escape(p)}</p>" for p in version.paragraphs)
    return (
        f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>{escape(version.title)}</title>"
        f"<meta property='og:title' content='{escape(version.title)}'><meta property='og:type' content='article'>"
        f"{head}</head><body><nav><a href='/{story.site}/'>Trang chủ</a></nav>"
        + (
            f"<div class='story-wrap'><h1 class='story-title'>{escape(version.title)}</h1>"
            f"<div class='story-body'>{body}</div></div>"
            if new_layout
            else f"<article><h1>{escape(version.title)}</h1>{body}</article>"
        )
        + f"{around}</body></html>"
    ).encode()


def is_story(path: str) -> bool:
    """Whether a path is a story's page (else one of a site's discovery pages)."""
    return "/tin-" in path


def _listed(newsroom: Newsroom, site: str, now: datetime, most: int) -> list[Story]:
    """The site's latest ``most`` stories still published at ``now``."""
    return [s for s in newsroom.live(site, now)[:most] if not s.gone_at(now)]


def _urlset(newsroom: Newsroom, site: str, stories: list[Story], now: datetime, base: str) -> bytes:
    entries = []
    for story in stories:
        lastmod = _lastmod(newsroom.site(site), story, now)
        stamp = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        entries.append(f"<url><loc>{base}{story.path_at(now)}</loc>{stamp}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</urlset>"
    ).encode()


def _lastmod(behaviour: SiteBehaviour, story: Story, now: datetime) -> datetime | None:
    return {
        "honest": story.at(now).at,
        "now": now,
        "frozen": story.published,
        "absent": None,
    }[behaviour.lastmod]


def sitemap(newsroom: Newsroom, site: str, now: datetime, base: str) -> bytes:
    return _urlset(newsroom, site, _listed(newsroom, site, now, LISTED["sitemap"]), now, base)


def daily_sitemap(newsroom: Newsroom, site: str, day: str, now: datetime, base: str) -> bytes:
    stories = [s for s in _listed(newsroom, site, now, 10**9) if f"{s.published:%Y-%m-%d}" == day]
    return _urlset(newsroom, site, stories, now, base)


def sitemap_index(newsroom: Newsroom, site: str, now: datetime, base: str) -> bytes:
    """The site's last three days, one sitemap each, dated by its latest entry's ``lastmod``."""
    entries = []
    for back in range(3):
        day = f"{now - timedelta(days=back):%Y-%m-%d}"
        dates = [
            d
            for s in _listed(newsroom, site, now, 10**9)
            if f"{s.published:%Y-%m-%d}" == day and (d := _lastmod(newsroom.site(site), s, now))
        ]
        stamp = f"<lastmod>{max(dates).isoformat()}</lastmod>" if dates else ""
        entries.append(f"<sitemap><loc>{base}/{site}/sitemap-{day}.xml</loc>{stamp}</sitemap>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</sitemapindex>"
    ).encode()


def feed(newsroom: Newsroom, site: str, now: datetime, base: str) -> bytes:
    """RSS 2.0 of the latest stories, each with its publication date (feeds say nothing of edits)."""
    items = "".join(
        f"<item><title>{escape(s.at(now).title)}</title><link>{base}{s.path_at(now)}</link>"
        f"<pubDate>{format_datetime(s.published, usegmt=True)}</pubDate></item>"
        for s in _listed(newsroom, site, now, LISTED["feed"])
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{site}</title>'
        f"<link>{base}/{site}/</link>{items}</channel></rss>"
    ).encode()


def listing(newsroom: Newsroom, site: str, now: datetime, base: str) -> bytes:
    """The home page: links to the latest stories, no dates."""
    links = "".join(
        f"<li><a href='{base}{s.path_at(now)}'>{escape(s.at(now).title)}</a></li>"
        for s in _listed(newsroom, site, now, LISTED["listing"])
    )
    return (
        f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>{site}</title></head>"
        f"<body><h1>{site}</h1><ul class='latest'>{links}</ul></body></html>"
    ).encode()


def discovery_page(newsroom: Newsroom, site: str, path: str, now: datetime, base: str) -> tuple[bytes, str] | None:
    """One of the site's discovery pages at ``path`` (its body and type), or None."""
    name = path.removeprefix(f"/{site}/")
    if name == "sitemap.xml":
        return sitemap(newsroom, site, now, base), "application/xml"
    if name == "sitemap-index.xml":
        return sitemap_index(newsroom, site, now, base), "application/xml"
    if name.startswith("sitemap-") and name.endswith(".xml"):
        return daily_sitemap(newsroom, site, name.removeprefix("sitemap-").removesuffix(".xml"), now, base), (
            "application/xml"
        )
    if name == "rss.xml":
        return feed(newsroom, site, now, base), "application/rss+xml"
    if name == "":
        return listing(newsroom, site, now, base), "text/html; charset=utf-8"
    return None


@dataclass
class Request:
    """One line of the server's own request log."""

    at: datetime
    site: str
    path: str
    status: int
    wall: float
    """When it came, on the server's monotonic clock (rates are about real time)."""
    base: str = ""
    """The address it came to."""


def site_host(index: int) -> str:
    """Site ``index``'s own loopback address, as each real site has its own host."""
    return f"127.0.1.{index + 1}"


@contextmanager
def serve(
    newsroom: Newsroom, clock: Callable[[], datetime], own_hosts: bool = False, retry_after: int = 60
) -> Iterator[tuple[dict[str, str], list]]:
    """The newsroom on loopback as of ``clock()``: ``/<site>/sitemap.xml`` and the stories'
    pages, every site on 127.0.0.1 or (``own_hosts``) on an address of its own (``site_host``);
    yields each site's base URL and the request log. ``retry_after``: the seconds its 429 and
    503 answers ask for (a simulation that moves days in minutes asks for fewer)."""
    log: list[Request] = []
    lock = threading.Lock()
    noise = random.Random(newsroom.seed + 1)
    recent: dict[str, list[float]] = {}  # site -> wall times of its requests in the last minute

    class Handler(BaseHTTPRequestHandler):
        base = ""

        def do_GET(self) -> None:
            base = self.base
            now = clock()
            path = self.path.split("?", 1)[0]
            site = path.strip("/").split("/", 1)[0]
            status, body, headers = 404, b"<h1>Not found</h1>", {"Content-Type": "text/html; charset=utf-8"}
            behaviour = newsroom.site(site) if site in newsroom.stories else None
            trouble = self._trouble(behaviour, now) if behaviour else None
            if trouble is not None:
                status, body, headers = trouble, b"<h1>Try later</h1>", headers | {"Retry-After": str(retry_after)}
            elif site in newsroom.stories and (found := discovery_page(newsroom, site, path, now, base)):
                status, body, headers = 200, found[0], {"Content-Type": found[1]}
            elif (story := newsroom.story(path)) is not None and (version := story.at(now)) is not None:
                if gone := story.gone_at(now):
                    status = gone
                elif path != story.path_at(now):
                    status, body, headers = 301, b"", {"Location": base + story.path_at(now)}
                else:
                    changed = behaviour.layout_change is not None and now >= behaviour.layout_change
                    with lock:
                        page = article_page(story, version, now, noise, changed, behaviour.layout)
                    status, body = 200, page
                if status == 200:
                    headers |= self._validators(behaviour, story, version)
                    if self._not_modified(headers):
                        status, body = 304, b""
            with lock:
                log.append(Request(now, site, path, status, time.monotonic(), base))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def _trouble(self, behaviour: SiteBehaviour, now: datetime) -> int | None:
            """503 while the site is down, 429 above its rate (requests a minute, wall clock)."""
            if behaviour.outage and behaviour.outage[0] <= now < behaviour.outage[1]:
                return 503
            if behaviour.rate_limit is None:
                return None
            with lock:
                moment = time.monotonic()
                window = [t for t in recent.get(behaviour.name, []) if t > moment - 60] + [moment]
                recent[behaviour.name] = window
                return 429 if len(window) > behaviour.rate_limit else None

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

    servers, bases = [], {}
    hosts = [site_host(i) if own_hosts else "127.0.0.1" for i in range(len(newsroom.behaviours))]
    for host in dict.fromkeys(hosts):
        handler = type("SiteHandler", (Handler,), {})
        server = ThreadingHTTPServer((host, 0), handler)
        server.daemon_threads = True
        handler.base = f"http://{host}:{server.server_address[1]}"
        servers.append(server)
        # a short poll: shutdown() waits for the loop to look (0.5 s by default, per server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        for behaviour, its_host in zip(newsroom.behaviours, hosts, strict=True):
            if its_host == host:
                bases[behaviour.name] = handler.base
    try:
        yield bases, log
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
