"""``make simulate`` counts an edit as announced by a hint only when a sitemap the crawler was
served while that version stood carried its ``lastmod`` (``bench.simulate.hint_received``)."""

from datetime import timedelta

import pytest

from bench.newsroom import Newsroom
from bench.simulate import discovery_fetches, hint_received

BASE = "http://127.0.1.3:8000"


@pytest.fixture(scope="module")
def edited():
    """A story of a site with an honest sitemap ``lastmod`` (a daily sitemap each day), its edit, and
    the time its next version came (or the run's end)."""
    room = Newsroom(seed=3, sites=4, days=2)
    site = next(b for b in room.behaviours if b.announces)
    end = room.start + timedelta(days=room.days)
    for story in room.stories[site.name]:
        versions = [v for v in story.versions if v.at < end]
        for i, version in enumerate(versions[1:], start=1):
            until = versions[i + 1].at if i + 1 < len(versions) else end
            if until - version.at > timedelta(minutes=20) and story.moved is None and story.gone is None:
                return room, story, version, until
    pytest.fail("no edited story on the announcing site")


def daily(story) -> str:
    return f"/{story.site}/sitemap-{story.published:%Y-%m-%d}.xml"


def served(*fetches):
    return discovery_fetches([(at.isoformat(), site, path, 200, BASE) for at, site, path in fetches])


def test_an_edit_whose_sitemap_the_crawler_fetched_while_it_stood_was_announced(edited):
    room, story, version, until = edited
    polled = served((version.at + timedelta(minutes=5), story.site, daily(story)))
    assert hint_received(room, story, version, until, polled[story.site])


def test_an_edit_superseded_before_the_crawler_fetched_a_sitemap_was_announced_to_nobody(edited):
    room, story, version, until = edited
    polled = served(
        (version.at - timedelta(minutes=1), story.site, daily(story)),
        (until + timedelta(minutes=1), story.site, daily(story)),
    )
    assert not hint_received(room, story, version, until, polled[story.site])


def test_a_sitemap_of_another_day_announces_nothing_of_the_story(edited):
    room, story, version, until = edited
    other = f"/{story.site}/sitemap-{story.published - timedelta(days=1):%Y-%m-%d}.xml"
    polled = served((version.at + timedelta(minutes=5), story.site, other))
    assert not hint_received(room, story, version, until, polled[story.site])
