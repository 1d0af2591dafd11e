"""An archived page made safe to look at: nothing in it runs and nothing is fetched from the
live web. Scripts, frames, plug-ins, refreshes and event handlers are removed; links to
archived pages go to the archive, other links and every image, stylesheet and font are
blocked and shown as blocked. The viewer also serves it with a Content-Security-Policy that
forbids scripts and any request but images inlined as ``data:``, inside a sandboxed iframe:
three locks, each enough alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

CAPTURED_PAGE_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'; sandbox allow-top-navigation-by-user-activation"
)
"""The captured page's Content-Security-Policy: no script, no fetch, no font, no frame; inline
styles and ``data:`` images only; sandboxed even when opened outside the viewer."""
BLOCKED_IMAGE = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='120' height='60'%3E"
    "%3Crect width='100%25' height='100%25' fill='%23eee' stroke='%23c33' stroke-dasharray='4'/%3E"
    "%3Ctext x='50%25' y='55%25' font-size='12' text-anchor='middle' fill='%23933'%3Eimage blocked%3C/text%3E%3C/svg%3E"
)
_REMOVED = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal")
_URL_ATTRIBUTES = ("src", "srcset", "data-src", "data-srcset", "data-original", "poster", "background", "lowsrc")
_CSS_URL = re.compile(r"url\s*\(|@import|expression\s*\(", re.IGNORECASE)
BANNER_STYLE = (
    "all:initial;display:block;font:13px sans-serif;background:#fff3cd;color:#5c4400;padding:6px 10px;"
    "border-bottom:1px solid #e0c060"
)


def neutralized(html: bytes | str, base_url: str, archived: Callable[[set[str]], dict[str, str]]) -> tuple[str, dict]:
    """The page as safe HTML, and counts of what was blocked. ``archived(urls)`` maps those of
    the page's link targets that are archived to their address in the archive (one look-up)."""
    counts = {"scripts": 0, "links": 0, "archived_links": 0, "images": 0, "styles": 0}
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    try:
        root = lxml.html.document_fromstring(html or "<p></p>")
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<p>(the archived page could not be parsed)</p>")
    for element in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        element.drop_tree()  # the text after a removed element stays (lxml joins its tail)
    inside = archived({t for a in root.iter("a", "area") if (t := _target(a.get("href"), base_url))})
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in _REMOVED:
            counts["scripts"] += tag in ("script", "iframe", "object", "embed")
            element.drop_tree()
            continue
        if tag == "meta" and element.get("http-equiv"):
            element.drop_tree()
            continue
        if tag == "link":
            counts["styles"] += 1
            element.drop_tree()
            continue
        _clean_attributes(element, counts)
        if tag == "style" and _CSS_URL.search(element.text or ""):
            element.text = _CSS_URL.sub("blocked(", element.text)
            counts["styles"] += 1
        if tag in ("img", "image", "source", "input", "video", "audio", "track"):
            _block_media(element, tag, base_url, counts)
        if tag in ("a", "area"):
            _relink(element, base_url, inside, counts)
        if tag == "form":
            element.attrib.pop("action", None)
    body = root.find("body")
    if body is not None:
        banner = etree.Element("div", style=BANNER_STYLE)
        banner.text = (
            f"Archived capture of {base_url} — scripts removed: {counts['scripts']}, "
            f"images blocked: {counts['images']}, live links blocked: {counts['links']}"
        )
        body.insert(0, banner)
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode"), counts


def _clean_attributes(element, counts: dict) -> None:
    for name in list(element.attrib):
        lower = name.lower()
        value = element.attrib[name]
        if lower.startswith("on") or lower in ("formaction", "action", "ping", "xmlns:xlink"):
            counts["scripts"] += lower.startswith("on")
            del element.attrib[name]
        elif lower == "style" and _CSS_URL.search(value):
            element.attrib[name] = _CSS_URL.sub("blocked(", value)
            counts["styles"] += 1
        elif lower.endswith("href") and element.tag not in ("a", "area"):
            del element.attrib[name]  # svg <use xlink:href>, <image href>: fetched by the browser


def _block_media(element, tag: str, base_url: str, counts: dict) -> None:
    original = next((element.get(a) for a in _URL_ATTRIBUTES if element.get(a)), None)
    for attribute in _URL_ATTRIBUTES:
        element.attrib.pop(attribute, None)
    if original is None:
        return
    counts["images"] += 1
    if tag == "img":
        element.set("src", BLOCKED_IMAGE)
        element.set("title", "blocked: " + urljoin(base_url, original.split()[0]))


def _target(href: str | None, base_url: str) -> str | None:
    """The absolute web address a link points to (None: a fragment, a script, mail, …)."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    target = urljoin(base_url, href).split("#")[0]
    return target if urlsplit(target).scheme in ("http", "https") else None


def _relink(element, base_url: str, inside: dict[str, str], counts: dict) -> None:
    element.attrib.pop("target", None)
    if (element.get("href") or "").strip().startswith("#"):
        return
    target = _target(element.get("href"), base_url)
    if target is None:
        element.attrib.pop("href", None)
    elif target in inside:
        element.set("href", inside[target])
        element.set("target", "_top")
        counts["archived_links"] += 1
    else:
        del element.attrib["href"]
        element.set("title", "not archived (blocked): " + target)
        element.set("style", "text-decoration:line-through dotted;cursor:not-allowed")
        counts["links"] += 1
