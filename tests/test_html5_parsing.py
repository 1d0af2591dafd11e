"""Pages are parsed as a browser parses them (lexbor, the HTML5 tree construction), not as
libxml2 does: an element a menu left open is closed where a browser closes it, so the article
after a sloppy header is not read as part of the menu."""

from __future__ import annotations

from pipelines import extract_article
from pipelines.extraction.dom import MAX_UNCLOSED, html5_markup, parse_html

STORY = [
    " ".join(f"Câu thứ {i} của đoạn {n} kể chuyện một người đi chợ sáng sớm ở Hà Nội." for i in range(8))
    for n in ("một", "hai")
]
SLOPPY_HEADER = (
    "<html><head><title>Chợ sáng</title></head><body><header><button class=menu><div class=icon>Menu"
    "</button><nav><a href=/a>Thời sự</a> <a href=/b>Kinh tế</a></nav></header>"
)


def test_an_element_left_open_inside_a_button_closes_with_it():
    root = parse_html("<div><button><div>menu</button><p>text</p></div>")
    (p,) = root.iter("p")
    assert [a.tag for a in p.iterancestors()] == ["div", "body", "html"]


def test_the_article_after_a_menu_left_open_is_not_read_as_the_menu():
    story = "".join(f"<p>{paragraph}</p>" for paragraph in STORY)
    page = SLOPPY_HEADER + f"<main><article><h1>Chợ sáng</h1>{story}</article></main></body></html>"
    article = extract_article(page, "https://example.vn/cho-sang-123.html")
    assert article["body"] == STORY


def test_a_table_s_stray_content_is_moved_before_the_table_as_browsers_do():
    root = parse_html("<table><tr><td>ô</td></tr><b>lạc chỗ</b></table>")
    (b,) = root.iter("b")
    assert b.getnext().tag == "table"


def test_script_text_that_looks_like_markup_stays_script_text():
    root = parse_html('<script>var s = "</div><p>not a paragraph</p>";</script><p>real</p>')
    assert [p.text for p in root.iter("p")] == ["real"]


def test_a_page_nesting_elements_without_end_is_read_as_libxml2_reads_it():
    """The HTML5 tree construction takes time with the square of the nesting: 100,000 unclosed
    ``<div>`` took a minute of a worker's CPU; libxml2 caps nesting at 256 levels."""
    hostile = "<html><body>" + "<div>" * (MAX_UNCLOSED + 1) + "text</body></html>"
    assert html5_markup(hostile) is hostile


def test_a_real_page_leaving_a_few_elements_open_gets_the_browser_s_reading():
    page = "<html><body>" + "<div>" * 50 + "<p>text</p></body></html>"
    assert html5_markup(page) != page


CODED = (
    '<html><head><script type="application/ld+json">{"@type": "NewsArticle"}</script><style>p{}</style>'
    "<script>track()</script></head><body><noscript><p>bật JavaScript</p></noscript><p>real</p></body></html>"
)


def test_a_page_s_code_is_dropped_before_libxml2_reads_it_and_its_json_ld_kept():
    root = parse_html(CODED)
    assert [s.get("type") for s in root.iter("script")] == ["application/ld+json"]
    assert not list(root.iter("style", "noscript"))


def test_a_page_s_code_is_kept_when_asked_for_the_article_it_ships():
    assert len(list(parse_html(CODED, code=True).iter("script", "style", "noscript"))) == 4
