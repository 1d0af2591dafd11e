"""What every pipeline step shares: the crawler, its stats, Scrapy's ``from_crawler``, and how a
step finds the crawl-wide services (the archive thread, the worker pool, the WARC writer):
each is a Scrapy extension (``EXTENSIONS``), built once per crawler, fetched by its class."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class ServiceMissingError(RuntimeError):
    """A step needs a crawl-wide service that ``EXTENSIONS`` does not enable."""


def service(crawler, cls: type[T]) -> T:
    """The crawler's ``cls`` extension (``crawler.get_extension``), which must be enabled."""
    found = crawler.get_extension(cls)
    if found is None:
        path = f"{cls.__module__}.{cls.__qualname__}"
        raise ServiceMissingError(f"{path} is needed by this crawl's steps: enable it in EXTENSIONS")
    return found


class CrawlerPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
