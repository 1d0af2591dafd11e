"""Rendering pages in a real browser (scrapy-playwright, Chromium), only when needed:
finding the browser, the download handler, and what a rendered page may load."""

RENDER_MODES = ("auto", "always", "never")
"""A spider's ``-a render=``: when the site's rules or the page say so; every page; never."""
