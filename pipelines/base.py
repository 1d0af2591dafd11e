"""What every pipeline step shares: the crawler, its stats, Scrapy's ``from_crawler``, and
the objects all steps of one crawl use together."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def crawler_shared(crawler, name: str, build: Callable[[], T]) -> T:
    """The crawler's one ``name`` object (the archive, the worker pool, the WARC writer), built
    by whichever step asks first; a build that raises is tried again on the next call."""
    attribute = f"_news_{name}"
    if (found := getattr(crawler, attribute, None)) is None:
        found = build()
        setattr(crawler, attribute, found)
    return found


class CrawlerPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
