"""Processes of this machine: whether one still runs. Kept apart and light: the workers'
forkserver imports it before anything else."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine still runs (a crawl, a WARC writer)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True
