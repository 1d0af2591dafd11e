"""The browser's way out: a forward proxy on 127.0.0.1 that vets every connection.

Playwright's request routing sees a page's requests, but not the hops of a redirect:
Chromium follows a ``302`` to ``169.254.169.254`` by itself. So the browser is launched
with this proxy as its only way to the network (``--proxy-bypass-list=<-loopback>``: no
implicit bypass for local addresses either). For every request — navigations, redirect
hops, scripts, frames, fetch/XHR, WebSockets — the proxy resolves the host once, refuses
a destination the guard refuses (``crawler.destinations``) with a ``403``, and otherwise
connects to the very address it checked, so a changing DNS answer cannot slip past it.
Plain HTTP is forwarded one request per connection; HTTPS is tunnelled (``CONNECT``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import urlsplit

from crawler.destinations import DestinationChecker

logger = logging.getLogger(__name__)
_MAX_HEAD = 64 * 1024  # bytes of request line and headers
_IDLE = 60.0  # seconds a tunnel may stay silent
_REFUSED = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_BAD = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_UNREACHABLE = b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def parse_head(head: bytes) -> tuple[str, str, list[bytes]]:
    """(method, target, header lines) of a request head."""
    lines = head.split(b"\r\n")
    method, target, _version = lines[0].decode("latin-1").split(" ", 2)
    return method.upper(), target, [line for line in lines[1:] if line]


def origin_form(method: str, url: str, headers: list[bytes]) -> bytes:
    """The request as the origin server expects it: path only, one request per connection."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = [h for h in headers if not h.lower().startswith((b"proxy-", b"connection:", b"keep-alive:"))]
    return b"\r\n".join([f"{method} {path} HTTP/1.1".encode("latin-1"), *kept, b"Connection: close", b"", b""])


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.TimeoutError, OSError):
        while data := await asyncio.wait_for(reader.read(65536), _IDLE):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, OSError):
        writer.close()


class GuardProxy:
    def __init__(self, checker: DestinationChecker, stats=None):
        self.checker = checker
        self.stats = stats
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> str:
        """Listen on a free loopback port; the proxy's URL for the browser's launch options."""
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=_MAX_HEAD)
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(client_reader.readuntil(b"\r\n\r\n"), _IDLE)
            method, target, headers = parse_head(head[:-4])
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            await self._answer(client_writer, _BAD)
            return
        tunnel = method == "CONNECT"
        url = f"https://{target}/" if tunnel else target
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if reason := await self.checker.refusal(url):
            if self.stats is not None:
                self.stats.inc_value(f"render/refused/{reason}")
            logger.warning("browser request refused: %s (%s destination)", url, reason)
            await self._answer(client_writer, _REFUSED)
            return
        _, address = await self.checker.vetted((parts.hostname or "").lower())
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(address or parts.hostname, port), _IDLE
            )
        except (TimeoutError, OSError):
            await self._answer(client_writer, _UNREACHABLE)
            return
        if tunnel:
            client_writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        else:
            upstream_writer.write(origin_form(method, url, headers))
        await asyncio.gather(_pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer))

    @staticmethod
    async def _answer(writer: asyncio.StreamWriter, response: bytes) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            writer.write(response)
            await writer.drain()
            writer.close()
