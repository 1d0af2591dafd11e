"""A script-built page that ships its article's HTML as data is read without a browser."""

import json
import threading

from pipelines.extraction.article import article_from_page
from pipelines.extraction.dom import parse_html
from pipelines.extraction.embedded import embedded_article, tells_of

URL = "https://example.org/tin-tuc/ha-noi-mo-rong-pho-di-bo-12345.html"
TITLE = "Hà Nội mở rộng phố đi bộ quanh hồ Hoàn Kiếm"
PARAGRAPHS = [
    "Từ tháng tới, Hà Nội mở rộng không gian phố đi bộ quanh hồ Hoàn Kiếm sang các tuyến phố cổ lân cận.",
    "Theo Sở Văn hóa và Thể thao, các tuyến phố mới mở cửa cho người đi bộ vào tối thứ Sáu, thứ Bảy và Chủ nhật.",
    "Người dân và du khách được khuyến khích gửi xe tại các bãi đỗ quanh khu vực trung tâm để giảm ùn tắc.",
    "Chính quyền quận Hoàn Kiếm sẽ đánh giá hiệu quả phố đi bộ sau ba tháng thí điểm trước khi áp dụng lâu dài.",
]
BODY_HTML = "".join(f'<p class="editor-p">{p}</p>' for p in PARAGRAPHS)


def shell(scripts: str, body: str = '<div id="__next"></div>', title: str = TITLE) -> bytes:
    """A script application's page: a headline in its head, an empty root, its data in scripts."""
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}"></head>'
        f"<body>{body}{scripts}</body></html>"
    ).encode()


def next_data(article_html: str) -> str:
    data = {"props": {"pageProps": {"article": {"title": TITLE, "contentHtml": article_html}}}}
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>'


def flight(article_html: str) -> str:
    """Next.js's app router: rows of JSON inside JSON strings pushed to ``self.__next_f``."""
    row = "5:" + json.dumps({"state": {"data": {"id": 12345, "contentHtml": article_html, "tags": ["phố đi bộ"]}}})
    return f"<script>self.__next_f.push({json.dumps([1, row])})</script>"


def extracted(html: bytes) -> dict:
    return article_from_page(html, URL, {"Content-Type": "text/html; charset=utf-8"}, None, None)


def test_a_next_js_page_whose_article_is_in_its_data_is_read_without_a_browser():
    article = extracted(shell(next_data(BODY_HTML)))
    assert (article["body"], article["page_type"], article["needs_browser"]) == (PARAGRAPHS, "article", False)
    assert article["provenance"]["body"] == "embedded"


def test_html_inside_a_flight_payload_string_is_read_not_the_json_around_it():
    assert extracted(shell(flight(BODY_HTML)))["body"] == PARAGRAPHS


def test_escaped_html_in_a_query_cache_push_is_read():
    data = json.dumps({"queries": [{"state": {"data": {"contentHtml": BODY_HTML}}}]}).replace("<", "\\u003c")
    script = f'<script>window["__RQ_R_"] = window["__RQ_R_"] || []; window["__RQ_R_"].push({data});</script>'
    assert extracted(shell(script))["body"] == PARAGRAPHS


def test_the_images_of_the_shipped_html_come_with_their_captions():
    figure = (
        '<div class="editor-img-box"><img src="/anh/pho-di-bo.jpg"><div class="caption"><p>Phố đi bộ.</p></div></div>'
    )
    article = extracted(shell(next_data(figure + BODY_HTML)))
    assert article["images"] == [{"src": "https://example.org/anh/pho-di-bo.jpg", "caption": "Phố đi bộ."}]


def test_control_characters_and_lone_surrogates_the_data_escapes_are_dropped():
    """JSON's escapes can spell what an HTML tree cannot hold (lxml refuses it with an error)."""
    html = BODY_HTML.replace("</p>", "\u0001\u000b\ud800</p>", 1)
    assert extracted(shell(next_data(html)))["body"] == PARAGRAPHS


def test_a_cms_slot_marker_between_paragraphs_is_not_a_paragraph():
    html = BODY_HTML.replace("</p><p", "</p>$$ARTICLEAD$$<p", 1)
    assert extracted(shell(next_data(html)))["body"] == PARAGRAPHS


def test_script_data_about_something_else_leaves_the_page_to_the_browser():
    consent = "".join(
        f"<p>Chúng tôi dùng cookie để ghi nhớ lựa chọn của bạn và đo lường lượng truy cập, lần {i}.</p>"
        for i in range(6)
    )
    article = extracted(shell(next_data(consent)))
    assert (article["body"], article["needs_browser"]) == ([], True)


def test_a_page_without_a_headline_is_left_to_the_browser():
    article = extracted(shell(next_data(BODY_HTML), title=""))
    assert article["needs_browser"] is True


def test_a_page_with_its_article_in_the_markup_does_not_read_its_script_data():
    other = "".join(f"<p>Phố đi bộ Hoàn Kiếm, bản nháp số {i} của biên tập viên, chưa xuất bản.</p>" for i in range(8))
    article = extracted(shell(next_data(other), body=f"<article><h1>{TITLE}</h1>{BODY_HTML}</article>"))
    assert article["body"] == PARAGRAPHS
    assert article["provenance"]["body"] != "embedded"


def test_a_script_of_escaped_quotes_never_closed_is_read_in_one_pass():
    """Each escaped quote could start a string literal that never ends: scanned from every one,
    a 2 MB script would take hours."""
    page = parse_html(shell('<script>var a = "' + '\\"' * 1_000_000 + "</script>").decode())
    found: list = []
    worker = threading.Thread(target=lambda: found.append(embedded_article(page, TITLE)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert found == [None]


def test_a_text_tells_of_a_headline_when_it_has_its_words():
    assert tells_of(" ".join(PARAGRAPHS), TITLE)


def test_a_text_sharing_one_common_word_with_the_headline_does_not_tell_of_it():
    assert not tells_of(
        "Thời tiết Hà Nội hôm nay có mưa rào rải rác vào buổi chiều tối.", "Đội tuyển bóng đá nội thắng lớn"
    )


def test_a_chinese_headline_is_matched_by_its_character_pairs():
    assert tells_of("北京市政府宣布扩大步行街范围，周末晚间向行人开放。", "北京扩大步行街")
    assert not tells_of("上海今天天气晴朗，气温适宜。", "北京扩大步行街")
