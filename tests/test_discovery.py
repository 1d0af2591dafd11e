"""Article links are found in sitemap indexes, news sitemaps, RSS/Atom feeds and listings."""

import pytest
from parsel import Selector

from crawler.discovery import feed_links, looks_like_article, page_links, robots_sitemaps, sitemap_links, source_kind
from crawler.sites import rules_by_name
from tests.conftest import recording


def test_sitemap_index_lists_child_sitemaps():
    body = recording("thanhnien.vn", "sitemap.xml").read_bytes()
    assert source_kind(body, "text/xml") == "sitemapindex"
    assert [link.url for link in sitemap_links(body)] == [
        "https://thanhnien.vn/sitemaps/newsindex.xml",
        "https://thanhnien.vn/sitemaps/sitemaps-2021-1-26-30.xml",
    ]


def test_news_sitemap_entries_are_dated_by_publication_date():
    links = sitemap_links(recording("kinhtedothi.vn", "sitemap-news.xml").read_bytes())
    assert len(links) == 5
    assert links[0].date.isoformat() == "2021-05-05T09:15:00+07:00"


def test_yoast_sitemap_with_a_comment_before_the_declaration_is_read():
    body = recording("hanhkhatkito.net", "post-sitemap.xml").read_bytes()
    assert source_kind(body, "text/xml") == "urlset"
    assert "https://hanhkhatkito.net/2021/01/28/tong-thong-biden-pha-bang-quan-he-my-nga" in [
        link.url for link in sitemap_links(body)
    ]


def test_feed_links_inside_cdata_are_read():
    links = feed_links(recording("thanhnien.vn", "feed.rss").read_bytes(), "https://thanhnien.vn/rss/the-gioi.rss")
    assert links[1].url == "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
    assert links[1].date.isoformat() == "2021-01-28T05:40:00+07:00"


def test_atom_feed_links_are_read():
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>
    <link rel="alternate" href="/2024/05/12/bai-mot"/><updated>2024-05-12T01:00:00Z</updated></entry></feed>"""
    assert source_kind(atom, "application/atom+xml") == "feed"
    assert [link.url for link in feed_links(atom, "https://example.org/feed")] == [
        "https://example.org/2024/05/12/bai-mot"
    ]


def test_listing_links_matching_the_site_pattern_are_articles():
    rules = rules_by_name("thanhnien.vn")
    html = recording("thanhnien.vn", "listing.html").read_text(encoding="utf-8")
    links = page_links(Selector(text=html), "https://thanhnien.vn/the-gioi.htm")
    articles = [link.url for link in links if rules.is_article_url(link.url)]
    assert len(articles) == 5
    assert "https://thanhnien.vn/the-gioi/quan-su.htm" not in articles


def test_generic_article_url_heuristic():
    home = "https://example.org/"
    assert looks_like_article("https://example.org/the-gioi/my-nga-dam-phan-hat-nhan-moi-123456.html", home)
    assert looks_like_article("https://www.example.org/2024/05/12/bai-mot", home)
    assert not looks_like_article("https://example.org/category/the-gioi", home)
    assert not looks_like_article("https://other.org/my-nga-dam-phan-hat-nhan-moi-123456.html", home)


def test_robots_txt_sitemap_lines_are_read_whatever_their_case_and_made_absolute():
    body = b"User-agent: *\nDisallow: /admin/\nSitemap: https://a.example/sitemap.xml\nsitemap: /news.xml\n"
    assert robots_sitemaps(body, "https://a.example/robots.txt") == [
        "https://a.example/sitemap.xml",
        "https://a.example/news.xml",
    ]


def test_feed_links_resolve_against_nested_xml_base():
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://b.example/news/">
    <entry xml:base="2024/"><link href="story-one.html"/></entry><entry><link href="/other/two.html"/></entry></feed>"""
    assert [link.url for link in feed_links(body, "https://feeds.example/atom.xml")] == [
        "https://b.example/news/2024/story-one.html",
        "https://b.example/other/two.html",
    ]


def test_rss_relative_links_resolve_against_the_feed_url():
    body = b'<?xml version="1.0"?><rss><channel><item><link>/tin/bai-1.html</link></item></channel></rss>'
    assert [link.url for link in feed_links(body, "https://c.example/rss/home.xml")] == [
        "https://c.example/tin/bai-1.html"
    ]


@pytest.mark.parametrize("body", [b"", b"not xml at all", b"\x00\xff" * 100, b"<?xml version='1.0'?><urlset><url>"])
def test_a_broken_sitemap_gives_no_links_and_no_error(body):
    assert sitemap_links(body) == []


def test_sitemap_entities_are_not_expanded():
    body = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY e "https://evil.example/x">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;</loc></url></urlset>"""
    assert sitemap_links(body) == []


def test_robots_txt_of_binary_junk_lists_no_sitemap_and_raises_nothing():
    assert robots_sitemaps(b"\x00\xff\xfe" * 1000 + b"\nSitemap: \xff\xfe\n", "https://a.example/robots.txt") == []


def test_an_article_link_with_tracking_parameters_is_still_an_article():
    rules = rules_by_name("kinhtedothi.vn")
    article = "https://kinhtedothi.vn/ngoai-truong-my-thuong-dinh-biden-putin-417984.html"
    assert rules.is_article_url(article + "?utm_source=facebook&utm_medium=social&fbclid=IwAR0x#binh-luan")
    assert not rules.is_article_url(article + "?page=2")  # a parameter that is not tracking changes the page
