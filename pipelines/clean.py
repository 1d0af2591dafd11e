"""Step 3: text-level cleaning (NFC, spaces, repeated lines) and the text fingerprint."""

from itemadapter import ItemAdapter

from pipelines.extraction.cleaning import ARTICLE_FIELDS, clean_article


class CleanPipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        cleaned = clean_article({key: adapter.get(key) for key in ARTICLE_FIELDS})
        for key in ARTICLE_FIELDS:
            if key != "url":
                adapter[key] = cleaned[key]
        return item
