"""Canonical URLs drop tracking parameters and fragments, keep what identifies the page."""

from pipelines.extraction.urls import canonical_url

ARTICLE = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"


def test_tracking_parameters_are_removed():
    assert canonical_url(ARTICLE + "?utm_source=facebook&utm_medium=social&fbclid=IwAR0x&gclid=1") == ARTICLE


def test_fragment_is_removed():
    assert canonical_url(ARTICLE + "#box-comment") == ARTICLE


def test_meaningful_query_is_kept_and_sorted():
    assert (
        canonical_url("https://example.org/news?page=2&id=5&utm_campaign=x") == "https://example.org/news?id=5&page=2"
    )


def test_host_case_is_normalized():
    assert canonical_url("HTTPS://ThanhNien.VN/a-1851335421.htm") == "https://thanhnien.vn/a-1851335421.htm"
