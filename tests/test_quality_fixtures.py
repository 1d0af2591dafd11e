"""Quality gate on the project's own pages of sites without rules (tests/quality/): the
expected fields come out and none of the page's boilerplate does. A regression fails here."""

import json
from pathlib import Path

import pytest

from pipelines import extract_article

QUALITY = Path(__file__).with_name("quality")
PAGES = sorted(p.name.removesuffix(".html") for p in QUALITY.glob("*.html"))


def _case(name: str) -> tuple[dict, dict]:
    want = json.loads((QUALITY / f"{name}.expected.json").read_text(encoding="utf-8"))
    return extract_article((QUALITY / f"{name}.html").read_bytes(), want["url"]), want


@pytest.mark.parametrize("name", PAGES)
def test_page_without_rules_gives_the_expected_fields(name):
    got, want = _case(name)
    fields = [k for k in want if k not in ("url", "forbidden")]
    assert {k: got[k] for k in fields} == {k: want[k] for k in fields}


@pytest.mark.parametrize("name", PAGES)
def test_page_without_rules_keeps_no_boilerplate(name):
    got, want = _case(name)
    text = json.dumps([got["title"], got["lead"], got["body"], got["authors"], got["tags"]], ensure_ascii=False)
    assert [s for s in want["forbidden"] if s in text] == []
