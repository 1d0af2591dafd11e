"""Step 3: text-level cleaning (NFC, spaces, repeated lines) and the text fingerprints:
the exact one (``fingerprint``) and the MinHash signature near-duplicates are found by."""

from itemadapter import ItemAdapter

from archive.near_duplicates import signature, to_bytes
from pipelines.base import CrawlerPipeline
from pipelines.extraction.cleaning import ARTICLE_FIELDS, clean_article
from pipelines.workers import pool_of


def clean_and_sign(fields: dict) -> dict:
    """The cleaned fields and their MinHash signature (run in a worker process)."""
    cleaned = clean_article(fields)
    cleaned["minhash"] = to_bytes(signature(cleaned["title"], cleaned["body"] or []))
    return cleaned


class CleanPipeline(CrawlerPipeline):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.pool = pool_of(crawler)  # now, so its workers start with the spider

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        cleaned = await self.pool.run(clean_and_sign, {key: adapter.get(key) for key in ARTICLE_FIELDS})
        for key in (*ARTICLE_FIELDS, "minhash"):
            if key != "url":
                adapter[key] = cleaned[key]
        return item
