"""Generic extraction (no site rules): boilerplate blocks go, article content stays."""

import pytest

from pipelines import extract_article
from pipelines.extraction.boilerplate import is_furniture_line

URL = "https://example.org/2024/05/12/mot-bai-bao-thu-nghiem-ve-thoi-tiet"
P1 = "Sáng nay, nhiệt độ tại Hà Nội giảm mạnh, nhiều nơi chỉ còn dưới 15 độ C khiến người dân phải mặc áo ấm khi ra đường."
P2 = "Theo trung tâm dự báo, đợt không khí lạnh này sẽ kéo dài đến hết tuần, vùng núi cao có khả năng xuất hiện băng giá."
P3 = "Các chuyên gia khuyến cáo người dân giữ ấm cơ thể, đặc biệt với trẻ nhỏ và người cao tuổi trong những ngày tới."


def page(body_inside: str, head: str = "") -> str:
    return f"""<html lang="vi"><head><meta property="og:type" content="article">{head}
    <title>Không khí lạnh tràn về - Báo Thử</title><meta property="og:site_name" content="Báo Thử"></head><body>
    <nav><a href="/">Trang chủ</a><a href="/thoi-su">Thời sự</a></nav>
    <article><h1>Không khí lạnh tràn về</h1><div class="article-content">{body_inside}</div></article>
    <aside><h3>Đọc nhiều</h3><a href="/x-1">Bài khác một</a></aside>
    <footer>© Báo Thử</footer></body></html>"""


def test_related_box_inside_body_is_removed():
    html = page(f"""<p>{P1}</p><div class="box"><p>Tin liên quan</p><ul><li><a href="/a">Rét đậm rét hại ở miền núi phía Bắc</a></li>
    <li><a href="/b">Dự báo thời tiết cuối tuần</a></li></ul></div><p>{P2}</p><p>{P3}</p>""")
    article = extract_article(html, URL)
    assert article["body"] == [P1, P2, P3]


def test_read_more_line_with_link_is_removed():
    html = page(
        f"""<p>{P1}</p><p><strong>Xem thêm:</strong> <a href="/c">Hà Nội rét nhất từ đầu mùa</a></p><p>{P2}</p><p>{P3}</p>"""
    )
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_widgets_named_by_class_are_removed():
    html = page(f"""<p>{P1}</p><div class="social-share"><a>Facebook</a> Chia sẻ</div>
    <div class="ads-inread">Quảng cáo</div><div id="comment-box">Bình luận của bạn đọc: hay quá</div><p>{P2}</p><p>{P3}</p>""")
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_repeated_title_and_caption_lines_are_not_body():
    html = page(f"""<p>Không khí lạnh tràn về</p><p>{P1}</p><figure><img src="/anh/ret.jpg" width="800">
    <figcaption>Người dân mặc áo ấm ra đường. Ảnh: Minh Hà</figcaption></figure>
    <p>Người dân mặc áo ấm ra đường. Ảnh: Minh Hà</p><p>{P2}</p><p>{P2}</p><p>{P3}</p>""")
    article = extract_article(html, URL)
    assert article["body"] == [P1, P2, P3]
    assert article["images"] == [
        {"src": "https://example.org/anh/ret.jpg", "caption": "Người dân mặc áo ấm ra đường. Ảnh: Minh Hà"}
    ]


def test_lazy_loaded_image_uses_its_real_address():
    html = page(f"""<p>{P1}</p><figure><img src="data:image/gif;base64,R0lGOD" data-src="https://cdn.example.org/a.jpg">
    <figcaption>Chú thích</figcaption></figure><p>{P2}</p><p>{P3}</p>""")
    assert extract_article(html, URL)["images"] == [{"src": "https://cdn.example.org/a.jpg", "caption": "Chú thích"}]


def test_table_rows_become_paragraphs_with_cells_joined():
    html = page(f"""<p>{P1}</p><table><tr><th>Tỉnh</th><th>Nhiệt độ</th></tr><tr><td>Hà Nội</td><td>14°C</td></tr></table>
    <p>{P2}</p><p>{P3}</p>""")
    assert extract_article(html, URL)["body"] == [P1, "Tỉnh | Nhiệt độ", "Hà Nội | 14°C", P2, P3]


def test_no_break_spaces_and_runs_of_white_space_fold_to_one_space():
    html = page(f"<p>{P1.replace(' ', '&nbsp; ', 3)}</p><p>{P2}</p><p>{P3}</p>")
    assert extract_article(html, URL)["body"][0] == P1


