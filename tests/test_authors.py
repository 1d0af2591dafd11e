"""Authors: people only, one per entry, from whatever the page offers."""

import pytest

from pipelines import extract_article
from pipelines.extraction.authors import edge_byline, is_person, is_prefixed_byline, people, split_names

PUBLISHERS = ["Der Postillon", "der-postillon.com", "der-postillon"]


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Anna Martel und Lea Wagner", ["Anna Martel", "Lea Wagner"]),
        ("Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("Minh Hà và Bảo Vinh", ["Minh Hà", "Bảo Vinh"]),
        ("Jane Doe, John Roe", ["Jane Doe", "John Roe"]),
        ("Mathatisi Sebusi/Mohalenyane Phakela", ["Mathatisi Sebusi", "Mohalenyane Phakela"]),
    ],
)
def test_joined_names_are_split(byline, names):
    assert split_names(byline) == names


@pytest.mark.parametrize(
    ("byline", "name"),
    [
        ("Von: Simone Jung", "Simone Jung"),
        ("von Jemima Kelly", "Jemima Kelly"),
        ("By Jeff Foust", "Jeff Foust"),
        ("Theo Minh Anh", "Minh Anh"),
        ("Bảo Vinh (thực hiện)", "Bảo Vinh"),
        ("Elena Oberholzer (obe)", "Elena Oberholzer"),
        ("Autor: Jan Nowak", "Jan Nowak"),
    ],
)
def test_prefixes_and_role_words_are_stripped(byline, name):
    assert split_names(byline) == [name]


def test_theo_before_a_single_word_is_a_first_name():
    assert split_names("Theo Walcott") == ["Theo Walcott"]


@pytest.mark.parametrize(
    "value", ["12345", "jane-doe", "news@example.org", "Nikkei Inc.", "Der Postillon", "www.example.org/jane"]
)
def test_ids_slugs_emails_organisations_and_the_publisher_are_not_people(value):
    assert not is_person(value, [*PUBLISHERS, "nikkei"])


def test_a_profile_url_names_nobody():
    assert people(["https://www.facebook.com/mainichishimbun/"], []) == []


def test_publisher_name_followed_by_more_words_is_the_publisher():
    assert people(["n-tv NACHRICHTEN"], ["ntv.de", "n-tv"]) == []


def test_names_in_capitals_are_stored_in_name_case():
    assert people(["BẢO VINH"], []) == ["Bảo Vinh"]


def test_an_opening_by_line_is_a_byline():
    assert edge_byline("By Jane Doe and John Roe", []) == ["Jane Doe", "John Roe"]


def test_a_sentence_at_the_edge_is_not_a_byline():
    assert edge_byline("The minister and the mayor met on Friday.", []) == []


def test_a_capitalised_subheading_is_not_a_byline():
    assert edge_byline("Prime Minister Responds", []) == []


PARAGRAPHS = "".join(
    f"<p>{text}</p>"
    for text in (
        "The council voted on Tuesday to extend the tram line to the northern districts by 2030.",
        "Residents had asked for the extension for more than a decade, citing long bus journeys.",
        "Construction is expected to begin next spring once the final funding has been approved.",
    )
)


def page(head: str, body: str) -> str:
    return f"""<html lang="en"><head><title>Tram line extended</title>
    <meta property="og:site_name" content="Northern Courier">{head}</head><body>
    <article><h1>Tram line extended</h1>{body}</article></body></html>"""


def test_json_ld_author_that_is_the_publisher_falls_through_to_the_printed_byline():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Tram line extended",'
        ' "author": {"@type": "Organization", "name": "Northern Courier"}}</script>'
    )
    html = page(head, f'<p class="story-authors">Von: <a href="/a/jane">Jane Doe</a></p>{PARAGRAPHS}')
    assert extract_article(html, "https://courier.example/tram")["authors"] == ["Jane Doe"]


def test_news_agency_credited_in_json_ld_is_an_author():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Tram line extended",'
        ' "author": [{"@type": "Organization", "name": "Deutsche Presse-Agentur"}, {"@type": "Person",'
        ' "name": "Jane Doe"}]}</script>'
    )
    html = page(head, PARAGRAPHS)
    assert extract_article(html, "https://courier.example/tram")["authors"] == ["Deutsche Presse-Agentur", "Jane Doe"]


def test_byline_printed_as_the_first_body_line_moves_to_authors():
    html = page("", f"<div class='text'><p>By Jane Doe and John Roe</p>{PARAGRAPHS}</div>")
    article = extract_article(html, "https://courier.example/tram")
    assert article["authors"] == ["Jane Doe", "John Roe"]
    assert not any("Jane Doe" in p for p in article["body"])


def test_follow_buttons_and_image_credits_are_not_bylines():
    html = page(
        "",
        '<div class="bildautor">Foto: APA/KEYSTONE</div><button class="followauthorbtn">Folgen</button>'
        f"<div class='text'>{PARAGRAPHS}</div>",
    )
    assert extract_article(html, "https://courier.example/tram")["authors"] == []


def test_a_name_in_capitals_closing_the_body_is_a_byline():
    assert edge_byline("BẢO VINH", [], closing=True) == ["Bảo Vinh"]


def test_capitals_opening_the_body_are_a_subheading_not_a_byline():
    assert edge_byline("İZMİR BORNOVA'DA YANGIN", []) == []


def test_a_byline_word_before_names_is_a_byline_line():
    assert is_prefixed_byline("Von t-online, jse")
    assert not is_prefixed_byline("By the end of the year the line will reach the airport.")


def test_a_byline_with_its_date_after_a_dash_is_a_byline_line():
    assert is_prefixed_byline("By Jeff Foust — November 18, 2019")


def test_a_sentence_opening_with_by_is_not_a_byline_line():
    assert not is_prefixed_byline("By the end of the year")


def test_a_byline_followed_by_its_date_is_a_byline_line():
    assert is_prefixed_byline("di Teresa Fallavollita 20 Novembre 2024")
