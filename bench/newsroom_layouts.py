"""The simulated newsroom's story pages in the layouts of real sites: each recording of
``tests/recordings`` (kinhtedothi.vn, thanhnien.vn, a WordPress blog) with its story cut out
and everything around it kept — menus, "Đọc nhiều" and related boxes (the ones inside the body
too), scripts, footers — so a simulated fetch weighs and reads like the real page (17–45 KB
where the generic page is 2 KB), and the extractor finds the story among the real furniture.

A template is the recording as the site's own rules read it (``crawler.sites``): its headline
element, ``<title>`` and social titles emptied for the story's headline; its lead, JSON-LD and
article metadata removed (they describe the recorded story); in its body element the text
blocks removed for the story's paragraphs, its figures and the boxes the rules strip kept where
they stand; links to other hosts made paths of the simulated site, so nothing a simulated page
names leaves loopback."""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path

import lxml.html
from lxml import etree
from parsel import Selector

from pipelines.extraction.dom import remove
from pipelines.extraction.rules import remove_matches, select_element
from pipelines.extraction.site_rules import SiteRules

RECORDINGS = Path(__file__).resolve().parents[1] / "tests" / "recordings"
LAYOUTS = ("kinhtedothi.vn", "thanhnien.vn", "hanhkhatkito.net")
"""The recorded sites whose article pages are layouts; the newsroom's own page is ``generic``."""
TITLE, BODY, HEAD, NOISE, URL = "@@TITLE@@", "@@BODY@@", "@@HEAD@@", "@@NOISE@@", "@@URL@@"
_OTHER_HOST = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?::\d+)?")
_STALE_META = "meta[name=description], meta[property^='og:description'], meta[property^='article:'], meta[name^='twitter:description']"  # noqa: E501


def _rules(layout: str) -> SiteRules:
    from crawler.sites import hanhkhatkito, kinhtedothi, thanhnien

    return {m.RULES.name: m.RULES for m in (kinhtedothi, thanhnien, hanhkhatkito)}[layout]


def _css(selector: str) -> str:
    """A rule's selector without its parsel pseudo-element (``::text``, ``::attr(…)``)."""
    return selector.split("::", 1)[0]


def _element(sel: Selector, selectors: tuple[str, ...]):
    """The element the rules' selectors find first (their ``::text``/``::attr`` parts left off)."""
    if (found := select_element(sel, tuple(_css(css) for css in selectors))) is None:
        raise ValueError(f"the recording has none of {selectors}")
    return found


def _kept_in_body(el, stripped: set) -> bool:
    """Figures and the boxes the rules strip stay in the body where they stand."""
    if el in stripped or el.tag == "figure" or el.find(".//img") is not None:
        return True
    return any(d in stripped for d in el.iterdescendants())


@cache
def template(layout: str) -> str:
    """The recording of ``layout`` with the story's places marked (``TITLE``, ``BODY``, ``HEAD``,
    ``NOISE``, ``URL``)."""
    rules = _rules(layout)
    raw = (RECORDINGS / layout / "article.html").read_bytes()
    root = lxml.html.document_fromstring(raw, parser=lxml.html.HTMLParser(encoding="utf-8"))
    sel = Selector(root=root, type="html")
    remove_matches(sel, ("script[type='application/ld+json']", "link[rel=shortlink]", _STALE_META))
    for el in sel.css("link[rel=canonical], link[rel=alternate][media]"):
        el.root.set("href", URL)
    for el in sel.css("meta[property='og:url']"):
        el.root.set("content", URL)
    for el in sel.css("title, meta[property='og:title'], meta[name='twitter:title']"):
        if el.root.tag == "title":
            el.root.text = TITLE
        else:
            el.root.set("content", TITLE)
    headline = _element(sel, rules.title)
    for child in list(headline):
        headline.remove(child)
    headline.text = TITLE
    if rules.lead:
        remove(_element(sel, rules.lead))
    body = _element(sel, rules.body)
    stripped = {el.root for css in rules.strip for el in Selector(root=body, type="html").css(_css(css))}
    marker = None
    for child in list(body):
        if not isinstance(child.tag, str) or not _kept_in_body(child, stripped):
            if marker is None:
                marker = etree.Element("p")
                marker.text = BODY
                child.addprevious(marker)
            body.remove(child)
    if marker is None:
        raise ValueError(f"{layout}: no text in the body element")
    body.text = None
    head = root.find("head")
    head.append(etree.Comment(HEAD))
    root.find("body").append(etree.Comment(NOISE))
    markup = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    markup = markup.replace(f"<p>{BODY}</p>", BODY).replace(f"<!--{HEAD}-->", HEAD).replace(f"<!--{NOISE}-->", NOISE)
    return markup


def page(layout: str, site: str, path: str, title: str, paragraphs: tuple[str, ...], head: str, noise: str) -> bytes:
    """A story's page in ``layout`` at ``path`` (its canonical URL): ``head`` (its JSON-LD) and
    ``noise`` (what differs on every fetch) added, links to other hosts made paths of ``site``."""
    return (
        _site_template(layout, site)
        .replace(URL, escape(path))
        .replace(TITLE, escape(title))
        .replace(BODY, "".join(f"<p>{escape(p)}</p>" for p in paragraphs))
        .replace(HEAD, head)
        .replace(NOISE, noise)
        .encode()
    )


@cache
def _site_template(layout: str, site: str) -> str:
    return _OTHER_HOST.sub(f"/{site}/ngoai", template(layout))
