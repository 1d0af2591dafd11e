"""The simulated newsroom (``bench/newsroom.py``) that scheduled archiving is measured against:
reproducible from its seed, publishing and editing as newsrooms do, served on loopback as of a
driven clock — and a real crawl on that clock archives each story as it stood."""

import http.client
import re
import statistics
import urllib.parse
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archive import clock
from archive.models import Article, ArticleVersion
from bench.newsroom import EDIT_KINDS, GENERIC, LASTMOD, VALIDATORS, Newsroom, serve
from bench.newsroom_layouts import LAYOUTS
from pipelines.extraction.article import extract_article


@pytest.fixture(scope="module")
def newsroom() -> Newsroom:
    return Newsroom(seed=11, sites=20, days=3)


def all_stories(newsroom: Newsroom) -> list:
    return [s for stories in newsroom.stories.values() for s in stories]


def test_the_same_seed_gives_the_same_newsroom_and_another_seed_another(newsroom):
    assert Newsroom(seed=11, sites=20, days=3).truth() == newsroom.truth()
    assert Newsroom(seed=12, sites=20, days=3).truth() != newsroom.truth()


def test_sites_publish_ten_to_three_hundred_stories_a_day_with_drawn_behaviours(newsroom):
    rates = [b.per_day for b in newsroom.behaviours]
    assert min(rates) >= 10 and max(rates) <= 300
    assert {b.lastmod for b in newsroom.behaviours} <= set(LASTMOD)
    assert {b.validators for b in newsroom.behaviours} <= set(VALIDATORS)
    assert len({(b.lastmod, b.validators) for b in newsroom.behaviours}) > 3


def test_about_a_third_of_stories_are_never_edited_and_first_edits_come_early(newsroom):
    stories = all_stories(newsroom)
    never = sum(len(s.versions) == 1 for s in stories) / len(stories)
    first_edit_minutes = [(s.versions[1].at - s.published).total_seconds() / 60 for s in stories if len(s.versions) > 1]
    assert 0.28 < never < 0.4
    assert statistics.median(first_edit_minutes) < 60
    assert max(first_edit_minutes) > 24 * 60  # and a long tail


def test_edits_are_of_every_kind_and_some_are_late_corrections(newsroom):
    edits = [(v.kind, v.at - s.published) for s in all_stories(newsroom) for v in s.versions[1:]]
    assert {kind for kind, _ in edits} == set(EDIT_KINDS)
    assert any(after > timedelta(days=1) for _, after in edits)


