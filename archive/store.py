"""Writing crawl results: runs, articles with their aliases and versions, snapshots.

The dedupe step asks ``classify`` what a fetched article is to the archive
(new, an alias of a known one, unchanged, updated); the store step hands the
item to ``save``, which writes it in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.database import sessions
from archive.models import Article, ArticleAlias, ArticleVersion, CrawlRun, Site, Snapshot

VERSION_FIELDS = (
    "extractor_version",
    "provenance",
    "title",
    "lead",
    "body",
    "images",
    "authors",
    "tags",
    "published_at",
    "updated_at",
    "section",
    "language",
    "source",
)
LIST_FIELDS = ("body", "images", "authors", "tags")


@dataclass(frozen=True)
class Decision:
    outcome: str
    """``new``, ``alias`` (known article, new URL, same text), ``unchanged``, ``updated`` or
    ``teaser`` (a paywalled teaser of an article archived in full: no new version)."""
    article_id: int | None = None
    known_url: bool = False


def _version_values(item: Mapping) -> dict:
    values = {f: item.get(f) for f in VERSION_FIELDS}
    values["paywalled"] = item.get("page_type") == "paywalled"
    for f in LIST_FIELDS:
        values[f] = values[f] or []
    return values


def _now() -> datetime:
    return datetime.now(UTC)


def _when(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value) if value else _now()


class Archive:
    def __init__(self, database_url: str):
        self.database_url = database_url
        self.Session = sessions(database_url)

    # -- crawl runs ---------------------------------------------------------------
    def start_run(self, spider: str) -> int:
        with self.Session.begin() as session:
            run = CrawlRun(spider=spider, started_at=_now())
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, stats: Mapping, outcome: str, error: str | None = None) -> None:
        with self.Session.begin() as session:
            run = session.get(CrawlRun, run_id)
            run.finished_at = _now()
            run.stats = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in stats.items()}
            run.outcome = outcome
            run.error = error

    # -- articles -------------------------------------------------------------------
    def classify(self, item: Mapping) -> Decision:
        with self.Session() as session:
            return self._classify(session, item)

    def _classify(self, session: Session, item: Mapping) -> Decision:
        urls = {item["url"], item.get("final_url") or item["url"], item["canonical_url"]}
        article = session.scalar(select(Article).where(Article.canonical_url == item["canonical_url"]))
        if article is None:
            article = session.scalar(select(Article).join(ArticleAlias).where(ArticleAlias.url.in_(urls)))
        if article is None:
            article = session.scalar(
                select(Article)
                .join(Site)
                .join(ArticleVersion)
                .where(Site.name == item["site"], ArticleVersion.fingerprint == item["fingerprint"])
                .limit(1)
            )
            if article is None:
                return Decision("new")
        known = urls <= self._urls_of(article)
        latest = session.scalar(
            select(ArticleVersion)
            .where(ArticleVersion.article_id == article.id)
            .order_by(ArticleVersion.number.desc())
            .limit(1)
        )
        if latest.fingerprint != item["fingerprint"]:
            if item.get("page_type") == "paywalled" and not latest.paywalled:
                return Decision("teaser", article.id, known)  # a teaser never replaces the full text
            return Decision("updated", article.id, known)
        return Decision("unchanged" if known else "alias", article.id, known)

    @staticmethod
    def _urls_of(article: Article) -> set[str]:
        return {article.canonical_url, *(a.url for a in article.aliases)}

    def save(self, item: Mapping, run_id: int | None = None, decision: Decision | None = None) -> Decision:
        """Store a fetched article as ``decision`` says (classified here when not given);
        returns what it was to the archive."""
        with self.Session.begin() as session:
            decision = decision or self._classify(session, item)
            seen = _when(item.get("fetched_at"))
            if decision.outcome == "new":
                article = Article(
                    site=self._site(session, item["site"]),
                    canonical_url=item["canonical_url"],
                    first_seen_at=seen,
                    last_seen_at=seen,
                )
                session.add(article)
                session.flush()
            else:
                article = session.get(Article, decision.article_id)
                article.last_seen_at = seen
            known = self._urls_of(article)
            for url in dict.fromkeys((item["url"], item.get("final_url") or item["url"])):
                if url not in known:
                    session.add(ArticleAlias(article=article, url=url, first_seen_at=seen))
                    known.add(url)
            snapshot = self._snapshot(session, item, decision.outcome, run_id, article.id)
            if decision.outcome in ("new", "updated"):
                number = 1 + (
                    session.scalar(
                        select(ArticleVersion.number)
                        .where(ArticleVersion.article_id == article.id)
                        .order_by(ArticleVersion.number.desc())
                        .limit(1)
                    )
                    or 0
                )
                session.add(
                    ArticleVersion(
                        article=article,
                        number=number,
                        fingerprint=item["fingerprint"],
                        extracted_at=_now(),
                        snapshot=snapshot,
                        **_version_values(item),
                    )
                )
            return Decision(decision.outcome, article.id, decision.known_url)

    def record_snapshot(self, item: Mapping, outcome: str, run_id: int | None = None) -> None:
        """A fetch that did not become an article version (a 404, a listing, …)."""
        if not item.get("snapshot"):
            return
        with self.Session.begin() as session:
            self._snapshot(session, item, outcome, run_id, None)

    @staticmethod
    def _site(session: Session, name: str) -> Site:
        site = session.scalar(select(Site).where(Site.name == name))
        if site is None:
            site = Site(name=name, created_at=_now())
            session.add(site)
            session.flush()
        return site

    @staticmethod
    def _snapshot(
        session: Session, item: Mapping, outcome: str, run_id: int | None, article_id: int | None
    ) -> Snapshot:
        ref = item["snapshot"]
        snapshot = session.scalar(
            select(Snapshot).where(Snapshot.warc_file == ref["file"], Snapshot.warc_offset == ref["offset"])
        )
        if snapshot is None:
            snapshot = Snapshot(
                url=item["url"],
                final_url=item.get("final_url") or item["url"],
                status=item.get("status") or 0,
                fetched_at=_when(item.get("fetched_at")),
                content_type=item.get("content_type"),
                warc_file=ref["file"],
                warc_offset=ref["offset"],
                warc_length=ref.get("length") or 0,
                payload_digest=ref["digest"],
                outcome=outcome,
                article_id=article_id,
                crawl_run_id=run_id,
            )
            session.add(snapshot)
            session.flush()
        return snapshot
