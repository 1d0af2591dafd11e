"""Text-level cleaning of an extracted article (part of the extract step).

Block-level boilerplate is gone by now (``boilerplate``); what is left is
line-level: no-break spaces and decomposed Vietnamese (NFC), empty lines,
lines repeating the title, the lead, a caption, a byline or a credit,
boilerplate labels left on their own, and paragraphs printed twice.
"""

from __future__ import annotations

from archive.keys import fingerprint
from archive.schema import EXTRACTED_FIELDS
from pipelines.extraction.authors import edge_byline, is_prefixed_byline
from pipelines.extraction.boilerplate import is_boilerplate_label, is_furniture_line
from pipelines.extraction.publishers import closing_credit
from pipelines.extraction.text import name_case, normalize_text, text_key, unique


def clean_article(article: dict) -> dict:
    """A new dict with every text field normalized and repeated lines removed."""
    out = dict(article)
    for key in ("title", "lead", "section"):
        out[key] = normalize_text(article.get(key)) or None
    out["images"] = _images(article.get("images") or [])
    authors = unique([name_case(a) for a in article.get("authors") or []])
    out["authors"] = [a for a in authors if text_key(a) != text_key(out.get("site") or "")]
    out["tags"] = unique([normalize_text(t) for t in article.get("tags") or []])
    body = [text for raw in article.get("body") or [] if (text := normalize_text(raw))]
    if body and (credit := closing_credit(body[-1])) and len(body) > 1:  # "TNO", "Theo VnExpress"
        body = body[:-1]
        out["source"] = out.get("source") or credit
    signed, unsigned = _closing_byline(body, out.get("site") or "")
    if signed and (not out["authors"] or _from_metadata(article, "authors")):
        out["authors"], body = signed, unsigned  # the story's byline, printed: over a CMS account's name
    elif not out["authors"]:
        out["authors"], body = _byline_from_body(body, out.get("site") or "")
    if out["lead"] and body and _is_excerpt_of_body(out["lead"], body[0]):
        out["lead"] = None
    if _is_opening_paragraph(out["lead"], article, body):
        out["lead"] = None  # the page's description is its opening paragraph, which stays body
    out["body"] = _body(body, out, dates_are_content=bool(out.pop("live_blog", False)))
    if out["lead"] and text_key(out["lead"]) == text_key(out["title"] or ""):
        out["lead"] = None
    out["fingerprint"] = fingerprint(out["title"], out["body"])
    return {k: out.get(k) for k in EXTRACTED_FIELDS} | {k: v for k, v in out.items() if k not in EXTRACTED_FIELDS}


_ELLIPSIS = " .…"
_EXCERPT_MIN_CHARS = 60


def _is_opening_paragraph(lead: str | None, article: dict, body: list[str]) -> bool:
    """The lead was taken from the page's metadata description and is one of the body's first
    paragraphs as written (not a teaser "…" dek, which stays the lead)."""
    if not lead or lead.rstrip().endswith(("...", "…")):
        return False
    if not (article.get("provenance") or {}).get("lead", "").startswith(("meta:", "jsonld:")):
        return False
    return text_key(lead) in {text_key(p) for p in body[:3]}


def _is_excerpt_of_body(lead: str, first: str) -> bool:
    """A "lead" that is the body itself (a ``.summary`` wrapper around the whole text, a
    description holding the article) or a cut-off excerpt of its first paragraph is no
    standfirst: kept, it prints the opening twice."""
    lead_key, first_key = text_key(lead), text_key(first)
    if lead_key == first_key:
        return False
    cut = lead_key.rstrip(_ELLIPSIS)
    if lead_key.startswith(first_key) or first_key.startswith(cut):
        return True
    return len(cut) >= _EXCERPT_MIN_CHARS and cut in first_key  # after a dateline: "Kiel (dpo) - …"


def _images(images: list[dict]) -> list[dict]:
    seen, out = set(), []
    for image in images:
        if image.get("src") and image["src"] not in seen:
            seen.add(image["src"])
            out.append({"src": image["src"], "caption": normalize_text(image.get("caption")) or None})
    return out


def _body(paragraphs: list[str], article: dict, dates_are_content: bool = False) -> list[str]:
    repeated = {text_key(v) for v in (article.get("title"), article.get("lead")) if v}
    repeated |= {text_key(i["caption"]) for i in article["images"] if i["caption"]}
    repeated |= {text_key(a) for a in article["authors"]}
    if source := article.get("source"):
        repeated |= {text_key(v) for v in source.values() if v}
    names = [text_key(a) for a in article["authors"] if len(a) > 3]
    out, seen = [], set()
    last = len(paragraphs) - 1
    for index, raw in enumerate(paragraphs):
        text = normalize_text(raw)
        key = text_key(text)
        if not key or key in repeated or key in seen or is_boilerplate_label(text):
            continue
        if is_furniture_line(text, dates_are_content):
            continue
        if _is_byline(text, key, names) or ((index == 0 or index > last - 3) and _is_name_line(text)):
            continue
        seen.add(key)
        out.append(text)
    return out


_BYLINE_MAX_WORDS = 12
_PREFIXED_BYLINE_MAX_WORDS = 8


def _is_byline(text: str, key: str, author_keys: list[str]) -> bool:
    """A short line naming the article's author ("By Jeff Foust — November 18, 2019")."""
    words = text.split()
    if len(words) > _BYLINE_MAX_WORDS:
        return False
    if any(name in key for name in author_keys):
        return True
    return len(words) <= _PREFIXED_BYLINE_MAX_WORDS and is_prefixed_byline(text)


_EDGE_LINES = (0, 1, 2, -1)
"""Where bylines sit when a page prints them as body lines: the opening lines, the last one."""


def _from_metadata(article: dict, field: str) -> bool:
    """Whether ``field`` was read from the page's metadata (JSON-LD, meta tags), not from what it prints."""
    return (article.get("provenance") or {}).get(field, "").startswith(("jsonld:", "meta:"))


def _closing_byline(body: list[str], site: str) -> tuple[list[str], list[str]]:
    """The people a name line closing the body signs ("BẢO VINH", "Lê Phương"), and the body
    without it; ``([], body)`` when the last line is prose."""
    if len(body) < 2 or not (names := edge_byline(body[-1], [site], closing=True)):
        return [], body
    return names, body[:-1]


def _byline_from_body(body: list[str], site: str) -> tuple[list[str], list[str]]:
    """A byline printed as a line at either end of the body goes to the authors, out of the body."""
    for index in _EDGE_LINES:
        if -len(body) <= index < len(body) and (names := edge_byline(body[index], [site], closing=index == -1)):
            rest = list(body)
            del rest[index]
            return names, rest
    return [], body


_NAME_LINE_MAX_WORDS = 10
_NAME_JOINERS = frozenset({"and", "và", "&", "-", "–", "|", "of", "de", "van", "von"})


def _is_name_line(text: str) -> bool:
    """A credit line at the edge of the body: names and an outlet only ("Tom Davies Associated Press")."""
    words = text.split()
    if not 2 <= len(words) <= _NAME_LINE_MAX_WORDS or any(c.isdigit() for c in text) or text[-1] in '.!?:;,"”':
        return False
    return all(w[:1].isupper() or w.lower() in _NAME_JOINERS for w in words)
