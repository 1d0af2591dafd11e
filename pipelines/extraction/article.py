"""The entry points: ``extract_article(html, url, headers, rules) -> dict`` (the CLI, the
tests) and ``article_from_page`` (a worker's task in a crawl and in ``reextract``). Fields are
read from the intact page first; then the site's ``strip`` blocks and the
generic boilerplate are removed and the body and images are read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime

from archive.keys import article_key, signature, to_bytes
from pipelines.extraction import fields
from pipelines.extraction.boilerplate import remove_headlines, strip_boilerplate
from pipelines.extraction.classify import ARCHIVED_TYPES, body_chars, needs_browser, page_type
from pipelines.extraction.cleaning import clean_article
from pipelines.extraction.content import Content, read_content, standfirst
from pipelines.extraction.decode import decode_html
from pipelines.extraction.dom import element_text, parse_html, remove, selector, strip_hidden
from pipelines.extraction.embedded import embedded_article
from pipelines.extraction.generic import Located, locate_article, story_clues
from pipelines.extraction.metadata import jsonld_text, read_metadata
from pipelines.extraction.rules import remove_matches, select_element
from pipelines.extraction.second_opinion import (
    better_reading,
    needs_second_opinion,
    prose_keys,
    trafilatura_paragraphs,
)
from pipelines.extraction.site_rules import SiteRules
from pipelines.extraction.text import text_key

EXTRACTOR_VERSION = "1.13.0"
"""Stored with every article version: bump it when extraction changes, so old snapshots
can be found and re-extracted."""


def extract_fields(
    html: bytes | str,
    url: str,
    headers: Mapping | None = None,
    *,
    rules: SiteRules | None = None,
    fetched_at: datetime | None = None,
) -> dict:
    """Article fields as found on the page, before text-level cleaning."""
    text = decode_html(html, headers)
    root = parse_html(text, base_url=url)
    md = read_metadata(root)
    strip_hidden(root)
    rules = rules or _generic_rules(md.lang)
    page = fields.Page(url=url, sel=selector(root), md=md, rules=rules, not_after=fetched_at or datetime.now(UTC))
    title = fields.title(page)
    headlines = fields.title_variants(page)
    article = {
        "url": url,
        "canonical_url": fields.canonical(page),
        "site": fields.site_name(page),
        "title": title,
        "lead": fields.lead(page),
        "authors": fields.authors(page),
        "published_at": fields.published_at(page),
        "updated_at": fields.updated_at(page),
        "section": fields.section(page, title),
        "tags": fields.tags(page),
        "language": fields.language(page),
        "source": fields.source(page),
    }
    container = select_element(page.sel, rules.body)
    page.provenance["body"] = "rules"
    located = Located(container, 0.0, [])
    if container is not None:
        remove_matches(selector(container), rules.strip)  # inside the body only: a whole-page scan each
    else:
        remove_matches(page.sel, rules.strip)
        body_text = " ".join(jsonld_text(md.article.get("articleBody")))
        clues = story_clues(headlines, body_text, (url, article["canonical_url"]))
        located = locate_article(page.sel, clues)
        container = located.container
        page.provenance["body"] = "generic"
    if container is not None:
        if (opening := _printed_description(page, article["lead"], container)) is not None:
            article["lead"] = element_text(opening)  # the description, printed in bold as the opening
            page.provenance["lead"] = "html:standfirst"
            remove(opening)
        content = _content(container, headlines, url)
        article["body"], article["images"] = content.paragraphs, content.images
        if page.provenance["body"] == "generic" and needs_second_opinion(content.paragraphs, located.prose):
            second = trafilatura_paragraphs(text, url)
            article["body"] = better_reading(
                content.paragraphs, second, prose_keys(located.blocks, page.sel.root, container, headlines)
            )
            if article["body"] is not content.paragraphs:
                page.provenance["body"] = "trafilatura"
    else:
        article["body"], article["images"] = trafilatura_paragraphs(text, url), []
        page.provenance["body"] = "trafilatura"
    if not article["images"] and (image := fields.lead_image(page)):
        article["images"] = [image]
        page.provenance["images"] = "meta:og:image"
    article["live_blog"] = "LiveBlogPosting" in md.types  # its entries keep their times (cleaning)
    article["article_key"] = article_key(url, article["canonical_url"], rules.name or None, rules.article_id)
    article["page_type"] = page_type(page, article["body"], text)
    article["needs_browser"] = needs_browser(article["page_type"], article["body"], text)
    # the page parsed again, its scripts included: the tree above has lost them and what boilerplate
    # stripping removed; only pages bound for the browser get here, and a render costs a hundred times more
    if article["needs_browser"] and (shipped := embedded_article(parse_html(text, code=True), title)) is not None:
        strip_hidden(shipped)
        content = _content(shipped, headlines, url)
        article["body"] = content.paragraphs
        if content.images:
            article["images"] = content.images
            page.provenance.pop("images", None)
        page.provenance["body"] = "embedded"
        article["page_type"] = page_type(page, article["body"], text)
        article["needs_browser"] = needs_browser(article["page_type"], article["body"], text)
    article["provenance"] = page.provenance
    article["extractor_version"] = EXTRACTOR_VERSION
    return article


def _printed_description(page: fields.Page, lead: str | None, container):
    """The container's bold opening paragraph when the page's description (the lead read from
    its metadata) is that paragraph or its cut-off start: the page's standfirst; else None."""
    if not lead or not page.provenance.get("lead", "").startswith(("meta:", "jsonld:")):
        return None
    if (opening := standfirst(container)) is None:
        return None
    key = text_key(lead).rstrip(" .…")
    return opening if key and text_key(element_text(opening)).startswith(key) else None


