"""What a crawl's log shows: a failure of the network in one line, a bug with its traceback."""

import logging
import sys

from scrapy import Spider
from scrapy.exceptions import CannotResolveHostError
from scrapy.utils.test import get_crawler

from crawler.extensions import OneLineNetworkErrors


def record_of(exc: BaseException) -> logging.LogRecord:
    try:
        raise exc
    except BaseException:
        info = sys.exc_info()
    return logging.LogRecord("scrapy.downloadermiddlewares.robotstxt", logging.ERROR, __file__, 1, "Error", (), info)


def quieting() -> OneLineNetworkErrors:
    """The extension as a crawl configures it, detached from the logger again (as at the crawl's end)."""
    extension = OneLineNetworkErrors.from_crawler(get_crawler(Spider))
    extension.engine_stopped()
    return extension


def test_a_network_failure_is_logged_without_its_traceback():
    record = record_of(CannotResolveHostError("DNS lookup failed: no results for hostname lookup: x.invalid."))
    assert quieting().filter(record) is True
    assert record.exc_info is None and "Traceback" not in logging.Formatter().format(record)


def test_any_other_error_keeps_its_traceback():
    record = record_of(KeyError("robots"))
    assert quieting().filter(record) is True
    assert "Traceback" in logging.Formatter().format(record)


def test_the_network_errors_are_those_scrapy_retries():
    assert CannotResolveHostError in quieting().exceptions


def test_it_watches_the_robots_txt_logger_only_while_its_crawl_runs():
    logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    extension = OneLineNetworkErrors.from_crawler(get_crawler(Spider))
    assert extension in logger.filters
    extension.engine_stopped()
    assert extension not in logger.filters
