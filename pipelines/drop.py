"""Dropping a page with a reason that lands in the crawl stats and in its snapshot row."""

from scrapy.exceptions import DropItem


class PageDropped(DropItem):
    def __init__(self, reason: str, detail: str = "", log_level: str = "INFO"):
        super().__init__(f"{reason}: {detail}" if detail else reason, log_level=log_level)
        self.reason = reason


def drop(stats, reason: str, detail: str = "", log_level: str = "INFO") -> PageDropped:
    """Count the reason (``dropped/<reason>``) and return the exception to raise."""
    stats.inc_value(f"dropped/{reason}")
    return PageDropped(reason, detail, log_level)
