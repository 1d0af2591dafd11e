"""Dates as Vietnamese and international news pages print them become ISO 8601 with offset."""

from datetime import UTC, datetime

import pytest

from pipelines import extract_article
from pipelines.extraction.dates import to_iso


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("2021-01-28T05:40:00+07:00", "2021-01-28T05:40:00+07:00"),
        ("2021-01-27T22:40:00Z", "2021-01-27T22:40:00+00:00"),
        ("28/01/2021 05:40 GMT+7", "2021-01-28T05:40:00+07:00"),
        ("Thứ Hai, 12/5/2025 10:30 (GMT+7)", "2025-05-12T10:30:00+07:00"),
        ("05/05/2021 09:15", "2021-05-05T09:15:00+07:00"),
        ("Wednesday, 09:15 05/05/2021", "2021-05-05T09:15:00+07:00"),
        ("Thu, 28 Jan 2021 03:40:05 +0000", "2021-01-28T03:40:05+00:00"),
        ("28.01.2021 - 07:12", "2021-01-28T07:12:00+07:00"),
    ],
)
def test_printed_date_becomes_iso_with_offset(printed, iso):
    assert to_iso(printed, default_tz="+07:00") == iso


def test_a_date_alone_stays_a_date():
    assert to_iso("2021-05-05", default_tz="+07:00") == "2021-05-05"
    assert to_iso("05/05/2021") == "2021-05-05"


def test_a_time_without_offset_and_no_known_time_zone_stays_without_offset():
    assert to_iso("05/05/2021 09:15") == "2021-05-05T09:15:00"


def test_date_without_offset_takes_the_default_timezone():
    assert to_iso("05/05/2021 09:15", default_tz="+00:00") == "2021-05-05T09:15:00+00:00"


def test_date_without_year_is_not_in_the_future():
    fetched = datetime(2026, 1, 10, tzinfo=UTC)
    iso = to_iso("31 Dec, 04:33 PM", default_tz="+07:00")
    assert iso is not None and datetime.fromisoformat(iso) <= datetime.now(UTC)
    assert to_iso("2027-01-01T00:00:00+07:00", not_after=fetched) is None


def test_text_without_date_gives_none():
    assert to_iso("Bình luận") is None
    assert to_iso("") is None


HEAD = """<html lang="{lang}"><head><title>Tram line extended</title>{meta}</head><body><article>
<h1>Tram line extended to the northern districts</h1>{time}
<p>The council voted on Tuesday to extend the tram line to the northern districts by 2030, after years of debate.</p>
<p>Residents had asked for the extension for more than a decade, citing long bus journeys into the centre.</p>
</article></body></html>"""


def page(lang="en", meta="", time=""):
    return HEAD.format(lang=lang, meta=meta, time=time)


def test_time_without_offset_takes_the_offset_the_page_states_elsewhere():
    html = page(
        meta='<meta property="article:modified_time" content="2024-04-27T08:00:00+02:00">',
        time='<time pubdate datetime="2024-04-26 20:44">26.04.2024, 20:44 Uhr</time>',
    )
    assert extract_article(html, "https://news.example/tram")["published_at"] == "2024-04-26T20:44:00+02:00"


def test_time_without_offset_on_a_page_without_offsets_is_not_assumed_utc():
    html = page(time='<time pubdate datetime="2024-04-26 20:44">26.04.2024, 20:44 Uhr</time>')
    assert extract_article(html, "https://news.example/tram")["published_at"] == "2024-04-26T20:44:00"


def test_time_without_offset_on_a_vietnamese_page_is_vietnam_time():
    html = page(lang="vi", time='<time pubdate datetime="2024-04-26 20:44">26/04/2024 20:44</time>')
    assert extract_article(html, "https://news.example/tram")["published_at"] == "2024-04-26T20:44:00+07:00"


def test_a_date_alone_takes_the_time_the_page_prints_for_that_day_elsewhere():
    meta = (
        '<script type="application/ld+json">[{"@type": "BlogPosting", "datePublished": "2025-11-21"},'
        ' {"@type": "NewsArticle", "datePublished": "2025-11-21T13:34:26+00:00"}]</script>'
    )
    assert extract_article(page(meta=meta), "https://news.example/tram")["published_at"] == "2025-11-21T13:34:26+00:00"


def test_a_date_alone_does_not_take_the_modification_time():
    meta = (
        '<meta property="article:published_time" content="2024-04-22">'
        '<meta property="article:modified_time" content="2024-04-22T13:19:00+02:00">'
    )
    assert extract_article(page(meta=meta), "https://news.example/tram")["published_at"] == "2024-04-22"


def test_json_ld_article_nested_in_a_web_page_is_read():
    meta = (
        '<script type="application/ld+json">{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle",'
        ' "datePublished": "2023-04-28T18:16:04+0200", "author": {"@type": "Person", "name": "Nadja Zinsmeister"}}}'
        "</script>"
    )
    article = extract_article(page(meta=meta), "https://news.example/tram")
    assert article["published_at"] == "2023-04-28T18:16:04+02:00"
    assert article["authors"] == ["Nadja Zinsmeister"]
