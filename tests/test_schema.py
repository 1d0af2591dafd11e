"""The article is declared once (``archive.schema``); everything else derives from it."""

import dataclasses

from archive.keys import DIGEST_FIELDS
from archive.schema import ARTICLE_FIELDS, EXPORT_FIELDS, VERSIONED_FIELDS, Article, csv_cell
from archive.warc import RecordRef
from pipelines.items import PageItem


def test_the_fields_a_version_keeps_are_the_frozen_digest_fields():
    """A field added to the schema as versioned changes every content digest: it needs a migration."""
    assert VERSIONED_FIELDS == DIGEST_FIELDS


def test_the_page_item_is_the_article_with_the_fetch_s_working_state():
    item_fields = [f.name for f in dataclasses.fields(PageItem)]
    assert item_fields[: len(ARTICLE_FIELDS)] == list(ARTICLE_FIELDS)
    assert {"page", "minhash", "decision", "response_headers"} <= set(item_fields) - set(EXPORT_FIELDS)


def test_lists_default_to_empty_and_the_rest_to_none():
    article = Article()
    assert (article.body, article.tags, article.title, article.snapshot) == ([], [], None, None)


def test_a_csv_cell_keeps_paragraphs_apart_and_lists_as_json():
    assert csv_cell("body", ["Đoạn một.", "Đoạn hai."]) == "Đoạn một.\n\nĐoạn hai."
    assert csv_cell("authors", ["Bảo Vinh"]) == '["Bảo Vinh"]'


def test_an_exported_warc_reference_is_a_mapping():
    (snapshot,) = [f for f in dataclasses.fields(Article) if f.name == "snapshot"]
    ref = RecordRef("a.warc.gz", 10, 20, "sha1:X", "<urn:uuid:1>")
    assert snapshot.metadata["serializer"](ref) == dataclasses.asdict(ref)
