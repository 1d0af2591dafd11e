"""One value per article field: the site's rules first, then JSON-LD, meta tags, and
what the visible page shows. Every resolver records where its value came from in
``page.provenance`` (``rules``, ``jsonld:headline``, ``meta:og:title``, ``html:h1``, …)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from parsel import Selector

from pipelines.extraction.authors import byline_candidates, first_people, people
from pipelines.extraction.boilerplate import FURNITURE_TAGS, LANDMARKS, NEVER_CONTENT_TAGS, STORY_TAGS, is_widget
from pipelines.extraction.dates import has_offset, offset_of, to_iso, with_offset
from pipelines.extraction.dom import element_text, named_elements, visible_text
from pipelines.extraction.metadata import PageMetadata, jsonld_text
from pipelines.extraction.publishers import publisher_credit
from pipelines.extraction.rules import select_text, select_texts
from pipelines.extraction.site_rules import SiteRules
from pipelines.extraction.text import text_key
from pipelines.extraction.urls import absolute_url, canonical_url, registered_host

NO_RULES = SiteRules(name="", spider="", domains=(), article_url=r"$^")


@dataclass
class Page:
    """Everything the field resolvers read, parsed once."""

    url: str
    sel: Selector
    md: PageMetadata
    rules: SiteRules
    not_after: datetime
    provenance: dict[str, str] = field(default_factory=dict)

    @cached_property
    def named(self) -> list[tuple[Any, str, frozenset[str]]]:
        return named_elements(self.sel.root)

    @property
    def jsonld(self) -> dict:
        return self.md.article

    @cached_property
    def visible_key(self) -> str:
        """The page's visible text as one comparison key without white space (read once, when
        a field asks; the tree has lost its scripts and styles by then)."""
        body = self.sel.root.find("body")
        return _spaceless(text_key(visible_text(body if body is not None else self.sel.root)))

    def shows(self, text: str | None) -> str | None:
        """``text`` when the page prints it (its opening, less a cut-off "…"; spaced as it
        may be), else None: a meta description written for search engines and printed
        nowhere is metadata, not a lead."""
        key = _spaceless(text_key(text or "").rstrip(" .…")[:_SHOWN_PREFIX])
        return text if key and key in self.visible_key else None

    def rule(self, name: str) -> str | None:
        return select_text(self.sel, getattr(self.rules, name))

    def rule_all(self, name: str) -> list[str]:
        return select_texts(self.sel, getattr(self.rules, name), many=True)


_SHOWN_PREFIX = 80
"""Characters of a description's opening that the page must print for it to be a lead."""


def _spaceless(key: str) -> str:
    return "".join(key.split())


Candidate = tuple[str, Callable[[], Any]]


def resolve(page: Page, name: str, candidates: Iterable[Candidate]) -> Any:
    """The first non-empty candidate value (computed lazily), its source noted in ``page.provenance``."""
    for source, get in candidates:
        if value := get():
            page.provenance[name] = source
            return value
    return None


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def site_name(page: Page) -> str:
    return page.rules.name or registered_host(page.url)


def title(page: Page) -> str | None:
    return resolve(
        page,
        "title",
        (
            ("rules", lambda: page.rule("title")),
            ("html:h1", lambda: _h1_matching(page, _headlines(page), str.startswith)),
            ("jsonld:headline", lambda: _kicked(page, _jsonld_headline(page))),
            ("meta:og:title", lambda: _kicked(page, _social_headline(page))),
            ("html:h1", lambda: _shown_headline(page)),
            ("jsonld:headline", lambda: _jsonld_headline(page)),
            ("meta:og:title", lambda: _social_headline(page)),
            ("html:h1", lambda: _first([t for h in page.sel.root.iter("h1") if (t := element_text(h))])),
            ("html:title", lambda: _without_site_suffix(page.sel.css("title::text").get(), page)),
        ),
    )


def _jsonld_headline(page: Page) -> str | None:
    return _first(jsonld_text(page.jsonld.get("headline")))


def _social_headline(page: Page) -> str | None:
    return _without_site_suffix(page.md.first("og:title", "twitter:title"), page)


def _headlines(page: Page) -> list[str]:
    return [h for h in (_jsonld_headline(page), _social_headline(page)) if h]


