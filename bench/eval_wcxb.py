"""The WCXB article pages (``../shared/bench/wcxb``, ~700 sites: news, blogs, guides, reviews) for
``make eval``, with the benchmark's own metric (its README): word-bag F1 per page, averaged over
pages (``\\w+`` tokens of the lower-cased text, overlap counted as a multiset); the share of
``with`` snippets found and of ``without`` snippets present; and the pages lost (recall under
0.5). Ours is scored on the article's lead and body, subheadings included, as the reference has
them.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.timing import interleaved

_TOKEN = re.compile(r"\w+")
LOST_RECALL = 0.5
"""A page whose recall is under this has lost its article."""


def tokens(text: str) -> Counter:
    return Counter(_TOKEN.findall((text or "").lower()))


def page_score(predicted: str, truth: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of one page's text against its reference."""
    p, t = tokens(predicted), tokens(truth)
    overlap = sum((p & t).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(t.values()) if t else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def folded(text: str) -> str:
    return " ".join((text or "").lower().split())


def snippet_share(text: str, snippets: list[str]) -> float | None:
    """The share of ``snippets`` that ``text`` holds (white space and case folded); None without any."""
    if not snippets:
        return None
    haystack = folded(text)
    return sum(folded(s) in haystack for s in snippets) / len(snippets)


def pages(data: Path) -> dict[str, dict]:
    """The pages with a reference text (two of the set have none: nothing to score them on)."""
    found = {}
    for path in sorted((data / "ground-truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        if not (truth["ground_truth"].get("main_content") or "").strip():
            continue
        html = gzip.decompress((data / "html" / f"{path.stem}.html.gz").read_bytes()).decode("utf-8", "replace")
        found[path.stem] = {"url": truth["url"], "html": html, "truth": truth["ground_truth"]}
    return found


def ours(html: str, url: str) -> dict:
    """Our text (lead and body) and headline."""
    from pipelines import extract_article

    article = extract_article(html, url)
    return {
        "text": "\n".join([*([article["lead"]] if article["lead"] else []), *article["body"]]),
        "title": article["title"],
    }


_QUOTES = str.maketrans("‘’“”", "''\"\"")


def same_title(predicted: str | None, truth: str) -> bool:
    """Headlines compared as read: NFC, white space, case (a CSS ``text-transform``) and curly
    quotes folded (the reference texts straighten them)."""
    return folded_title(predicted) == folded_title(truth)


def folded_title(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").translate(_QUOTES).casefold().split())


def run(data: Path, extractors: dict[str, Callable[[str, str], str]]) -> dict[str, dict]:
    """Per extractor: mean precision, recall and F1, ``with`` found, ``without`` present, the pages
    lost (recall < 0.5, with their recall) and the median ms/page."""
    found = pages(data)
    extractors = {"newsarchive": ours, **{k: v for k, v in extractors.items() if k != "newsarchive"}}
    results, times = interleaved(
        list(found), list(extractors), lambda name, key: extractors[name](found[key]["html"], found[key]["url"])
    )
    titled = {k: p["truth"]["title"] for k, p in found.items() if p["truth"].get("title")}
    titles = [
        same_title(results["newsarchive"][k]["title"], t) for k, t in titled.items() if results["newsarchive"].get(k)
    ]
    results["newsarchive"] = {k: r["text"] for k, r in results["newsarchive"].items() if r is not None}
    scores = {}
    for name in extractors:
        per_page = {k: page_score(results[name].get(k) or "", p["truth"]["main_content"]) for k, p in found.items()}
        with_found = [snippet_share(results[name].get(k) or "", p["truth"].get("with") or []) for k, p in found.items()]
        without = [snippet_share(results[name].get(k) or "", p["truth"].get("without") or []) for k, p in found.items()]
        scores[name] = {
            "precision": statistics.fmean(s[0] for s in per_page.values()),
            "recall": statistics.fmean(s[1] for s in per_page.values()),
            "f1": statistics.fmean(s[2] for s in per_page.values()),
            "with": statistics.fmean(s for s in with_found if s is not None),
            "without": statistics.fmean(s for s in without if s is not None),
            "lost": {k: round(s[1], 3) for k, s in per_page.items() if s[1] < LOST_RECALL},
            "f1_by_page": {k: s[2] for k, s in per_page.items()},
            "ms_median": statistics.median(times[name]),
        }
    scores["newsarchive"]["title"] = statistics.fmean(titles) if titles else 0.0
    scores["newsarchive"]["titled_pages"] = len(titled)
    return scores


def targets(scores: dict) -> dict[str, bool]:
    """The extraction issue's targets on the WCXB development articles."""
    ours = scores["newsarchive"]
    checks = {
        "word F1 >= 0.95": ours["f1"] >= 0.95,
        "<= 8 pages lost": len(ours["lost"]) <= 8,
        "without present <= 3.5 %": ours["without"] <= 0.035,
    }
    if "trafilatura" in scores:
        checks["median time <= trafilatura's"] = ours["ms_median"] <= scores["trafilatura"]["ms_median"]
    return checks
