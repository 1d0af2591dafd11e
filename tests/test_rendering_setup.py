"""Choosing and configuring the browser, and what a rendered page may load."""

import asyncio
import os
from types import SimpleNamespace

import pytest

from crawler.destinations import DestinationChecker, networks
from crawler.rendering.blocking import request_blocker
from crawler.rendering.browser import BrowserNotFoundError, find_browser, launch_options
from crawler.rendering.proxy import GuardProxy, origin_form
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


def through_proxy(proxy_url: str, target: str) -> bytes:
    """A plain-HTTP request for ``target`` sent to the proxy, and its answer's status line."""

    async def ask() -> bytes:
        host, port = proxy_url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nProxy-Connection: keep-alive\r\n\r\n".encode())
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return answer.split(b"\r\n", 1)[0]

    return asyncio.run(ask())


@pytest.fixture
def page_server():
    from tests.loopback import serve

    with serve({"/ok": (200, "text/plain", b"fine")}) as base:
        yield base


def proxy_answer(target: str, allowed: list[str]) -> bytes:
    async def run() -> bytes:
        proxy = GuardProxy(DestinationChecker(networks(allowed)))
        url = await proxy.start()
        try:
            return await asyncio.to_thread(through_proxy, url, target)
        finally:
            await proxy.close()

    return asyncio.run(run())


def test_the_browser_s_proxy_forwards_an_allowed_destination(page_server):
    assert proxy_answer(f"{page_server}/ok", ["127.0.0.1/32"]) == b"HTTP/1.0 200 OK"


def test_the_browser_s_proxy_refuses_a_local_destination_even_as_a_redirect_target(page_server):
    assert proxy_answer(f"{page_server}/ok", []) == b"HTTP/1.1 403 Forbidden"
    assert proxy_answer("http://169.254.169.254/latest/", ["127.0.0.1/32"]) == b"HTTP/1.1 403 Forbidden"


def test_requests_leave_the_proxy_in_origin_form_one_per_connection():
    sent = origin_form("GET", "http://example.org/a?b=1", [b"Host: example.org", b"Proxy-Connection: keep-alive"])
    assert sent == b"GET /a?b=1 HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n"


def test_launch_options_send_every_request_through_the_proxy_local_ones_included():
    options = launch_options("playwright", "http://127.0.0.1:9999")
    assert options["proxy"] == {"server": "http://127.0.0.1:9999"}
    assert "--proxy-bypass-list=<-loopback>" in options["args"]
