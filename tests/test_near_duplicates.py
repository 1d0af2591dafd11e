"""Near-duplicate signatures: MinHash of word 3-shingles, stable wherever they are computed."""

import subprocess
import sys

from archive.keys import from_bytes, shingle_hashes, signature, to_bytes
from archive.near_duplicates import DEFAULT_THRESHOLD, NearDuplicateIndex

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


def test_signature_survives_storage():
    original = signature("Tiêu đề", BODY)
    assert from_bytes(to_bytes(original)).jaccard(original) == 1.0


def test_index_finds_a_repost_and_not_an_unrelated_story():
    index = NearDuplicateIndex(DEFAULT_THRESHOLD)
    index.add(1, signature("Tiêu đề", BODY))
    index.add(2, signature("Chuyện khác", ["Giá vàng hôm nay tăng mạnh trên thị trường thế giới và trong nước."]))
    repost = signature("Tiêu đề", [*BODY, "Theo Thanh Niên"])
    assert [article for article, _ in index.similar(repost)] == [1]