def test_title_comes_from_h1_not_the_title_tag_with_site_name():
    html = page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>")
    assert extract_article(html, URL)["title"] == "Không khí lạnh tràn về"


def test_json_ld_metadata_fills_fields_without_rules():
    head = """<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle",
    "headline":"Không khí lạnh tràn về","datePublished":"2024-05-12T06:30:00+07:00","author":[{"@type":"Person","name":"Minh Hà"},
    {"@type":"Organization","name":"Báo Thử"}],"articleSection":"Thời sự","keywords":"thời tiết, rét"}]}</script>"""
    article = extract_article(page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", head), URL)
    assert (article["published_at"], article["authors"], article["section"], article["tags"]) == (
        "2024-05-12T06:30:00+07:00",
        ["Minh Hà"],
        "Thời sự",
        ["thời tiết", "rét"],
    )


def test_broken_markup_still_gives_the_article():
    html = page(f"<p>{P1}<p>{P2}<div><p>{P3}</span></b>").replace("</body></html>", "")
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_related_box_with_a_wrapped_heading_is_removed_whole():
    html = page(f"""<p>{P1}</p><div class="box"><div class="head"><h3><span>Đừng bỏ lỡ</span></h3></div>
    <div class="items"><a href="/d">Giá vàng hôm nay tăng mạnh</a><a href="/e">Lịch nghỉ Tết Dương lịch 2026</a></div></div>
    <p>{P2}</p><p>{P3}</p>""")
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_article_wrapper_named_like_a_widget_is_content_when_it_holds_the_prose():
    teasers = "".join(f'<li><a href="/t{i}">Một bài khác số {i} về thời tiết trong tuần</a></li>' for i in range(30))
    html = f"""<html><head><title>Không khí lạnh</title></head><body><article><h1>Không khí lạnh tràn về</h1>
    <div class="pmc-paywall"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></article><ul>{teasers}</ul>
    <div class="note"><p>Ý kiến trong bài là của tác giả, không phản ánh quan điểm của ban biên tập Báo Thử; nội dung do
    đối tác sản xuất và quản lý; mọi hình thức sao chép, trích dẫn hay đăng lại phải được sự đồng ý bằng văn bản
    của tòa soạn.</p></div></body></html>"""
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_paragraphs_wrapped_one_per_nested_div_are_read_together():
    wrapped = "".join(f"<div><div><div><p>{p}</p></div></div></div>" for p in (P1, P2, P3))
    html = f"""<html><head><title>Không khí lạnh</title></head><body><h1>Không khí lạnh tràn về</h1>
    <div id="main">{wrapped}</div><div class="other"><p>Nội dung khác không thuộc bài viết này: lời giới thiệu chuyên mục,
    dài hơn một đoạn của bài nhưng vẫn ngắn hơn cả bài viết, đặt ở cột bên cạnh, nói về lịch phát hành, các số báo
    đặc biệt và cách bạn đọc gửi thư góp ý.</p></div>
    </body></html>"""
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_a_lead_holding_the_whole_body_is_not_printed_twice():
    html = page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>", head=f'<meta name="description" content="{P1} {P2}">')
    article = extract_article(html, URL)
    assert article["lead"] is None
    assert article["body"] == [P1, P2, P3]


def test_of_two_stories_on_one_page_the_one_the_headline_names_is_the_article():
    other = "".join(
        f"<p>Bài tiếp theo, đoạn {i}: giá xăng dầu trong nước được điều chỉnh tăng từ chiều nay theo kỳ họp.</p>"
        for i in range(6)
    )
    html = f"""<html><head><title>Không khí lạnh tràn về - Báo Thử</title>
    <meta property="og:title" content="Không khí lạnh tràn về"></head><body>
    <article id="first-article"><h1>Không khí lạnh tràn về</h1><div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></article>
    <article id="second-article"><h2>Giá xăng dầu tăng từ chiều nay</h2><div>{other}</div></article></body></html>"""
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_live_blog_entries_come_in_page_order_each_with_its_time():
    entries = "".join(
        f"""<article class="post"><header><time datetime="2024-07-18T1{i}:00:00+07:00">18/07/2024 1{i}:00</time></header>
        <h3>Cập nhật số {i}</h3><p>Diễn biến mới số {i}: lực lượng cứu hộ tiếp tục tìm kiếm người mất tích ở khu vực
        sạt lở phía tây tỉnh, theo tin từ ban chỉ huy phòng chống thiên tai của tỉnh.</p></article>"""
        for i in (3, 2, 1)
    )
    html = f"""<html lang="vi"><head><title>Trực tiếp: bão số 3 - Báo Thử</title>
    <script type="application/ld+json">{{"@type": "LiveBlogPosting", "headline": "Trực tiếp: bão số 3"}}</script></head>
    <body><main><h1>Trực tiếp: bão số 3</h1><div class="live">{entries}</div></main></body></html>"""
    body = extract_article(html, URL)["body"]
    stamps = [line for line in body if line.startswith("18/07/2024")]
    assert stamps == ["18/07/2024 13:00", "18/07/2024 12:00", "18/07/2024 11:00"]
    assert body.index(stamps[0]) < body.index("Cập nhật số 3") < body.index(stamps[1]) < body.index("Cập nhật số 2")


def test_cms_related_boxes_named_by_their_type_go_with_teaser_and_image():
    boxes = """<div class="VCSortableInPreviewMode" type="RelatedOneNews"><img src="https://img.example/teaser.jpg">
    <a href="/bai-khac.html">Hà Nội rét đậm, học sinh được nghỉ học</a><p>Sở giáo dục cho phép học sinh tiểu học nghỉ khi
    nhiệt độ xuống dưới mười độ C vào buổi sáng.</p></div>
    <div class="VCSortableInPreviewMode" type="Photo"><img src="https://img.example/anh.jpg">
    <div class="PhotoCMS_Caption">Người dân co ro trong giá rét</div></div>"""
    article = extract_article(page(f"<p>{P1}</p>{boxes}<p>{P2}</p><p>{P3}</p>"), URL)
    assert article["body"] == [P1, P2, P3]
    assert [i["src"] for i in article["images"]] == ["https://img.example/anh.jpg"]


def test_table_caption_is_a_paragraph_before_its_rows():
    table = "<table><caption>Nhiệt độ thấp nhất</caption><tr><th>Nơi</th><th>Độ C</th></tr><tr><td>Sa Pa</td><td>2</td></tr></table>"
    body = extract_article(page(f"<p>{P1}</p>{table}<p>{P2}</p><p>{P3}</p>"), URL)["body"]
    assert body == [P1, "Nhiệt độ thấp nhất", "Nơi | Độ C", "Sa Pa | 2", P2, P3]


def test_paragraphs_classed_paywall_are_the_article_behind_the_wall():
    html = page(f'<p>{P1}</p><p>{P2}</p><p class="paywall">{P3}</p>')
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_a_paragraph_classed_related_that_is_a_link_to_another_story_goes():
    related = (
        '<p class="mm_related"><strong>Trên Báo Thử:</strong> <a href="/x">Giá xăng tăng mạnh từ chiều nay</a></p>'
    )
    assert extract_article(page(f"<p>{P1}</p>{related}<p>{P2}</p><p>{P3}</p>"), URL)["body"] == [P1, P2, P3]


def test_author_contact_lines_are_not_body():
    contact = "<p>minh.ha@baothu.vn</p><p>twitter.com/minhha</p>"
    assert extract_article(page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>{contact}"), URL)["body"] == [P1, P2, P3]


@pytest.mark.parametrize(
    "line",
    [
        "3 Min Lesezeit",
        "5 phút đọc",
        "Stand: 22.04.2024, 06:00 Uhr",
        "segunda-feira, 22 de janeiro de 2018 às 0:13",
        "12. März 2024",
        "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: sad",
        "Duration 1:30",
        "14 hours ago",
        "WATCH | Palestinians react to the new leader:",
        "Video starten, abbrechen mit Escape",
        "Associated Press writers Alan Fram, Zeke Miller, Laurie Kellman and Jill Colvin contributed to this report.",
    ],
)
def test_furniture_lines_are_recognised(line):
    assert is_furniture_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "On 5 May 2024 the council voted to extend the tram line to the northern districts.",
        "Watch the council debate live on our website tonight.",
        "05/10/2018 - O prefeito disse que vai resolver o problema ainda este mês.",
        "Der Minister sagte: Das Foto: ein Skandal. Wir prüfen das jetzt genau und melden uns.",
    ],
)
def test_prose_mentioning_dates_or_videos_is_not_furniture(line):
    assert not is_furniture_line(line)


