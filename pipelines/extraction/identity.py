"""Which article a page is: the site's stable article id where it has one
(``thanhnien.vn:1851335421``), else its canonical URL reduced to what identifies a page
(``url:example.org/2024/05/12/story``: no scheme, ``www.``/``m.``/``amp.`` host prefixes,
AMP path or query markers, tracking parameters, fragment or trailing slash).

Slug edits, AMP and mobile variants and ``?utm_…`` copies of one story share a key, and
so become aliases of one article.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from crawler.sites import SiteRules, rules_for_url
from pipelines.extraction.urls import canonical_url

_HOST_PREFIX = re.compile(r"^(www\d?|m|mobile|amp)\.")
_AMP_PATH = re.compile(r"(/amp/?$|/amp(?=/)|\.amp(?=\.html?$|$))")
_AMP_QUERY = re.compile(r"(^|&)(amp|outputType=amp)(=[^&]*)?(?=&|$)")


def identity_url(url: str) -> str:
    """The URL as it identifies a page, whatever variant was fetched."""
    parts = urlsplit(canonical_url(url))
    host = _HOST_PREFIX.sub("", (parts.hostname or "").lower())
    path = _AMP_PATH.sub("", parts.path).rstrip("/") or "/"
    query = _AMP_QUERY.sub("", parts.query).strip("&")
    return urlunsplit(("", host, path, query, "")).removeprefix("//")


def article_key(url: str, canonical: str | None = None, rules: SiteRules | None = None) -> str:
    """The identity key of the article at ``url`` (its canonical URL preferred)."""
    rules = rules or rules_for_url(canonical or url)
    if rules is not None and rules.article_id:
        for candidate in (canonical, url):
            if candidate and (m := re.search(rules.article_id, urlsplit(candidate).path)):
                return f"{rules.name}:{m.group(1)}"
    return "url:" + identity_url(canonical or url)
