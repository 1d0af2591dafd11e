"""The safety net: a generic body far shorter than the page's prose is checked against a
second extractor (trafilatura) on the same DOM, and the reading that covers more of the
page's prose wins."""

from pipelines.extraction.article import extract_fields
from pipelines.extraction.dom import parse_html
from pipelines.extraction.prose import scored_blocks
from pipelines.extraction.second_opinion import better_reading, needs_second_opinion, prose_keys
from pipelines.extraction.text import text_key

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


def prose(*texts: str) -> list[tuple[str, float]]:
    """The page's prose blocks as ``prose_keys`` gives them: (key of the opening, weight)."""
    return [(t.casefold()[:60], float(len(t))) for t in texts]


ARTICLE = [f"paragraph {i} of the story, long enough to be prose on any page of the web" * 2 for i in range(6)]
COMMENTS = [f"comment {i}: a reader writes at length about something else entirely here" * 2 for i in range(12)]


def test_a_second_reading_that_contains_ours_and_adds_prose_wins():
    assert better_reading(ARTICLE[:1], ARTICLE, prose(*ARTICLE)) == ARTICLE


def test_a_second_reading_that_adds_only_text_that_is_not_prose_loses():
    longer = ARTICLE[:2] + COMMENTS  # three times our length, none of it the page's prose
    assert better_reading(ARTICLE[:2], longer, prose(*ARTICLE)) == ARTICLE[:2]


def test_a_second_reading_that_disagrees_with_ours_needs_twice_the_prose():
    ours, other = ARTICLE[:2], ARTICLE[2:5]  # leaves ours out, covers 1.5 times as much
    assert better_reading(ours, other, prose(*ARTICLE)) == ours
    assert better_reading(ARTICLE[:1], ARTICLE[1:6], prose(*ARTICLE)) == ARTICLE[1:6]


def test_article_split_into_uniquely_classed_wrappers_is_not_lost_to_a_sidebar():
    wrapped = "".join(f'<div class="c{i}"><div class="w{i}"><p>{p}</p></div></div>' for i, p in enumerate(PARAGRAPHS))
    html = f"""<html lang="vi"><head><title>Không khí lạnh</title></head><body><h1>Không khí lạnh tràn về Hà Nội</h1>
    <div class="x">{wrapped}</div><div class="side"><div><p>{SIDEBAR}</p></div></div></body></html>"""
    article = extract_fields(html, "https://example.org/tin/khong-khi-lanh")
    assert article["body"][:8] == PARAGRAPHS
    assert article["provenance"]["body"] == "trafilatura"


def test_a_teaser_box_headed_by_a_boilerplate_label_does_not_complete_a_short_story():
    story = PARAGRAPHS[:2]
    cards = "".join(
        f'<div class="story"><h4><a href="/tin-{i}.html">Tin khác số {i} trong ngày</a></h4><p>{SIDEBAR} {i}</p></div>'
        for i in range(3)
    )
    html = f"""<html lang="vi"><head><title>Không khí lạnh tràn về Hà Nội</title></head><body><main>
    <article><h1>Không khí lạnh tràn về Hà Nội</h1><div class="article-body">{"".join(f"<p>{p}</p>" for p in story)}</div>
    </article><section class="box-reaction"><h3>Cảm nhận của bạn</h3></section>
    <section class="box-dont-miss"><h3 class="box-title">Đừng bỏ lỡ</h3>{cards}</section></main></body></html>"""
    article = extract_fields(html, "https://example.org/tin/khong-khi-lanh")
    assert (article["body"], article["provenance"]["body"]) == (story, "generic")


def test_a_labelled_box_that_shows_the_page_s_headline_keeps_its_prose():
    html = f"""<html><body><div class="menu"><p>{SIDEBAR}</p></div><div class="page"><div>Topics</div>
    <h1>Không khí lạnh tràn về Hà Nội</h1>{"".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])}</div></body></html>"""
    root = parse_html(html)
    menu = root.find(".//div[@class='menu']")
    blocks = list(scored_blocks(root))
    headline = {text_key("Không khí lạnh tràn về Hà Nội")}
    assert len(prose_keys(blocks, root, menu, headline)) == 4
    assert len(prose_keys(blocks, root, menu, {text_key("Another story's headline")})) == 1
