"""Where a crawler may connect: public HTTP(S) hosts only, unless a network is allowed.

A page, a redirect, a meta refresh or a script can name any address; a crawler that
follows them blindly can be steered at the machine's own services, the cloud metadata
endpoint (169.254.169.254) or the office network. These pure functions decide; the
destination guard (``crawler.middlewares.guard``) and the browser's request filter
(``crawler.rendering.blocking``) apply them after resolving host names.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
WEB_SCHEMES = frozenset({"http", "https"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``ALLOWED_PRIVATE_NETWORKS`` entries (``127.0.0.1/32``, ``10.0.0.0/8``, ``::1``) as networks."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v and v.strip())


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped ``::ffff:a.b.c.d``, NAT64, 6to4, Teredo)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def address_refusal(address: Address | str, allowed: tuple[Network, ...] = ()) -> str | None:
    """Why ``address`` may not be connected to (``loopback``, ``private``, ``link_local``,
    ``multicast``, ``reserved``), or None for a public address or an allowed network."""
    address = ipaddress.ip_address(address) if isinstance(address, str) else address
    if any(address.version == net.version and address in net for net in allowed):
        return None
    inner = _embedded_ipv4(address)
    if inner is not None:
        return address_refusal(inner, allowed)
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_unspecified or address.is_reserved or not address.is_global:
        return "reserved"
    return None


def scheme_refusal(url: str) -> str | None:
    """``scheme`` for anything but http(s) (``file:``, ``ftp:``, ``data:``, …)."""
    return None if urlsplit(url).scheme.lower() in WEB_SCHEMES else "scheme"


def literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class DestinationChecker:
    """Resolves host names (asynchronously, cached for the run) and applies ``address_refusal``
    to every address a name has: one private answer is enough to refuse it."""

    def __init__(self, allowed: tuple[Network, ...] = ()):
        self.allowed = allowed
        self._verdicts: dict[str, tuple[str | None, str | None]] = {}

    async def refusal(self, url: str) -> str | None:
        if reason := scheme_refusal(url):
            return reason
        host = (urlsplit(url).hostname or "").lower()
        if not host:
            return "no_host"
        return (await self.vetted(host))[0]

    async def vetted(self, host: str) -> tuple[str | None, str | None]:
        """(why ``host`` is refused, or None; an address of it that was checked, to connect to)."""
        if host not in self._verdicts:
            self._verdicts[host] = await self._check(host)
        return self._verdicts[host]

    async def _check(self, host: str) -> tuple[str | None, str | None]:
        if (address := literal_address(host)) is not None:
            return address_refusal(address, self.allowed), str(address)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None, None  # unresolvable: the download fails on its own, with its DNS error
        addresses = [sockaddr[0].split("%", 1)[0] for *_, sockaddr in infos]
        for address in addresses:
            if reason := address_refusal(address, self.allowed):
                return reason, None
        return None, addresses[0] if addresses else None
