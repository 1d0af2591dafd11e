"""The Scrapy project: settings, spiders, middlewares and per-site rules."""
