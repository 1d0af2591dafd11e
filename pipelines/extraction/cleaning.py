"""Text-level cleaning of an extracted article (the pipeline's *clean* step).

Block-level boilerplate is gone by now (``boilerplate``); what is left is
line-level: no-break spaces and decomposed Vietnamese (NFC), empty lines,
lines repeating the title, the lead, a caption, a byline or a credit,
boilerplate labels left on their own, and paragraphs printed twice.
"""

from __future__ import annotations

from archive.keys import fingerprint
from archive.schema import EXTRACTED_FIELDS
from pipelines.extraction.boilerplate import is_boilerplate_label, is_furniture_line
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
    if not out["authors"] and body and (name := _closing_byline(body[-1])):
        out["authors"] = [name]  # "BẢO VINH" / "By Jane Doe" closing the body is the byline
        body = body[:-1]
    out["body"] = _body(body, out)
    if out["lead"] and text_key(out["lead"]) == text_key(out["title"] or ""):
        out["lead"] = None
    out["fingerprint"] = fingerprint(out["title"], out["body"])
    return {k: out.get(k) for k in EXTRACTED_FIELDS} | {k: v for k, v in out.items() if k not in EXTRACTED_FIELDS}


def _images(images: list[dict]) -> list[dict]:
    seen, out = set(), []
    for image in images:
        if image.get("src") and image["src"] not in seen:
            seen.add(image["src"])
            out.append({"src": image["src"], "caption": normalize_text(image.get("caption")) or None})
    return out


def _body(paragraphs: list[str], article: dict) -> list[str]:
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
        if not key or key in repeated or key in seen or is_boilerplate_label(text) or is_furniture_line(text):
            continue
        if _is_byline(text, key, names) or ((index == 0 or index > last - 3) and _is_name_line(text)):
            continue
        seen.add(key)
        out.append(text)
    return out


_BYLINE_MAX_WORDS = 12


def _is_byline(text: str, key: str, author_keys: list[str]) -> bool:
    """A short line naming the article's author ("By Jeff Foust — November 18, 2019")."""
    words = text.split()
    if len(words) > _BYLINE_MAX_WORDS:
        return False
    if any(name in key for name in author_keys):
        return True
    return words[0].lower() in ("by", "bởi") and len(words) <= 8 and all(w[:1].isupper() for w in words[1:3])


_CLOSING_BYLINE_MAX_WORDS = 5


def _closing_byline(line: str) -> str | None:
    """The author's name when the body's last line is a byline: capitals, or "By Name"."""
    words = line.split()
    if words and words[0].lower() in ("by", "bởi") and 2 <= len(words) <= _CLOSING_BYLINE_MAX_WORDS + 1:
        words = words[1:]
    elif not (line.isupper() and len(words) <= _CLOSING_BYLINE_MAX_WORDS):
        return None
    if any(c.isdigit() for c in line) or not all(w[:1].isupper() for w in words):
        return None
    return name_case(" ".join(words))


_NAME_LINE_MAX_WORDS = 10
_NAME_JOINERS = frozenset({"and", "và", "&", "-", "–", "|", "of", "de", "van", "von"})


def _is_name_line(text: str) -> bool:
    """A credit line at the edge of the body: names and an outlet only ("Tom Davies Associated Press")."""
    words = text.split()
    if not 2 <= len(words) <= _NAME_LINE_MAX_WORDS or any(c.isdigit() for c in text) or text[-1] in '.!?:;,"”':
        return False
    return all(w[:1].isupper() or w.lower() in _NAME_JOINERS for w in words)
