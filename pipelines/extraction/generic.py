"""Finding the article on a page that has no site rules.

Prose is measured first: every long, link-poor text block outside widgets
credits its length to all its ancestors. Known CMS containers
(``itemprop=articleBody``, WordPress ``entry-content``, …) win when they hold
prose; otherwise the walk goes down from the root into the child that holds
most of the prose while it holds most of it, and stops at the lowest block that
still does. When a page has no prose at all, trafilatura reads it instead.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from pipelines.extraction.boilerplate import LANDMARKS, NEVER_CONTENT_TAGS, STORY_TAGS, WIDGET_MAX_SHARE, WidgetTest
from pipelines.extraction.dom import element_text, text_length
from pipelines.extraction.prose import deep_prose, scored_blocks
from pipelines.extraction.text import normalize_text, text_key

CONTAINER_SELECTORS = (
    "[itemprop=articleBody]",
    "[data-role=content]",
    ".entry-content",
    ".post-content",
    ".article-body",
    ".article-content",
    ".article__body",
    ".detail-content",
    ".content-detail",
    ".fck_detail",
    ".cms-body",
    ".story-body",
    "#article-body",
    ".td-post-content",
    "article .content",
)
MIN_CONTAINER_CHARS = 200


_TIGHTER_SHARE = 0.8
_PART_MIN_SHARE = 0.2


_SIMPLE_SELECTOR = re.compile(
    r"^(?:(?P<ancestor>[a-z]+) )?(?:\[(?P<attr>[\w-]+)=(?P<value>[\w-]+)\]|(?P<kind>[.#])(?P<name>[\w-]+))$"
)


def _container_test(css: str) -> Callable[[Any], bool]:
    """``CONTAINER_SELECTORS``' forms (``[attribute=value]``, ``.class``, ``#id``, each
    perhaps after an ancestor's tag) as a Python test: a candidate is tested in a microsecond,
    where an XPath evaluation costs several."""
    m = _SIMPLE_SELECTOR.match(css)
    if m is None:
        raise ValueError(f"not a container selector form: {css!r}")
    if m["attr"]:
        attr, value = m["attr"], m["value"]
        test = lambda el: el.get(attr) == value  # noqa: E731
    elif m["kind"] == "#":
        name = m["name"]
        test = lambda el: el.get("id") == name  # noqa: E731
    else:
        name = m["name"]
        test = lambda el: name in (el.get("class") or "").split()  # noqa: E731
    if ancestor := m["ancestor"]:
        return lambda el: test(el) and next(el.iterancestors(ancestor), None) is not None
    return test


_CONTAINER_TESTS = tuple(_container_test(css) for css in CONTAINER_SELECTORS)


def _any_container(el) -> bool:
    return any(test(el) for test in _CONTAINER_TESTS)


@dataclass(frozen=True)
class StoryClues:
    """What the page says its article is: on a page of several stories, the one they describe."""

    headlines: Collection[str] = ()
    """Text keys of the page's headline (``fields.title_variants``)."""
    body_start: str = ""
    """The text key of the JSON-LD ``articleBody``'s opening."""
    urls: Collection[str] = ()
    """The page's URL and its canonical URL."""


_BODY_START_CHARS = 60
_STORY_URL_ATTRIBUTES = ("itemid", "data-url", "data-href", "data-canonical", "data-permalink", "about")


def story_clues(headlines: Collection[str], article_body: str | None, urls: Collection[str]) -> StoryClues:
    start = text_key(normalize_text(article_body or ""))[:_BODY_START_CHARS]
    return StoryClues(headlines, start if len(start) == _BODY_START_CHARS else "", {u for u in urls if u})


class Located(NamedTuple):
    container: Any
    """The element holding the article body, or None."""
    prose: float
    """The characters of prose on the whole page, or of the chosen story: how much text a body should come near."""
    blocks: list
    """The prose blocks (element, weight) that ``prose`` adds up."""


def locate_article(sel, clues: StoryClues = StoryClues()) -> Located:
    """The article's element and the page's prose. On a page with several stories, the one
    the ``clues`` describe is the article."""
    scored = list(scored_blocks(sel.root))
    blocks = prose_blocks(sel.root, scored)
    deep = deep_prose(blocks)
    container = _container(blocks, deep)
    if container is None:  # the prose may all sit in a landmark: a tag is evidence, not a verdict
        blocks = prose_blocks(sel.root, scored, landmarks=True)
        deep = deep_prose(blocks)
        container = _container(blocks, deep)
    story = _described_story(deep, clues) if container is not None else None
    if story is None:
        return Located(container, deep.get(sel.root, 0.0), blocks)
    inner = [(el, w) for el, w in blocks if story in set(el.iterancestors())]
    if container is not story and story not in set(container.iterancestors()):
        found = _container(inner, deep_prose(inner))
        container = story if found is None else found
    return Located(container, deep[story], inner)


