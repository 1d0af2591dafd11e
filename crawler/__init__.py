"""The Scrapy project: settings, spiders (discover and fetch), middlewares, per-site rules (with
their versions), rendering, and crawl orchestration (``scheduling``)."""
