"""A site's backfill split by its sitemap shards, and each shard crawl's share of the site's politeness.

A large site lists its whole archive in a sitemap index of many sitemaps (often one per month
or per thousand articles). ``schedule --backfill`` reads the index once, here, and sends one
crawl per shard to the scrapyd nodes; the crawls run side by side, so each gets a part of the
politeness one crawl of the site would have (``divided_politeness``): together they fetch no
faster than that one crawl.

The index is fetched by the scheduler, not by a crawl, so the destination rules of the crawl
apply here too (``crawler.destinations``): public addresses only, unless allowed.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings
from scrapy.utils.gz import gunzip

from crawler.destinations import address_refusal, literal_address, networks, scheme_refusal
from crawler.discovery import robots_sitemaps, sitemap_links, source_kind
from pipelines.extraction.urls import registered_host

Fetch = Callable[[str], tuple[bytes, str | None]]
"""URL → (body, Content-Type); raises ``BackfillError``."""


class BackfillError(Exception):
    """A sitemap could not be read (refused destination, HTTP error, too large, not gzip)."""


def shards_of(sources: Iterable[str], fetch: Fetch) -> list[str]:
    """The sitemaps a backfill splits into: the entries of each sitemap index among the sources
    that are on the index's own site, each urlset source itself; when no source is a sitemap,
    the sitemaps the first source's robots.txt lists. Feeds and listings only hold recent
    articles: not used."""
    sources = list(sources)
    shards = _sitemaps(sources, fetch)
    if not shards and sources:
        parts = urlsplit(sources[0])
        body, _ = fetch(f"{parts.scheme}://{parts.netloc}/robots.txt")
        shards = _sitemaps(robots_sitemaps(body, sources[0]), fetch)
    return list(dict.fromkeys(shards))


def _sitemaps(urls: Iterable[str], fetch: Fetch) -> list[str]:
    shards = []
    for url in urls:
        body, content_type = fetch(url)
        kind = source_kind(body, content_type)
        if kind == "sitemapindex":  # its sitemaps on its own site only (the protocol's rule: an index
            # may not hand the backfill, and the crawl's allowed domains, to another site)
            site = registered_host(url)
            shards += [link.url for link in sitemap_links(body) if registered_host(link.url) == site]
        elif kind == "urlset":
            shards.append(url)
    return shards


def divided_politeness(settings: BaseSettings, parts: int) -> dict[str, str]:
    """The settings of each of ``parts`` crawls of one site running at once: ``parts`` times the
    delay, a ``parts``-th of the concurrency (one request at a time at least)."""
    return {
        "DOWNLOAD_DELAY": f"{settings.getfloat('DOWNLOAD_DELAY') * parts:g}",
        "AUTOTHROTTLE_START_DELAY": f"{settings.getfloat('AUTOTHROTTLE_START_DELAY') * parts:g}",
        "AUTOTHROTTLE_TARGET_CONCURRENCY": f"{settings.getfloat('AUTOTHROTTLE_TARGET_CONCURRENCY') / parts:g}",
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") // parts)),
    }


def fetcher(settings: BaseSettings) -> Fetch:
    """A fetch of discovery files as the crawl would make it: its user agent, timeout, size
    limit (also once unpacked) and destination rules."""
    allowed = networks(settings.getlist("ALLOWED_PRIVATE_NETWORKS"))
    most = settings.getint("DOWNLOAD_MAXSIZE")

    def fetch(url: str) -> tuple[bytes, str | None]:
        _check(url, allowed)
        request = urllib.request.Request(url, headers={"User-Agent": settings.get("USER_AGENT")})
        opener = urllib.request.build_opener(_CheckedRedirects(allowed))
        try:
            with opener.open(request, timeout=settings.getfloat("DOWNLOAD_TIMEOUT")) as response:
                body = response.read(most + 1)
                content_type = response.headers.get("Content-Type")
        except (OSError, ValueError) as exc:
            raise BackfillError(f"{url}: {exc}") from exc
        if len(body) > most:
            raise BackfillError(f"{url}: larger than DOWNLOAD_MAXSIZE ({most} bytes)")
        if body[:2] == b"\x1f\x8b":  # a sitemap.xml.gz
            try:
                body = gunzip(body, max_size=most)
            except (ValueError, OSError, EOFError) as exc:
                raise BackfillError(f"{url}: {exc}") from exc
        return body, content_type

    return fetch


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed only to destinations the crawl could fetch."""

    def __init__(self, allowed):
        self.allowed = allowed

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check(newurl, self.allowed)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check(url: str, allowed) -> None:
    if refusal := scheme_refusal(url) or _destination_refusal(url, allowed):
        raise BackfillError(f"{url}: refused ({refusal})")


def _destination_refusal(url: str, allowed) -> str | None:
    host = urlsplit(url).hostname or ""
    address = literal_address(host)
    try:
        addresses = [address] if address else {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    return next((why for a in addresses if (why := address_refusal(a, allowed))), None)
