"""The baselines ``make bench`` compares the archive with, as real Scrapy spiders:
``bench_plain`` parses only the title; ``bench_trafilatura`` runs trafilatura.extract in
the callback. Both read the generated site's sitemap index and skip all pipelines."""

from __future__ import annotations

from typing import ClassVar

import scrapy
from scrapy.spiders import SitemapSpider


class PlainSpider(SitemapSpider):
    name = "bench_plain"
    custom_settings: ClassVar[dict] = {"ITEM_PIPELINES": {}, "EXTENSIONS": {}, "DOWNLOADER_MIDDLEWARES": {}}

    def __init__(self, start: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sitemap_urls = [start]

    def parse(self, response: scrapy.http.Response):
        yield {"url": response.url, "title": response.css("title::text").get()}


class TrafilaturaSpider(PlainSpider):
    name = "bench_trafilatura"

    def parse(self, response: scrapy.http.Response):
        import trafilatura

        yield {"url": response.url, "text": trafilatura.extract(response.text, url=response.url)}