def fetch(url: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    """One GET, redirects not followed: (status, body, headers)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read(), dict(answer.headers)
    finally:
        connection.close()


def small_newsroom() -> Newsroom:
    return Newsroom(seed=5, sites=5, days=1)


def calm(room: Newsroom) -> list:
    """The sites in no trouble (no outage, no rate limit, no layout change)."""
    return [b for b in room.behaviours if not (b.outage or b.rate_limit or b.layout_change)]


def test_the_site_is_served_as_it_stands_at_the_clock_s_time(tmp_path):
    room = small_newsroom()
    now = room.start + timedelta(hours=10)
    path = tmp_path / "clock"
    clock.write_time(path, now)
    site = calm(room)[0].name
    with serve(room, clock.from_spec(f"file:{path}")) as (bases, log):
        base = next(iter(bases.values()))  # one host for every site
        _, listed, _ = fetch(f"{base}/{site}/sitemap.xml")
        story = next(s for s in reversed(room.live(site, now)) if not (s.gone or s.moved))
        first = fetch(base + story.path)
        again = fetch(base + story.path)
        unpublished = next(s for s in room.stories[site] if s.published > now)
        missing = fetch(base + unpublished.path)
    assert listed.count(b"<loc>") == len([s for s in room.live(site, now) if not s.gone_at(now)])
    assert unpublished.path.encode() not in listed
    assert first[0] == 200 and story.at(now).title.encode() in first[1]
    assert first[1] != again[1]  # the clock, the ad id, the "most read" teasers
    assert missing[0] == 404
    assert [r.status for r in log] == [200, 200, 200, 404]


def test_a_site_with_honest_validators_answers_a_conditional_request_with_304(tmp_path):
    room = Newsroom(seed=5, sites=20, days=1)
    honest = next(b for b in calm(room) if b.validators == "honest")
    now = room.start + timedelta(hours=12)
    path = tmp_path / "clock"
    clock.write_time(path, now)
    with serve(room, clock.from_spec(f"file:{path}")) as (bases, _):
        base = next(iter(bases.values()))  # one host for every site
        story = next(s for s in reversed(room.live(honest.name, now)) if not (s.gone or s.moved))
        _, _, headers = fetch(base + story.path)
        status, body, _ = fetch(base + story.path, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")


def test_a_crawl_on_the_driven_clock_archives_each_story_as_it_stood(crawl, sqlite_url, tmp_path):
    room = small_newsroom()
    site = min(calm(room), key=lambda b: b.per_day).name
    now = room.start + timedelta(hours=8)
    path = tmp_path / "clock"
    clock.write_time(path, now)
    with serve(room, clock.from_spec(f"file:{path}")) as (bases, _):
        base = next(iter(bases.values()))  # one host for every site
        done = crawl(
            "news",
            "-a",
            f"start={base}/{site}/sitemap.xml",
            database_url=sqlite_url,
            settings={"CLOCK": f"file:{path}", "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False},
        )
    assert done.returncode == 0, done.stderr
    with Session(create_engine(sqlite_url)) as s:
        archived = {
            a.canonical_url.removeprefix(base): v.title
            for a, v in s.execute(select(Article, ArticleVersion).join(ArticleVersion))
        }
    live = [story for story in room.live(site, now) if not story.gone_at(now)]
    assert archived == {story.path_at(now): story.at(now).title for story in live}


def troubled(room: Newsroom, kind: str):
    return next(b for b in room.behaviours if getattr(b, kind))


def served_at(room: Newsroom, tmp_path, now, *paths: str) -> list[tuple[int, bytes, dict]]:
    path = tmp_path / "clock"
    clock.write_time(path, now)
    with serve(room, clock.from_spec(f"file:{path}")) as (bases, _):
        base = next(iter(bases.values()))  # one host for every site
        return [fetch(base + p) for p in paths]


def test_a_site_down_for_hours_answers_503_with_retry_after_meanwhile(newsroom, tmp_path):
    site = troubled(newsroom, "outage")
    start, end = site.outage
    during = served_at(newsroom, tmp_path, start + (end - start) / 2, f"/{site.name}/sitemap.xml")[0]
    after = served_at(newsroom, tmp_path, end, f"/{site.name}/sitemap.xml")[0]
    assert (during[0], during[2].get("Retry-After")) == (503, "60")
    assert after[0] == 200


def test_a_site_answers_429_above_its_rate(newsroom, tmp_path):
    site = troubled(newsroom, "rate_limit")
    answers = served_at(newsroom, tmp_path, newsroom.start + timedelta(days=1), *[f"/{site.name}/sitemap.xml"] * 62)
    assert [a[0] for a in answers].count(429) == 2 and answers[0][0] == 200


def test_after_its_layout_change_a_site_s_story_is_no_longer_an_article_element(newsroom, tmp_path):
    site = troubled(newsroom, "layout_change")
    story = next(s for s in newsroom.stories[site.name] if not (s.gone or s.moved))
    before, after = (
        served_at(newsroom, tmp_path, site.layout_change - timedelta(seconds=1), story.path)[0][1],
        served_at(newsroom, tmp_path, site.layout_change, story.path)[0][1],
    )
    assert b"<article>" in before and b"<article>" not in after and b"story-body" in after


def test_sites_draw_the_layouts_of_recorded_sites_and_the_one_that_changes_keeps_the_generic_page(newsroom):
    layouts = {b.name: b.layout for b in newsroom.behaviours}
    assert set(layouts.values()) == {*LAYOUTS, GENERIC}
    assert layouts[troubled(newsroom, "layout_change").name] == GENERIC


def story_in_layout(newsroom: Newsroom, layout: str):
    site = next(b for b in newsroom.behaviours if b.layout == layout and b in calm(newsroom))
    return next(s for s in newsroom.stories[site.name] if len(s.versions) > 1 and not (s.gone or s.moved))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_story_in_a_recorded_layout_reads_back_as_it_stood_without_site_rules(newsroom, tmp_path, layout):
    story = story_in_layout(newsroom, layout)
    when = story.versions[1].at
    status, page, _ = served_at(newsroom, tmp_path, when, story.path)[0]
    url = "http://127.0.0.1" + story.path
    article = extract_article(page, url)
    assert status == 200 and len(page) > 10_000  # the recorded page's furniture came with it
    assert (article["title"], tuple(article["body"])) == (story.versions[1].title, story.versions[1].paragraphs)
    assert article["canonical_url"] == url


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_story_page_in_a_recorded_layout_names_no_other_host(newsroom, tmp_path, layout):
    story = story_in_layout(newsroom, layout)
    page = served_at(newsroom, tmp_path, story.published, story.path)[0][1].decode()
    linked = re.findall(r"""\b(?:href|src|srcset|content|action|data-[\w-]+)=["'][^"']*//[\w.-]+\.[a-z]{2,}""", page)
    assert linked == []


def test_unpublished_stories_answer_404_or_410_from_their_time_on(newsroom, tmp_path):
    story = next(
        s
        for stories in newsroom.stories.values()
        for s in stories
        if s.gone and s.site in {b.name for b in calm(newsroom)}
    )
    at, status = story.gone
    before, after = (served_at(newsroom, tmp_path, t, story.path)[0][0] for t in (at - timedelta(seconds=1), at))
    assert (before, after) == (200, status)


def test_a_moved_story_redirects_from_its_old_url_to_its_new_one(newsroom, tmp_path):
    story = next(
        s
        for stories in newsroom.stories.values()
        for s in stories
        if s.moved and s.site in {b.name for b in calm(newsroom)}
    )
    status, _, headers = served_at(newsroom, tmp_path, story.moved, story.path)[0]
    assert status == 301 and headers["Location"].endswith(story.new_path)
