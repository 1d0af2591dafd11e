"""extract_article on the recorded pages returns exactly the expected article, without
any of the page's boilerplate."""

import json

import pytest

from archive.schema import ARTICLE_FIELDS
from crawler.sites import rules_for_url
from pipelines import extract_article
from tests.conftest import SITES, article_entry, expected, recording

BOILERPLATE = {
    "kinhtedothi.vn": [
        "Đọc nhiều",
        "Đừng bỏ lỡ",
        "Tin liên quan",
        "HỎI ĐÁP THÔNG MINH",
        "BÌNH LUẬN",
        "Tin Tài Trợ",
        "CẢM NHẬN CỦA BẠN",
        "Đăng nhập",
        "Đăng ký mua gói ấn phẩm",
        "Rất hay",
        "Tổng thống Biden đề xuất thượng đỉnh với Tổng thống Putin ở nước thứ ba",
        "Ngoại trưởng G7 họp trực tiếp lần đầu tiên sau hai năm tại London",
        "10 dấu ấn nổi bật của Thủ đô Hà Nội năm 2025",
        "31 Dec, 04:33 PM",
        "Đại hội đại biểu toàn quốc",
    ],
    "thanhnien.vn": [
        "Đọc nhiều",
        "Tin liên quan",
        "Bình luận",
        "Nội dung tài trợ",
        "Đăng nhập",
        "23/12/2024",
        "Từ khóa",
        "Nga sẵn sàng gia hạn New START nếu Mỹ đồng ý",
        "Nga trình dự luật gia hạn Hiệp ước New START lên Quốc hội",
        "Đức kéo dài các biện pháp phong tỏa đến giữa tháng 2",
        "/// Reuters",
        "TNO",
        "Sao chép liên kết",
    ],
    "hanhkhatkito.net": [
        "23/12/2024",
        "Hành Khất",
        "Bài viết liên quan",
        "Để lại một bình luận",
        "Quảng cáo",
        "Chia sẻ",
        "Bài trước",
        "Bài tiếp theo",
        "Tổng thư ký NATO hoan nghênh cam kết của Tổng thống Biden",
        "/// Reuters",
        "BẢO VINH",
        "Thẻ",
    ],
}


def _extract(site: str, with_rules: bool = True) -> dict:
    entry = article_entry(site)
    return extract_article(
        recording(site, entry["file"]).read_bytes(),
        entry["url"],
        {"Content-Type": entry["content_type"]},
        rules_for_url(entry["url"]) if with_rules else None,
    )


@pytest.mark.parametrize("site", SITES)
def test_extraction_matches_expected_article(site):
    got, want = _extract(site), expected(site)
    assert {key: got[key] for key in want} == want


@pytest.mark.parametrize("site", SITES)
def test_read_without_its_rules_the_article_keeps_its_text_byline_lead_and_credit(site):
    """The generic path on the recorded pages: the closing name line (``BẢO VINH``) is the author
    and the credit after it (``TNO``) the source, not body lines; the description a re-post prints
    in bold as its opening is the lead; the blog account's name is no author."""
    got, want = _extract(site, with_rules=False), expected(site)
    fields = ("lead", "body", "authors", "source")
    assert {f: got[f] for f in fields} == {f: want.get(f) for f in fields}


@pytest.mark.parametrize("site", SITES)
def test_no_boilerplate_string_in_extracted_article(site):
    article = _extract(site)
    text = json.dumps(
        {k: v for k, v in article.items() if k not in ("url", "canonical_url", "source")}, ensure_ascii=False
    )
    assert [s for s in BOILERPLATE[site] if s in text] == []


@pytest.mark.parametrize("site", SITES)
def test_extraction_fills_exactly_the_schema_s_article_fields(site):
    """Every field of ``archive.schema.Article`` but the fetch's own (time, WARC record), and no other."""
    article = _extract(site)
    assert list(article) == [f for f in ARTICLE_FIELDS if f not in ("fetched_at", "snapshot")]  # in schema order
    assert all(isinstance(p, str) and p for p in article["body"])
    assert all(set(image) == {"src", "caption"} for image in article["images"])


def test_repost_and_original_share_the_text_fingerprint():
    assert _extract("thanhnien.vn")["fingerprint"] == _extract("hanhkhatkito.net")["fingerprint"]


@pytest.mark.parametrize("site", SITES)
def test_listing_page_is_not_an_article(site):
    manifest = json.loads(recording(site, "manifest.json").read_text(encoding="utf-8"))
    listing = next(f for f in manifest["files"] if f["file"] == "listing.html")
    page = recording(site, "listing.html").read_bytes()
    assert extract_article(page, listing["url"], rules=rules_for_url(listing["url"]))["page_type"] == "listing"
