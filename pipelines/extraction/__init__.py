"""Pure extraction and cleaning: HTML in, article dict out, no Scrapy needed.

Modules, one job each: ``decode`` (bytes to text), ``dom`` (parsing and text
of elements), ``metadata`` (JSON-LD and meta tags), ``dates``, ``urls``,
``boilerplate`` (blocks stripped from the page), ``rules`` (site rules applied),
``content`` (body paragraphs and images of a container), ``generic`` (finding
the container on pages without rules), ``fields`` (one value per field, site
rules first), ``cleaning`` (text-level cleaning of the result) and ``article``
(the public entry point).
"""