def _described_story(deep: dict, clues: StoryClues):
    """On a page of several ``<article>`` stories (the next story appended below, a "second
    article"), the story whose heading is the page's headline, else the one holding the
    JSON-LD ``articleBody``'s opening, else the one naming the page's URL; or None."""
    stories = [el for el in deep if el.tag == "article" and deep[el] >= MIN_CONTAINER_CHARS]
    inner = set(stories)
    stories = [s for s in stories if not any(a in inner for a in s.iterancestors("article"))]
    if len(stories) < 2:
        return None
    tests = (
        lambda s: bool(clues.headlines) and has_heading(s, clues.headlines),
        lambda s: bool(clues.body_start) and clues.body_start in text_key(element_text(s)),
        lambda s: bool(clues.urls) and _names_url(s, clues.urls),
    )
    for test in tests:
        if (described := next((s for s in stories if test(s)), None)) is not None:
            return described
    return None


def _names_url(story, urls: Collection[str]) -> bool:
    for el in story.iter():
        if not isinstance(el.tag, str):
            continue
        values = [el.get(a) for a in _STORY_URL_ATTRIBUTES]
        if el.get("itemprop") == "url":
            values += [el.get("href"), el.get("content")]
        if any(v and v.strip() in urls for v in values):
            return True
    return False


def has_heading(story, headlines: Collection[str]) -> bool:
    """An ``h1``–``h3`` of ``story`` reads as one of the page's ``headlines`` (text keys)."""
    return any(text_key(element_text(h)) in headlines for h in story.iter("h1", "h2", "h3"))


_LEAF_BLOCKS = frozenset(
    ("p", "li", "blockquote", "pre", "td", "dd", "dt", "figcaption", "span", "a", "b", "strong", "em")
)
"""Elements an article is never only one of: a container found there is its parent's."""
HOLD_SHARE = 0.5
"""The article's element holds at least this share of the page's prose, when its parts allow."""
"""An article element is not left for its parent to gather more prose: the rest is another story."""


def _container(blocks, deep: dict):
    mass = text_mass(blocks)
    best = max(mass, key=mass.get, default=None)
    if best is not None and mass[best] < MIN_CONTAINER_CHARS:
        best = None
    page = max(deep.values(), default=0.0)  # the root's: all the page's prose
    candidates = [el for el, chars in deep.items() if chars >= MIN_CONTAINER_CHARS and _any_container(el)]
    for test in _CONTAINER_TESTS:
        if matches := [el for el in candidates if test(el)]:
            known = max(matches, key=deep.get)
            if best is not None and _tighter(best, known, deep):
                return _holding(_with_split_parts(best, deep), deep, page)
            return _holding(_with_split_parts(known, deep), deep, page)
    return None if best is None else _holding(_with_split_parts(best, deep), deep, page)


def _holding(el, deep: dict, page: float):
    """The element, never a leaf block, widened to the lowest ancestor that holds most of the
    page's prose when the article is cut into parts (a listicle's sections, a guide's cards,
    a long read's chapters: siblings whose prose adds up on their common ancestor, which
    credits them little by ``text_mass``). It widens one real part at a time (an ancestor
    adding at least ``MIN_CONTAINER_CHARS`` of prose), never past an ``article`` or ``main``
    element, nor to the page's body: what lies there is another story, a comment thread, a
    cookie notice."""
    while el.tag in _LEAF_BLOCKS and el.getparent() is not None:
        el = el.getparent()
    while deep.get(el, 0.0) < HOLD_SHARE * page:
        up = el
        while deep.get(up, 0.0) <= deep.get(el, 0.0):
            if up.tag in STORY_TAGS or up.getparent() is None or up.getparent().tag in ("body", "html"):
                return el
            up = up.getparent()
        if deep[up] - deep.get(el, 0.0) < MIN_CONTAINER_CHARS:
            return el
        el = up
    return el


def _tighter(best, known, deep: dict) -> bool:
    """The scored block sits inside a known container (``.post-content`` around the whole
    layout, related lists included) and holds nearly all of its prose but not of its text."""
    if known not in set(best.iterancestors()) or deep[best] < _TIGHTER_SHARE * deep[known]:
        return False
    return text_length(best) < _TIGHTER_SHARE * text_length(known)


