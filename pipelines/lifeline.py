"""Worker processes die with the crawl, even when it is killed with ``kill -9``.

Nothing runs in a process that is killed outright, so the children must notice by
themselves: Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``) kills a process when
its parent ends. The forkserver imports this module (``set_forkserver_preload``) and so
dies with the crawl (``NEWSARCHIVE_FORKSERVER_OF`` names it); each worker calls
``die_with_parent`` and dies with the forkserver.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

from archive.processes import process_alive

_PR_SET_PDEATHSIG = 1


def die_with_parent(crawl_pid: int | None = None) -> None:
    """Be killed when the parent process ends (Linux; elsewhere nothing happens). A parent or
    crawl that is already gone by the time the signal is armed ends this process at once."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1 or (crawl_pid is not None and not process_alive(crawl_pid)):
        os._exit(1)


if __name__ != "__main__" and (_crawl := os.environ.get("NEWSARCHIVE_FORKSERVER_OF")):
    die_with_parent(int(_crawl))
