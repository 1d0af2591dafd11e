"""Near-duplicate signatures: MinHash of word 3-shingles, stable wherever they are computed."""

import subprocess
import sys
from datetime import UTC, datetime

from sqlalchemy import select

from archive.keys import band_keys, fingerprint, shingle_hashes, signature, similarity, to_bytes
from archive.models import Article, NearDuplicate
from archive.near_duplicates import DEFAULT_THRESHOLD, MOST_LINKS, similar
from archive.store import Archive

BODY = [
    "Tổng thống Mỹ Joe Biden ngày 26.1 có cuộc điện đàm đầu tiên với Tổng thống Nga Vladimir Putin.",
    "Hai lãnh đạo nhất trí gia hạn Hiệp ước cắt giảm vũ khí hạt nhân chiến lược mới thêm 5 năm.",
    "Ngay sau cuộc gọi, Nhà Trắng trình lên quốc hội dự luật như thỏa thuận.",
]


def test_each_distinct_shingle_gets_one_hash():
    assert len(shingle_hashes(["a", "b", "c", "a", "b", "c", "a", "b"])) == 3  # "a b c", "b c a", "c a b"


def test_shingle_hashes_depend_on_word_order():
    assert shingle_hashes(["nhà", "trắng", "nói"]) != shingle_hashes(["nói", "nhà", "trắng"])


def test_a_text_shorter_than_a_shingle_still_has_a_hash():
    assert len(shingle_hashes(["chào"])) == 1


def test_signature_is_the_same_in_another_process():
    code = (
        "from archive.keys import signature, to_bytes; import sys; "
        f"sys.stdout.write(to_bytes(signature('Tiêu đề', {BODY!r})).hex())"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert other == to_bytes(signature("Tiêu đề", BODY)).hex()


def test_stored_signatures_compare_as_datasketch_compares_the_signatures():
    original, repost = signature("Tiêu đề", BODY), signature("Tiêu đề", [*BODY, "Theo Thanh Niên"])
    assert similarity(to_bytes(original), to_bytes(original)) == 1.0
    assert similarity(to_bytes(original), to_bytes(repost)) == original.jaccard(repost) < 1.0


OTHER = ["Giá vàng hôm nay tăng mạnh trên thị trường thế giới và trong nước, theo các doanh nghiệp kinh doanh vàng."]


def test_a_repost_shares_a_band_key_and_an_unrelated_story_does_not():
    original, repost = signature("Tiêu đề", BODY), signature("Tiêu đề", [*BODY, "Theo Thanh Niên"])
    unrelated = signature("Chuyện khác", OTHER)
    assert set(band_keys(to_bytes(original))) & set(band_keys(to_bytes(repost)))
    assert not set(band_keys(to_bytes(original))) & set(band_keys(to_bytes(unrelated)))


def test_similar_keeps_the_candidates_at_the_threshold_most_similar_first():
    repost = signature("Tiêu đề", [*BODY, "Theo Thanh Niên"])
    candidates = [(2, to_bytes(signature("Chuyện khác", OTHER))), (1, to_bytes(signature("Tiêu đề", BODY)))]
    assert [article for article, _ in similar(to_bytes(repost), candidates, DEFAULT_THRESHOLD)] == [1]


def test_similar_keeps_only_the_most_similar_few():
    original = to_bytes(signature("Tiêu đề", BODY))
    candidates = [(n, original) for n in range(MOST_LINKS + 3)]
    assert len(similar(original, candidates, DEFAULT_THRESHOLD)) == MOST_LINKS


def test_a_page_repeated_from_a_template_is_linked_to_a_few_earlier_ones_not_to_all(database_url):
    archive = Archive(database_url)
    for n in range(MOST_LINKS + 4):  # the same table of results, published again and again
        archive.save(stored("xoso.example", f"/ket-qua-{n}.html", "Kết quả xổ số", [*BODY, f"Kỳ {n}."]))
    with archive.Session() as session:
        latest = session.scalar(select(Article.id).where(Article.canonical_url.endswith(f"-{MOST_LINKS + 3}.html")))
        links = session.scalars(select(NearDuplicate).where(NearDuplicate.article_id == latest)).all()
    assert len(links) == MOST_LINKS


def test_a_repost_stored_by_one_archive_process_is_found_by_another(database_url):
    """Two ``Archive`` objects on one database are two crawl nodes: each its own process state."""
    node_a, node_b = Archive(database_url), Archive(database_url)
    node_b.save(stored("b.example", "/chuyen-khac-1.html", "Chuyện khác", OTHER))  # node b's look-ups start
    node_a.save(stored("a.example", "/goc-1.html", "Tiêu đề", BODY))
    node_b.save(stored("b.example", "/dang-lai-2.html", "Tiêu đề", [*BODY, "Theo Thanh Niên"]))
    with node_a.Session() as session:
        links = [
            (link.article.canonical_url, link.original.canonical_url) for link in session.scalars(select(NearDuplicate))
        ]
    assert links == [("https://b.example/dang-lai-2.html", "https://a.example/goc-1.html")]


def stored(site: str, path: str, title: str, body: list[str]) -> dict:
    """A fetched article as the decide-and-store step gets it (its snapshot an invented WARC record)."""
    url = f"https://{site}{path}"
    item = {
        "url": url,
        "final_url": url,
        "canonical_url": url,
        "site": site,
        "title": title,
        "lead": None,
        "body": body,
        "images": [],
        "authors": [],
        "published_at": None,
        "updated_at": None,
        "section": None,
        "tags": [],
        "language": "vi",
        "source": None,
        "page_type": "article",
        "status": 200,
        "fetched_at": datetime.now(UTC).isoformat(),
        "fingerprint": fingerprint(title, body),
        "provenance": {},
        "extractor_version": "test",
    }
    item["snapshot"] = {"warc_file": f"{site}.warc.gz", "offset": len(path), "length": 1, "digest": path}
    return item
