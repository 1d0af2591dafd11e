"""What the archive stores and compares is frozen: each function of ``archive.keys`` gives the
values the stored rows were made with (checked equal to the functions before they moved into
``archive.keys``). A change that breaks one of these needs a migration, not a new expected value."""

import hashlib

from archive.keys import (
    article_key,
    band_keys,
    canonical_url,
    content_digest,
    fingerprint,
    identity_url,
    signature,
    text_key,
    to_bytes,
)

BODY = ["Tổng thống Mỹ Joe Biden ngày 26.1 có cuộc điện đàm đầu tiên."]


def test_canonical_url_drops_tracking_and_fragment_and_sorts_the_query():
    url = "HTTPS://Thanhnien.VN/the-gioi/a.htm?utm_source=zalo&b=2&a=1&fbclid=x#top"
    assert canonical_url(url) == "https://thanhnien.vn/the-gioi/a.htm?a=1&b=2"


def test_identity_url_ignores_mobile_host_amp_path_and_scheme():
    assert identity_url("https://m.thanhnien.vn/the-gioi/a.htm/amp/?utm_medium=x") == "thanhnien.vn/the-gioi/a.htm"


def test_article_key_is_the_site_s_article_id_where_its_rules_have_one():
    url = "https://thanhnien.vn/tong-thong-biden-1851335421.htm"
    assert article_key(url, None, "thanhnien.vn", r"-(\d{9,})\.htm$") == "thanhnien.vn:1851335421"


def test_article_key_is_the_identity_url_without_rules():
    assert article_key("https://www.example.org/2024/05/12/story/?utm_source=x") == "url:example.org/2024/05/12/story"


def test_fingerprint_is_pinned():
    assert fingerprint("Tổng thống Biden ‘phá băng’", ["Đoạn một.", " Đoạn  hai "]) == (
        "c81cdfd3d59545f5b4c8525db676f12d0f316f82"
    )


def test_fingerprint_ignores_case_spacing_and_decomposed_diacritics():
    decomposed = "Tổng thống Biden ‘phá băng’".replace("ổ", "ô\u0309")
    assert fingerprint(decomposed.upper(), ["Đoạn  một. "]) == fingerprint("Tổng thống Biden ‘phá băng’", ["Đoạn một."])


def test_content_digest_is_pinned():
    assert content_digest({"title": "Tiêu đề", "body": ["Đoạn một."], "authors": ["Bảo Vinh"]}) == (
        "c262dfed634e7ba5b4f38abc7cb2cacbca2a24c5"
    )


def test_minhash_signature_is_pinned():
    assert hashlib.sha1(to_bytes(signature("Tiêu đề", BODY))).hexdigest() == "d49cae8d9a2704c5c28452a8c359e2d88217a4c1"


def test_lsh_band_keys_are_pinned():
    assert band_keys(to_bytes(signature("Tiêu đề", BODY))) == [
        4656763863622314902,
        4951759703280793684,
        1806995223241397863,
        5376375471790616769,
        6245493738407826840,
    ]


def test_text_key_folds_case_and_strips_surrounding_punctuation():
    assert text_key(" Tin liên quan: ") == "tin liên quan"
