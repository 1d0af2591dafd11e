"""Worker processes die with the crawl, even when it is killed with ``kill -9``.

Nothing runs in a process that is killed outright, so the children must notice by
themselves: Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``) kills a process when
its parent ends. The forkserver imports this module (``set_forkserver_preload``) and so
dies with the crawl; each worker calls ``die_with_parent`` and dies with the forkserver.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Be killed when the parent process ends (Linux; elsewhere nothing happens)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


if __name__ != "__main__" and os.environ.get("NEWSARCHIVE_FORKSERVER") == "1":
    die_with_parent()
