"""Parsing a page once, as a browser parses it, and reading the text of its elements.

libxml2 (lxml's parser) is not an HTML5 parser: it leaves a ``<div>`` opened inside a menu
``<button>`` open at ``</button>``, so the rest of the page, article included, ends up inside the
menu. Pages are parsed by lexbor (``selectolax``), which builds the tree the HTML5 standard and
browsers build, and its serialization is read by lxml, whose tree the extractor walks."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree
from parsel import Selector
from selectolax.lexbor import LexborHTMLParser

from pipelines.extraction.text import normalize_text

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")
"""Fed UTF-8 bytes: libxml2 reads them a fifth faster than a Python string (which it
converts first), and the encoding given overrules any ``<meta charset>`` of the markup: the
text was decoded already (``decode``)."""
# lxml.html's own lookup is a Python method called for every element proxy (a tenth of the
# extraction's time); every element is a plain HtmlElement here (no form helpers are used)
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment)
)

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)


class MalformedPageError(ValueError):
    """The bytes are not an HTML document at all (empty, binary or unparseable)."""


def parse_html(text: str, base_url: str | None = None, code: bool = False) -> lxml.html.HtmlElement:
    """The document tree; lxml recovers from broken markup, only nothing-at-all fails. Without
    ``code`` the page's scripts (all but JSON-LD data), styles, templates and ``noscript`` are
    dropped before libxml2 reads it: a third of a news page's bytes, that nothing reads as
    text (``strip_hidden`` drops what is left once the metadata is read)."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip() or "\x00" in text[:2048]:
        raise MalformedPageError("empty or binary document")
    try:
        markup = html5_markup(text, code).encode("utf-8", "replace")  # a lone surrogate is no character
        root = lxml.html.document_fromstring(markup, parser=_PARSER, base_url=base_url)
    except (etree.ParserError, ValueError) as exc:
        raise MalformedPageError(str(exc)) from exc
    return root


_NESTING_TAG = re.compile(r"<(/?)(?:div|span|section|font|button|blockquote|table)\b", re.I)
MAX_UNCLOSED = 5000
"""Elements a page may leave open before it is read as libxml2 reads it: the HTML5 tree
construction checks the stack of open elements at every tag, so its time grows with the square
of the nesting (20,000 unclosed ``<div>``: 0.8 s; 100,000: a minute). libxml2 stops nesting at
256 levels. Real pages leave a few dozen open."""


def html5_markup(text: str, code: bool = True) -> str:
    """The page as an HTML5 parser builds it, serialized: every element closed where a browser
    closes it (so libxml2 reads the same nesting back), without its code unless asked
    (``parse_html``); as it is when it leaves too many elements open to be worth a browser's
    reading (``MAX_UNCLOSED``)."""
    if text.count("<") > MAX_UNCLOSED and _unclosed(text) > MAX_UNCLOSED:  # counted only on big pages
        return text
    parser = LexborHTMLParser(text)
    if not code:
        for node in parser.css(_CODE):
            node.decompose()
    return parser.html or text


_CODE = 'script:not([type="application/ld+json"]), style, noscript, template'
"""What ``parse_html`` drops without ``code``: the JSON-LD scripts stay for the metadata."""


def _unclosed(text: str) -> int:
    """Start tags of nesting elements less their end tags."""
    return sum(-1 if m.group(1) else 1 for m in _NESTING_TAG.finditer(text))


HIDDEN_TAGS = ("script", "style", "noscript", "template")


def strip_hidden(root) -> None:
    """Remove what a browser never shows as text (scripts, styles, templates, ``noscript``),
    once the metadata in scripts is read: every text read after is then libxml2's own
    (``visible_text``)."""
    etree.strip_elements(root, *HIDDEN_TAGS, with_tail=False)


def visible_text(el) -> str:
    """All the text under an element of a ``strip_hidden`` tree, as libxml2 joins it: no
    spaces at block boundaries (for comparisons that ignore white space)."""
    return _STRING(el)


_STRING = etree.XPath("string()", smart_strings=False)


def selector(root: lxml.html.HtmlElement) -> Selector:
    return Selector(root=root, type="html")


def raw_text(el) -> str:
    """Visible text of an element (not its tail) as written, block boundaries as spaces."""
    parts: list[str] = []
    _collect(el, parts, with_tail=False)
    return "".join(parts)


def text_length(el) -> int:
    """Characters of text under an element of a ``strip_hidden`` tree (libxml2 counts them)."""
    return len(_STRING(el))


def element_text(el) -> str:
    """Visible text of an element (not its tail), normalized."""
    if len(el) == 0:  # most are leaves (links, spans): their own text, without the walk
        return normalize_text(el.text) if isinstance(el.tag, str) and el.tag not in HIDDEN_TAGS else ""
    return normalize_text(raw_text(el))


def _collect(el, parts: list[str], with_tail: bool = True) -> None:
    if isinstance(el.tag, str) and el.tag not in HIDDEN_TAGS:
        block = el.tag in BLOCK_TAGS
        if block:
            parts.append(" ")
        if el.text:
            parts.append(el.text)
        for child in el:
            _collect(child, parts)
        if block:
            parts.append(" ")
    if with_tail and el.tail:
        parts.append(el.tail)


def link_density(el, total: int | None = None) -> float:
    """Share of an element's text that sits inside links: high for menus and related lists
    (``total``: the length of its text, when the caller has it already)."""
    total = len(element_text(el)) if total is None else total
    if not total:
        return 0.0
    linked = sum(len(element_text(a)) for a in el.iter("a"))
    return min(1.0, linked / total)


def remove(el) -> None:
    """Drop an element but keep the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def named_elements(root) -> list[tuple[object, str, frozenset[str]]]:
    """Every element with a ``class``, ``id`` or ``itemprop``, in page order, with its names
    lower-cased as one string and as a set of class tokens: one pass that the field lookups
    share (a CSS class selector is an XPath scan of the whole page each time). A page repeats
    its names over hundreds of elements: each distinct one is read once."""
    out = []
    read: dict[tuple, tuple[str, frozenset[str]]] = {}
    for el in root.iter(etree.Element):
        names = (el.get("class"), el.get("id"), el.get("itemprop"))
        if names[0] or names[1] or names[2]:
            if (found := read.get(names)) is None:
                cls, ident, prop = names
                found = read[names] = (
                    f"{cls or ''} {ident or ''} {prop or ''}".lower(),
                    frozenset((cls or "").lower().split()),
                )
            out.append((el, *found))
    return out