def _h1_matching(page: Page, refs: list[str], test: Callable[[str, str], bool]) -> str | None:
    """The first visible ``h1`` that one of the metadata headlines confirms (pages often have
    several ``h1``): ``test(longer, shorter)`` on their keys, either way round."""
    keys = [text_key(r) for r in refs]
    for h in page.sel.root.iter("h1"):
        if (key := text_key(h1 := element_text(h))) and any(test(r, key) or test(key, r) for r in keys):
            return h1
    return None


def _kicked(page: Page, ref: str | None) -> str | None:
    """The metadata headline when it and an ``h1`` differ by a kicker only ("Kicker: Headline",
    a topic label the page prints before the ``h1`` or inside it): the headline is the
    metadata's reading, the kicker stays apart."""
    return ref if ref and _h1_matching(page, [ref], str.endswith) else None


_HEADLINE_MIN_WORDS = 3
_HEADLINE_MIN_CHARS = 12
"""A headline written without spaces (Chinese, Japanese, Thai) is counted in characters."""


def _shown_headline(page: Page) -> str | None:
    """The first ``h1`` that reads like a story's headline: the page shows it, so it is the
    headline even when the metadata carries an SEO or social variant. Not the site's name (a
    logo ``h1``), not inside the page's chrome, not a one- or two-word section label."""
    names = {text_key(page.md.first("og:site_name") or ""), text_key(registered_host(page.url)), ""}
    for h in page.sel.root.iter("h1"):
        text = element_text(h)
        if (
            text_key(text) not in names
            and (len(text.split()) >= _HEADLINE_MIN_WORDS or (len(text) >= _HEADLINE_MIN_CHARS and " " not in text))
            and not _in_chrome(h)
        ):
            return text
    return None


def _in_chrome(el) -> bool:
    """Inside the page's navigation, footer or asides, or its header (an article's own
    ``header`` inside ``article`` or ``main`` is where its headline is printed)."""
    tags = [a.tag for a in el.iterancestors()]
    if any(t in LANDMARKS for t in tags):
        return True
    return "header" in tags and not any(t in STORY_TAGS for t in tags[tags.index("header") :])


_SUFFIX = re.compile(r"^(.*\S)\s+[|–—-]\s+([^|–—-]{1,60})$")


def _without_site_suffix(value: str | None, page: Page) -> str | None:
    """``"Headline - Site Name"`` to ``"Headline"`` when the suffix names the site."""
    if not value:
        return None
    m = _SUFFIX.match(value)
    names = {text_key(page.md.first("og:site_name") or ""), text_key(registered_host(page.url))}
    return m.group(1) if m and text_key(m.group(2)) in names else value


def title_variants(page: Page) -> set[str]:
    """Every spelling of the headline a page carries: repeated inside the body, it is not body."""
    values = [
        *jsonld_text(page.jsonld.get("headline")),
        page.md.first("og:title"),
        page.md.first("twitter:title"),
        _without_site_suffix(page.sel.css("title::text").get(), page),
        *(element_text(h) for h in page.sel.root.iter("h1")),
    ]
    keys = {text_key(v) for v in values if v and len(v) > 10}
    return keys | {text_key(part) for key in keys for part in _kicker_parts(key)}


_KICKER = re.compile(r"^(.{8,80}?):\s+(.{10,})$")


def _kicker_parts(headline: str) -> tuple[str, ...]:
    """ "Kicker: Headline" (a social title) is printed on the page as two lines."""
    m = _KICKER.match(headline)
    return m.groups() if m else ()


LEAD_CLASSES = frozenset(
    (
        "sapo",
        "article-sapo",
        "detail-sapo",
        "lead",
        "article-lead",
        "standfirst",
        "summary",
        "description",
        "excerpt",
        "intro",
        "dek",
    )
)
"""Where pages without rules print their standfirst (or ``itemprop=description``)."""


def _lead_element_text(page: Page) -> str | None:
    """The first element classed as a lead that belongs to the article: not one inside a widget
    or the page's furniture (an author box's ``.description``, a newsletter's ``.summary``)."""
    for el, _, tokens in page.named:
        if not (tokens & LEAD_CLASSES or el.get("itemprop") == "description"):
            continue
        if any(a.tag in FURNITURE_TAGS or is_widget(a) for a in (el, *el.iterancestors())):
            continue
        if text := element_text(el):
            return text
    return None


