"""Running extractors side by side fairly: page by page, each extractor in turn on the same
page, after one warm-up call each (imports, caches), so a slower or busier stretch of the
machine weighs on every extractor alike and the median times compare within one run."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence


def interleaved(keys: Sequence[str], names: Sequence[str], call: Callable[[str, str], object]) -> tuple[dict, dict]:
    """(``results[name][key]``, ``milliseconds[name]`` per page) of ``call(name, key)``; an
    extractor that fails on a page gets ``None`` there (it scores zero)."""
    results: dict[str, dict] = {name: {} for name in names}
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in names:
        _safe(call, name, keys[0])  # warm-up, not timed
    for key in keys:
        for name in names:
            start = time.perf_counter()
            results[name][key] = _safe(call, name, key)
            times[name].append((time.perf_counter() - start) * 1000)
    return results, times


def _safe(call, name: str, key: str):
    try:
        return call(name, key)
    except Exception as exc:  # an extractor that fails scores zero on the page
        print(f"{name}: {key}: {exc!r}", file=sys.stderr)
        return None