def test_an_inline_caption_beside_its_image_is_the_images_caption_not_body():
    figure = '<div class="contentimage"><img src="https://img.example/tram.jpg"><span class="caption">Tàu điện trên cầu (ảnh tư liệu)</span></div>'
    article = extract_article(page(f"<p>{P1}</p>{figure}<p>{P2}</p><p>{P3}</p>"), URL)
    assert article["body"] == [P1, P2, P3]
    assert article["images"] == [{"src": "https://img.example/tram.jpg", "caption": "Tàu điện trên cầu (ảnh tư liệu)"}]


def test_kicker_and_headline_of_a_social_title_printed_as_two_lines_are_not_body():
    head = '<meta property="og:title" content="Rét đậm ở Hà Nội: Không khí lạnh tràn về">'
    html = page(f"<p>Rét đậm ở Hà Nội</p><p>{P1}</p><p>{P2}</p><p>{P3}</p>", head=head)
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


@pytest.mark.parametrize(
    "line",
    [
        "We apologize, but this video has failed to load.",
        "Article continues below",
        "Quelle: ntv.de, ino/dpa",
        "(Quelle: APA/sda/dpa)",
        "(dmk)",
        "Erstellt: 28.04.2023, 18:16 Uhr",
        "12:43, 20 Apr 2026",
        "– additional reporting by Donald Matthys",
        "Il vous reste 57.09% de cet article à lire. La suite est réservée aux abonnés.",
        "Follow TechRadar on Google News and add us as a preferred source",
        "Empfohlener redaktioneller Inhalt",
        "Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden.",
        "YouTube-Inhalte erlauben",
        "Diese Pyramide zeigt den angedachten Ablauf der Phasen. Bild: Screenshot: fdp.de",
        "Người dân co ro trong giá rét. Ảnh: Minh Hà",
        "Ein Techniker prüft die Oberleitung der Straßenbahn. (Archivbild)",
        "ssi, dan; Foto [M]: Shutterstock; Erstveröffentlichung: 4.4.18",
    ],
)
def test_player_source_sign_off_and_paywall_lines_are_furniture(line):
    assert is_furniture_line(line)


