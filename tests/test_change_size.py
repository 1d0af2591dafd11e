"""How much of an article's text an edit changed (``archive.versions.changed_chars``): exact for
edits in a few places, whatever the article's size, and never less than the change."""

import random

from archive.versions import change_class, changed_chars

WORDS = random.Random(7).choices(["Hà", "Nội", "mưa", "lớn", "người", "dân", "đường", "phố", "ngập", "sáng"], k=15_000)
LIVE_BLOG = "\n".join(" ".join(WORDS[i : i + 60]) for i in range(0, len(WORDS), 60))  # ~80 KB, 250 paragraphs


def test_a_typo_fixed_in_a_long_live_blog_counts_its_characters():
    fixed = LIVE_BLOG.replace("ngập", "ngâp", 1)
    assert changed_chars(LIVE_BLOG, fixed) == 1


def test_edits_far_apart_count_each():
    edited = "X" + LIVE_BLOG[1:-1] + "Y"
    assert changed_chars(LIVE_BLOG, edited) == 2


def test_an_added_paragraph_counts_its_length():
    paragraph = "Cập nhật 10:30: nước đã rút ở phần lớn các tuyến phố trung tâm."
    paragraphs = LIVE_BLOG.split("\n")
    edited = "\n".join([*paragraphs[:100], paragraph, *paragraphs[100:]])
    assert changed_chars(LIVE_BLOG, edited) == len(paragraph)


def test_a_text_of_one_word_repeated_is_never_counted_below_its_change():
    same = " ".join(["ha"] * 20_000)
    assert changed_chars(same, "x" + same[1:-1] + "y") >= 2


def test_a_small_edit_of_the_body_is_minor_and_a_rewritten_paragraph_substantive():
    old = {"title": "Mưa lớn", "lead": "", "body": LIVE_BLOG.split("\n")}
    typo = dict(old, body=[old["body"][0].replace("mưa", "mưa to", 1), *old["body"][1:]])
    rewrite = dict(old, body=[" ".join(reversed(old["body"][0].split())), *old["body"][1:]])
    assert (change_class(old, typo), change_class(old, rewrite)) == ("minor", "substantive")
