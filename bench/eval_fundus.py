"""The Fundus development pages (``../shared/bench/fundus``, latest layout per publisher) for
``make eval``: body F1 of every extractor, and title, authors, time and topics for ours and
trafilatura's, with the set's own scoring (its README): body = lead + body against summary +
paragraphs, NFC, format characters removed; title exact after NFC and white-space folding;
authors as a case-insensitive set; the publishing time to the minute (wall clock when the truth
has no offset); tags against topics as a set F1 per page.
"""

from __future__ import annotations

import gzip
import json
import statistics
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.timing import interleaved


def clean(text: str | None) -> str:
    """NFC without format characters (soft hyphen, zero-width space, …), white space folded."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())


def truth_body(expected: dict) -> str:
    body = expected.get("body") or {}
    paragraphs = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        paragraphs += section.get("paragraphs") or []
    return "\n".join(paragraphs)


def without_subheadings(body: str, expected: dict) -> str:
    """A body less the lines that are the truth's own subheadings (its ``sections[].headline``):
    what the set's convention of leaving subheadings out of the text costs an extractor that
    keeps them (README: "accepted"), shown apart, not counted."""
    heads = {clean(h) for s in (expected.get("body") or {}).get("sections") or [] for h in s.get("headline") or []}
    return clean("\n".join(line for line in (body or "").split("\n") if clean(line) not in heads))


def minute(value: str | None, as_instant: bool) -> str | None:
    """An ISO time to the minute: in UTC when ``as_instant`` and it has an offset, else its wall clock."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if as_instant and parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M")


def same_time(predicted: str | None, truth: str | None) -> bool:
    if not truth:
        return not predicted
    truth_has_offset = datetime.fromisoformat(truth.replace("Z", "+00:00")).tzinfo is not None
    return minute(predicted, truth_has_offset) == minute(truth, truth_has_offset)


def set_f1(predicted: list[str], truth: list[str]) -> float:
    p, t = {clean(x).casefold() for x in predicted if x}, {clean(x).casefold() for x in truth if x}
    if not p and not t:
        return 1.0
    if not p or not t:
        return 0.0
    common = len(p & t)
    return 2 * common / (len(p) + len(t))


def pages(data: Path) -> list[dict]:
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    return [dict(p, page=gzip.decompress((data / p["html"]).read_bytes())) for p in manifest["pages"] if p["latest"]]


def our_fields(html: bytes, url: str) -> dict:
    from pipelines import extract_article

    a = extract_article(html, url, {"Content-Type": "text/html; charset=utf-8"})
    body = "\n".join([*([a["lead"]] if a["lead"] else []), *a["body"]])
    return {"body": body, "title": a["title"], "authors": a["authors"], "date": a["published_at"], "tags": a["tags"]}


def trafilatura_fields(html: bytes, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=True)
    if doc is None:
        return {"body": "", "title": None, "authors": [], "date": None, "tags": []}
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return {"body": doc.text or "", "title": doc.title, "authors": authors, "date": doc.date, "tags": doc.tags or []}


def run(data: Path, body_extractors: dict[str, Callable[[str, str], str]], score) -> tuple[dict, dict]:
    """(body scores per extractor, metadata scores for ours and trafilatura). Each body score
    carries ``recalls``, the per-page recall, for the "no page lost" check."""
    found = pages(data)
    truths = {p["id"]: clean(truth_body(p["expected"])) for p in found}
    bodies: dict[str, dict] = {}
    meta: dict[str, dict] = {}
    fielders = {"newsarchive": our_fields, "trafilatura": trafilatura_fields}
    by_id = {p["id"]: p for p in found}

    def call(name: str, key: str):
        page = by_id[key]
        if name in fielders:
            return fielders[name](page["page"], page["url"])
        return {"body": body_extractors[name](page["page"].decode("utf-8", "replace"), page["url"])}

    results, times = interleaved(list(by_id), list(body_extractors), call)
    for name in body_extractors:
        fields = {k: v for k, v in results[name].items() if v is not None}
        predictions = {k: clean(fields[k]["body"]) if k in fields else "" for k in truths}
        recalls = {k: score({k: predictions[k]}, {k: truths[k]})["recall"] for k in truths}
        bodies[name] = score(predictions, truths) | {"ms_median": statistics.median(times[name]), "recalls": recalls}
        plain = {k: without_subheadings(fields[k]["body"], by_id[k]["expected"]) if k in fields else "" for k in truths}
        bodies[name]["f1_without_subheadings"] = score(plain, truths)["f1"]
        if name in fielders:
            meta[name] = _metadata(found, fields)
    return bodies, meta


