"""scrapyd crawl nodes on this machine, without systemd: ``start N`` builds the project's egg
(as ``scrapyd-deploy`` does), starts N scrapyd processes, one per loopback address
(127.0.0.2, .3, …, port 6800: each looks like a host of its own), deploys the egg to each and
prints their URLs for ``SCRAPYD_URLS``; ``stop`` stops them. Each node has its own folder
(``<home>/node-<i>``: its ``scrapyd.conf``, logs, and the crawls' ``data/`` with their WARC
files), and runs in a session of its own, so stopping or killing it stops its crawls too.

Also imported by the tests, which start nodes on free ports of 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "newsarchive"
PORT = 6800
STARTUP_SECONDS = 30.0


def build_egg(out: Path) -> Path:
    """The project's egg as ``scrapyd-deploy --build-egg`` builds it, from a copy of the tree
    (setuptools leaves ``build/`` and ``*.egg-info`` where it builds)."""
    with tempfile.TemporaryDirectory() as folder:
        clone = Path(folder) / "project"
        shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(".*", "data", "build", "*.egg-info", "__pycache__"))
        deploy = Path(sys.executable).with_name("scrapyd-deploy")
        subprocess.run([deploy, "--build-egg", str(out)], cwd=clone, check=True, capture_output=True)
    return out


def start_node(home: Path, host: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A scrapyd process serving ``host:port`` from ``home`` (its own session), not yet ready."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = {host}\nhttp_port = {port}\nlogs_dir = {home}/logs\n"
        f"dbs_dir = {home}/dbs\neggs_dir = {home}/eggs\nitems_dir =\npoll_interval = 0.5\n"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    base |= {"HOME": str(home), "WARC_DIR": str(home / "data" / "warc")}
    base |= {"FAILED_ITEMS_FILE": str(home / "data" / "failed-items.jsonl")}
    with open(home / "scrapyd.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "scrapyd"],
            cwd=home,
            env=base | (env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_up(url: str, process: subprocess.Popen | None = None, timeout: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"scrapyd for {url} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"scrapyd at {url} did not answer within {timeout:.0f} s")


def deploy(url: str, egg: Path, version: str = "1") -> None:
    answer = requests.post(
        f"{url}/addversion.json",
        data={"project": PROJECT, "version": version},
        files={"egg": egg.read_bytes()},
        timeout=60,
    ).json()
    if answer.get("status") != "ok":
        raise RuntimeError(f"{url}: the egg was refused: {answer}")


def stop_node(process_or_pid: subprocess.Popen | int, signum: int = signal.SIGTERM) -> None:
    """Signal the node's whole session (scrapyd and its crawls)."""
    pid = process_or_pid if isinstance(process_or_pid, int) else process_or_pid.pid
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return
    if not isinstance(process_or_pid, int):
        try:
            process_or_pid.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(pid, signal.SIGKILL)
            process_or_pid.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=2):
            return True
    except OSError:
        return False


def start(count: int, home: Path) -> list[str]:
    """``count`` nodes on 127.0.0.2… (already running ones are kept), the project deployed to each."""
    urls, started = [], []
    for i in range(1, count + 1):
        url = f"http://127.0.0.{i + 1}:{PORT}"
        if not _answers(url):
            process = start_node(home / f"node-{i}", f"127.0.0.{i + 1}", PORT)
            (home / f"node-{i}" / "scrapyd.pid").write_text(str(process.pid))
            started.append((url, process))
        urls.append(url)
    for url, process in started:
        wait_until_up(url, process)
    egg = build_egg(home / f"{PROJECT}.egg")
    for url in urls:
        deploy(url, egg)
    return urls


def stop(home: Path) -> None:
    for pid_file in sorted(home.glob("node-*/scrapyd.pid")):
        stop_node(int(pid_file.read_text()))
        pid_file.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--nodes", type=int, default=3, help="how many nodes (default: %(default)s)")
    parser.add_argument("--home", type=Path, default=ROOT / "data" / "services", help="default: %(default)s")
    args = parser.parse_args()
    if args.action == "stop":
        stop(args.home)
        return 0
    try:
        print(",".join(start(args.nodes, args.home.resolve())))
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"scrapyd_nodes: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
