"""Item pipelines (capture → extract → decide and store) and the extraction API.

``extract_article`` is imported on first use (PEP 562): a process that only feeds worker
processes (``archive import``) starts them before it imports the extraction stack itself."""

from __future__ import annotations

from typing import Any

__all__ = ["extract_article"]


def __getattr__(name: str) -> Any:
    if name == "extract_article":
        from pipelines.extraction.article import extract_article

        return extract_article
    raise AttributeError(f"module 'pipelines' has no attribute {name!r}")
