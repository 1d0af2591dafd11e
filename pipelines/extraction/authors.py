"""Who wrote the article: names from bylines, JSON-LD and meta tags, one person per entry.

Pages print several people on one line ("A and B", "A und B", "A và B", "A, B", "A/B"),
wrap names in role words ("Von:", "By", "Theo", "(thực hiện)", "(obe)") and put IDs, slugs,
e-mail addresses, profile URLs or the publisher's own name where a person should be. These
functions keep the people only; they are pure, so each rule is tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pipelines.extraction.dom import element_text
from pipelines.extraction.text import name_case, normalize_text, text_key, unique

_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|text|words|story|photos?)\s+)?"
    r"(?:by|von|bởi|tác giả|par|por|door|di|av|af|przez|autor(?:in)?|author|text|texto|reporter)\s*[:：]?\s+",
    re.I,
)
_LABEL_PREFIX = re.compile(r"^\s*[\w ]{2,20}[:：]\s+")
""""Autor: …", "Text: …", "Tác giả: …" — a short label and a colon."""
_THEO = re.compile(r"^\s*theo\s*:?\s+(?=\S+\s+\S)", re.I)
"""Vietnamese "Theo <name>": only before two words or more, so "Theo Walcott" stays a name."""
_PARENTHESES = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
_JOINERS = re.compile(r"\s*(?:[,;/&+·|•]|\s(?:and|und|và|et|y|e|en|og|och|i|ja|és|та|и)\s)\s*")
_ROLE_SUFFIX = re.compile(r"\s*[-–—,]?\s*\b(?:phóng viên|pv|ctv)\s*$", re.I)
_LEGAL_FORM = re.compile(r"\b(?:inc|ltd|llc|gmbh|ag|corp|co|plc|s\.?a|jsc|bhd)\.?$", re.I)
_URL = re.compile(r"^\w+://|^www\.|^[\w.-]+\.\w{2,}/", re.I)
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)+$")
_MAX_WORDS = 6
_MAX_CHARS = 60


_DATED = re.compile(r"\s[—–-]\s|,?\s(?=\d)")
"""Where a byline's date begins: "By Jeff Foust — November 18, 2019", "di Teresa Fallavollita 20 Novembre 2024"."""


def is_prefixed_byline(line: str) -> bool:
    """A line that opens with a byline word followed by names only ("By Jeff Foust", "Von t-online,
    jse", "Von: Anna Martel und Lea Wagner"), not a sentence ("By the end of the year …")."""
    text = _DATED.split(normalize_text(line), maxsplit=1)[0]
    if not _PREFIX.match(text) or text[-1] in ".!?":
        return False
    names = split_names(text)
    if not names or any(len(n.split()) > _EDGE_MAX_WORDS - 1 for n in names):
        return False
    return len(names) > 1 or _looks_like_name(names[0])


def split_names(value: str) -> list[str]:
    """The people named by one byline value, role words and parenthesised notes removed."""
    text = normalize_text(value)
    if _URL.search(text):
        return []  # a profile link (``article:author`` is often a Facebook page), not a name
    text = _PARENTHESES.sub(" ", text)
    text = _THEO.sub("", _PREFIX.sub("", text))
    if not _PREFIX.match(value) and (label := _LABEL_PREFIX.match(text)) and len(text) > label.end():
        text = text[label.end() :]
    names = [_ROLE_SUFFIX.sub("", part).strip(" .-–—:") for part in _JOINERS.split(text)]
    return [n for n in names if n]


def squashed(value: str) -> str:
    """Letters and digits only, case-folded: "n-tv NACHRICHTEN" and "ntv.de" meet at "ntv"."""
    return "".join(c for c in text_key(value) if c.isalnum())


def is_person(name: str, publishers: Iterable[str]) -> bool:
    """A name, not an ID, a slug, an e-mail, a URL, a sentence or the publisher itself."""
    if not 2 <= len(name) <= _MAX_CHARS or len(name.split()) > _MAX_WORDS:
        return False
    lowered = name.lower()
    if any(c.isdigit() for c in name) or "@" in name or "http" in lowered or "www." in lowered:
        return False
    if _SLUG.match(name) or _LEGAL_FORM.search(name):
        return False
    return not names_publisher(name, publishers)


