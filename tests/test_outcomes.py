"""Outcomes of requests that did not end as an article: how each is named and recorded."""

from datetime import UTC, datetime, timedelta

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler

from archive.warc import RecordRef
from crawler.middlewares.redirects import REFRESH_SCAN_BYTES, LoopSafeMetaRefreshMiddleware, is_loop, may_refresh
from crawler.middlewares.retry_after import retry_after_seconds
from pipelines.outcomes import Capture, RequestRefused, earlier_fates, failure_outcome, outcome_rows


def capture(url: str, status: int | None = 200, error: str | None = None) -> Capture:
    ref = None if status is None else RecordRef("a.warc.gz", 0, 1, "sha1:X", "<urn:uuid:1>")
    return Capture(url, status, "2026-12-01T00:00:00+00:00", "text/html", ref, error)


def test_a_hop_to_another_url_was_redirected_and_a_repeat_of_the_same_url_was_retried():
    hops = [capture("http://a/1", 503), capture("http://a/1", 301), capture("http://a/2")]
    assert earlier_fates(hops) == ["retried:http_503", "redirected"]


def test_an_attempt_without_response_is_retried_with_its_error():
    assert earlier_fates([capture("http://a/1", None, "DownloadTimeoutError")], "http://a/1") == [
        "retried:DownloadTimeoutError"
    ]


def test_a_refused_redirect_keeps_the_hop_and_adds_a_row_without_record():
    rows = outcome_rows("http://10.0.0.1/", [capture("http://a/1", 302)], "refused:private", "x", responded=False)
    assert [(r["url"], r["outcome"], r["ref"] is None) for r in rows] == [
        ("http://a/1", "redirected", False),
        ("http://10.0.0.1/", "refused:private", True),
    ]


def test_an_outcome_about_a_response_is_written_on_its_own_row():
    rows = outcome_rows("http://a/feed", [capture("http://a/feed")], "discovered:feed", "3 request(s)", responded=True)
    assert [(r["outcome"], r["detail"]) for r in rows] == [("discovered:feed", "3 request(s)")]


def test_refusals_name_their_reason():
    assert failure_outcome(RequestRefused("link_local", "http://169.254.169.254/")) == (
        "refused:link_local",
        "http://169.254.169.254/",
    )


def test_robots_txt_refusals_are_refusals():
    assert failure_outcome(IgnoreRequest("Forbidden by robots.txt"))[0] == "refused:robots_txt"


def test_a_response_over_the_size_limit_is_too_large():
    message = "Expected to receive 62914560 bytes which is larger than download max size (16777216)"
    assert failure_outcome(Exception(message))[0] == "failed:too_large"


def test_an_http_error_on_a_discovery_page_is_a_failure_with_its_status():
    error = HttpError(Response("http://a/feed", status=503), "Ignoring non-200 response")
    assert failure_outcome(error)[0] == "failed:http_503"


def test_a_network_error_is_a_failure_named_by_its_kind():
    assert failure_outcome(TimeoutError("took too long"))[0] == "failed:TimeoutError"


def test_a_hop_back_to_a_url_of_the_chain_is_a_loop():
    assert is_loop(["http://a/1", "http://a/2"], "http://a/3", "http://a/1")
    assert is_loop([], "http://a/1?x=1&y=2", "http://a/1?y=2&x=1")  # the same URL, spelt otherwise


def test_a_hop_to_a_new_url_is_no_loop():
    assert not is_loop(["http://a/1"], "http://a/2", "http://a/3")


def test_retry_after_in_seconds():
    assert retry_after_seconds("20") == 20.0


def test_retry_after_as_an_http_date():
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    when = (now + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after_seconds(when, now) == 90.0


def test_a_retry_after_in_the_past_means_now():
    assert retry_after_seconds("Tue, 01 Dec 2026 09:00:00 GMT", datetime(2026, 12, 1, 10, 0, tzinfo=UTC)) == 0.0


def test_a_meaningless_retry_after_is_ignored():
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("") is None


def _meta_refresh_middleware() -> LoopSafeMetaRefreshMiddleware:
    return LoopSafeMetaRefreshMiddleware.from_crawler(get_crawler(Spider))


def _refreshing(body: str, encoding: str) -> HtmlResponse:
    return HtmlResponse(
        "http://a/1", body=body.encode(encoding), headers={"Content-Type": f"text/html; charset={encoding}"}
    )


REFRESH = '<html><head><meta http-equiv="Refresh" content="0; url=http://a/2"></head><body>Chuyển trang</body></html>'


def test_a_page_without_the_word_refresh_in_its_head_is_not_checked_for_one():
    assert not may_refresh(b"<html><head><title>Tin</title></head><body>" + b"x" * 50_000 + b"</body></html>")


def test_a_page_with_the_word_refresh_in_any_case_is_checked():
    assert may_refresh(REFRESH.encode())


def test_a_refresh_after_the_characters_scrapy_reads_is_not_looked_for():
    assert not may_refresh(b"<html><body>" + b"x" * REFRESH_SCAN_BYTES + REFRESH.encode())


def test_a_meta_refresh_is_followed():
    followed = _meta_refresh_middleware().process_response(Request("http://a/1"), _refreshing(REFRESH, "utf-8"))
    assert isinstance(followed, Request) and followed.url == "http://a/2"


def test_a_meta_refresh_in_a_utf16_page_is_followed():
    """UTF-16 spells ``refresh`` with NUL bytes between its letters: such a page is checked whole."""
    followed = _meta_refresh_middleware().process_response(Request("http://a/1"), _refreshing(REFRESH, "utf-16"))
    assert isinstance(followed, Request) and followed.url == "http://a/2"


def test_a_page_without_a_meta_refresh_is_passed_on_as_it_is():
    response = _refreshing("<html><head><title>Tin</title></head><body>Bài</body></html>", "utf-8")
    assert _meta_refresh_middleware().process_response(Request("http://a/1"), response) is response
