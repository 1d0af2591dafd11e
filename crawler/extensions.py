"""A readable end-of-crawl summary (on top of Scrapy's stats dump), saying plainly
when nothing could be fetched because the network is unreachable. Printed on
standard output (``CRAWL_SUMMARY_PRINT``) so it shows even with quiet logging."""

from __future__ import annotations

import logging

from scrapy import signals

logger = logging.getLogger(__name__)
NETWORK_ERRORS = (
    "CannotResolveHostError",
    "DownloadConnectionRefusedError",
    "DownloadTimeoutError",
    "DownloadFailedError",
    "DNSLookupError",
    "ConnectionRefusedError",
    "TCPTimedOutError",
    "TimeoutError",
    "ConnectError",
    "NoRouteError",
)


def _under(stats: dict, prefix: str) -> dict:
    """The stats named ``prefix…``, by the rest of their name."""
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}


class CrawlSummary:
    def __init__(self, stats, print_summary: bool):
        self.stats = stats
        self.print_summary = print_summary

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler.stats, crawler.settings.getbool("CRAWL_SUMMARY_PRINT"))
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def summary(self, spider_name: str, reason: str) -> str:
        s = self.stats.get_stats()
        articles, dropped, failed = (_under(s, prefix) for prefix in ("articles/", "dropped/", "fetch/failed/"))
        lines = [
            f"{spider_name}: {reason} — {s.get('discovery/articles', 0)} article URL(s) discovered, "
            f"{s.get('downloader/response_count', 0)} response(s)",
            "  archived: " + (", ".join(f"{v} {k}" for k, v in articles.items()) or "nothing"),
        ]
        if dropped:
            lines.append("  dropped: " + ", ".join(f"{v} {k}" for k, v in dropped.items()))
        if failed:
            lines.append("  failed fetches: " + ", ".join(f"{v} {k}" for k, v in failed.items()))
        if s.get("store/failed"):
            lines.append(f"  database errors: {s['store/failed']} item(s) spooled")
        if self.offline(s):
            lines.append("  no network: no page could be fetched (DNS/connection errors); nothing was archived")
        return "\n".join(lines)

    @staticmethod
    def offline(stats: dict) -> bool:
        errors = sum(
            v
            for k, v in stats.items()
            if k.startswith("downloader/exception_type_count/") and k.rsplit(".", 1)[-1] in NETWORK_ERRORS
        )
        return errors > 0 and not stats.get("downloader/response_count")

    def spider_closed(self, spider, reason: str) -> None:
        summary = self.summary(spider.name, reason)
        logger.info("summary\n%s", summary)
        if self.print_summary:
            print(summary, flush=True)


class OneLineNetworkErrors:
    """Scrapy logs a robots.txt it could not fetch (no DNS, refused, timed out) with the whole
    traceback; that is the network, not a bug, and a crawl without network printed a screen of
    it per site. Such records keep their message and lose the traceback, as the retry middleware
    logs the same failure of any other request; other errors keep theirs. The network's
    exceptions are ``RETRY_EXCEPTIONS``, the ones Scrapy itself retries."""

    LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)

    def __init__(self, exceptions: tuple[type[BaseException], ...]):
        self.exceptions = exceptions

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.utils.misc import load_object

        names = crawler.settings.getlist("RETRY_EXCEPTIONS")
        extension = cls(tuple(load_object(n) if isinstance(n, str) else n for n in names))
        for name in cls.LOGGERS:
            logging.getLogger(name).addFilter(extension)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.exceptions):
            record.exc_info, record.exc_text = None, None
        return True

    def engine_stopped(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self)
