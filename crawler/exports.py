"""Feed exports of the clean article (``scrapy crawl <site> -O articles.csv``)."""

from __future__ import annotations

from scrapy.exporters import CsvItemExporter

from archive.schema import csv_cell


class ArticleCsvItemExporter(CsvItemExporter):
    """One row per article: the body's paragraphs separated by a blank line, other lists (images,
    authors, tags), the provenance and the WARC record as JSON; Scrapy's own would join a list
    of paragraphs with commas and write a mapping's repr."""

    def serialize_field(self, field, name, value):
        serializer = field.get("serializer")
        return csv_cell(name, serializer(value) if serializer else value)
