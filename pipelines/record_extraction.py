"""A worker's task in ``archive import``: the article of one WARC record, read from its file
at its offset (the importing process sends where the record is, not its payload).

Its own module, importing extraction and WARC reading only: the worker pool's forkserver
imports it before the workers are forked (``WorkerPool(preload=…)``), and the store and
Scrapy's utilities, which the importing process needs, would double that time. The extraction
stack itself is imported by ``extract``: the workers have it already (``workers.PRELOAD``),
the importing process, which never extracts, goes without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from archive.decisions import MALFORMED, TOO_LARGE
from archive.warc import MAX_PAYLOAD, READ_ERRORS, PayloadTooLargeError, read_response

if TYPE_CHECKING:
    from pipelines.extraction.site_rules import SiteRules


@dataclass(frozen=True)
class Job:
    """What a worker extracts: the payload of the record at (file, offset), as fetched from ``url``."""

    file: str
    offset: int
    url: str
    fetched_at: datetime
    rules: SiteRules | None


def extract(job: Job) -> dict | str:
    """The article of a record, or the outcome of one that is not (run in a worker process)."""
    from pipelines.extraction.article import article_from_page
    from pipelines.extraction.classify import ARCHIVED_TYPES
    from pipelines.extraction.dom import MalformedPageError

    try:
        stored = read_response(job.file, job.offset, max_size=MAX_PAYLOAD)
        article = article_from_page(stored.body, job.url, dict(stored.headers), job.rules, job.fetched_at)
    except MalformedPageError:
        return f"dropped:{MALFORMED}"
    except PayloadTooLargeError:
        return f"dropped:{TOO_LARGE}"
    except (*READ_ERRORS, StopIteration, LookupError) as exc:
        return f"failed:{exc.__class__.__name__}"
    article.pop("needs_browser", None)  # an import has no browser: the page is what was captured
    if article["page_type"] not in ARCHIVED_TYPES:
        return f"dropped:{article['page_type']}"
    return article
