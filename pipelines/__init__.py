"""Item pipelines (snapshot → extract → clean → dedupe → store) and the extraction API."""

from pipelines.extraction.article import extract_article

__all__ = ["extract_article"]
