"""A real HTTP server on 127.0.0.1 for crawl tests: serves a fixed set of pages with an
ETag (answering 304 to a matching If-None-Match), 404 for anything else, and can be slow
on purpose. Every request is bounded in time and
the server stops when the test ends."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_DELAY = 5.0  # seconds a slow page may hold its connection, at most
MAX_HOLD = 60.0  # seconds a page held by an event waits for it, at most


def _wait(delay: float | threading.Event) -> None:
    if isinstance(delay, threading.Event):
        delay.wait(MAX_HOLD)
    else:
        time.sleep(min(delay, MAX_DELAY))


@contextmanager
def serve(
    pages: dict[str, tuple[int, str, bytes]],
    delays: dict[str, float | threading.Event] | None = None,
    asked: list[str] | None = None,
):
    """Yield the base URL of a server answering ``path -> (status, content type, body[, headers])``
    (``Transfer-Encoding: chunked`` among the headers: the body is sent in chunks); a
    path's delay is seconds, or an event the answer waits for (a test's "until I say so");
    ``asked`` gets every path asked for, in the order the requests came."""
    delays = {} if delays is None else delays

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]  # like most sites, query parameters do not change the page
            if asked is not None:
                asked.append(path)
            status, content_type, body, *headers = pages.get(path, (404, "text/html", b"<h1>Not found</h1>"))
            _wait(delays.get(path, 0.0))
            etag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'
            if status == 200 and self.headers.get("If-None-Match") == etag:  # a conditional request, unchanged
                status, body = 304, b""
            extra = headers[0] if headers else {}
            chunked = extra.get("Transfer-Encoding") == "chunked"
            if chunked:  # HTTP/1.1 for this answer, then the connection closes
                self.protocol_version, self.close_connection = "HTTP/1.1", True
            try:
                self.send_response(status)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", content_type)
                # every answer closes its connection (HTTP/1.0 here), and says so: a client that
                # reused it anyway (wget does) raced the close and lost the page now and then
                self.send_header("Connection", "close")
                if not chunked:
                    self.send_header("Content-Length", str(len(body)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                if chunked:
                    for at in range(0, len(body), 4096):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(body[at : at + 4096]), body[at : at + 4096]))
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler gave up waiting: that is the point of a slow page

        def do_POST(self) -> None:
            """Answered as a GET of the path (a form's fields are not looked at)."""
            self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 1_000_000))
            self.do_GET()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now, for a server a test starts."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_listening(port: int, host: str = "127.0.0.1", timeout: float = 30) -> None:
    """Return once something accepts connections on ``port`` (a server a test started), or
    after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)


@contextmanager
def listening_process(command: list, port: int, **popen):
    """``command`` started (a server a test needs, told to listen on ``port`` of 127.0.0.1): its
    base URL once it accepts connections; stopped afterwards."""
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, **popen)
    try:
        wait_listening(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