def names_publisher(name: str, publishers: Iterable[str]) -> bool:
    """The name is the publisher's, alone or followed by more words ("Nikkei Inc.", "n-tv NACHRICHTEN")."""
    wanted = {p for p in (squashed(x) for x in publishers) if len(p) >= 3}
    words = name.split()
    if any(squashed(" ".join(words[:k])) in wanted for k in range(1, len(words) + 1)):
        return True
    short = squashed(name)  # one word that begins the publisher's name ("LBCI" of "LBCIV7")
    return len(words) == 1 and len(short) >= 4 and any(p.startswith(short) for p in wanted)


def people(values: Iterable[str], publishers: Iterable[str]) -> list[str]:
    """Every person in ``values`` once, in order, printed in name case."""
    publishers = list(publishers)
    names = [name_case(n) for v in values for n in split_names(v)]
    return unique([n for n in names if is_person(n, publishers)])


_BYLINE_NAMES = re.compile(r"author|byline|autor|auteur|writer|reporter|creator", re.I)
_NOT_BYLINE = re.compile(
    r"comment|teaser|related|image|photo|bild|caption|credit|avatar|bio|desc|more|list-title|brand|follow", re.I
)
_BYLINE_MAX_CHARS = 120


def byline_candidates(named, skip) -> Iterator[list[str]]:
    """Byline elements' texts in page order: of the page's named elements (``dom.named_elements``)
    those named ``author``/``byline``/…, outside comments, teasers and captions (``skip(el)``
    for the caller's own widgets); an element's links when they are most of its text, else
    its text."""
    for el, names, _ in named:
        if not _BYLINE_NAMES.search(names) or _NOT_BYLINE.search(names) or skip(el):
            continue
        if any(_NOT_BYLINE.search(_names(a)) or skip(a) for a in el.iterancestors()):
            continue
        links = [t for a in el.iter("a") if (t := element_text(a))]
        text = element_text(el)
        if links and len(" ".join(links)) >= len(_PREFIX.sub("", text)) / 2:
            yield links
        elif text and len(text) <= _BYLINE_MAX_CHARS:
            yield [text]


def _names(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def first_people(candidates: Iterable[list[str]], publishers: Iterable[str]) -> list[str]:
    """The people of the first candidate that names any."""
    publishers = list(publishers)
    return next((found for values in candidates if (found := people(values, publishers))), [])


_EDGE_MAX_WORDS = 5
"""Words per name in a byline printed as a body line."""
_LIST_SEPARATORS = re.compile(r"\s*[/|]\s*")


def edge_byline(line: str, publishers: Iterable[str], closing: bool = False) -> list[str]:
    """The people a body line at the article's edge credits, or ``[]`` when it is prose: "By
    Jane Doe", "Von Anna Martel und Lea Wagner", names separated by slashes ("Mathatisi
    Sebusi/Mohalenyane Phakela"), and on the ``closing`` line a name in capitals ("BẢO VINH";
    at the top, capitals are a subheading)."""
    text = normalize_text(line)
    words = text.split()
    if not words or len(words) > 2 * _EDGE_MAX_WORDS + 2 or any(c.isdigit() for c in text) or text[-1] in "!?:;,":
        return []
    if _PREFIX.match(text) or (closing and text.isupper() and len(words) <= _EDGE_MAX_WORDS):
        names = split_names(text)
    elif _LIST_SEPARATORS.search(text):
        names = _LIST_SEPARATORS.split(text)
        if any(len(n.split()) < 2 for n in names):
            return []
    else:
        return []
    if not names or not all(_looks_like_name(n) for n in names):
        return []
    return people(names, publishers)


def _looks_like_name(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= _EDGE_MAX_WORDS and all(w[:1].isupper() or not w[:1].isalpha() for w in words)
