"""Choosing and configuring the browser, and what a rendered page may load."""

import asyncio
import os
from types import SimpleNamespace

import pytest

from crawler.destinations import DestinationChecker, networks
from crawler.rendering.blocking import request_blocker
from crawler.rendering.browser import BrowserNotFoundError, find_browser, launch_options
from pipelines.extraction.classify import needs_browser


def test_an_explicit_browser_path_that_does_not_exist_is_a_clear_error():
    with pytest.raises(BrowserNotFoundError, match="apt-get install chromium"):
        find_browser("/nonexistent/chromium")


def test_playwright_choice_leaves_the_executable_to_playwright():
    assert "executable_path" not in launch_options("playwright")


def test_launch_options_are_headless_without_background_networking():
    options = launch_options("playwright")
    assert options["headless"] is True
    assert "--disable-background-networking" in options["args"]


def test_no_sandbox_exactly_when_running_as_root():
    assert ("--no-sandbox" in launch_options("playwright")["args"]) == (os.geteuid() == 0)


def aborts(blocker, url: str, resource_type: str = "script") -> bool:
    return asyncio.run(blocker(SimpleNamespace(url=url, resource_type=resource_type)))


def test_blocked_resource_types_are_aborted():
    should_abort = request_blocker(["image", "font"], [])
    assert aborts(should_abort, "https://thanhnien.vn/a.jpg", "image")
    assert not aborts(should_abort, "https://thanhnien.vn/app.js", "script")


def test_ad_hosts_and_their_subdomains_are_aborted_but_not_lookalikes():
    should_abort = request_blocker([], ["doubleclick.net"])
    assert aborts(should_abort, "https://securepubads.g.doubleclick.net/tag.js")
    assert aborts(should_abort, "https://doubleclick.net/x")
    assert not aborts(should_abort, "https://notdoubleclick.net/x")


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.2:8080/x", "file:///etc/passwd"]
)
def test_the_browser_may_not_load_refused_destinations(url):
    assert aborts(request_blocker([], [], DestinationChecker()), url)


def test_the_browser_loads_an_allowed_network_and_the_page_s_own_data():
    should_abort = request_blocker([], [], DestinationChecker(networks(["127.0.0.1/32"])))
    assert not aborts(should_abort, "http://127.0.0.1:8080/app.js")
    assert not aborts(should_abort, "data:image/png;base64,AAAA")


def test_a_full_static_article_needs_no_browser():
    assert not needs_browser("article", ["x" * 400], "<div id='root'></div>")


@pytest.mark.parametrize("kind", ["empty", "challenge"])
def test_an_empty_page_or_a_wall_needs_the_browser(kind):
    assert needs_browser(kind, [], "<html></html>")


def test_a_short_page_that_is_a_script_application_shell_needs_the_browser():
    assert needs_browser("listing", ["Đang tải…"], '<div id="__next"></div><script id="__NEXT_DATA__">')


def test_a_short_page_without_script_markers_needs_no_browser():
    assert not needs_browser("listing", ["Trang chủ"], "<ul><li><a href='/a'>Tin</a></li></ul>")
