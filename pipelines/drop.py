"""Dropping a page with a reason that lands in the crawl stats and in its snapshot row
(``dropped:<reason>``). Besides these, a page that is not an article is dropped with its page
type (``listing``, ``not_found``, ``challenge``, ``empty``: ``extraction.classify``)."""

from scrapy.exceptions import DropItem

from archive.decisions import (
    DROPPED,
    EXTRACTION_ERROR,
    MALFORMED,
    NOT_FOUND,
    NOT_HTML,
    NOT_MODIFIED,
    RENDER_FAILED,
    http_status,
)

__all__ = [
    "DROPPED",
    "EXTRACTION_ERROR",
    "MALFORMED",
    "NOT_FOUND",
    "NOT_HTML",
    "NOT_MODIFIED",
    "RENDER_FAILED",
    "http_status",
]


class PageDropped(DropItem):
    def __init__(self, reason: str, detail: str = "", log_level: str = "INFO"):
        super().__init__(f"{reason}: {detail}" if detail else reason, log_level=log_level)
        self.reason = reason


def drop(stats, reason: str, detail: str = "", log_level: str = "INFO") -> PageDropped:
    """Count the reason (``dropped/<reason>``) and return the exception to raise."""
    stats.inc_value(f"dropped/{reason}")
    return PageDropped(reason, detail, log_level)
