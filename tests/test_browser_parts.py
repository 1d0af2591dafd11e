"""The archive browser's pure parts: neutralizing an archived page, the word-level diff, SVG
charts, rule health and request parameters, each on the inputs a hostile page or user sends."""

from __future__ import annotations

from datetime import date

import pytest

from archive.browser.captured import neutralized
from archive.browser.charts import horizontal_bars, stacked_bars
from archive.browser.health import rules_share, run_health
from archive.browser.params import BadRequestError, a_day, a_page, a_text, an_id
from archive.browser.word_diff import metadata_changes, paragraphs, words

BASE = "https://news.example/a/1.html"


def safe(html: str, archived: dict[str, str] | None = None) -> tuple[str, dict]:
    return neutralized(html, BASE, lambda urls: {u: a for u, a in (archived or {}).items() if u in urls})


# -- the page as captured ------------------------------------------------------------------
@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<svg><script href="data:,alert(1)"></script></svg>',
        '<img src=x onerror="alert(1)">',
        '<body onload="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<object data="https://evil.example/x.swf"></object>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<base href="https://evil.example/">',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<form action="https://evil.example/"><button formaction="https://evil.example/">go</button></form>',
    ],
)
def test_nothing_that_runs_or_leaves_survives(hostile):
    html, _ = safe(f"<html><head></head><body><p>Tin</p>{hostile}</body></html>")
    lowered = html.lower()
    for sign in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<object",
        "refresh",
        "<base",
        "evil.example/x",
    ):
        assert sign not in lowered
    assert 'evil.example/"' not in lowered.replace("not archived (blocked): https://evil.example/", "")


def test_css_cannot_fetch_from_the_live_web():
    html, counts = safe(
        '<style>@import "https://x.example/a.css"; p{background:url(//x.example/b.png)}</style>'
        '<p style="background-image: URL(https://x.example/c.png)">t</p>'
    )
    assert "url(" not in html.lower() and "@import" not in html.lower()
    assert counts["styles"] == 2


def test_images_are_replaced_by_a_visible_blocked_mark():
    html, counts = safe('<img src="/photo.jpg" srcset="/a.jpg 2x" data-src="/lazy.jpg" alt="Ảnh">')
    assert 'src="data:image/svg+xml,' in html and 'title="blocked: https://news.example/photo.jpg"' in html
    assert "srcset" not in html and "data-src" not in html and counts["images"] == 1


def test_links_to_archived_pages_go_to_the_archive_and_the_rest_are_blocked():
    html, counts = safe(
        '<a href="/a/2.html#top">archived</a> <a href="https://other.example/">live</a> <a href="#n">note</a>',
        archived={"https://news.example/a/2.html": "/article/7"},
    )
    assert '<a href="/article/7" target="_top">archived</a>' in html
    assert (
        'title="not archived (blocked): https://other.example/"' in html and 'href="https://other.example/"' not in html
    )
    assert '<a href="#n">note</a>' in html
    assert (counts["archived_links"], counts["links"]) == (1, 1)


def test_text_after_a_removed_element_is_kept():
    html, _ = safe("<p>Trước<script>x()</script> sau.</p>")
    assert "<p>Trước sau.</p>" in html


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff\xfe", b"<<<>>>", "<p>" * 5000])
def test_broken_markup_still_gives_a_page(garbage):
    html, _ = safe(garbage if isinstance(garbage, str) else garbage.decode("latin-1"))
    assert html.startswith("<!DOCTYPE html>")


def test_the_banner_says_what_was_blocked():
    html, _ = safe("<body><script>1</script><img src=a.png><a href=//x.example/>x</a></body>")
    assert "scripts removed: 1, images blocked: 1, live links blocked: 1" in html


# -- word-level diff -----------------------------------------------------------------------
def test_a_changed_word_is_marked_within_its_paragraph():
    left, right = words("Họp hôm 4/5 tại Hà Nội.", "Họp hôm 5/5 tại Hà Nội.")
    assert ("4", "del") in left and ("5", "ins") in right
    assert "".join(t for t, _ in left) == "Họp hôm 4/5 tại Hà Nội."


def test_inline_rows_interleave_deletions_and_insertions_in_order():
    (row,) = paragraphs(["Một hai ba."], ["Một bốn ba."])
    assert row.kind == "change"
    assert row.inline == [("Một ", ""), ("hai", "del"), ("bốn", "ins"), (" ba.", "")]


def test_an_unrelated_replacement_is_a_deletion_and_an_insertion():
    kinds = [r.kind for r in paragraphs(["A", "Đoạn cũ hoàn toàn khác."], ["A", "Zzz qqq xxx."])]
    assert kinds == ["equal", "delete", "insert"]


def test_metadata_changes_list_each_field_that_differs():
    assert metadata_changes({"title": "A", "tags": ["x"]}, {"title": "A", "tags": ["x", "y"]}) == [
        ("tags", ["x"], ["x", "y"])
    ]


# -- charts --------------------------------------------------------------------------------
def test_chart_labels_are_escaped():
    svg = stacked_bars([("<script>", {"new": 2})], ["new"], "runs & <b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "runs &amp; &lt;b&gt;" in svg


def test_stacked_bars_scale_to_the_tallest_column():
    svg = stacked_bars([("#1", {"new": 1}), ("#2", {"new": 3, "failed": 1})], ["new", "failed"], "t", height=110)
    assert 'height="75.0"' in svg and 'height="25.0"' in svg  # 3 and 1 of a maximum of 4, on 100 px


def test_an_empty_chart_says_so():
    assert "nothing to chart yet" in stacked_bars([], ["new"], "t")
    assert "none" in horizontal_bars([], "drops")


# -- rule health ---------------------------------------------------------------------------
def test_the_rules_share_counts_fields_from_rules_leaving_out_the_canonical_link():
    assert rules_share({"title": "rules", "body": "generic", "canonical_url": "html:link-canonical"}) == 0.5
    assert rules_share(None) is None


def test_a_drop_under_the_median_of_the_runs_before_is_flagged():
    runs = [(1, 2, 20, 20), (2, 1, 9, 10), (3, 1, 10, 10), (4, 2, 8, 20), (5, 0, 0, 0)]
    health = run_health(runs)  # (run, versions, fields from rules, fields)
    assert [(h.run_id, h.flagged) for h in health] == [(1, False), (2, False), (3, False), (4, True)]
    assert health[3].share == pytest.approx(0.4)


def test_a_site_without_rules_is_not_flagged_for_staying_generic():
    assert not any(h.flagged for h in run_health([(1, 1, 0, 9), (2, 1, 0, 9), (3, 1, 0, 9)]))


# -- parameters ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", [None, "", "0", "-1", "1.5", "1e3", "٣", "99999999999999999999", " 1"])
def test_an_id_is_digits_within_a_database_integer(value):
    with pytest.raises(BadRequestError):
        an_id(value)


def test_a_day_is_an_iso_date():
    assert a_day("2021-05-04", "since") == date(2021, 5, 4)
    assert a_day("", "since") is None
    for bad in ("2021-5-4", "2021-02-30", "yesterday", "2021-05-04T00:00"):
        with pytest.raises(BadRequestError):
            a_day(bad, "since")


def test_text_is_bounded_and_without_control_characters():
    assert a_text("  Đà Nẵng ", "q") == "Đà Nẵng"
    for bad in ("x" * 301, "a\x00b", "a\nb"):
        with pytest.raises(BadRequestError):
            a_text(bad, "q")


def test_pages_are_bounded():
    assert a_page(None) == 1
    with pytest.raises(BadRequestError):
        a_page("10001")
