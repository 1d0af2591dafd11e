"""The one clock the product reads the time from.

In production it is the wall clock. ``CLOCK`` (a setting; ``NEWS_CLOCK`` in the environment,
which every process the scheduler starts inherits) can fix it at a moment (an ISO 8601 time:
a replay of the past) or hand it to a driver (``file:PATH``: the time written in that file,
read again when the file changes), so a simulated newsroom moves the real scheduler, crawl
processes, store and WARC files through days in minutes. Liveness — leases, heartbeats, how
long a process has been silent — is about processes that run in real time and stays on
``wall``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

CLOCK_ENV = "NEWS_CLOCK"
FILE_PREFIX = "file:"

Clock = Callable[[], datetime]


class ClockSpecError(ValueError):
    """A ``CLOCK`` value that names no clock."""


def wall() -> datetime:
    """The real time, aware, in UTC."""
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _parse(value: str, where: str) -> datetime:
    try:
        return _aware(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        raise ClockSpecError(f"{where}: {value.strip()!r} is not an ISO 8601 time") from None


@dataclass(frozen=True)
class FixedClock:
    moment: datetime

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class FileClock:
    """The time a driver writes into ``path`` (ISO 8601, replaced atomically); read again only
    when the file's modification time or size changes, so asking costs one ``stat``."""

    path: Path
    _seen: tuple[int, int] | None = field(default=None, init=False, repr=False)
    _moment: datetime | None = field(default=None, init=False, repr=False)

    def __call__(self) -> datetime:
        try:
            stat = self.path.stat()
        except OSError as exc:
            raise ClockSpecError(f"clock file {self.path}: {exc.strerror}") from None
        if (stat.st_mtime_ns, stat.st_size) != self._seen or self._moment is None:
            self._moment = _parse(self.path.read_text(encoding="utf-8"), f"clock file {self.path}")
            self._seen = (stat.st_mtime_ns, stat.st_size)
        return self._moment


def from_spec(spec: str | None) -> Clock:
    """The clock a ``CLOCK`` value names: empty or ``wall``, an ISO 8601 time, or ``file:PATH``."""
    spec = (spec or "").strip()
    if spec in ("", "wall"):
        return wall
    if spec.startswith(FILE_PREFIX):
        return FileClock(Path(spec.removeprefix(FILE_PREFIX)))
    return FixedClock(_parse(spec, "CLOCK"))


FILE_CLOCK_LOOK = 0.02
"""Seconds between two looks at a ``file:`` clock by a process waiting for a time: a driver may
move it at any moment, by days at once."""
WALL_LOOK_MAX = 60.0
"""At most this long between two looks at the wall clock (a laptop suspended, the time set)."""


def next_look(clock: Clock, until: datetime) -> float | None:
    """Real seconds to wait before asking ``clock`` again whether ``until`` has come: what is
    left of the wait on the wall clock, a moment on a driven one; None for a fixed clock, which
    never gets there."""
    if isinstance(clock, FixedClock):
        return None
    if isinstance(clock, FileClock):
        return FILE_CLOCK_LOOK
    return min(max((until - clock()).total_seconds(), 0.0), WALL_LOOK_MAX)


def from_environment() -> Clock:
    return from_spec(os.environ.get(CLOCK_ENV))


def write_time(path: Path, moment: datetime) -> None:
    """Move a ``file:`` clock to ``moment`` (atomically: a reader never sees half a time)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(_aware(moment).isoformat(), encoding="utf-8")
    partial.replace(path)
