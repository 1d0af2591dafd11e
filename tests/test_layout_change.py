"""A layout change is not an edit: when the site's rules stop reading an article's body (the
generic extractor takes over) and the text reads differently, the version is kept as an
``extraction`` change, apart from the story's edits."""

from sqlalchemy import select

from archive.models import ArticleVersion
from archive.store import Archive
from archive.versions import change_class
from tests.test_archive_store import edit_first_paragraph, fetched

OLD = {"title": "Mưa lớn", "lead": "", "body": ["Hà Nội mưa lớn từ sáng.", "Nhiều tuyến phố ngập."]}
NEW = dict(OLD, body=["Hà Nội mưa lớn từ sáng.", "Nhiều tuyến phố ngập.", "Đọc thêm: dự báo thời tiết"])
RULES, GENERIC = {"body": "rules", "title": "rules"}, {"body": "generic", "title": "html:h1"}


def test_text_read_differently_once_the_rules_stop_matching_is_an_extraction_change():
    assert change_class(OLD, NEW, 30, RULES, GENERIC) == "extraction"


def test_rules_that_start_reading_a_page_again_are_an_extraction_change_too():
    assert change_class(OLD, NEW, 30, GENERIC, RULES) == "extraction"


def test_an_edit_read_the_same_way_is_an_edit():
    assert change_class(OLD, NEW, 30, RULES, RULES) == "minor"


def test_without_the_earlier_provenance_the_change_is_classed_by_its_size():
    assert change_class(OLD, NEW, 30, None, GENERIC) == "minor"


def test_the_archive_keeps_the_new_reading_as_an_extraction_change(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path)
    archive.save(first)
    generic = fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph)
    generic["provenance"] = dict(generic["provenance"], body="generic")
    assert archive.save(generic).outcome == "updated"
    with archive.Session() as s:
        classes = s.scalars(select(ArticleVersion.change_class).order_by(ArticleVersion.number)).all()
    assert classes == [None, "extraction"]
