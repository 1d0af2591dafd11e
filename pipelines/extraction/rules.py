"""Applying a site's selectors (``SiteRules``) to a parsed page."""

from __future__ import annotations

from parsel import Selector

from pipelines.extraction.dom import element_text, remove


def select_texts(sel: Selector, selectors: tuple[str, ...], many: bool = False) -> list[str]:
    """Texts of the first selector that matches anything: attribute/text values as they
    are, elements as their visible text."""
    for css in selectors:
        values = [r.root if isinstance(r.root, str) else element_text(r.root) for r in sel.css(css)]
        values = [v.strip() for v in values if v and v.strip()]
        if values:
            return values if many else values[:1]
    return []


def select_text(sel: Selector, selectors: tuple[str, ...]) -> str | None:
    found = select_texts(sel, selectors)
    return found[0] if found else None


def select_element(sel: Selector, selectors: tuple[str, ...]):
    """The element matched by the first selector that matches one."""
    for css in selectors:
        for r in sel.css(css):
            if not isinstance(r.root, str):
                return r.root
    return None


def remove_matches(sel: Selector, selectors: tuple[str, ...]) -> None:
    for css in selectors:
        for r in sel.css(css):
            if not isinstance(r.root, str):
                remove(r.root)