def _description(page: Page) -> str | None:
    return page.md.first("og:description", "description", "twitter:description")


def lead(page: Page) -> str | None:
    return resolve(
        page,
        "lead",
        (
            ("rules", lambda: page.rule("lead")),
            ("html:lead-class", lambda: _lead_element_text(page)),
            ("meta:description", lambda: page.shows(_description(page))),
            ("jsonld:description", lambda: page.shows(_first(jsonld_text(page.jsonld.get("description"))))),
        ),
    )


def authors(page: Page) -> list[str]:
    """People only: every candidate is split into names and loses IDs, slugs, e-mails and the
    publisher before it counts, so a page whose JSON-LD author is its own brand falls through
    to the byline it prints."""
    publishers = publisher_names(page)
    skip = lambda el: el.tag in NEVER_CONTENT_TAGS or is_widget(el)  # noqa: E731
    found = resolve(
        page,
        "authors",
        (
            ("rules", lambda: people(page.rule_all("authors"), publishers)),
            ("jsonld:author", lambda: people(jsonld_text(page.jsonld.get("author")), publishers)),
            ("meta:author", lambda: people(page.md.all("article:author") + page.md.all("author"), publishers)),
            ("html:byline", lambda: first_people(_byline_elements(page), publishers)),
            ("html:byline", lambda: first_people(byline_candidates(page.named, skip), publishers)),
        ),
    )
    return found or []


def _byline_elements(page: Page):
    """The byline markup conventions: ``rel=author``, ``itemprop=author``, ``.author-name``, ``.byline``."""
    yield select_texts(page.sel, ("[rel=author]", "[itemprop=author] [itemprop=name]"), many=True)
    yield [element_text(el) for el, _, tokens in page.named if "author-name" in tokens]
    bylines = [el for el, _, tokens in page.named if "byline" in tokens]
    yield [element_text(d) for el in bylines for d in el.iter() if "author" in (d.get("class") or "").split()]
    yield [element_text(el) for el in bylines]


def publisher_names(page: Page) -> list[str]:
    """Names the page gives its publisher: site name, JSON-LD publisher, host, site rules."""
    publisher = page.jsonld.get("publisher")
    return [
        *page.md.all("og:site_name"),
        *page.md.all("application-name"),
        *jsonld_text(publisher if isinstance(publisher, dict | list) else None),
        registered_host(page.url).split(".")[0],
        registered_host(page.url),
        page.rules.name,
    ]


def _split_keywords(values: list[str]) -> list[str]:
    return [t for k in values for t in k.split(",") if t.strip()]


_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|$|-)")


def _date(page: Page, name: str, jsonld_key: str, meta: tuple[str, ...]) -> str | None:
    def iso(values: list[str | None]) -> str | None:
        return next((d for v in values if (d := to_iso(v, page.rules.timezone, page.not_after))), None)

    itemprop = f"[itemprop={jsonld_key}]::attr(datetime), [itemprop={jsonld_key}]::attr(content)"
    candidates = [
        ("rules", lambda: iso(page.rule_all(name))),
        (f"jsonld:{jsonld_key}", lambda: iso(jsonld_text(page.jsonld.get(jsonld_key)))),
        *((f"meta:{m}", lambda m=m: iso([page.md.first(m)])) for m in meta),
        (f"html:itemprop:{jsonld_key}", lambda: iso(page.sel.css(itemprop).getall())),
    ]
    if name == "published_at":
        candidates += [
            (
                "html:time",
                lambda: iso(page.sel.css("article time::attr(datetime), time[pubdate]::attr(datetime)").getall()),
            ),
            ("url", lambda: iso(["-".join(m.groups())] if (m := _URL_DATE.search(page.url)) else [])),
        ]
    value = resolve(page, name, candidates)
    return _as_precise_as_the_page(value, page, jsonld_key) if value else None


_PAGE_DATES = {
    "datePublished": (
        ("article:published_time", "datepublished", "og:published_time", "pubdate"),
        "[itemprop=datePublished]::attr(content), time[pubdate]::attr(datetime)",
    ),
    "dateModified": (
        ("article:modified_time", "datemodified", "og:updated_time"),
        "[itemprop=dateModified]::attr(content)",
    ),
}


