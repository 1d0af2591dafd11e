"""A lead only where the page shows it: a meta or JSON-LD description printed beside the article is
its standfirst; one written for search engines and printed nowhere is metadata, not a paragraph."""

from __future__ import annotations

from pipelines import extract_article
from tests.test_boilerplate import P1, P2, P3, URL

SAPO = "Đợt không khí lạnh mạnh nhất từ đầu mùa đông tràn về miền Bắc, nhiệt độ vùng núi có nơi xuống dưới 5 độ C."
SEO = "Thời tiết Hà Nội hôm nay: rét đậm, rét hại, nhiệt độ thấp nhất, dự báo mới nhất, tin nóng cập nhật liên tục."


def article_page(description: str, printed: str = "") -> str:
    return f"""<html lang="vi"><head><title>Không khí lạnh tràn về</title>
    <meta name="description" content="{description}"></head><body><article><h1>Không khí lạnh tràn về</h1>
    {printed}<div class="content"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></article></body></html>"""


def test_a_description_printed_above_the_article_is_its_lead():
    assert extract_article(article_page(SAPO, f"<h2>{SAPO}</h2>"), URL)["lead"] == SAPO


def test_a_description_printed_nowhere_is_no_lead():
    article = extract_article(article_page(SEO), URL)
    assert article["lead"] is None and SEO not in article["body"]


def test_a_lead_classed_element_inside_a_widget_is_no_lead():
    bio = "Phóng viên mảng môi trường, mười năm theo dõi thời tiết và khí hậu ở các tỉnh miền núi phía Bắc."
    box = f'<aside><div class="author-box"><p class="description">{bio}</p></div></aside>'
    page = article_page(SEO, "").replace("</article>", f"</article>{box}")
    assert extract_article(page, URL)["lead"] is None