def credits_publisher(page: dict) -> bool:
    """The expected authors name the page's own publisher (README: "some parsers return the
    publisher as the author"; a generic extractor should return no author rather than that)."""
    from pipelines.extraction.authors import names_publisher
    from pipelines.extraction.dom import parse_html
    from pipelines.extraction.metadata import jsonld_text, read_metadata
    from pipelines.extraction.urls import registered_host

    md = read_metadata(parse_html(page["page"].decode("utf-8", "replace")))
    host = registered_host(page["url"])
    publisher = md.article.get("publisher")
    names = [
        *md.all("og:site_name"),
        host,
        host.split(".")[0],
        *jsonld_text(publisher if isinstance(publisher, dict) else None),
    ]
    return any(names_publisher(a, names) for a in page["expected"].get("authors") or [])


def titled_by_h1(page: dict) -> bool:
    """The expected title is a visible ``h1`` of the page (not an SEO or social headline the
    page does not show: README, "some parsers read the SEO headline")."""
    from pipelines.extraction.dom import element_text, parse_html

    root = parse_html(page["page"].decode("utf-8", "replace"))
    return clean(page["expected"].get("title")) in {clean(element_text(h)) for h in root.iter("h1")}


def _metadata(found: list[dict], fields: dict) -> dict:
    title, authors, dates, topics, people, visible = [], [], [], [], [], []
    for p in found:
        got, want = fields.get(p["id"]) or {}, p["expected"]
        title.append(clean(got.get("title")) == clean(want.get("title")))
        authors.append(
            {clean(a).casefold() for a in got.get("authors") or []}
            == {clean(a).casefold() for a in want.get("authors") or []}
        )
        if not credits_publisher(p):
            people.append(authors[-1])
        if titled_by_h1(p):
            visible.append(title[-1])
        dates.append(same_time(got.get("date"), (want.get("publishing_date") or "").replace(" ", "T") or None))
        topics.append(set_f1(got.get("tags") or [], want.get("topics") or []))
    return {
        "title": statistics.fmean(title),
        "authors": statistics.fmean(authors),
        "date": statistics.fmean(dates),
        "topics": statistics.fmean(topics),
        "authors_people": statistics.fmean(people) if people else 0.0,
        "authors_people_pages": len(people),
        "title_h1": statistics.fmean(visible) if visible else 0.0,
        "title_h1_pages": len(visible),
    }


LOST = 0.5
"""Recall under which a page's text is lost…"""
FOUND = 0.8
"""…while the baseline recalls over this much of it."""


def lost_pages(bodies: dict, ours: str = "newsarchive", baseline: str = "trafilatura") -> list[str]:
    """Pages where we recall under half of the text while trafilatura recalls over 80 %."""
    if ours not in bodies or baseline not in bodies:
        return []
    mine, theirs = bodies[ours]["recalls"], bodies[baseline]["recalls"]
    return sorted(k for k in mine if mine[k] < LOST and theirs.get(k, 0) > FOUND)


def targets(bodies: dict, meta: dict) -> dict[str, bool]:
    """The issue's targets on the Fundus pages, checked on this run's figures."""
    ours = bodies["newsarchive"]
    others = [r["f1"] for name, r in bodies.items() if name != "newsarchive"]
    m = meta.get("newsarchive", {})
    checks = {
        "body F1 >= 0.95": ours["f1"] >= 0.95,
        "body F1 >= best baseline + 0.02": bool(others) and ours["f1"] >= max(others) + 0.02,
        "no page lost where trafilatura finds it": not lost_pages(bodies),
        "title >= 0.90": m.get("title", 0) >= 0.90,
        "authors >= 0.88": m.get("authors", 0) >= 0.88,
        "published time >= 0.97": m.get("date", 0) >= 0.97,
        "topics >= 0.65": m.get("topics", 0) >= 0.65,
    }
    if "trafilatura" in bodies:
        checks["median time <= trafilatura's"] = ours["ms_median"] <= bodies["trafilatura"]["ms_median"]
    return checks
