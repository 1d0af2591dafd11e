"""SQLAlchemy 2 models of the archive: Site, Article (+ aliases, band keys), ArticleVersion,
Snapshot, NearDuplicate, CrawlRun, Lock, SiteSchedule, WarcFile, SearchEntry (beside it, the
full-text table of ``archive.fulltext``). The article's fields are declared in
``archive.schema``; a version stores its versioned fields as columns.

Text columns are unbounded (``Text``); lists and maps are JSON. Unique keys make
re-runs idempotent: one site per name, one article per canonical URL, one alias
per URL, one version number per article, one snapshot per WARC record.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from archive.fulltext import create_fulltext


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict: JSON, list: JSON, datetime: DateTime(timezone=True), str: Text}


class Site(Base):
    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    hints_followed: Mapped[float] = mapped_column(
        Float,
        default=0.0,
        server_default="0",
        doc="re-fetches a moved sitemap lastmod or feed date asked for (decayed)",
    )
    hints_confirmed: Mapped[float] = mapped_column(
        Float, default=0.0, server_default="0", doc="of them, those that found the article changed (decayed)"
    )
    article_count: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", doc="its articles, kept by the store (pages show it without counting)"
    )
    version_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0", doc="its articles' versions")
    articles: Mapped[list[Article]] = relationship(back_populates="site")


class Article(Base):
    """One story, keyed by its site's article id or its canonical URL; other URLs of it are aliases."""

    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("key", name="uq_article_key"),
        # a site's due re-checks, most overdue first, without walking every site's
        Index("ix_article_site_next_check", "site_id", "next_check_at"),
        # a site's URLs from a prefix on, in order (the browser's listing), without sorting every match
        Index("ix_article_site_url", "site_id", "canonical_url"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    canonical_url: Mapped[str] = mapped_column(unique=True)
    key: Mapped[str | None] = mapped_column(doc="site:article-id, or url:<identity URL>")
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary, doc="MinHash signature of the latest text")
    next_check_at: Mapped[datetime | None] = mapped_column(index=True, doc="when to re-fetch it; None: never")
    etag: Mapped[str | None] = mapped_column(doc="validators of the latest fetch, for conditional requests")
    last_modified: Mapped[str | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    site: Mapped[Site] = relationship(back_populates="articles")
    aliases: Mapped[list[ArticleAlias]] = relationship(back_populates="article", order_by="ArticleAlias.id")
    versions: Mapped[list[ArticleVersion]] = relationship(back_populates="article", order_by="ArticleVersion.number")


class ArticleAlias(Base):
    """Another URL under which the same article was fetched (tracking parameters, re-posts
    of identical text on the same site, …)."""

    __tablename__ = "article_alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    url: Mapped[str] = mapped_column(unique=True)
    first_seen_at: Mapped[datetime]
    article: Mapped[Article] = relationship(back_populates="aliases")


class ArticleVersion(Base):
    """One distinct content of an article; an edit makes a new version."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(index=True)
    title: Mapped[str | None]
    lead: Mapped[str | None]
    body: Mapped[list]
    images: Mapped[list]
    authors: Mapped[list]
    tags: Mapped[list]
    published_at: Mapped[str | None] = mapped_column(doc="ISO 8601 with the page's offset")
    updated_at: Mapped[str | None]
    section: Mapped[str | None]
    language: Mapped[str | None]
    source: Mapped[dict | None]
    extracted_at: Mapped[datetime]
    extractor_version: Mapped[str | None]
    provenance: Mapped[dict | None] = mapped_column(doc="field -> where its value came from")
    content_digest: Mapped[str | None] = mapped_column(doc="SHA-1 over every kept field")
    change_class: Mapped[str | None] = mapped_column(
        doc="substantive, minor, metadata-only or extraction (a layout change); None for the first"
    )
    diff: Mapped[dict | None] = mapped_column(doc="field-level changes from the previous version")
    paywalled: Mapped[bool] = mapped_column(
        default=False, server_default=false(), doc="a teaser of a subscribers-only article"
    )
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id"), index=True)
    article: Mapped[Article] = relationship(back_populates="versions")
    snapshot: Mapped[Snapshot] = relationship()


class Snapshot(Base):
    """One fetch: when, what came back, where its WARC record is, and what became of it."""

    __tablename__ = "snapshot"
    __table_args__ = (UniqueConstraint("warc_file", "warc_offset"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(index=True)
    final_url: Mapped[str]
    status: Mapped[int | None] = mapped_column(Integer, doc="None: no response (refused, failed)")
    fetched_at: Mapped[datetime]
    content_type: Mapped[str | None]
    warc_file: Mapped[str | None] = mapped_column(doc="None: nothing was received to keep")
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)
    payload_digest: Mapped[str | None]
    record_type: Mapped[str] = mapped_column(
        default="response", server_default="response", doc="response, or revisit for an unchanged payload"
    )
    outcome: Mapped[str] = mapped_column(
        doc="new, updated, unchanged, alias, redirected, discovered:<kind>, robots, retried:<why>, "
        "dropped:<reason>, refused:<reason> or failed:<error>"
    )
    detail: Mapped[str | None] = mapped_column(doc="the error message, refusal reason or redirect target")
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id"), index=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_run.id"), index=True)


class ArticleBand(Base):
    """The LSH band keys of an article's latest signature (``archive.keys.band_keys``): the
    near-duplicate look-up of any process or node is a query on them."""

    __tablename__ = "article_band"
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), primary_key=True)
    band: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)


class NearDuplicate(Base):
    """A story re-posted elsewhere: linked to its original with their similarity, not merged."""

    __tablename__ = "near_duplicate"
    __table_args__ = (UniqueConstraint("article_id", "original_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    similarity: Mapped[float] = mapped_column(Float)
    found_at: Mapped[datetime]
    article: Mapped[Article] = relationship(foreign_keys=[article_id])
    original: Mapped[Article] = relationship(foreign_keys=[original_id])


class SiteSchedule(Base):
    """When each site's discovery sources are next polled by the scheduler."""

    __tablename__ = "site_schedule"
    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(unique=True)
    next_poll_at: Mapped[datetime | None]


class Lock(Base):
    """A named lease (scheduler, site): held until released or expired, so runs never overlap."""

    __tablename__ = "lock"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    owner: Mapped[str]
    expires_at: Mapped[datetime]


class CrawlRun(Base):
    __tablename__ = "crawl_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    stats: Mapped[dict | None]
    outcome: Mapped[str | None] = mapped_column(doc="finish reason: finished, shutdown, failed, …")
    error: Mapped[str | None]
    node: Mapped[str | None] = mapped_column(doc="host name of the machine running the crawl")
    pid: Mapped[int | None] = mapped_column(Integer, doc="process id of the crawl on that node")
    heartbeat_at: Mapped[datetime | None] = mapped_column(doc="last sign of life of a running crawl")
    dispatched_to: Mapped[str | None] = mapped_column(doc="the scrapyd node URL the scheduler sent the crawl to")
    job: Mapped[str | None] = mapped_column(doc="the crawl's scrapyd job id on that node")
    lease: Mapped[str | None] = mapped_column(doc="the lease the dispatched crawl holds (site:<spider>, …)")


class WarcFile(Base):
    """Where a WARC file lives: written by which node, into which folder (its ``WARC_DIR``),
    so a record is found from any node (``archive.warc.naming.located``)."""

    __tablename__ = "warc_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True, doc="as snapshot.warc_file names it")
    node: Mapped[str] = mapped_column(doc="host name of the machine that wrote it")
    directory: Mapped[str] = mapped_column(doc="the absolute folder it was written to, on that machine")
    first_seen_at: Mapped[datetime]
    imported_to: Mapped[int | None] = mapped_column(
        BigInteger, doc="another crawler's file: the offset up to which its records are imported"
    )


class SearchEntry(Base):
    """The search filters of an article's latest version; its words are in the full-text table
    of ``archive.fulltext`` (same key), created with this table."""

    __tablename__ = "search_entry"
    __table_args__ = (
        Index("ix_search_entry_site_published", "site_id", "published_at"),
        Index("ix_search_entry_site_article", "site_id", "article_id"),  # a site's newest matches
        Index("ix_search_entry_site_section", "site_id", "section"),
    )
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), primary_key=True, autoincrement=False)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_version.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    section: Mapped[str | None] = mapped_column(index=True)
    published_at: Mapped[str | None] = mapped_column(index=True)
    authors: Mapped[str] = mapped_column(doc="|folded name|… (archive.search_text.fold)")


@event.listens_for(SearchEntry.__table__, "after_create")
def _create_fulltext(_table, connection, **_kw) -> None:
    create_fulltext(connection)
