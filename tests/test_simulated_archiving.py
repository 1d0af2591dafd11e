"""A short simulated run: one site of the simulated newsroom archived in scheduled mode by real
``scrapy crawl`` processes on the driven clock, a round every eight simulated hours over two
days; the archive's accounting is checked against the newsroom's truth log."""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archive import clock
from archive.models import Article, ArticleVersion, Snapshot
from bench.newsroom import Newsroom, serve

ROUNDS = 6
EVERY = timedelta(hours=8)


@dataclass
class Run:
    room: Newsroom
    site: str
    database_url: str
    base: str
    log: list


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Run:
    """The newsroom, its site, the archive's database URL and the server's request log after the run."""
    from tests.conftest import run_crawl

    folder = tmp_path_factory.mktemp("simulated")
    room = Newsroom(seed=21, sites=4, days=2)
    calm = [b for b in room.behaviours if not (b.outage or b.rate_limit or b.layout_change)]
    site = min(calm, key=lambda b: b.per_day)
    path = folder / "clock"
    database_url = f"sqlite:///{folder / 'archive.db'}"
    with serve(room, clock.from_spec(f"file:{path}")) as (bases, log):
        base = next(iter(bases.values()))  # one host for every site
        for round_ in range(1, ROUNDS + 1):
            clock.write_time(path, room.start + round_ * EVERY)
            done = run_crawl(
                folder,
                "news",
                "-a",
                f"start={base}{site.source}",
                settings={
                    "SCHEDULED": "True",
                    "CLOCK": f"file:{path}",
                    "DOWNLOAD_DELAY": 0,
                    "AUTOTHROTTLE_ENABLED": False,
                    "RETRY_TIMES": 0,
                },
            )
            assert done.returncode == 0, done.stderr
    return Run(room, site.name, database_url, base, [r for r in log if r.site == site.name])


def stored(database_url: str, base: str) -> dict[str, list[tuple[str, list[str]]]]:
    """Per story path, its archived versions' (title, body) in order."""
    with Session(create_engine(database_url)) as s:
        rows = s.execute(
            select(Article.canonical_url, ArticleVersion.title, ArticleVersion.body)
            .join(ArticleVersion)
            .order_by(Article.id, ArticleVersion.number)
        ).all()
    out: dict = {}
    for url, title, body in rows:
        out.setdefault(url.removeprefix(base), []).append((title, body))
    return out


def test_every_stored_version_is_a_version_the_newsroom_published(simulated):
    for path, versions in stored(simulated.database_url, simulated.base).items():
        story = simulated.room.story(path)
        truth = [(v.title, list(v.paragraphs)) for v in story.versions]
        assert all(v in truth for v in versions), path


def test_no_version_is_stored_without_an_edit_behind_it(simulated):
    for path, versions in stored(simulated.database_url, simulated.base).items():
        assert all(a != b for a, b in itertools.pairwise(versions)), path
        truth = [(v.title, list(v.paragraphs)) for v in simulated.room.story(path).versions]
        assert [truth.index(v) for v in versions] == sorted(truth.index(v) for v in versions), path


def test_every_story_live_at_a_round_is_archived(simulated):
    room = simulated.room
    rounds = [room.start + n * EVERY for n in range(1, ROUNDS + 1)]
    seen = {s.path for at in rounds for s in room.live(simulated.site, at) if not s.gone_at(at)}
    archived = stored(simulated.database_url, simulated.base)
    assert seen and {room.story(path).path for path in archived} == seen


def test_every_request_the_site_answered_has_an_outcome_row(simulated):
    prefix = f"{simulated.base}/{simulated.site}/"
    with Session(create_engine(simulated.database_url)) as s:
        rows = s.scalars(select(Snapshot.url).where(Snapshot.url.startswith(prefix))).all()
    assert len(rows) == len(simulated.log) > 0
