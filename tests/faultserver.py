"""A hostile news site on loopback, for the fault tests: good articles mixed with every
kind of trouble a crawler meets (``FAULTS``), and trap listeners on addresses the crawler
must never reach, which log every connection they get.

Run it (inside the test's network namespace) as
``python -m tests.faultserver --port P --trap 127.0.0.2:T --trap 169.254.169.254:80 --log DIR``.
Every response is bounded in size and time; the server stops by itself after ``--seconds``.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GOOD = [f"/tin/bai-viet-tot-so-{n}-10000{n}.html" for n in range(1, 6)]
REDIRECT_TARGET = "/tin/bai-viet-da-doi-duong-dan-200001.html"
RENDERED = "/tin/bai-viet-can-javascript-200002.html"
META_TARGET = "/tin/bai-viet-sau-meta-refresh-200003.html"
FAULTS = {
    "/tin/chuyen-huong-vinh-vien-300001.html": "new",  # 301 to REDIRECT_TARGET, archived under both URLs
    "/tin/vong-lap-chuyen-huong-a-300002.html": "redirected",  # a -> b -> a: b's row says refused:redirect_loop
    "/tin/chuyen-huong-noi-bo-300003.html": "redirected",  # 302 to the 127.0.0.2 trap: refused (another host)
    "/tin/chuyen-huong-metadata-300004.html": "redirected",  # 302 to 169.254.169.254: refused
    "/tin/loi-503-roi-chuyen-huong-300005.html": "redirected",  # 503 once, then 302 to the trap: refused
    "/tin/meta-refresh-noi-bo-300006.html": "redirected",  # meta refresh to 169.254.169.254: refused
    "/tin/meta-refresh-bai-khac-300007.html": "new",  # meta refresh to META_TARGET: archived
    "/tin/chuyen-huong-trang-khac-300008.html": "redirected",  # 302 to another site: refused:offsite
    "/tin/qua-tai-429-300009.html": "new",  # 429 Retry-After: 2, then the article
    "/tin/bom-gzip-300010.html": "failed:too_large",  # 1 GiB of zeros in 1 MiB of gzip
    "/tin/bom-gzip-long-nhau-300011.html": "failed:too_large",  # gzip inside gzip
    "/tin/trang-60-mb-300012.html": "failed:too_large",  # Content-Length: 60 MB
    "/tin/ket-noi-bi-ngat-300013.html": "failed:",  # connection closed without an answer
    "/tin/noi-dung-bi-cat-300014.html": "failed:",  # Content-Length larger than what is sent
    "/tin/loi-may-chu-500-300015.html": "dropped:http_500",
    "/tin/sai-bang-ma-300016.html": "new",  # says UTF-8, is Windows-1258-ish Latin-1 bytes
    "/private/bai-bi-cam-300017.html": "refused:robots_txt",
    RENDERED: "new",  # a script shell whose scripts reach for the traps
    "/tin/trang-js-chuyen-huong-200004.html": "dropped:render_failed",  # a shell; in the browser, a 302 to a trap
}
TRAPPED = [  # where the redirects and refreshes above point: refused, never connected to
    "http://127.0.0.2:8081/steal",
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.169.254/",
]
MAX_SECONDS = 180.0
BODY_CHUNK = 64 * 1024


def article(title: str, paragraphs: int = 6) -> bytes:
    text = "".join(
        f"<p>Đoạn {i} của bài «{title}»: Hà Nội, Đà Nẵng và Thành phố Hồ Chí Minh cùng đẩy mạnh chuyển đổi số, "
        f"người dân được hưởng lợi từ các dịch vụ công trực tuyến mức độ cao.</p>"
        for i in range(1, paragraphs + 1)
    )
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="2026-11-30T08:00:00+07:00"></head>'
        f"<body><article><h1>{title}</h1>{text}</article></body></html>"
    ).encode()


def title_of(path: str) -> str:
    return "Bài " + path.rsplit("/", 1)[-1].removesuffix(".html")


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{base}{p}</link></item>" for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'.encode()


def bomb(size: int, nested: bool = False) -> bytes:
    """``size`` bytes of zeros as a gzip member of about a thousandth of that (``nested``: that
    member gzipped again). Made as a bomb maker makes it, without compressing ``size`` bytes:
    after a full flush the compressor starts afresh, so each MiB of zeros is the same deflate
    block, repeated; only the CRC reads them all."""
    chunk = b"\0" * (1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # gzip, deflate, no name, no time
    data = header + block * (size >> 20) + deflate.flush() + struct.pack("<II", crc, size & 0xFFFFFFFF)
    return gzip.compress(data) if nested else data


class Log:
    def __init__(self, path: Path):
        self.path, self.lock = path, threading.Lock()

    def write(self, **entry) -> None:
        with self.lock, self.path.open("a") as fh:
            fh.write(json.dumps({"t": time.time(), **entry}) + "\n")


def handler(base: str, traps: list[str], log: Log, state: dict):
    trap_loopback = f"http://{traps[0]}/steal"
    bombs = {"/tin/bom-gzip-300010.html": bomb(1 << 30), "/tin/bom-gzip-long-nhau-300011.html": bomb(64 << 20, True)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", **headers):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            if "Content_Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, status: int, location: str) -> None:
            self.send(status, b"", Location=location)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            log.write(path=path, browser="Sec-Fetch-Mode" in self.headers)  # Chromium's own requests say so
            seen = state.setdefault(path, 0)
            state[path] = seen + 1
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the crawler gave up: fine
                self.answer(path, seen)

        def answer(self, path: str, seen: int) -> None:  # one branch per fault, read top to bottom
            if path == "/robots.txt":
                return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            if path == "/feed.xml":
                return self.send(200, rss(base, [*GOOD, *FAULTS]), "application/rss+xml")
            if path == "/feed-good.xml":  # the same site without its faults: the baseline
                return self.send(200, rss(base, [*GOOD, RENDERED]), "application/rss+xml")
            if path.startswith("/chuyen-muc/trang-"):  # an endless listing: every page has a next one
                n = int(path.rsplit("-", 1)[1])
                links = f'<a href="/tin/bai-viet-tot-so-1-100001.html">a</a><a rel="next" href="/chuyen-muc/trang-{n + 1}">next</a>'
                return self.send(200, f"<html><body><ul><li>{links}</li></ul></body></html>".encode())
            if path.startswith("/sitemap-chain-"):  # an endless chain of sitemap indexes
                n = int(path.rsplit("-", 1)[1].removesuffix(".xml"))
                body = f'<?xml version="1.0"?><sitemapindex><sitemap><loc>{base}/sitemap-chain-{n + 1}.xml</loc></sitemap></sitemapindex>'
                return self.send(200, body.encode(), "application/xml")
            if path == "/sitemap-private.xml":  # 50,000 URLs that robots.txt disallows
                urls = "".join(
                    f"<url><loc>{base}/private/bai-so-{n}-{400000 + n}.html</loc></url>" for n in range(50_000)
                )
                return self.send(200, f'<?xml version="1.0"?><urlset>{urls}</urlset>'.encode(), "application/xml")
            if path == "/sitemap-xxe.xml":
                body = (
                    '<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">'
                    '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                    f"<urlset><url><loc>{base}/tin/&x;&b;-500001.html</loc></url></urlset>"
                )
                return self.send(200, body.encode(), "application/xml")
            if path == GOOD[0]:  # compressed on the wire, as most servers send pages
                return self.send(200, gzip.compress(article(title_of(path))), Content_Encoding="gzip")
            if path in GOOD or path in (REDIRECT_TARGET, META_TARGET):
                return self.send(200, article(title_of(path)))
            if path == "/tin/chuyen-huong-vinh-vien-300001.html":
                return self.redirect(301, REDIRECT_TARGET)
            if path == "/tin/vong-lap-chuyen-huong-a-300002.html":
                return self.redirect(302, "/tin/vong-lap-chuyen-huong-b-300002.html")
            if path == "/tin/vong-lap-chuyen-huong-b-300002.html":
                return self.redirect(302, "/tin/vong-lap-chuyen-huong-a-300002.html")
            if path == "/tin/chuyen-huong-noi-bo-300003.html":
                return self.redirect(302, trap_loopback)
            if path == "/tin/chuyen-huong-metadata-300004.html":
                return self.redirect(302, "http://169.254.169.254/latest/meta-data/")
            if path == "/tin/loi-503-roi-chuyen-huong-300005.html":
                return self.send(503, b"busy") if seen == 0 else self.redirect(302, trap_loopback)
            if path == "/tin/meta-refresh-noi-bo-300006.html":
                body = b'<html><head><meta http-equiv="refresh" content="0; url=http://169.254.169.254/"></head></html>'
                return self.send(200, body)
            if path == "/tin/meta-refresh-bai-khac-300007.html":
                body = f'<html><head><meta http-equiv="refresh" content="0; url={META_TARGET}"></head></html>'.encode()
                return self.send(200, body)
            if path == "/tin/chuyen-huong-trang-khac-300008.html":
                return self.redirect(302, "http://other-site.invalid/tin/x-1.html")
            if path == "/tin/qua-tai-429-300009.html":
                if seen == 0:
                    return self.send(429, b"slow down", Retry_After="2")
                return self.send(200, article(title_of(path)))
            if path in bombs:
                return self.send(200, bombs[path], Content_Encoding="gzip, gzip" if "long-nhau" in path else "gzip")
            if path == "/tin/trang-60-mb-300012.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(60 << 20))
                self.end_headers()
                for _ in range((60 << 20) // BODY_CHUNK):
                    self.wfile.write(b"<p>" + b"x" * (BODY_CHUNK - 3))
                return None
            if path == "/tin/ket-noi-bi-ngat-300013.html":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return None
            if path == "/tin/noi-dung-bi-cat-300014.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(article(title_of(path))[:500])
                self.close_connection = True
                return None
            if path == "/tin/loi-may-chu-500-300015.html":
                return self.send(500, b"<h1>Internal Server Error</h1>")
            if path == "/tin/sai-bang-ma-300016.html":
                return self.send(
                    200, article(title_of(path)).decode().replace("Đoạn", "Doan").encode("cp1258", "replace")
                )
            if path == "/js/hop.js":  # a script that redirects to the trap
                return self.redirect(302, f"http://{traps[0]}/hop.js")
            if path == "/tin/trang-js-chuyen-huong-200004.html":
                if seen == 0:
                    return self.send(
                        200, b'<html><body><div id="root"></div><script src="/app.js"></script></body></html>'
                    )
                return self.redirect(302, "http://169.254.169.254/navigation")
            if path == RENDERED:
                script = (
                    f'fetch("{trap_loopback}").catch(()=>0);fetch("http://169.254.169.254/latest/").catch(()=>0);'
                    'var f=document.createElement("iframe");f.src="http://127.0.0.2:1/frame";document.body.appendChild(f);'
                    f"document.getElementById('root').innerHTML={json.dumps(article(title_of(path)).decode().split('<body>')[1])};"
                )
                body = (
                    '<html><head><meta charset="utf-8"><script src="/js/hop.js"></script></head>'
                    f'<body><div id="root"></div><script>{script}</script></body></html>'
                )
                return self.send(200, body.encode())
            return self.send(404, b"<h1>Not found</h1>")

        def log_message(self, *args) -> None:
            pass

    return Handler


def trap(address: str, log: Log) -> ThreadingHTTPServer:
    host, port = address.rsplit(":", 1)

    class Trap(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            log.write(trap=address, path=self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((host, int(port)), Trap)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--trap", action="append", default=[])
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    args.log.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{args.port}"
    servers = [trap(t, Log(args.log / "trap.jsonl")) for t in args.trap]
    ThreadingHTTPServer.request_queue_size = 128  # a crawler opens many connections at once
    main_server = ThreadingHTTPServer(
        ("127.0.0.1", args.port), handler(base, args.trap, Log(args.log / "requests.jsonl"), {})
    )
    main_server.daemon_threads = True
    servers.append(main_server)
    for server in servers:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    (args.log / "ready").write_text("ok")
    time.sleep(min(args.seconds, MAX_SECONDS))


if __name__ == "__main__":
    main()
