"""Per-site rules, one small module per publisher, found by domain.

Adding a site means adding one module here that defines ``RULES`` (the rules in force now) and,
once the site has changed its layout, ``EARLIER``: the older versions, each with its
``valid_until`` day. Every module of this package is a site (the one list of sites); each needs
a recording with expected fields under ``tests/recordings/<site>/`` for every version
(``tests/test_site_rule_coverage.py``). A site without rules still works through the generic
extractor.
"""

from __future__ import annotations

import pkgutil
from datetime import datetime
from functools import lru_cache
from importlib import import_module

from pipelines.extraction.site_rules import SiteCatalog, SiteRules


def site_modules() -> list[str]:
    """The names of this package's site modules."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


@lru_cache(maxsize=1)
def catalog() -> SiteCatalog:
    modules = [import_module(f"{__name__}.{name}") for name in site_modules()]
    return SiteCatalog((*getattr(module, "EARLIER", ()), module.RULES) for module in modules)


def all_rules() -> tuple[SiteRules, ...]:
    """Every site's rules in force now."""
    return catalog().current()


def rules_for_url(url: str, when: datetime | None = None) -> SiteRules | None:
    """The rules of the site that serves ``url``, if the project has any, in the version in
    force for a capture fetched at ``when`` (None: now)."""
    return catalog().for_url(url, when)


def rules_by_name(name: str, when: datetime | None = None) -> SiteRules | None:
    return catalog().by_name(name, when)


__all__ = ["SiteRules", "all_rules", "catalog", "rules_by_name", "rules_for_url", "site_modules"]
