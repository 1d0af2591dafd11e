"""A scheduled round asks the archive about what discovery found and fetches only the stories it
does not have and the re-checks that have come due: the known ones are skipped, however many."""

from datetime import timedelta
from urllib.parse import urlsplit

from archive import clock
from archive.store import Archive
from bench.newsroom import Newsroom, is_story, serve
from tests.conftest import run_crawl

FIRST = timedelta(hours=20)
"""The first round: a day's stories to archive."""


def test_a_round_fetches_only_the_new_stories_and_the_due_rechecks(tmp_path):
    room = Newsroom(seed=5, sites=6, days=1)
    quiet = [b for b in room.behaviours if b.lastmod in ("absent", "frozen") and b.discovery != "listing"]
    site = min((b for b in quiet if not (b.outage or b.rate_limit or b.layout_change)), key=lambda b: b.per_day)
    path, database_url = tmp_path / "clock", f"sqlite:///{tmp_path / 'archive.db'}"
    settings = {"SCHEDULED": "True", "CLOCK": f"file:{path}", "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}
    fetched_in_rounds = []
    with serve(room, clock.from_spec(f"file:{path}")) as (bases, log):
        base = bases[site.name]
        due = set()
        for at in (FIRST, FIRST + timedelta(minutes=1), FIRST + timedelta(hours=4)):
            now = room.start + at
            clock.write_time(path, now)
            if fetched_in_rounds:
                archived_as = urlsplit(base).hostname  # the news spider names a site by its host
                due = {url.removeprefix(base) for url, _, _ in Archive(database_url).due_articles(archived_as, now)}
            before = len(log)
            done = run_crawl(
                tmp_path, "news", "-a", f"start={base}{site.source}", database_url=database_url, settings=settings
            )
            assert done.returncode == 0, done.stderr
            asked = [r.path for r in log[before:] if r.site == site.name and is_story(r.path)]
            assert len(asked) == len(set(asked))  # none twice
            fetched_in_rounds.append((set(asked), due, now))
    (first, _, first_at), (second, _, second_at), (third, due, third_at) = fetched_in_rounds
    assert first == listed(room, site.name, first_at)
    assert second == listed(room, site.name, second_at) - first  # a minute on: nothing due, only what is new
    assert due and third == (listed(room, site.name, third_at) - first - second) | due  # the new and the due


def listed(room: Newsroom, site: str, at) -> set[str]:
    """The paths the site lists at ``at``: its published stories, at their URL of the moment."""
    return {s.path_at(at) for s in room.stories[site] if s.published <= at and not s.gone_at(at)}
