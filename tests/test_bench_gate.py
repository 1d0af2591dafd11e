"""Quality gate on the development benchmarks' pages (``../shared/bench``, read in place):
the pages the generic extractor gets right today (``tests/quality/bench-gate.json``, built by
``python -m bench.quality_gate``) keep their body, their fields, and none of their furniture.
A regression in generic extraction fails here, not only in ``make eval``."""

import functools
import json
import os
from pathlib import Path

import pytest

from bench.eval_fundus import clean
from bench.quality_gate import body_f1, development_pages

ROOT = Path(__file__).resolve().parent.parent
GATE = json.loads((ROOT / "tests" / "quality" / "bench-gate.json").read_text(encoding="utf-8"))
BENCH = Path(os.environ.get("BENCH_DIR", ROOT.parent / "shared" / "bench"))
pytestmark = pytest.mark.skipif(not (BENCH / "fundus" / "manifest.json").exists(), reason=f"no benchmark at {BENCH}")
SETS = ("article-extraction", "fundus")
"""The news sets; the WCXB pages have a file of their own (``test_bench_gate_wcxb``): the test
workers take a file each, and both together would hold up the end of the suite."""
IDS = [f"{e['set']}:{e['id']}" for e in GATE if e["set"] in SETS]
CASES = list(zip([e for e in GATE if e["set"] in SETS], IDS, strict=True))


@functools.cache
def _pages() -> dict:
    return {f"{p['set']}:{p['id']}": p for p in development_pages(BENCH / "article-extraction", BENCH / "fundus")}


@functools.cache
def _extracted(key: str) -> dict:
    from pipelines import extract_article

    page = _pages()[key]
    return extract_article(page["html"], page["url"], {"Content-Type": "text/html; charset=utf-8"})


@pytest.mark.parametrize(("entry", "key"), CASES, ids=IDS)
def test_development_page_keeps_its_body(entry, key):
    article = _extracted(key)
    assert body_f1(article, _pages()[key]["body"], with_lead=entry["set"] == "fundus") >= entry["body_min_f1"]


@pytest.mark.parametrize(("entry", "key"), CASES, ids=IDS)
def test_development_page_keeps_its_fields(entry, key):
    article = _extracted(key)
    fields = [f for f in ("title", "authors", "published_at") if f in entry]
    assert {f: article[f] for f in fields} == {f: entry[f] for f in fields}


@pytest.mark.parametrize(("entry", "key"), CASES, ids=IDS)
def test_development_page_keeps_none_of_its_furniture(entry, key):
    article = _extracted(key)
    text = clean(" ".join([article["title"] or "", article["lead"] or "", *article["body"]]))
    assert [s for s in entry["forbidden"] if s in text] == []
