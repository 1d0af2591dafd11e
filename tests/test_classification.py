"""Every fetched page gets a type; only articles (and flagged paywalled teasers) are archived."""

import pytest

from pipelines import extract_article
from pipelines.extraction.article import article_from_page, extract_fields
from pipelines.extraction.classify import body_chars

URL = "https://example.org/2024/05/12/mot-bai-bao-thu-nghiem"
PROSE = "Sáng nay, nhiệt độ tại Hà Nội giảm mạnh, nhiều nơi chỉ còn dưới 15 độ C khiến người dân phải mặc áo ấm. " * 3


def page(title: str, body: str, head: str = "", og_type: str = "article") -> str:
    return f"""<html lang="vi"><head><title>{title}</title><meta property="og:type" content="{og_type}">{head}</head>
    <body><article><h1>{title}</h1><div class="article-content">{body}</div></article></body></html>"""


def test_full_article_is_an_article():
    assert (
        extract_article(page("Không khí lạnh tràn về", f"<p>{PROSE}</p><p>{PROSE}</p>"), URL)["page_type"] == "article"
    )


def test_soft_404_served_with_200_is_not_found():
    html = page("404 - Không tìm thấy trang", "<p>Trang bạn tìm không tồn tại hoặc đã bị xóa.</p>", og_type="website")
    assert extract_article(html, URL)["page_type"] == "not_found"


def test_cloudflare_wall_is_a_challenge():
    html = """<html><head><title>Just a moment...</title></head><body><div id="cf-browser-verification">
    <noscript>Please enable JavaScript and cookies to continue</noscript></div>
    <script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1"></script></body></html>"""
    assert extract_article(html, URL)["page_type"] == "challenge"


def test_teaser_of_a_subscribers_only_article_is_paywalled():
    head = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Bài dành cho thuê bao","isAccessibleForFree":"False"}</script>'
    html = page("Bài dành cho thuê bao", f"<p>{PROSE}</p><div class='paywall'>Đăng ký để đọc tiếp</div>", head)
    assert extract_article(html, URL)["page_type"] == "paywalled"


def test_paywall_declared_but_full_text_shown_is_an_article():
    head = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"Bài dài","isAccessibleForFree":false}</script>'
    html = page("Bài dài", "".join(f"<p>{PROSE}</p>" for _ in range(6)), head)
    assert extract_article(html, URL)["page_type"] == "article"


def test_page_without_text_is_empty():
    assert extract_article(page("Ảnh", "<img src='/a.jpg'>"), URL)["page_type"] == "empty"


def test_section_page_is_a_listing():
    links = "".join(f"<li><a href='/bai-{i}-123456.html'>Tin số {i} về thời tiết miền Bắc</a></li>" for i in range(20))
    html = page("Thời sự", f"<ul>{links}</ul>", og_type="website")
    assert extract_article(html, "https://example.org/thoi-su")["page_type"] == "listing"


PLACEHOLDER_PAGE = """<html lang="vi"><head><title>Giá vàng hôm nay tăng mạnh - Báo Thử</title>
<meta property="og:type" content="article"><meta name="description" content="Giá vàng trong nước tăng mạnh.">
</head><body><article><h1>Giá vàng hôm nay tăng mạnh theo đà thế giới</h1><div class="content">{placeholder}</div>
</article><footer>© Báo Thử</footer></body></html>"""


@pytest.mark.parametrize("placeholder", ["Đang tải nội dung…", "Loading…", "Vui lòng chờ...", ""])
def test_headline_with_a_placeholder_body_goes_to_the_browser_on_a_site_without_rules(placeholder):
    fields = extract_fields(PLACEHOLDER_PAGE.format(placeholder=placeholder), "https://baothu.vn/gia-vang-123.html")
    assert (fields["page_type"], fields["needs_browser"]) == ("empty", True)


def test_placeholder_lines_do_not_count_as_body_text():
    assert body_chars(["Đang tải nội dung…", "Loading...", "Giá vàng tăng"]) == len("Giá vàng tăng")


def test_a_long_headline_repeated_where_the_body_should_be_is_not_an_article():
    headline = "Giá vàng hôm nay tăng mạnh theo đà thế giới, nhiều cửa hàng tại Hà Nội điều chỉnh giá bán ra"
    html = PLACEHOLDER_PAGE.format(placeholder="").replace("Giá vàng hôm nay tăng mạnh theo đà thế giới", headline)
    fields = article_from_page(html.encode(), "https://baothu.vn/gia-vang-123.html", {}, None, None, sign=False)
    assert (fields["page_type"], fields["needs_browser"]) == ("empty", True)


def test_an_article_whose_every_line_is_furniture_is_an_empty_page_not_an_empty_version():
    furniture = ["Share this on Facebook and Twitter with your friends", "© 2024 Báo Thử. All rights reserved.",
                 "Theo dõi chúng tôi trên mạng xã hội để nhận tin mới nhất"]  # fmt: skip
    html = PLACEHOLDER_PAGE.format(placeholder="".join(f"<p>{line}</p>" for line in furniture))
    article = article_from_page(html.encode(), "https://baothu.vn/gia-vang-123.html", {}, None, None, sign=False)
    assert (article["body"], article["page_type"], article["needs_browser"]) == ([], "empty", True)
