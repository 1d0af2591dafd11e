"""``scrapy crawl news -a start=URL``: any news site, from a home page, section page,
RSS/Atom feed, sitemap or a single article. Known sites still get their rules."""

from crawler.spiders.archive_spider import ArchiveSpider


class NewsSpider(ArchiveSpider):
    name = "news"
