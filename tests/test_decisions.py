"""What a fetched article is to the archive, outcome by outcome (``archive.decisions.decide``)."""

from archive.decisions import ALIAS, COSMETIC, NEW, TEASER, UNCHANGED, UPDATED, Decision, Fetch, Known, decide

URL = "https://thanhnien.vn/a-1851335421.htm"


def fetch(urls=(URL,), digest="d1", paywalled=False) -> Fetch:
    return Fetch(frozenset(urls), digest, paywalled)


def known(urls=(URL,), digest="d1", paywalled=False, payload_seen=True) -> Known:
    return Known(7, frozenset(urls), digest, paywalled, payload_seen)


def test_an_article_the_archive_has_not_matched_is_new():
    assert decide(fetch(), None) == Decision(NEW)


def test_the_same_content_from_the_same_bytes_is_unchanged():
    assert decide(fetch(), known()) == Decision(UNCHANGED, 7)


def test_the_same_content_from_other_bytes_is_cosmetic():
    assert decide(fetch(), known(payload_seen=False)) == Decision(COSMETIC, 7)


def test_the_same_content_under_a_url_the_article_does_not_have_is_an_alias():
    assert decide(fetch(urls=(URL, URL + "?utm_source=zalo")), known()) == Decision(ALIAS, 7)


def test_other_content_is_an_update():
    assert decide(fetch(digest="d2"), known()) == Decision(UPDATED, 7)


def test_other_content_under_a_new_url_is_an_update_not_an_alias():
    assert decide(fetch(urls=(URL + "?amp",), digest="d2"), known()).outcome == UPDATED


def test_a_paywalled_teaser_of_a_full_article_is_a_teaser():
    assert decide(fetch(digest="d2", paywalled=True), known()) == Decision(TEASER, 7)


def test_a_teaser_replacing_a_teaser_is_an_update():
    assert decide(fetch(digest="d2", paywalled=True), known(paywalled=True)).outcome == UPDATED


def test_the_full_text_after_a_teaser_is_an_update():
    assert decide(fetch(digest="d2"), known(paywalled=True)).outcome == UPDATED
