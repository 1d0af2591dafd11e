"""The shape of a site's rules: plain data, no behaviour.

A rule module declares *where* things are on a publisher's pages; the
extractor (``pipelines.extraction``) decides *how* to read them. Every
selector field is a tuple of parsel CSS selectors (``::text`` and
``::attr(name)`` allowed), tried in order; the first that yields a value wins.
Fields left empty fall back to page metadata and the generic extractor.

Rules have versions, as Fundus versions its parsers: when a publisher changes its layout, the
old rules stay, with ``valid_until`` set to the day of the change, and captures are read with
the version in force when they were fetched (``in_force``), so a re-extraction of a 2024
capture uses 2024's selectors. ``SiteCatalog`` holds every site's versions and answers which
rules apply to a URL or a site name at a capture time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cached_property
from urllib.parse import urlsplit

from archive.keys import strip_tracking

Selectors = tuple[str, ...]


@dataclass(frozen=True)
class SiteRules:
    name: str
    """Site name as stored in the archive, e.g. ``"thanhnien.vn"``."""
    spider: str
    """Name of the dedicated spider, e.g. ``"thanhnien"``."""
    domains: tuple[str, ...]
    article_url: str
    """Regex (searched in the full URL) that article URLs match."""
    sources: tuple[str, ...] = ()
    """Discovery start points: news sitemaps, sitemap indexes, feeds, listings."""
    article_id: str | None = None
    """Regex with one group: the site's stable article id inside the URL."""
    language: str | None = None
    timezone: str | None = "+07:00"
    """Offset given to dates printed without one."""
    render: bool = False
    """Whether pages need a JavaScript-capable browser."""
    valid_until: date | None = None
    """The day (UTC) the site's layout changed and these rules stopped applying: captures fetched
    before it are read with them. None: the rules in force now."""

    title: Selectors = ()
    lead: Selectors = ()
    body: Selectors = ()
    """Container(s) of the article body; the first that matches is used."""
    authors: Selectors = ()
    published_at: Selectors = ()
    updated_at: Selectors = ()
    section: Selectors = ()
    tags: Selectors = ()
    source: Selectors = ()
    """Credit line naming the original publisher of a re-post."""
    strip: Selectors = ()
    """Blocks removed from the body container before body and images are read (on top of the
    generic ones); without a matching ``body`` selector, from the whole page."""

    @cached_property
    def article_re(self) -> re.Pattern[str]:
        return re.compile(self.article_url)

    def is_article_url(self, url: str) -> bool:
        """By the rule's pattern, on the URL without its tracking parameters and fragment: a
        shared or syndicated link (``?utm_source=…``, ``#comments``) is the same article."""
        return bool(self.article_re.search(strip_tracking(url)))

    def owns(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def in_force_at(self, when: datetime | None) -> bool:
        """Whether a capture fetched at ``when`` (None: now; a time without zone: UTC) is read with these rules."""
        if self.valid_until is None:
            return True
        if when is None:
            return False
        moment = when if when.tzinfo else when.replace(tzinfo=UTC)
        return moment < datetime.combine(self.valid_until, time.min, tzinfo=UTC)


class SiteRulesError(ValueError):
    """A site's versions do not make one history: a project mistake, found when the catalog is built."""


def in_force(versions: Sequence[SiteRules], when: datetime | None) -> SiteRules:
    """The version of a site's rules (oldest first, the current one last) for a capture fetched at ``when``."""
    return next(v for v in versions if v.in_force_at(when))


def checked_versions(versions: Iterable[SiteRules]) -> tuple[SiteRules, ...]:
    """A site's versions, oldest first: one site, distinct ``valid_until`` days, and exactly one
    current version (no ``valid_until``)."""
    ordered = tuple(sorted(versions, key=lambda v: v.valid_until or date.max))
    if not ordered:
        raise SiteRulesError("a site needs at least one version of its rules")
    name = ordered[-1].name
    if {v.name for v in ordered} != {name}:
        raise SiteRulesError(f"versions of {name} name other sites: {sorted({v.name for v in ordered})}")
    if ordered[-1].valid_until is not None or any(v.valid_until is None for v in ordered[:-1]):
        raise SiteRulesError(f"{name}: exactly one version must be current (no valid_until)")
    days = [v.valid_until for v in ordered[:-1]]
    if len(set(days)) != len(days):
        raise SiteRulesError(f"{name}: two versions end on the same day")
    return ordered


class SiteCatalog:
    """Every site's rules with their versions: which apply to a URL or a site at a capture time."""

    def __init__(self, sites: Iterable[Iterable[SiteRules]]):
        self.sites: tuple[tuple[SiteRules, ...], ...] = tuple(checked_versions(s) for s in sites)
        names = [versions[-1].name for versions in self.sites]
        if len(set(names)) != len(names):
            raise SiteRulesError(f"a site is declared twice: {sorted(n for n in names if names.count(n) > 1)}")

    def current(self) -> tuple[SiteRules, ...]:
        """Each site's rules in force now."""
        return tuple(versions[-1] for versions in self.sites)

    def versions(self, name: str) -> tuple[SiteRules, ...]:
        """A site's versions, oldest first (none for a site without rules)."""
        return next((versions for versions in self.sites if versions[-1].name == name), ())

    def for_url(self, url: str, when: datetime | None = None) -> SiteRules | None:
        """The rules of the site that serves ``url``, in the version in force at ``when`` (None: now)."""
        host = urlsplit(url).hostname or ""
        versions = next((v for v in self.sites if v[-1].owns(host)), None)
        return in_force(versions, when) if versions else None

    def by_name(self, name: str, when: datetime | None = None) -> SiteRules | None:
        """A site's rules by its name, in the version in force at ``when`` (None: now)."""
        versions = self.versions(name)
        return in_force(versions, when) if versions else None
