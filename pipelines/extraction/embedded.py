"""The article a script-built page ships as data: its HTML as a string inside an inline script.

Next.js, Nuxt and React Query pages render the story in the browser from data the
server already put in the page (``__NEXT_DATA__``, ``self.__next_f.push([1, "…"])``,
``window.__NUXT__ = {…}``, a query cache's ``push({…})``), usually the CMS's own HTML of the
body (``"contentHtml": "<p>…"``). Reading that string gives the article a browser would show,
without a browser: a render costs about a second of CPU, this a few milliseconds. Used only where the
static page is short of article text (``classify.needs_browser``); JSON-LD's ``articleBody``
is read with the metadata.
"""

from __future__ import annotations

import json
import re

import lxml.html
from lxml import etree

from pipelines.extraction.classify import MIN_ARTICLE_CHARS
from pipelines.extraction.dom import _PARSER, element_text

MIN_STRING_CHARS = 500
"""A string literal shorter than this is not an article body (with its markup, escaped)."""
MIN_PARAGRAPHS = 2
MIN_SHARED = 2
MAX_DEPTH = 3
"""String literals inside string literals (a flight payload's JSON inside a JSON string)."""
MAX_SCRIPT_CHARS = 4_000_000
"""Beyond this a script is not read (a page built to make the extractor scan gigabytes)."""
MAX_CANDIDATES = 20
"""The longest strings with paragraphs that are parsed as HTML; a page may hold thousands."""

_STRING = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)', re.S)
"""A double-quoted literal; one never closed runs to the end, so the scan stays linear
whatever quotes and backslashes a hostile script is made of."""
_HOLDS_JSON = re.compile(r'[{\[,]"\w+":')
_PARAGRAPH = re.compile(r"<p[\s>]", re.I)
_WORD = re.compile(r"[^\W_]{2,}")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f]")
"""Japanese kana, Chinese characters, Thai, Lao, Burmese: scripts that do not space their words."""
_SLOT_MARKER = re.compile(r"(\$\$|\{\{|\[\[|%%)\s*[\w.:-]{1,40}\s*(\$\$|\}\}|\]\]|%%)")
"""A CMS's placeholder for what the front end inserts (``$$ARTICLEAD$$``, ``{{ad}}``): raw
CMS HTML has them, a rendered page never shows them."""
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What JSON's escapes can spell and lxml refuses in a tree: control characters, lone surrogates."""
_DATA_SCRIPT = "//script[not(@src)][not(@type) or @type='application/json' or contains(@type, 'javascript')]"


def embedded_article(root, headline: str | None) -> etree._Element | None:
    """The element tree of the longest article HTML (most paragraph text: at least
    ``MIN_PARAGRAPHS`` paragraphs and ``MIN_ARTICLE_CHARS``) found as a string in the page's
    inline scripts, when it tells of the page's ``headline``; ``None`` when the page ships none
    (then a browser may still show the article)."""
    strings = []
    for script in root.xpath(_DATA_SCRIPT):
        code = script.text or ""
        if MIN_STRING_CHARS <= len(code) <= MAX_SCRIPT_CHARS:
            strings += html_strings(code)
    best, best_chars = None, MIN_ARTICLE_CHARS - 1
    for html in sorted(strings, key=len, reverse=True)[:MAX_CANDIDATES]:
        fragment = _fragment(html)
        if fragment is None:
            continue
        paragraphs = [text for p in fragment.iter("p") if (text := element_text(p))]
        chars = sum(len(p) for p in paragraphs)
        if len(paragraphs) >= MIN_PARAGRAPHS and chars > best_chars and tells_of(" ".join(paragraphs), headline):
            best, best_chars = fragment, chars
    return best


def html_strings(code: str, depth: int = 0) -> list[str]:
    """The string values in script code (JSON's double-quoted literals, escapes undone) that
    hold HTML paragraphs. A value that is itself JSON (a flight payload's row) is looked into,
    up to ``MAX_DEPTH`` levels down, and gives the strings inside it, not itself."""
    found = []
    for match in _STRING.finditer(code):
        literal = match.group(0)
        if len(literal) < MIN_STRING_CHARS:
            continue
        try:
            value = json.loads(literal)
        except ValueError:  # never closed, or a JavaScript string JSON does not accept (\x41)
            continue
        inner = html_strings(value, depth + 1) if depth + 1 < MAX_DEPTH and _HOLDS_JSON.search(value) else []
        if inner:
            found.extend(inner)
        elif len(_PARAGRAPH.findall(value)) >= MIN_PARAGRAPHS:
            found.append(value)
    return found


def tells_of(text: str, headline: str | None) -> bool:
    """Whether a text is about the headline: it has at least ``MIN_SHARED`` of the headline's
    words (of scripts written without spaces, its two-character runs), and a third of them.
    Script data also carries other HTML (a consent notice, a newsletter box, the footer)."""
    wanted = _units(headline or "")
    if not wanted:
        return False
    have = _units(text)
    shared = len(wanted & have)
    return shared >= min(MIN_SHARED, len(wanted)) and shared * 3 >= len(wanted)


def _units(text: str) -> set[str]:
    units = set()
    for word in _WORD.findall(text.casefold()):
        if _UNSPACED.match(word):
            units.update(word[i : i + 2] for i in range(len(word) - 1))
        else:
            units.add(word)
    return units


def _fragment(html: str) -> etree._Element | None:
    """The HTML parsed into one ``div``; ``None`` for what does not parse."""
    try:
        fragment = lxml.html.fragment_fromstring(_NOT_IN_XML.sub("", html), create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    for el in fragment.iter():
        if el.text:
            el.text = _SLOT_MARKER.sub("", el.text)
        if el.tail:
            el.tail = _SLOT_MARKER.sub("", el.tail)
    return fragment