def _page_dates(page: Page, key: str | None = None) -> list[str]:
    """The dates the page states in its metadata, as ISO values: of one kind (``datePublished``)
    or of every kind."""
    values: list[str | None] = []
    for kind, (meta, css) in _PAGE_DATES.items():
        if key in (None, kind):
            values += [v for o in page.md.articles for v in jsonld_text(o.get(kind))]
            values += [page.md.first(m) for m in meta] + page.sel.css(css).getall()
    return [d for v in values if (d := to_iso(v, None, page.not_after))]


def _as_precise_as_the_page(value: str, page: Page, key: str) -> str:
    """A date alone takes its time where the page prints the same day with one; a time
    without offset takes the offset of the same time elsewhere, else the offset the page's
    other dates carry, else the site's time zone; else it stays as it is, never assumed UTC."""
    if len(value) > 10 and has_offset(value):
        return value
    others = _page_dates(page)
    if len(value) == 10:
        same_day = [o for o in _page_dates(page, key) if len(o) > 10 and o[:10] == value]
        if not same_day:
            return value
        value = next((o for o in same_day if has_offset(o)), same_day[0])
        if has_offset(value):
            return value
    if same_time := [o for o in others if has_offset(o) and o[:16] == value[:16]]:
        return same_time[0]
    offset = next((offset_of(o) for o in others if has_offset(o)), None) or page.rules.timezone
    return with_offset(value, offset) if offset else value


def published_at(page: Page) -> str | None:
    meta = ("article:published_time", "datepublished", "og:published_time", "pubdate", "date")
    return _date(page, "published_at", "datePublished", meta)


def updated_at(page: Page) -> str | None:
    return _date(page, "updated_at", "dateModified", ("article:modified_time", "datemodified", "og:updated_time"))


def section(page: Page, title: str | None) -> str | None:
    crumbs = [c for c in page.md.breadcrumbs[1:] if text_key(c) != text_key(title or "")]
    return resolve(
        page,
        "section",
        (
            ("rules", lambda: page.rule("section")),
            ("jsonld:articleSection", lambda: _first(jsonld_text(page.jsonld.get("articleSection")))),
            ("meta:article:section", lambda: page.md.first("article:section")),
            ("jsonld:breadcrumb", lambda: crumbs[-1] if crumbs else None),
        ),
    )


def tags(page: Page) -> list[str]:
    return (
        resolve(
            page,
            "tags",
            (
                ("rules", lambda: page.rule_all("tags")),
                ("meta:article:tag", lambda: page.md.all("article:tag")),
                (
                    "jsonld:keywords",
                    lambda: [t for k in jsonld_text(page.jsonld.get("keywords")) for t in k.split(",")],
                ),
                ("meta:keywords", lambda: _split_keywords([page.md.first("news_keywords", "keywords") or ""])),
            ),
        )
        or []
    )


def language(page: Page) -> str | None:
    value = resolve(
        page,
        "language",
        (
            ("rules", lambda: page.rules.language),
            ("html:lang", lambda: page.md.lang),
            ("meta:og:locale", lambda: page.md.first("og:locale")),
            ("jsonld:inLanguage", lambda: _first(jsonld_text(page.jsonld.get("inLanguage")))),
            ("meta:language", lambda: page.md.first("language", "content-language")),
        ),
    )
    return re.split(r"[-_]", value.strip())[0].lower() if value else None


def source(page: Page) -> dict | None:
    return resolve(page, "source", (("rules", lambda: publisher_credit(page.rule("source"))),))


def canonical(page: Page) -> str:
    """rel=canonical or og:url when they stay on the page's site, else the fetched URL."""

    def same_site(candidate: str | None) -> str | None:
        url = absolute_url(candidate, page.url)
        return canonical_url(url) if url and registered_host(url) == registered_host(page.url) else None

    return resolve(
        page,
        "canonical_url",
        (
            ("html:link-canonical", lambda: same_site(page.md.canonical)),
            ("meta:og:url", lambda: same_site(page.md.first("og:url"))),
            ("url", lambda: canonical_url(page.url)),
        ),
    )


def lead_image(page: Page) -> dict | None:
    src = absolute_url(page.md.first("og:image", "twitter:image"), page.url)
    return {"src": src, "caption": None} if src else None
