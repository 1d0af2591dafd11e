"""The headline is the one the page shows, not the SEO or social headline of its metadata."""

from pipelines import extract_article

BODY = "<p>" + "The council met on Monday and agreed on a plan for the coming year in the city. " * 4 + "</p>"


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}<article>{BODY}{BODY}</article></body></html>"


def headline(html: str) -> tuple[str | None, str]:
    article = extract_article(html, "https://example.com/2024/05/12/council-plan")
    return article["title"], article["provenance"]["title"]


def test_a_visible_h1_beats_a_different_seo_headline():
    html = page(
        '<meta property="og:title" content="Council plan 2024: everything you need to know">',
        "<h1>Council agrees on a plan for the coming year</h1>",
    )
    assert headline(html) == ("Council agrees on a plan for the coming year", "html:h1")


def test_a_logo_h1_naming_the_site_is_not_the_headline():
    html = page(
        '<meta property="og:site_name" content="Example Times"><meta property="og:title" content="Council agrees">',
        '<h1>Example Times</h1><h1 class="title">Council agrees on a plan for the coming year</h1>',
    )
    assert headline(html)[0] == "Council agrees on a plan for the coming year"


def test_an_h1_in_the_page_header_or_a_section_label_is_not_the_headline():
    html = page(
        '<meta property="og:title" content="Council agrees on a plan">',
        "<header><h1>Breaking news from the whole region</h1></header><h1>Politics</h1>",
    )
    assert headline(html) == ("Council agrees on a plan", "meta:og:title")


def test_a_kicker_the_metadata_adds_before_the_h1_stays_in_the_headline():
    html = page(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget: Council agrees on a plan"}'
        "</script>",
        '<span class="kicker">Budget</span><h1>Council agrees on a plan</h1>',
    )
    assert headline(html) == ("Budget: Council agrees on a plan", "jsonld:headline")


def test_a_kicker_printed_inside_the_h1_is_left_out_of_the_headline():
    html = page(
        '<meta property="og:title" content="Council agrees on a plan">',
        "<h1><span>Budget</span> Council agrees on a plan</h1>",
    )
    assert headline(html)[0] == "Council agrees on a plan"


def test_an_h1_in_the_articles_own_header_is_the_headline():
    html = page(
        '<meta property="og:title" content="Council plan 2024: everything you need to know">',
        "<article><header><h1>Council agrees on a plan for the coming year</h1></header></article>"
        "<h1>More from the region</h1>",
    )
    assert headline(html)[0] == "Council agrees on a plan for the coming year"
