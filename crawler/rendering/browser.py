"""Which Chromium renders pages, and how it is started.

``RENDER_BROWSER``: ``auto`` (the system's Chromium, e.g. Debian's ``/usr/bin/chromium``,
else the one ``playwright install chromium`` downloads), ``playwright`` (only the latter),
or the path of a Chromium/Chrome executable.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--disable-gpu",
    "--disable-dev-shm-usage",  # /dev/shm is tiny in containers
    "--disable-background-networking",  # else Chromium keeps calling home from a crawler
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--mute-audio",
)
NO_BROWSER = (
    "no browser to render pages with: install Chromium (Debian/Ubuntu: apt-get install chromium), "
    "or run `playwright install chromium`, or set RENDER_BROWSER to a Chromium executable"
)


class BrowserNotFoundError(RuntimeError):
    pass


def find_browser(choice: str = "auto") -> str | None:
    """The executable to launch; None means Playwright's own download. Raises
    ``BrowserNotFoundError`` when an explicit path does not exist."""
    if choice == "playwright":
        return None
    if choice != "auto":
        if not (Path(choice).is_file() and os.access(choice, os.X_OK)):
            raise BrowserNotFoundError(f"RENDER_BROWSER={choice!r} is not an executable file; {NO_BROWSER}")
        return choice
    return next((found for name in SYSTEM_CANDIDATES if (found := shutil.which(name))), None)


def launch_options(choice: str = "auto", proxy: str | None = None) -> dict:
    """Playwright launch options: headless, quiet, no sandbox when running as root (Chromium
    refuses to start sandboxed as root), and every request through ``proxy`` when given —
    local addresses too (Chromium otherwise bypasses a proxy for them)."""
    args = [*FLAGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    options: dict = {"headless": True, "args": args}
    if proxy:
        options["proxy"] = {"server": proxy}
        args.append("--proxy-bypass-list=<-loopback>")
    if executable := find_browser(choice):
        options["executable_path"] = executable
    return options
