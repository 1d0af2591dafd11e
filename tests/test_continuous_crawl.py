"""Continuous scheduled mode (``CONTINUOUS``) through a simulated day: one long-lived ``news``
crawl per site of the simulated newsroom, in one process, rounds every ten simulated minutes on
the driven clock (``bench.simulate``, as ``make simulate`` runs it, smaller); the archive's
accounting is checked against the newsroom's truth log and the server's own request log."""

import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archive import clock
from bench.newsroom import Newsroom, is_story, serve
from bench.simulate import run_policy, score_run

SEED, SITES, DAYS, SCALE, RATE = 3, 3, 0.5, 0.1, 1200
INTERVAL = timedelta(minutes=10)
KILL_AT = timedelta(days=DAYS / 4)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Newsroom, dict, Path]:
    """The newsroom, the run's record (request log, rule misses, restarts) and its folder; the
    crawls are killed a quarter of the way through and started again."""
    folder = tmp_path_factory.mktemp("continuous")
    room = Newsroom(seed=SEED, sites=SITES, days=DAYS, scale=SCALE, rate_limit=RATE)
    options = [f"--seed={SEED}", f"--sites={SITES}", f"--days={DAYS}", f"--scale={SCALE}", f"--rate={RATE}"]
    record = run_policy(room, "adaptive", folder, options, kill_at=room.start + KILL_AT)
    return room, record, folder


def polls(record: dict, site: str) -> list[str]:
    """The simulated times at which the site's discovery pages were asked for: its rounds."""
    return sorted({r[0] for r in record["requests"] if r[1] == site and not is_story(r[2])})


def test_each_site_is_crawled_in_rounds_every_interval_across_a_restart(run):
    room, record, _ = run
    assert record["restarts"] == 1
    for site in (b.name for b in room.behaviours if not b.outage):
        assert DAYS * 24 * 6 <= len(polls(record, site)) <= DAYS * 24 * 6 + 1


def test_a_site_that_is_down_is_polled_less_often_meanwhile(run):
    room, record, _ = run
    down = next(b for b in room.behaviours if b.outage)
    start, end = (t.isoformat() for t in down.outage)
    during = [at for at in polls(record, down.name) if start <= at < end]
    assert 0 < len(during) < (down.outage[1] - down.outage[0]) / INTERVAL / 2


def test_every_stored_version_is_one_the_newsroom_published_with_no_repeats(run):
    room, record, folder = run
    assert score_run(room, record, folder)["spurious_versions"] == 0


def test_substantive_edits_are_caught(run):
    figures = score_run(*run)
    assert figures["substantive_edits"] > 0 and figures["caught"] >= 0.9 * figures["substantive_edits"]


def test_every_request_answered_has_an_outcome_row_but_those_the_kill_cut(run):
    """What the killed process had fetched but not yet recorded (its last two seconds of outcome
    rows; the WARC records are kept, their files finished by the next crawl) is asked again by
    the restarted crawls and recorded then."""
    room, record, folder = run
    with sqlite3.connect(folder / "archive.db") as db:
        rows = Counter(db.execute("SELECT url, fetched_at FROM snapshot"))
    asked = Counter((base + path, _stored(at)) for at, _, path, _, base in record["requests"])
    kill = room.start + KILL_AT
    assert not rows - asked
    for url, at in asked - rows:
        assert at <= _stored(kill) and any(u == url and when >= _stored(kill) for u, when in rows)


def _stored(at: datetime | str) -> str:
    """A time as the SQLite archive stores it."""
    return (datetime.fromisoformat(at) if isinstance(at, str) else at).strftime("%Y-%m-%d %H:%M:%S.%f")


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
