"""What every pipeline step shares: the crawler, its stats, Scrapy's ``from_crawler``."""

from __future__ import annotations


class CrawlerPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
