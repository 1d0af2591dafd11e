"""URL normalization: one spelling per page, tracking parameters removed."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|"
    r"zarsrc|gidzl|zacc|cmpid|icid|ito|ref_src|ref_url|share_id|s_cid|at_[a-z_]+)$",
    re.I,
)


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True), fragment=""))


def canonical_url(url: str) -> str:
    """The URL without tracking parameters or fragment, scheme and host lower-cased,
    query arguments sorted (w3lib's canonical form)."""
    return canonicalize_url(strip_tracking(url.strip()), keep_fragments=False)


def absolute_url(href: str | None, base: str) -> str | None:
    """``href`` resolved against the page, or None for non-web links (``data:``, ``javascript:``)."""
    if not href or not (href := href.strip()):
        return None
    url = urljoin(base, href)
    return url if url.startswith(("http://", "https://")) else None


def registered_host(url: str) -> str:
    """Host without ``www.``: what tells two URLs are of the same site."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")
