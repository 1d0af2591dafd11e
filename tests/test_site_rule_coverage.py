"""No site's rules go untested: each site module (and each version of its rules) has a recorded
page with expected fields, and extracting that page with that version gives them exactly."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from archive.schema import ARTICLE_FIELDS
from crawler.sites import catalog, site_modules
from pipelines import extract_article
from pipelines.extraction.site_rules import SiteCatalog, SiteRules
from tests.conftest import RECORDINGS, SITES
from tests.site_coverage import expected_pages, pages_of_version, untested

PLANTED = SiteRules(name="planted.example", spider="planted", domains=("planted.example",), article_url=r"/\d+\.html$")


def test_every_site_module_is_a_site_of_the_catalog():
    assert len(site_modules()) == len(catalog().sites) == len(SITES)


def test_every_site_rule_version_has_a_recorded_page_with_expected_fields():
    assert untested(catalog(), RECORDINGS) == []


def test_a_site_without_a_recording_is_reported():
    planted = SiteCatalog([*catalog().sites, (PLANTED,)])
    assert untested(planted, RECORDINGS) == ["planted.example (current)"]


def test_an_older_version_without_a_page_of_its_time_is_reported():
    current = catalog().by_name("thanhnien.vn")
    older = dataclasses.replace(current, valid_until=date(2001, 1, 1))  # before every recorded page
    planted = SiteCatalog([(older, current), *(v for v in catalog().sites if v[-1] is not current)])
    assert untested(planted, RECORDINGS) == ["thanhnien.vn (until 2001-01-01)"]


@pytest.mark.parametrize(
    ("versions", "rules"),
    [(versions, rules) for versions in catalog().sites for rules in versions],
    ids=lambda value: getattr(value, "name", None) or "",
)
def test_each_version_extracts_its_pages_exactly(versions, rules):
    folder = RECORDINGS / rules.name
    for page in pages_of_version(versions, rules, expected_pages(folder)):
        article = extract_article((folder / page["file"]).read_bytes(), page["url"], rules=rules)
        want = json.loads((folder / page["expected"]).read_text(encoding="utf-8"))
        assert {f: article.get(f) for f in ARTICLE_FIELDS if f in want} == {
            f: want[f] for f in ARTICLE_FIELDS if f in want
        }
