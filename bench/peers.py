"""The tools people use today to get articles out of WARC files, for ``make bench``'s import
comparison: run with the peers' own virtualenv (``bench/.peers``, news-please and trafilatura
as released), never imported by the project.

    bench/.peers/bin/python bench/peers.py newsplease|trafilatura FILE.warc.gz

Prints one JSON line: records read, articles found (a text came out), seconds.
"""

import json
import sys
import time

from warcio.archiveiterator import ArchiveIterator


def html_responses(path: str):
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response" or record.http_headers.get_statuscode() != "200":
                continue
            if "html" in (record.http_headers.get_header("Content-Type") or ""):
                yield record


def newsplease(path: str) -> tuple[int, int]:
    """news-please's documented WARC entry point, one record at a time."""
    from newsplease import NewsPlease

    records = articles = 0
    for record in html_responses(path):
        records += 1
        try:
            article = NewsPlease.from_warc(record)
        except Exception:  # as a user's loop must: one page failing (a language it lacks) is not the run
            continue
        articles += bool(article and article.maintext)
    return records, articles


def trafilatura_loop(path: str) -> tuple[int, int]:
    """A warcio loop calling ``trafilatura.bare_extraction`` on each page."""
    import trafilatura

    records = articles = 0
    for record in html_responses(path):
        records += 1
        html = record.content_stream().read()
        url = record.rec_headers.get_header("WARC-Target-URI")
        try:
            result = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        except Exception:  # as above
            continue
        articles += bool(result and (result.text if hasattr(result, "text") else result.get("text")))
    return records, articles


if __name__ == "__main__":
    tool, warc = sys.argv[1], sys.argv[2]
    start = time.monotonic()
    records, articles = {"newsplease": newsplease, "trafilatura": trafilatura_loop}[tool](warc)
    print(json.dumps({"records": records, "articles": articles, "seconds": time.monotonic() - start}))
