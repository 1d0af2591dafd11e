"""Bytes are decoded with the charset they really use, and text comes out NFC."""

import unicodedata

from pipelines import extract_article
from pipelines.extraction.decode import decode_html

PAGE = """<html><head>{meta}<title>Tổng thống Biden</title></head><body><article>
<h1>Tổng thống Biden điện đàm với Tổng thống Putin</h1>
<p>Tổng thống Mỹ Joe Biden ngày 27.1 có cuộc điện đàm đầu tiên với Tổng thống Nga Vladimir Putin, trong đó hai lãnh đạo nhất trí gia hạn Hiệp ước.</p>
<p>Trong cuộc gọi, hai nhà lãnh đạo bàn về lợi ích của việc bình thường hóa quan hệ song phương, thỏa thuận hạt nhân Iran.</p>
<p>Cùng ngày, Tổng thống Biden điện đàm với Tổng thư ký NATO Jens Stoltenberg về phòng vệ tập thể của liên minh.</p>
</article></body></html>"""


def test_utf8_bytes_declared_windows_1258_decode_as_utf8():
    body = PAGE.format(meta='<meta charset="windows-1258">').encode("utf-8")
    assert "Tổng thống Biden" in decode_html(body)


def test_utf8_bytes_with_wrong_header_charset_decode_as_utf8():
    body = PAGE.format(meta="").encode("utf-8")
    assert "điện đàm" in decode_html(body, {"Content-Type": "text/html; charset=iso-8859-1"})


def test_windows_1258_bytes_declared_in_meta_decode_with_it():
    # windows-1258 writes "ộ" as "ô" + a combining dot below
    text = "<html><head><meta charset='windows-1258'></head><body><p>Hà Nô\u0323i mùa thu</p></body></html>"
    decoded = decode_html(text.encode("cp1258"))
    assert "Hà Nội mùa thu" in unicodedata.normalize("NFC", decoded)


def test_utf8_without_any_declaration_decodes():
    assert "Thượng viện" in decode_html("<p>Thượng viện</p>".encode())


def test_byte_order_mark_is_honoured_and_removed():
    decoded = decode_html(b"\xef\xbb\xbf<p>Ngo\xe1\xba\xa1i tr\xc6\xb0\xe1\xbb\x9fng</p>")
    assert decoded.startswith("<p>Ngoại trưởng")


def test_decomposed_vietnamese_comes_out_nfc():
    decomposed = unicodedata.normalize("NFD", PAGE.format(meta='<meta charset="utf-8">'))
    article = extract_article(decomposed.encode("utf-8"), "https://example.org/tong-thong-biden-dien-dam-123456.html")
    assert article["title"] == unicodedata.normalize("NFC", "Tổng thống Biden điện đàm với Tổng thống Putin")
    assert all(unicodedata.is_normalized("NFC", p) for p in article["body"])


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """Vietnamese as windows-1258 writes it: precomposed base letters, tone marks combining."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(out).encode("cp1258")


UNDECLARED = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>{body}</p><p>{body}</p></article></body></html>"
)
VI_TITLE = "Tổng thống Biden phá băng quan hệ Mỹ Nga"
VI_BODY = (
    "Tổng thống Mỹ Joe Biden ngày 27.1 có cuộc điện đàm đầu tiên với Tổng thống Nga Vladimir Putin, trong đó "
    "hai lãnh đạo nhất trí gia hạn Hiệp ước cắt giảm vũ khí hạt nhân chiến lược mới thêm 5 năm."
)
FR_TITLE = "Élection présidentielle : les électeurs français aux urnes"
FR_BODY = (
    "Les électeurs français se sont rendus aux urnes dimanche pour élire leur président. La participation était "
    "élevée dans de nombreuses régions, notamment en Île-de-France où les bureaux de vote ont été très fréquentés."
)


def test_undeclared_windows_1258_is_detected_not_replaced():
    page = windows_1258(UNDECLARED.format(title=VI_TITLE, body=VI_BODY))
    text = unicodedata.normalize("NFC", decode_html(page, {"Content-Type": "text/html"}))
    assert VI_TITLE in text and VI_BODY in text and "\ufffd" not in text


def test_undeclared_windows_1252_is_detected_not_replaced():
    page = UNDECLARED.format(title=FR_TITLE, body=FR_BODY).encode("cp1252")
    text = decode_html(page, {"Content-Type": "text/html"})
    assert FR_TITLE in text and FR_BODY in text and "\ufffd" not in text


def test_an_undeclared_windows_1258_article_is_extracted_in_nfc():
    page = windows_1258(UNDECLARED.format(title=VI_TITLE, body=VI_BODY))
    article = extract_article(page, "https://example.org/tong-thong-biden-pha-bang-123456.html")
    assert article["title"] == VI_TITLE and article["body"][0] == VI_BODY
