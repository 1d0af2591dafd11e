"""An article cut into parts — a guide's cards, a listicle's sections, a long read's chapters —
is read whole: the container found for its largest single block widens to the ancestor that
gathers the parts (half the page's prose at least), up to the article's own element and never
to the page around it."""

from __future__ import annotations

from pipelines import extract_article

URL = "https://example.org/2025/10/01/goc-lam-viec-tai-nha"
INTRO = (
    "Một góc làm việc tại nhà gọn gàng giúp bạn tập trung hơn, ít mỏi lưng hơn và làm được nhiều việc hơn mỗi ngày; "
    "dưới đây là năm điều chúng tôi học được sau hai năm làm việc từ xa, từng điều một, kèm lời khuyên cụ thể. "
    "Chúng tôi đã thử nhiều loại bàn ghế, đèn và màn hình khác nhau trong căn hộ nhỏ ở Hà Nội, ghi lại điều gì hiệu "
    "quả và điều gì không, để bạn khỏi mất công thử lại."
)
CARDS = [
    [f"Điều số {n}, ý {i}: chỉnh ghế, bàn và màn hình theo thói quen của bạn." for i in range(4)] for n in range(1, 6)
]


def card(n: int, lines: list[str]) -> str:
    """A card as page builders nest it: every line a block of its own, deep in layout wrappers."""
    text = "".join(f"<div>{line}</div>" for line in lines)
    return f"<article class='card'><div class='col'><div class='anim'><h3>Điều số {n}</h3>{text}</div></div></article>"


def guide(after: str = "") -> str:
    cards = "".join(card(n, lines) for n, lines in enumerate(CARDS, 1))
    return f"""<html><head><title>Góc làm việc tại nhà</title></head><body><header><a href="/">Trang chủ</a></header>
    <main><h1>Góc làm việc tại nhà</h1><div class="grid"><section class="intro"><div><p>{INTRO}</p></div></section>
    <section><div class="wrap"><div class="cards">{cards}</div></div></section></div></main>{after}</body></html>"""


def test_every_card_of_a_guide_is_read():
    article = extract_article(guide(), URL)
    assert [p for p in article["body"] if ", ý " in p] == [line for lines in CARDS for line in lines]
    assert article["provenance"]["body"] == "generic"  # found so, not rescued by the safety net


def test_prose_beside_the_main_element_is_not_gathered_with_it():
    other = [f"Bài khác số {i}, không liên quan, nằm trong khung gợi ý cuối trang, dài vừa phải." for i in range(3)]
    after = "<div class='below'>" + "".join(f"<div><p>{p}</p></div>" for p in other) + "</div>"
    assert not set(other) & set(extract_article(guide(after), URL)["body"])


def test_an_article_a_page_wraps_in_an_aside_is_still_the_article():
    lines = [line for lines in CARDS for line in lines]
    story = "".join(f"<p>{line} Thêm một câu để đoạn văn dài hơn và đủ là văn xuôi.</p>" for line in lines)
    html = f"""<html><head><title>Góc làm việc</title></head><body><nav><a href="/">Trang chủ</a></nav>
    <aside class="layout"><h1>Góc làm việc tại nhà</h1>{story}</aside></body></html>"""
    article = extract_article(html, URL)
    assert len(article["body"]) == len(lines) and article["provenance"]["body"] == "generic"


def test_text_written_as_span_runs_without_paragraphs_is_prose():
    lines = [f"Đoạn {i}: người dân phường Hàng Bạc kể lại chuyện phố cổ đổi thay sau ba mươi năm." for i in range(8)]
    runs = "".join(f'<div class="text"><span style="font-size:14px">{line}</span></div>' for line in lines)
    menu = "".join(f'<div class="item"><a href="/m{i}">Chuyên mục số {i} của báo điện tử</a></div>' for i in range(12))
    html = f"""<html><head><title>Phố cổ</title></head><body><div class="menu">{menu}</div>
    <div class="detail"><h1>Phố cổ đổi thay</h1>{runs}</div></body></html>"""
    article = extract_article(html, URL)
    assert (article["body"], article["provenance"]["body"]) == (lines, "generic")
