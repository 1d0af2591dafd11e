"""Full-text search: the folding of Vietnamese text (pure), and the index the store keeps in
step, searched on SQLite (FTS5) and PostgreSQL (text search) alike."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from archive import search as search_module
from archive.keys import fingerprint
from archive.models import ArticleVersion, Site
from archive.search import Filters, search
from archive.search_text import fold, has_diacritics, hits, parse_query, snippet
from archive.store import Archive
from tests.test_archive_store import fetched

MA = ("ma", "má", "mà", "mả", "mã", "mạ")
"""Six different Vietnamese words (ghost, mother, but, grave, horse, rice seedling)."""


# -- folding (pure) ------------------------------------------------------------------------
def test_folding_drops_diacritics_and_folds_d_with_stroke():
    assert fold("Đà Nẵng, ĐỒNG NAI và đường") == "da nang, dong nai va duong"


def test_folding_keeps_every_character_in_its_place():
    for text in ("Thượng đỉnh", "Ngoại trưởng Mỹ", "한국어 뉴스", "İstanbul", "naïve café", "ﬁnance 🙂"):
        assert len(fold(text)) == len(unicodedata.normalize("NFC", text))


def test_folding_leaves_scripts_without_diacritics_as_they_are():
    assert fold("한국어 뉴스 東京") == "한국어 뉴스 東京"


def test_text_in_decomposed_form_folds_like_the_composed_one():
    assert fold(unicodedata.normalize("NFD", "Đà Nẵng")) == fold("Đà Nẵng")


def test_a_query_has_diacritics_only_when_written_with_marks():
    assert not has_diacritics("Da Nang")
    assert has_diacritics("Đà Nẵng") and has_diacritics("đ")


def test_query_operators_and_punctuation_are_words_not_syntax():
    assert parse_query('C++ OR NEAR(x) "phá băng" -"').phrases == (("C",), ("OR",), ("NEAR", "x"), ("phá", "băng"))


def test_hits_are_found_in_the_fold_at_the_original_positions():
    text = "Hội nghị Thượng đỉnh ở Đà Nẵng"
    assert [text[a:b] for a, b in hits(text, {"da", "nang"})] == ["Đà", "Nẵng"]


def test_the_snippet_is_the_window_with_the_most_query_words():
    text = "định " * 80 + "thượng đỉnh Biden " + "x " * 80
    parts = snippet(text, {"thuong", "dinh", "biden"})
    assert ("thượng", True) in parts and ("Biden", True) in parts


def test_a_snippet_without_hits_is_the_start_of_the_text():
    assert snippet("a" * 500, {"zzz"}, width=10) == [("a" * 10 + "…", False)]


# -- the index, on each database -----------------------------------------------------------
class Archived:
    """An archive filled with articles whose titles and bodies a test chooses."""

    def __init__(self, url: str, tmp_path):
        self.archive = Archive(url)
        self.tmp_path = tmp_path
        self.count = 0

    def add(self, title: str, body: list[str], site: str = "thanhnien.vn", **fields) -> None:
        self.count += 1
        url = f"https://{site}/bai-{self.count}-{1851335000 + self.count}.htm"
        item = fetched("thanhnien.vn", self.tmp_path)
        item |= {
            "site": site,
            "url": url,
            "final_url": url,
            "canonical_url": url,
            "article_key": f"{site}:{self.count}",
        }
        item |= {"title": title, "body": body, "fingerprint": fingerprint(title, body), "minhash": None, **fields}
        self.archive.save(item)

    def titles(self, text: str, **filters) -> list[str]:
        with self.archive.Session() as session:
            if "site" in filters:
                filters["site_id"] = session.query(Site.id).filter(Site.name == filters.pop("site")).scalar()
            found, _total = search(session, parse_query(text), Filters(**filters), 0, 50)
            return [session.get(ArticleVersion, h.version_id).title for h in found]


@pytest.fixture
def archived(database_url, tmp_path) -> Archived:
    return Archived(database_url, tmp_path)


def test_a_query_without_diacritics_finds_text_with_them(archived):
    archived.add("Bão số 5 đổ bộ Đà Nẵng", ["Mưa lớn ở miền Trung."])
    archived.add("Giá vàng hôm nay", ["Vàng tăng giá."])
    assert archived.titles("da nang") == ["Bão số 5 đổ bộ Đà Nẵng"]


def test_a_query_with_diacritics_ranks_its_exact_word_first(archived):
    for word in MA:
        archived.add(f"Chuyện {word}", [f"Một bài về chữ {word} trong tiếng Việt."])
    for word in MA:
        found = archived.titles(word)
        assert found[0] == f"Chuyện {word}"
        assert sorted(found) == sorted(f"Chuyện {w}" for w in MA)  # the other spellings follow


def test_the_title_ranks_above_the_body(archived):
    archived.add("Tin thể thao", ["Đội tuyển Việt Nam thắng ở Hà Nội."])
    archived.add("Hà Nội mưa lớn", ["Ngập nhiều tuyến phố."])
    assert archived.titles("ha noi") == ["Hà Nội mưa lớn", "Tin thể thao"]


def test_a_text_that_holds_the_words_more_often_ranks_first(archived):
    archived.add("Tin sáng", ["Giá xăng hôm nay.", "Thời tiết."])
    archived.add("Tin chiều", ["Giá xăng tăng.", "Giá xăng còn tăng nữa.", "Xăng dầu."])
    assert archived.titles("xang") == ["Tin chiều", "Tin sáng"]


def test_of_two_texts_holding_the_words_as_often_the_shorter_ranks_first(archived):
    archived.add("Tin dài", ["Giá xăng hôm nay.", "Thời tiết hôm nay nắng nóng ở nhiều nơi trên cả nước. " * 20])
    archived.add("Tin ngắn", ["Giá xăng hôm nay."])
    assert archived.titles("xang") == ["Tin ngắn", "Tin dài"]


def test_a_phrase_matches_only_its_words_in_order(archived):
    archived.add("Thượng đỉnh G7", ["Hội nghị thượng đỉnh diễn ra."])
    archived.add("Đỉnh núi", ["Thượng nguồn sông và đỉnh núi."])
    assert archived.titles('"thuong dinh"') == ["Thượng đỉnh G7"]


def test_a_new_version_replaces_the_old_text_in_the_index(archived):
    archived.add("Bản tin sáng", ["Nội dung cũ."])
    item_title = "Bản tin sáng"
    archived.count -= 1  # the same article again, edited
    archived.add(item_title, ["Nội dung mới về Huế."])
    assert archived.titles("hue") == [item_title]
    assert archived.titles("noi dung cu") == []


def test_a_word_most_articles_hold_ranks_only_its_newest_matches(archived, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_RANKED", 3)
    for n in range(5):
        archived.add(f"Bão số {n}", ["Tin bão."])
    assert sorted(archived.titles("bao")) == ["Bão số 2", "Bão số 3", "Bão số 4"]


def test_the_newest_matches_are_taken_after_the_filters(archived, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_RANKED", 2)
    archived.add("Bão ở Huế", ["Tin bão."], site="kinhtedothi.vn")
    for n in range(3):
        archived.add(f"Bão số {n}", ["Tin bão."])
    assert archived.titles("bao", site="kinhtedothi.vn") == ["Bão ở Huế"]


def test_matches_are_counted_up_to_a_bound(archived, monkeypatch):
    monkeypatch.setattr(search_module, "MAX_COUNTED", 2)
    for n in range(4):
        archived.add(f"Bão số {n}", ["Tin bão."])
    with archived.archive.Session() as session:
        assert search(session, parse_query("bao"), Filters(), 0, 10)[1] == 3  # more than 2
        assert search(session, parse_query("so 1"), Filters(), 0, 10)[1] == 1


def test_search_filters_combine_with_the_words(archived):
    archived.add("Bão ở Huế", ["Tin bão."], section="Thời sự", published_at="2026-10-01T08:00:00+07:00")
    archived.add("Bão ở Đà Nẵng", ["Tin bão."], section="Thế giới", published_at="2026-11-20T08:00:00+07:00")
    archived.add("Bão ở Quảng Nam", ["Tin bão."], site="kinhtedothi.vn", published_at="2026-11-21T08:00:00+07:00")
    assert archived.titles("bao", section="Thời sự") == ["Bão ở Huế"]
    assert sorted(archived.titles("bao", since=date(2026, 11, 1))) == ["Bão ở Quảng Nam", "Bão ở Đà Nẵng"]
    assert archived.titles("bao", until=date(2026, 10, 31)) == ["Bão ở Huế"]
    assert archived.titles("bao", site="kinhtedothi.vn") == ["Bão ở Quảng Nam"]


def test_filters_many_articles_pass_give_the_same_matches_walked_newest_first(archived, monkeypatch):
    """Past ``FEW_PASS`` articles through the filters, SQLite walks the full-text matches newest
    first instead of probing each filtered article: the answer is the same."""
    monkeypatch.setattr(search_module, "FEW_PASS", 0)
    monkeypatch.setattr(search_module, "MAX_RANKED", 2)
    archived.add("Bão ở Huế", ["Tin bão."], section="Thời sự", published_at="2026-10-01T08:00:00+07:00")
    archived.add("Bão ở Đà Nẵng", ["Tin bão."], section="Thế giới", published_at="2026-11-20T08:00:00+07:00")
    archived.add("Bão ở Quảng Nam", ["Tin bão."], site="kinhtedothi.vn", published_at="2026-11-21T08:00:00+07:00")
    archived.add("Nắng ở Huế", ["Tin nắng."], section="Thời sự", published_at="2026-10-02T08:00:00+07:00")
    for n in range(3):
        archived.add(f"Bão số {n}", ["Tin bão."], section="Thế giới")
    assert archived.titles("bao", section="Thời sự") == ["Bão ở Huế"]
    assert archived.titles("bao", site="kinhtedothi.vn") == ["Bão ở Quảng Nam"]
    assert sorted(archived.titles("bao", section="Thế giới")) == ["Bão số 1", "Bão số 2"]  # the newest two


def test_the_author_filter_matches_names_without_diacritics_and_takes_wildcards_literally(archived):
    archived.add("Bài một", ["Nội dung."], authors=["Bảo Vinh"])
    archived.add("Bài hai", ["Nội dung."], authors=["Ngọc Mai"])
    assert archived.titles("", author="bao vinh") == ["Bài một"]
    assert archived.titles("", author="%") == []


def test_hostile_query_syntax_is_searched_as_words(archived):
    archived.add("Tin C++ và NEAR", ["Lập trình."])
    assert archived.titles('C++ NEAR "') == ["Tin C++ và NEAR"]
    assert archived.titles('") OR title:*') == []


def test_migration_0010_indexes_the_articles_archived_before_it(database_url, tmp_path):
    from archive.database import create_db_engine, migrate, upgrade

    archived = Archived(database_url, tmp_path)
    archived.add("Bão số 5 đổ bộ Đà Nẵng", ["Mưa lớn ở miền Trung."], authors=["Bảo Vinh"])
    engine = create_db_engine(database_url)
    migrate(engine, "0009", "downgrade")  # an archive from before the search index
    upgrade(engine)
    engine.dispose()
    assert archived.titles("da nang", author="bao vinh") == ["Bão số 5 đổ bộ Đà Nẵng"]


def test_the_sections_are_listed_once_each_in_order_for_the_archive_or_a_site(archived):
    from archive.browser.reading import sections

    for site, section in [("a.vn", "Thời sự"), ("a.vn", "Kinh tế"), ("b.vn", "Thời sự"), ("a.vn", "Thời sự")]:
        archived.add(f"Tin {section}", ["Nội dung."], site=site, section=section)
    archived.add("Không mục", ["Nội dung."], site="b.vn", section=None)
    with archived.archive.Session() as session:
        site_b = session.query(Site.id).filter(Site.name == "b.vn").scalar()
        assert sections(session, None) == ["Kinh tế", "Thời sự"]
        assert sections(session, site_b) == ["Thời sự"]
