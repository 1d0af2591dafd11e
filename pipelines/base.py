"""What every pipeline step shares: the crawler, its stats, Scrapy's ``from_crawler``, and
the objects all steps of one crawl use together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import Any, TypeVar

from itemadapter import ItemAdapter

T = TypeVar("T")


def fields_of(item: Any) -> dict:
    """The item's fields for the archive: values as the steps left them (plain data), its WARC
    record references as mappings. ``ItemAdapter.asdict`` would walk and copy every paragraph
    and image of the article, on the reactor thread."""
    return {k: asdict(v) if is_dataclass(v) else v for k, v in ItemAdapter(item).items()}


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
