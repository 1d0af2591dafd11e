"""What kind of page this is. Only ``article`` and ``paywalled`` (flagged) pages become
article versions; the extract step drops the others with the type as reason.

- ``not_found``: a 404/410, or a "soft 404" served with 200 (title saying the page is gone);
- ``challenge``: a bot or JavaScript wall (Cloudflare, captchas, "enable JavaScript");
- ``paywalled``: the page says it is for subscribers and shows only a teaser;
- ``listing``: section and home pages, or URLs a site's rules say are not articles;
- ``empty``: no body text at all.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pipelines.extraction.fields import Page

ARCHIVED_TYPES = ("article", "paywalled")
MIN_ARTICLE_CHARS = 300
"""Body text below which a page that does not declare itself an article is not one."""
MIN_DECLARED_ARTICLE_CHARS = 80
TEASER_MAX_CHARS = 1200
"""A paywalled page with more body text than this shows the article anyway."""
LISTING_TYPES = frozenset({"CollectionPage", "SearchResultsPage", "ProfilePage", "ItemList"})

_NOT_FOUND = re.compile(
    r"\b(404|page not found|not found|no longer available|không tìm thấy|không tồn tại|trang bạn tìm|lỗi 404)\b", re.I
)
_CHALLENGE = re.compile(
    r"(just a moment\.\.\.|attention required|cf-browser-verification|challenge-platform|cf-chl-|"
    r"g-recaptcha|h-captcha|hcaptcha|please enable (javascript|cookies)|enable javascript and cookies|"
    r"checking your browser|access denied|are you a robot|ddos protection)",
    re.I,
)
_SCRIPT_BUILT = re.compile(
    r"""<div[^>]+id=["']?(root|app|__next|__nuxt|main-app)["']?[^>]*>\s*</div>|__NEXT_DATA__|window\.__NUXT__|"""
    r"__INITIAL_STATE__|__PRELOADED_STATE__|data-reactroot|ng-version=|<app-root|"
    r"<noscript>[^<]{0,200}(enable|turn on|bật)\s+javascript",
    re.I,
)
_PAYWALL_CLASS = re.compile(r"(paywall|premium-content|subscriber-only|subscribers-only|meter-wall|regwall)", re.I)


_PLACEHOLDER = re.compile(
    r"^\W*(đang tải( nội dung| dữ liệu| bài viết)?|loading( content| article)?|please wait|vui lòng (chờ|đợi)|"
    r"wird geladen|chargement( en cours)?|cargando|carregando|caricamento)\W*$",
    re.I,
)
"""What a page shows where a script will put the article ("Đang tải nội dung…", "Loading…")."""


def body_chars(body: list[str]) -> int:
    """Characters of body text, placeholders not counted."""
    return sum(len(p.strip()) for p in body if not _PLACEHOLDER.match(p))


def page_type(page: Page, body: list[str], html: str) -> str:
    chars = body_chars(body)
    title = " ".join(page.sel.css("title::text, h1 ::text").getall())[:300]
    if chars < MIN_ARTICLE_CHARS and _NOT_FOUND.search(title):
        return "not_found"
    if chars < MIN_ARTICLE_CHARS and _CHALLENGE.search(html[:20000] + html[-5000:]):
        return "challenge"
    if chars == 0:
        return "empty"
    if page.rules.owns(urlsplit(page.url).hostname or "") and not page.rules.is_article_url(page.url):
        return "listing"
    if page.md.types & LISTING_TYPES and not page.md.article:
        return "listing"
    if chars <= TEASER_MAX_CHARS and _paywalled(page):
        return "paywalled"
    og_type = (page.md.first("og:type") or "").lower()
    if og_type == "article" or page.md.article:
        return "article" if chars >= MIN_DECLARED_ARTICLE_CHARS else "empty"
    if og_type == "website":
        return "listing"
    return "article" if chars >= MIN_ARTICLE_CHARS else "listing"


def needs_browser(kind: str, body: list[str], html: str) -> bool:
    """Whether a browser may show what the static page does not: an empty page, a script or
    bot wall, or a page short of article text whose markup is a script application's shell
    (an empty ``#root``/``#app``, ``__NEXT_DATA__``, "enable JavaScript", …)."""
    if kind in ("empty", "challenge"):
        return True
    short = body_chars(body) < MIN_ARTICLE_CHARS
    return kind in ("listing", "article") and short and bool(_SCRIPT_BUILT.search(html))


def _paywalled(page: Page) -> bool:
    free = page.md.article.get("isAccessibleForFree")
    if isinstance(free, str):
        free = free.strip().lower() not in ("false", "0", "no")
    if free is False:
        return True
    return any(_PAYWALL_CLASS.search(c) for c in page.sel.xpath("//@class").getall())