def _content(container, headlines: list[str], url: str) -> Content:
    """Paragraphs and images of the article's element, boilerplate and repeated headlines removed."""
    strip_boilerplate(container)
    remove_headlines(container, headlines)
    return read_content(container, url)


def _generic_rules(lang: str | None) -> SiteRules:
    """Pages of sites without rules: a time printed without offset is Vietnam's local time on a
    Vietnamese page (one time zone for the whole country); elsewhere the page's own offsets
    decide, or it stays without offset."""
    vietnamese = (lang or "").lower().startswith("vi")
    return dataclasses.replace(fields.NO_RULES, timezone="+07:00" if vietnamese else None)


def extract_article(
    html: bytes | str, url: str, headers: Mapping | None = None, rules: SiteRules | None = None
) -> dict:
    """The clean article of a page (the item schema's article fields), read with ``rules``
    (the site's, found by the caller; the generic extractor without)."""
    article = _cleaned(extract_fields(html, url, headers, rules=rules))
    del article["needs_browser"]
    return article


def article_from_page(
    html: bytes, url: str, headers: Mapping, rules: SiteRules | None, fetched_at: datetime | None, sign: bool = True
) -> dict:
    """What a worker process does with a fetched page, in one round trip: extract, clean and
    sign (``minhash``; ``sign=False`` leaves it to the store, which signs only what becomes a
    version); ``needs_browser`` says whether the static page was not the article."""
    article = _cleaned(extract_fields(html, url, headers, rules=rules, fetched_at=fetched_at))
    if sign:
        article["minhash"] = to_bytes(signature(article["title"], article["body"] or []))
    return article


def _cleaned(fields: dict) -> dict:
    """The cleaned article; an article left with no body text once cleaning dropped its lines
    (the headline again, furniture) or with a placeholder only ("Đang tải nội dung…") is an
    empty page, for the browser, never an empty version."""
    needs = fields.pop("needs_browser")
    article = clean_article(fields)
    if not body_chars(article["body"]) and article["page_type"] in ARCHIVED_TYPES:
        article["page_type"], needs = "empty", True
    article["needs_browser"] = needs
    return article
