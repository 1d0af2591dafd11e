"""Continuous scheduled mode (``CONTINUOUS``) through a simulated day: one long-lived ``news``
crawl per site of the simulated newsroom, in one process, rounds every ten simulated minutes on
the driven clock (``bench.simulate``, as ``make simulate`` runs it, smaller); the archive's
accounting is checked against the newsroom's truth log and the server's own request log."""

import os
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from archive import clock
from archive.recheck_policy import REFUSED_BACK_OFF_MAX, aware
from bench.newsroom import Newsroom, is_story, serve
from bench.simulate import database_url, run_policy, score_run
from tests.conftest import fresh_postgres_database

SEED, SITES, DAYS, SCALE, RATE = 3, 3, 0.5, 0.1, 1200
INTERVAL = timedelta(minutes=10)
KILL_AT = timedelta(hours=3)
ARCHIVE_DOWN = (timedelta(hours=7), timedelta(hours=9))
"""When the archive's PostgreSQL database refuses every connection (the driven clock is held at
both ends until the outage has seen them)."""


class DatabaseOutage:
    """Told the simulated time as it passes: refuses connections to the database (and ends the
    open ones) during ``ARCHIVE_DOWN``, then lets them in again."""

    def __init__(self, server: str, url: str, start: datetime):
        self.admin = create_engine(
            server.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
        )
        self.name, self.start, self.down = url.rsplit("/", 1)[1], start, False

    def __call__(self, now: datetime) -> datetime | None:
        begins, ends = (self.start + moment for moment in ARCHIVE_DOWN)
        down = begins <= now < ends
        if down != self.down:
            self._refuse(down)
        return begins if now < begins else ends if now < ends else None

    def _refuse(self, down: bool) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS {str(not down).lower()}'))
            if down:
                conn.execute(
                    text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'")
                )
        self.down = down


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Newsroom, dict, Path]:
    """The newsroom, the run's record (request log, rule misses, restarts) and its folder; the
    crawls are killed at ``KILL_AT`` and started again, and their PostgreSQL archive refuses
    connections during ``ARCHIVE_DOWN``."""
    folder = tmp_path_factory.mktemp("continuous")
    room = Newsroom(seed=SEED, sites=SITES, days=DAYS, scale=SCALE, rate_limit=RATE)
    options = [f"--seed={SEED}", f"--sites={SITES}", f"--days={DAYS}", f"--scale={SCALE}", f"--rate={RATE}"]
    with fresh_postgres_database() as url:
        (folder / "database_url").write_text(url)
        outage = DatabaseOutage(os.environ["TEST_POSTGRES_URL"], url, room.start)
        record = run_policy(room, "adaptive", folder, options, kill_at=room.start + KILL_AT, watch=outage)
        yield room, record, folder


def polls(record: dict, site: str, start: timedelta = timedelta(0), end: timedelta = timedelta(days=DAYS)) -> list[str]:
    """The simulated times, from ``start`` to ``end`` into the run, at which the site's discovery
    pages were asked for: its rounds."""
    first, last = (str_at(t) for t in (start, end))
    return sorted({r[0] for r in record["requests"] if r[1] == site and not is_story(r[2]) and first <= r[0] < last})


def str_at(offset: timedelta) -> str:
    return (Newsroom.start + offset).isoformat()


def calm_sites(room: Newsroom) -> list[str]:
    return [b.name for b in room.behaviours if not b.outage]


def test_each_site_is_crawled_in_rounds_every_interval_across_a_restart(run):
    room, record, _ = run
    assert record["restarts"] == 1
    for site in calm_sites(room):
        rounds = len(polls(record, site, end=ARCHIVE_DOWN[0]))
        assert ARCHIVE_DOWN[0] / INTERVAL <= rounds <= ARCHIVE_DOWN[0] / INTERVAL + 1


def test_rounds_are_put_off_while_the_archive_does_not_answer(run):
    room, record, _ = run
    down = ARCHIVE_DOWN[1] - ARCHIVE_DOWN[0]
    for site in calm_sites(room):
        assert len(polls(record, site, ARCHIVE_DOWN[0], ARCHIVE_DOWN[1])) < down / INTERVAL / 2


def test_rounds_come_at_their_pace_again_once_the_archive_answers(run):
    room, record, _ = run
    back = ARCHIVE_DOWN[1] + INTERVAL * REFUSED_BACK_OFF_MAX  # the longest a round was put off
    for site in calm_sites(room):
        assert len(polls(record, site, back)) >= (timedelta(days=DAYS) - back) / INTERVAL - 1


def test_a_site_that_is_down_is_polled_less_often_meanwhile(run):
    room, record, _ = run
    down = next(b for b in room.behaviours if b.outage)
    during = polls(record, down.name, *(t - room.start for t in down.outage))
    assert 0 < len(during) < (down.outage[1] - down.outage[0]) / INTERVAL / 2


def test_every_stored_version_is_one_the_newsroom_published_with_no_repeats(run):
    room, record, folder = run
    assert score_run(room, record, folder)["spurious_versions"] == 0


def test_substantive_edits_are_caught(run):
    figures = score_run(*run)
    assert figures["substantive_edits"] > 0 and figures["caught"] >= 0.9 * figures["substantive_edits"]


def test_every_request_answered_has_an_outcome_row_but_those_the_kill_cut(run):
    """What was fetched while the archive did not answer is spooled and stored once it does; what
    the killed process had fetched but not yet recorded (its last two seconds of outcome rows; the
    WARC records are kept, their files finished by the next crawl) is asked again by the restarted
    crawls and recorded then."""
    room, record, folder = run
    with create_engine(database_url(folder).replace("postgresql://", "postgresql+psycopg://", 1)).connect() as db:
        rows = Counter((url, aware(at)) for url, at in db.execute(text("SELECT url, fetched_at FROM snapshot")))
    asked = Counter((base + path, datetime.fromisoformat(at)) for at, _, path, _, base in record["requests"])
    kill = room.start + KILL_AT
    assert not rows - asked
    for url, at in asked - rows:
        assert at <= kill and any(u == url and when >= kill for u, when in rows)


def test_no_site_is_fetched_above_the_rate_it_allows(run):
    _, record, _ = run
    assert [r for r in record["requests"] if r[3] == 429] == []


def test_the_layout_change_is_flagged_at_the_first_article_fetched_after_it(run):
    room, record, folder = run
    changed = next(b for b in room.behaviours if b.layout_change)
    assert score_run(room, record, folder)["layout_change_flagged"] is True
    assert datetime.fromisoformat(record["rules_missed_first"][changed.name]) >= changed.layout_change


def test_a_continuous_crawl_on_a_fixed_clock_ends_after_its_round(crawl, sqlite_url):
    room = Newsroom(seed=SEED, sites=5, days=DAYS, scale=SCALE)  # three sites in trouble, two calm
    calm = next(b for b in room.behaviours if not (b.outage or b.rate_limit or b.layout_change))
    now = room.start + timedelta(hours=6)
    with serve(room, clock.FixedClock(now)) as (bases, _):
        done = crawl(
            "news",
            "-a",
            f"start={bases[calm.name]}{calm.source}",
            database_url=sqlite_url,
            settings={"SCHEDULED": True, "CONTINUOUS": True, "CLOCK": now.isoformat(), "DOWNLOAD_DELAY": 0},
        )
    assert done.returncode == 0, done.stderr
    assert "'finish_reason': 'finished'" in done.stderr
