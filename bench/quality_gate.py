"""``python -m bench.quality_gate``: turn the development pages the generic extractor gets
right today into regression fixtures (``tests/quality/bench-gate.json``), read by
``tests/test_bench_gate.py``.

The pages (the three development sets) stay where they are (``../shared/bench``, never
copied); the fixture file holds,
per page, the fields that match the set's truth now (title, authors, published time), the
body F1 to keep (today's less a small margin) and strings of the page's furniture — its
navigation, footer and aside links — that are in neither the truth nor today's body, so a
regression that lets boilerplate back in fails. Re-run it when extraction improves.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

from bench.eval_extraction import score
from bench.eval_fundus import clean, same_time, truth_body
from bench.eval_wcxb import folded, page_score
from bench.eval_wcxb import pages as wcxb_pages

GATE = Path(__file__).resolve().parent.parent / "tests" / "quality" / "bench-gate.json"
MARGIN = 0.03
"""Body F1 may move by this much before the gate fails (small rule changes shift a page a little)."""
MIN_F1 = 0.9
"""Pages below this are not right today: they are the benchmark's to improve, not a fixture."""
FORBIDDEN_PER_PAGE = 3
_FURNITURE_TAGS = ("nav", "footer", "aside")


def development_pages(article_extraction: Path, fundus: Path, wcxb: Path | None = None) -> list[dict]:
    """Every development page as ``{set, id, url, html, truth}`` (``truth`` in Fundus's shape or a
    body; WCXB's pages with their ``without`` snippets)."""
    pages = []
    if wcxb is not None and (wcxb / "ground-truth").is_dir():
        for key, page in wcxb_pages(wcxb).items():
            truth = page["truth"]
            pages.append(
                {
                    "set": "wcxb",
                    "id": key,
                    "url": page["url"],
                    "html": page["html"].encode("utf-8"),
                    "body": truth["main_content"],
                    "without": truth.get("without") or [],
                }
            )
    truth = json.loads((article_extraction / "ground-truth.json").read_text(encoding="utf-8"))
    for key, value in truth.items():
        html = gzip.decompress((article_extraction / "html" / f"{key}.html.gz").read_bytes())
        pages.append(
            {"set": "article-extraction", "id": key, "url": value["url"], "html": html, "body": value["articleBody"]}
        )
    manifest = json.loads((fundus / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["pages"]:
        if entry["latest"]:
            html = gzip.decompress((fundus / entry["html"]).read_bytes())
            expected = entry["expected"]
            pages.append(
                {
                    "set": "fundus",
                    "id": entry["id"],
                    "url": entry["url"],
                    "html": html,
                    "expected": expected,
                    "body": clean(truth_body(expected)),
                }
            )
    return pages


def body_f1(article: dict, truth: str, with_lead: bool, words: bool = False) -> float:
    """The body's F1 against the truth: by 4-word shingles, or by bags of words (``words``: WCXB's metric)."""
    text = "\n".join([*([article["lead"]] if with_lead and article["lead"] else []), *article["body"]])
    if words:
        return page_score(text, truth)[2]
    return score({"p": clean(text)}, {"p": truth})["f1"]


def fixture(page: dict) -> dict | None:
    """The page's gate entry, or None when the extractor is not right on it today."""
    from pipelines import extract_article

    article = extract_article(page["html"], page["url"], {"Content-Type": "text/html; charset=utf-8"})
    fundus, wcxb = page["set"] == "fundus", page["set"] == "wcxb"
    f1 = body_f1(article, page["body"], with_lead=fundus or wcxb, words=wcxb)
    if f1 < MIN_F1:
        return None
    entry = {"set": page["set"], "id": page["id"], "body_min_f1": round(f1 - MARGIN, 3)}
    if fundus:
        want = page["expected"]
        if clean(article["title"]) == clean(want.get("title")):
            entry["title"] = article["title"]
        if {clean(a).casefold() for a in article["authors"]} == {
            clean(a).casefold() for a in want.get("authors") or []
        }:
            entry["authors"] = article["authors"]
        if same_time(article["published_at"], (want.get("publishing_date") or "").replace(" ", "T") or None):
            entry["published_at"] = article["published_at"]
    entry["forbidden"] = forbidden_strings(page["html"], page["body"], article)
    if wcxb:  # and the benchmark's own boilerplate snippets; compared as WCXB does, case and spaces folded
        ours = folded(" ".join([article["lead"] or "", *article["body"]]))
        snippets = entry["forbidden"] + page["without"][: 2 * FORBIDDEN_PER_PAGE]
        entry["forbidden"] = [s for s in snippets if folded(s) not in ours]
    return entry


def forbidden_strings(html: bytes, truth: str, article: dict) -> list[str]:
    """Link texts of the page's navigation, footer and asides that the article must not contain."""
    from pipelines.extraction.dom import element_text, parse_html

    ours = clean(" ".join([article["title"] or "", article["lead"] or "", *article["body"]]))
    found: list[str] = []
    for block in parse_html(html.decode("utf-8", "replace")).iter(*_FURNITURE_TAGS):
        for link in block.iter("a"):
            text = clean(element_text(link))
            if 15 <= len(text) <= 80 and text not in truth and text not in ours and text not in found:
                found.append(text)
                if len(found) == FORBIDDEN_PER_PAGE:
                    return found
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("EVAL_DATA", "../shared/bench/article-extraction"))
    parser.add_argument("--fundus", default=os.environ.get("EVAL_FUNDUS", "../shared/bench/fundus"))
    parser.add_argument("--wcxb", default=os.environ.get("EVAL_WCXB", "../shared/bench/wcxb"))
    args = parser.parse_args()
    pages = development_pages(Path(args.data), Path(args.fundus), Path(args.wcxb))
    entries = [e for p in pages if (e := fixture(p))]
    GATE.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(entries)} pages in {GATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
