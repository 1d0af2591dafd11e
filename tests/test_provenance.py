"""Every metadata field says where its value came from, and the extractor's version is kept."""

from crawler.sites import rules_for_url
from pipelines import extract_article
from pipelines.extraction.article import EXTRACTOR_VERSION
from tests.conftest import article_entry, recording

GENERIC = """<html lang="en"><head><title>Storm hits the coast - Example News</title>
<meta property="og:site_name" content="Example News"><meta property="og:title" content="Storm hits the coast">
<meta property="article:published_time" content="2024-05-12T06:30:00Z">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Storm hits the coast",
"author":{"@type":"Person","name":"Jane Doe"},"articleSection":"Weather"}</script></head>
<body><h1>Storm hits the coast</h1><div class="entry-content">
<p>A powerful storm reached the coast early on Sunday, bringing strong winds and heavy rain to several towns.</p>
<p>Officials said the damage was limited, though thousands of homes lost power for several hours overnight.</p>
<p>Forecasters expect the weather to improve by Tuesday as the system moves north over open water again.</p>
</div></body></html>"""


def test_site_rules_are_the_source_of_a_ruled_site():
    entry = article_entry("thanhnien.vn")
    page = recording("thanhnien.vn", "article.html").read_bytes()
    article = extract_article(page, entry["url"], rules=rules_for_url(entry["url"]))
    assert {k: article["provenance"][k] for k in ("title", "lead", "authors", "body", "tags")} == dict.fromkeys(
        ("title", "lead", "authors", "body", "tags"), "rules"
    )


def test_metadata_sources_are_named_for_a_page_without_rules():
    article = extract_article(GENERIC, "https://example.com/2024/05/12/storm-hits-the-coast")
    assert article["provenance"] == {
        "canonical_url": "url",
        "title": "html:h1",
        "authors": "jsonld:author",
        "published_at": "meta:article:published_time",
        "section": "jsonld:articleSection",
        "language": "html:lang",
        "body": "generic",
    }
    assert article["authors"] == ["Jane Doe"]


def test_extractor_version_is_part_of_the_result():
    assert extract_article(GENERIC, "https://example.com/a")["extractor_version"] == EXTRACTOR_VERSION


def test_closing_byline_in_capitals_becomes_the_author():
    html = GENERIC.replace('"author":{"@type":"Person","name":"Jane Doe"},', "").replace(
        "</div></body>", "<p>MINH HÀ</p></div></body>"
    )
    article = extract_article(html, "https://example.com/2024/05/12/storm-hits-the-coast")
    assert article["authors"] == ["Minh Hà"]
    assert "MINH HÀ" not in article["body"]


def test_visible_time_element_dates_a_page_without_metadata():
    html = GENERIC.replace('<meta property="article:published_time" content="2024-05-12T06:30:00Z">', "").replace(
        "<h1>", '<time itemprop="datePublished" datetime="2024-05-12T08:00:00+02:00">12 May</time><h1>'
    )
    article = extract_article(html, "https://example.com/storm-hits-the-coast")
    assert (article["published_at"], article["provenance"]["published_at"]) == (
        "2024-05-12T08:00:00+02:00",
        "html:itemprop:datePublished",
    )


def test_date_in_the_url_is_the_last_resort():
    html = GENERIC.replace('<meta property="article:published_time" content="2024-05-12T06:30:00Z">', "")
    article = extract_article(html, "https://example.com/2024/05/12/storm-hits-the-coast")
    assert (article["published_at"], article["provenance"]["published_at"]) == ("2024-05-12", "url")
