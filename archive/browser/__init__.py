"""The archive browser (``python -m archive serve``): search, read, compare versions and see
pages as captured, in a web page, read-only. Routes and safety in ``app``; what each page
reads in ``reading``; pure helpers: ``params`` (checking requests), ``word_diff``,
``captured`` (neutralizing archived HTML), ``charts`` (SVG) and ``health`` (rule health)."""

from archive.browser.app import create_app

__all__ = ["create_app"]
