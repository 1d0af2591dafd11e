"""Spider arguments are checked before a crawl starts: a bad one is one clear line and exit 2."""

import pytest

from crawler.spiders.news import NewsSpider
from crawler.spiders.sites import ThanhnienSpider
from tests.conftest import run_crawl


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"start": "https://example.org/", "limit": "abc"}, "-a limit='abc'"),
        ({"start": "https://example.org/", "limit": "0"}, "-a limit='0'"),
        ({"start": "https://example.org/", "since": "yesterday"}, "-a since='yesterday': a date, YYYY-MM-DD"),
        ({"start": "https://example.org/", "render": "x"}, "-a render='x': use one of auto, always, never"),
        ({"start": "notaurl"}, "-a start='notaurl': not an http(s) URL"),
        ({"start": "file:///etc/passwd"}, "not an http(s) URL"),
        ({"start": "https://example.org/", "limt": "3"}, "unknown spider argument -a limt"),
        ({}, "has no discovery source"),
    ],
)
def test_a_bad_argument_is_refused_naming_it(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        NewsSpider.parse_arguments(arguments)


def test_good_arguments_are_converted():
    parsed = NewsSpider.parse_arguments({"start": "https://a.example/, https://b.example/rss", "limit": "5"})
    assert parsed["sources"] == ["https://a.example/", "https://b.example/rss"] and parsed["limit"] == 5


def test_a_site_spider_starts_from_its_rules_sources_and_accepts_the_runner_s_arguments():
    parsed = ThanhnienSpider.parse_arguments({"_job": "0123abcd", "since": "2021-01-27"})
    assert parsed["sources"] == list(ThanhnienSpider.site_rules.sources) and str(parsed["since"]) == "2021-01-27"


def test_scrapy_crawl_with_a_bad_argument_exits_2_with_one_error_line_and_no_traceback(tmp_path):
    done = run_crawl(tmp_path, "thanhnien", "-a", "limit=abc")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("error: -a limit='abc': a whole number of articles, 1 or more")
    assert "Traceback" not in done.stderr and not (tmp_path / "archive.db").exists()