def test_read_also_line_in_another_language_without_a_colon_goes():
    line = '<p>Les også <a href="/x">En far for de store anledninger</a></p>'
    assert extract_article(page(f"<p>{P1}</p>{line}<p>{P2}</p><p>{P3}</p>"), URL)["body"] == [P1, P2, P3]


def test_a_description_repeating_the_opening_after_its_dateline_is_no_lead():
    first = f"Hà Nội (TTXVN) - {P1}"
    html = page(f"<p>{first}</p><p>{P2}</p><p>{P3}</p>", head=f'<meta name="description" content="{P1}">')
    article = extract_article(html, URL)
    assert (article["lead"], article["body"]) == (None, [first, P2, P3])


def test_a_link_wrapping_blocks_is_a_card_for_another_page_not_body():
    card = '<a href="/khac.html"><img src="https://img.example/the.jpg"><h3>Giá xăng tăng mạnh</h3><p>Từ chiều nay giá xăng dầu được điều chỉnh tăng.</p></a>'
    article = extract_article(page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>{card}"), URL)
    assert article["body"] == [P1, P2, P3]
    assert "https://img.example/the.jpg" not in [i["src"] for i in article["images"]]


def test_a_drop_cap_is_the_first_letter_of_its_word():
    first = '<p><span class="initial-letter-outer"><span class="initial-letter">S</span></span> <span>áng nay, nhiệt độ tại Hà Nội giảm mạnh, nhiều nơi chỉ còn dưới 15 độ C khiến người dân phải mặc áo ấm khi ra đường.</span></p>'
    assert extract_article(page(f"{first}<p>{P2}</p><p>{P3}</p>"), URL)["body"] == [P1, P2, P3]


def _two_stories(first_attrs: str = "", head: str = "") -> str:
    other = "".join(
        f"<p>Bài tiếp theo, đoạn {i}: giá xăng dầu trong nước được điều chỉnh tăng từ chiều nay theo kỳ họp.</p>"
        for i in range(6)
    )
    return f"""<html><head><title>Báo Thử</title>{head}</head><body><h1>Không khí lạnh tràn về</h1>
    <article {first_attrs}><div><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></article>
    <article id="second-article"><div>{other}</div></article></body></html>"""


def test_of_two_stories_the_one_holding_the_json_ld_article_body_is_the_article():
    head = f'<script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{P1} {P2}"}}</script>'
    assert extract_article(_two_stories(head=head), URL)["body"] == [P1, P2, P3]


def test_of_two_stories_the_one_naming_the_page_url_is_the_article():
    assert extract_article(_two_stories(first_attrs=f'itemid="{URL}"'), URL)["body"] == [P1, P2, P3]


def test_an_image_zoom_link_keeps_its_picture_and_the_caption_beside_it():
    figure = (
        '<div class="contentimage"><a href="https://img.example/tram-big.webp" class="zoomimage"><div><picture>'
        '<img src="https://img.example/tram.webp"></picture></div></a><span class="caption">Tàu điện cũ ở Hà Nội</span></div>'
    )
    article = extract_article(page(f"<p>{P1}</p>{figure}<p>{P2}</p><p>{P3}</p>"), URL)
    assert article["body"] == [P1, P2, P3]
    assert article["images"] == [{"src": "https://img.example/tram.webp", "caption": "Tàu điện cũ ở Hà Nội"}]


# -- rules that know their place: what repeats inside the article is its structure -------------
STEPS = [
    "Chọn ngày cưới phù hợp với mùa và lịch của gia đình hai bên, rồi báo sớm cho khách mời.",
    "Đặt nhà hàng hoặc địa điểm tổ chức tiệc, so sánh thực đơn và chi phí trước khi đặt cọc.",
    "Thuê thợ chụp ảnh và quay phim, xem trước các album cưới mà họ đã thực hiện gần đây.",
]


def test_a_checklist_s_lines_beside_their_tick_boxes_are_content():
    lines = "".join(f'<li><input type="checkbox"> {step}</li>' for step in STEPS)
    html = page(f"<p>{P1}</p><ul>{lines}</ul><p>{P2}</p>")
    assert extract_article(html, URL)["body"] == [P1, *STEPS, P2]


def test_cards_that_each_carry_a_button_are_the_article_s_items():
    cards = "".join(f'<div class="card"><p>{step}</p><button>Xem giá</button></div>' for step in STEPS)
    html = page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>{cards}")
    assert extract_article(html, URL)["body"] == [P1, P2, P3, *STEPS]


def test_a_single_box_around_a_button_is_still_a_widget():
    signup = '<div class="box"><p>Nhận bản tin mỗi sáng qua email của bạn</p><input type="email"><button>Đăng ký</button></div>'
    html = page(f"<p>{P1}</p>{signup}<p>{P2}</p><p>{P3}</p>")
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


def test_a_label_heading_every_section_of_the_article_heads_content_not_a_box():
    sections = "".join(f"<div><h3>Review</h3><p>{step}</p></div>" for step in STEPS)
    html = page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>{sections}")
    body = extract_article(html, URL)["body"]
    assert [p for p in body if p != "Review"] == [P1, P2, P3, *STEPS]


def test_a_link_dressed_as_a_button_is_a_control_not_prose():
    cards = "".join(
        f'<div class="card"><p>{step}</p><a class="btn btn-primary" href="/mua">Xem giá</a></div>' for step in STEPS
    )
    html = page(f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>{cards}")
    assert extract_article(html, URL)["body"] == [P1, P2, P3, *STEPS]


def test_a_long_link_classed_as_a_button_is_kept_as_the_words_it_is():
    words = "toàn văn báo cáo của trung tâm dự báo khí tượng thủy văn quốc gia"
    html = page(
        f'<p>{P1}</p><p>{P2}</p><p>Bạn đọc có thể xem <a class="button" href="/bao-cao">{words}</a> về đợt rét.</p>'
    )
    assert f"Bạn đọc có thể xem {words} về đợt rét." in extract_article(html, URL)["body"]


def test_a_table_block_inside_a_figure_is_read_as_a_table():
    table = (
        '<figure class="wp-block-table"><table><tr><th>Tỉnh</th><th>Nhiệt độ</th></tr>'
        "<tr><td>Lào Cai</td><td>4 độ C</td></tr></table><figcaption>Nhiệt độ thấp nhất sáng nay</figcaption></figure>"
    )
    body = extract_article(page(f"<p>{P1}</p><p>{P2}</p>{table}<p>{P3}</p>"), URL)["body"]
    assert body == [P1, P2, "Tỉnh | Nhiệt độ", "Lào Cai | 4 độ C", "Nhiệt độ thấp nhất sáng nay", P3]


def test_a_row_of_links_is_navigation_not_a_sentence():
    row = '<div class="legal"><a href="/p">Chính sách bảo mật</a> <a href="/c">Cookie</a> <a href="/t">Điều khoản</a></div>'
    html = page(f"<p>{P1}</p><p>{P2}</p>{row}<p>{P3}</p>")
    assert extract_article(html, URL)["body"] == [P1, P2, P3]


@pytest.mark.parametrize(
    "line",
    [
        "Buy now from one of our trusted retail partners:",
        "This article is exclusive to STAT+ subscribers",
        "Last updated on 2025-12-17",
    ],
)
def test_calls_to_buy_paywall_notes_and_update_stamps_are_furniture(line):
    assert is_furniture_line(line)
