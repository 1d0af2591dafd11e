"""Which destinations the crawler refuses, whatever spelling of an address it is handed."""

import asyncio

import pytest

from crawler.destinations import DestinationChecker, address_refusal, networks, scheme_refusal


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link_local"),
        ("fe80::1", "link_local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "private"),
        ("100.64.0.1", "reserved"),
        ("240.0.0.1", "private"),
    ],
)
def test_internal_addresses_are_refused(address, reason):
    assert address_refusal(address) == reason


@pytest.mark.parametrize(
    "address", ["::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "::ffff:169.254.169.254"]
)
def test_ipv4_addresses_inside_ipv6_ones_are_refused_as_the_ipv4_address(address):
    assert address_refusal(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "64:ff9b::808:808"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) is None


def test_an_allowed_network_lets_exactly_its_addresses_through():
    allowed = networks(["127.0.0.1/32"])
    assert address_refusal("127.0.0.1", allowed) is None
    assert address_refusal("127.0.0.2", allowed) == "loopback"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/", "data:,x"])
def test_only_web_schemes_are_fetched(url):
    assert scheme_refusal(url) == "scheme"


def refusal(url: str, allowed=()) -> str | None:
    return asyncio.run(DestinationChecker(networks(allowed)).refusal(url))


def test_a_host_name_is_checked_by_the_addresses_it_resolves_to():
    assert refusal("http://localhost:8080/admin") == "loopback"


@pytest.mark.parametrize("url", ["http://[::ffff:7f00:1]/", "http://0x7f.1/", "http://2130706433/"])
def test_unusual_spellings_of_loopback_are_refused(url):
    assert refusal(url) == "loopback"


def test_an_unresolvable_host_is_left_to_the_downloader_to_fail():
    assert refusal("http://no-such-host.invalid/") is None
