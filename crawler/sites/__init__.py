"""Per-site rules, one small module per publisher, found by domain.

Adding a site means adding one module here that defines ``RULES`` and listing
it in ``SITE_MODULES``; a site without rules still works through the generic
extractor.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from urllib.parse import urlsplit

from pipelines.extraction.site_rules import SiteRules

SITE_MODULES = ("kinhtedothi", "thanhnien", "hanhkhatkito")


@lru_cache(maxsize=1)
def all_rules() -> tuple[SiteRules, ...]:
    return tuple(import_module(f"crawler.sites.{name}").RULES for name in SITE_MODULES)


def rules_for_url(url: str) -> SiteRules | None:
    """The rules of the site that serves ``url``, if the project has any."""
    host = urlsplit(url).hostname or ""
    return next((r for r in all_rules() if r.owns(host)), None)


def rules_by_name(name: str) -> SiteRules | None:
    return next((r for r in all_rules() if r.name == name), None)


__all__ = ["SiteRules", "all_rules", "rules_by_name", "rules_for_url"]
