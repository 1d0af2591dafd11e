"""The safety net: a generic body far shorter than the page's prose is checked against a
second extractor (trafilatura) on the same DOM, and the longer reading wins."""

from pipelines.extraction.article import extract_fields
from pipelines.extraction.generic import needs_second_opinion, reconcile

PARAGRAPHS = [
    f"Đoạn {i}: người dân Hà Nội chuẩn bị đón đợt không khí lạnh mạnh nhất từ đầu mùa, nhiệt độ có nơi xuống dưới mười độ."
    for i in range(8)
]
SIDEBAR = "Giới thiệu chuyên mục: " + "bạn đọc có thể gửi bài viết, ảnh và ý kiến về tòa soạn qua thư điện tử. " * 3


def test_a_body_holding_little_of_the_pages_prose_asks_for_a_second_opinion():
    assert needs_second_opinion(["x" * 100], page_prose=1000)
    assert not needs_second_opinion(["x" * 600], page_prose=1000)


def test_a_page_with_almost_no_prose_needs_no_second_opinion():
    assert not needs_second_opinion([], page_prose=50)


def test_the_second_reading_wins_only_when_it_finds_far_more_text():
    ours, longer = ["a" * 100], ["b" * 150, "c" * 150]
    assert reconcile(ours, longer) == longer
    assert reconcile(ours, ["b" * 150]) == ours


def test_article_split_into_uniquely_classed_wrappers_is_not_lost_to_a_sidebar():
    wrapped = "".join(f'<div class="c{i}"><div class="w{i}"><p>{p}</p></div></div>' for i, p in enumerate(PARAGRAPHS))
    html = f"""<html lang="vi"><head><title>Không khí lạnh</title></head><body><h1>Không khí lạnh tràn về Hà Nội</h1>
    <div class="x">{wrapped}</div><div class="side"><div><p>{SIDEBAR}</p></div></div></body></html>"""
    article = extract_fields(html, "https://example.org/tin/khong-khi-lanh")
    assert article["body"][:8] == PARAGRAPHS
    assert article["provenance"]["body"] == "trafilatura"
