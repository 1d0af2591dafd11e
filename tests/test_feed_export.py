"""``scrapy crawl <site> -O articles.<format>``: one clean article per archived page, the schema's
fields and nothing of the pipelines' working state, in every feed format (one real replayed
crawl writing all four)."""

import csv
import json
import xml.etree.ElementTree as ET

import pytest

from archive.schema import EXPORT_FIELDS
from tests.conftest import expected, run_crawl

FORMATS = ("jsonl", "json", "csv", "xml")


@pytest.fixture(scope="module")
def exported(tmp_path_factory, recordings_warc):
    folder = tmp_path_factory.mktemp("export")
    outputs = [a for f in FORMATS for a in ("-O", str(folder / f"articles.{f}"))]
    done = run_crawl(folder, "thanhnien", *outputs, settings={"REPLAY_FROM": recordings_warc})
    assert done.returncode == 0, done.stderr
    return {f: (folder / f"articles.{f}").read_text(encoding="utf-8") for f in FORMATS}


def test_json_lines_hold_one_clean_article_per_archived_page(exported):
    (article,) = [json.loads(line) for line in exported["jsonl"].splitlines()]
    want = expected("thanhnien.vn")
    assert {f: article[f] for f in ("title", "lead", "body", "authors", "tags")} == {
        f: want[f] for f in ("title", "lead", "body", "authors", "tags")
    }


def test_exported_fields_are_the_schema_s_and_none_of_the_working_state(exported):
    (article,) = [json.loads(line) for line in exported["jsonl"].splitlines()]
    assert list(article) == list(EXPORT_FIELDS)
    assert not {"page", "minhash", "response_headers", "decision", "hops"} & set(article)


def test_the_exported_warc_reference_and_fetch_time_are_plain_values(exported):
    (article,) = [json.loads(line) for line in exported["jsonl"].splitlines()]
    assert article["snapshot"]["record_type"] == "response" and article["snapshot"]["length"] > 0
    assert article["fetched_at"].endswith(("+00:00", "Z"))


def test_a_json_feed_is_a_list_of_the_same_articles(exported):
    assert json.loads(exported["json"]) == [json.loads(line) for line in exported["jsonl"].splitlines()]


def test_a_csv_feed_keeps_the_body_as_paragraphs_and_lists_as_json(exported):
    (row,) = list(csv.DictReader(exported["csv"].splitlines(keepends=True)))
    want = expected("thanhnien.vn")
    assert row["body"].split("\n\n") == want["body"]
    assert json.loads(row["authors"]) == want["authors"]
    assert json.loads(row["snapshot"])["record_type"] == "response"


def test_an_xml_feed_nests_lists_and_the_warc_reference(exported):
    (item,) = ET.fromstring(exported["xml"]).findall("item")
    assert [p.text for p in item.find("body")] == expected("thanhnien.vn")["body"]
    assert item.find("snapshot/record_type").text == "response"