def _with_split_parts(best, deep: dict):
    """An article split over several blocks of one kind (NYT's ``StoryBodyCompanionColumn``,
    Wired's ``article__body`` chunks) is read from their lowest common ancestor. Parts hold
    prose of their own: a utility class (``columns is-multiline``) on every teaser row of the
    page does not make the teasers part of the article."""
    classes = best.get("class")
    if not classes:
        return best
    floor = _PART_MIN_SHARE * deep[best]
    parts = [
        el
        for el in best.getroottree().iter(best.tag)
        if el.get("class") == classes and deep.get(el, 0) >= floor and (el is best or not _nested(el, best))
    ]
    if len(parts) < 2:
        return best
    common = set(parts[0].iterancestors())
    for part in parts[1:]:
        common &= set(part.iterancestors())
    return next(a for a in parts[0].iterancestors() if a in common)


def _nested(a, b) -> bool:
    return a in set(b.iterancestors()) or b in set(a.iterancestors())


class _Exclusion:
    """Is an element inside a never-content tag or a widget? Decided for the ancestors of the
    blocks asked about, each once, top-down (a page's blocks share most of their ancestors):
    not for every element of the page. With ``landmarks``, the landmark tags (``nav``,
    ``aside``, ``footer``, ``button``) are excluded only when they do not hold most of the
    page's text."""

    def __init__(self, root, scored: list, landmarks: bool = False) -> None:
        self.root = root
        self.widget = WidgetTest(root, scored)
        self.landmarks = landmarks
        self.total = text_length(root) if landmarks else 0  # read only on the rescue path
        self.known: dict = {}

    def __call__(self, el) -> bool:
        chain = []
        while el is not None and el not in self.known:
            chain.append(el)
            el = None if el is self.root else el.getparent()
        excluded = self.known[el] if el is not None else False
        for node in reversed(chain):
            excluded = excluded or self._excludes(node)
            self.known[node] = excluded
        return excluded

    def _excludes(self, el) -> bool:
        never = el.tag in NEVER_CONTENT_TAGS and el.tag != "form"
        if never and self.landmarks and el.tag in LANDMARKS:
            never = text_length(el) <= WIDGET_MAX_SHARE * self.total
        return never or self.widget(el)


def prose_blocks(root, scored: list, landmarks: bool = False) -> list:
    """The long, link-poor text blocks (``scored``: ``scored_blocks(root)``) outside widgets."""
    excluded = _Exclusion(root, scored, landmarks)
    return [(el, weight) for el, weight in scored if not excluded(el)]


def text_mass(blocks) -> dict:
    """Prose under each element: a block credits itself and its parent fully, its grandparent
    by half (readability's rule: the article is where paragraphs are siblings)."""
    mass: dict = defaultdict(float)
    shapes = _Shapes()
    for el, weight in blocks:
        mass[el] += weight
        if (parent := _level_up(el, shapes)) is not None:
            mass[parent] += weight
            if (grand := _level_up(parent, shapes)) is not None:
                mass[grand] += weight / 2
    return mass


def _level_up(el, shapes: _Shapes):
    """The parent, skipping a chain of wrappers around this one element alone when the
    chain repeats beside itself: one ``<div>`` per paragraph (styled-components pages nest
    each ``<p>`` in several) is not a level; a lone box around one paragraph still is."""
    top = el
    while (parent := top.getparent()) is not None and _wraps_only(parent, top):
        top = parent
    if top is not el and top.getparent() is not None and shapes.repeats(top):
        return top.getparent()
    return el.getparent()


_WRAPPER_EXTRA_CHARS = 30
_WRAPPER_MAX_CHILDREN = 3


def _wraps_only(wrapper, child) -> bool:
    """Nothing but ``child`` in ``wrapper``, or a label beside it ("Article content")."""
    if len(wrapper) > _WRAPPER_MAX_CHILDREN:
        return False
    extra = len((wrapper.text or "").strip()) + sum(
        len((c.tail or "").strip()) + (text_length(c) if c is not child else 0) for c in wrapper
    )
    return extra < _WRAPPER_EXTRA_CHARS


class _Shapes:
    """How many children of each (tag, class) an element has, counted once per element."""

    def __init__(self) -> None:
        self._counts: dict = {}

    def repeats(self, el) -> bool:
        """Another child of ``el``'s parent has its tag and class."""
        parent = el.getparent()
        if parent not in self._counts:
            self._counts[parent] = Counter((c.tag, c.get("class")) for c in parent)
        return self._counts[parent][(el.tag, el.get("class"))] > 1
