"""What the archive browser's pages show, read from the archive: each function one page's
data, in a handful of indexed queries (pages stay fast on a large archive)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from archive.browser.health import RunHealth, run_health
from archive.models import (
    Article,
    ArticleAlias,
    ArticleVersion,
    CrawlRun,
    NearDuplicate,
    SearchEntry,
    Site,
    Snapshot,
)
from archive.queries import find_article
from archive.search import Filters, Hit, search
from archive.search_text import Query

HEALTH_FIELDS = ("title", "lead", "body", "authors", "published_at", "section", "tags")
"""The fields whose provenance says whether a site's rules still match its pages."""
HEALTH_RUNS = 10
HEALTH_SAMPLE = 100
RECENT_ARTICLES = 500
PER_PAGE = 20


def spider_names(site: str) -> tuple[str, str]:
    """The names a site's runs go by: the site, or its spider (the name's first label)."""
    return site, site.split(".")[0]


@dataclass
class Result:
    article_id: int
    site: str
    url: str
    version: ArticleVersion
    exact: bool


def search_page(session: Session, query: Query, filters: Filters, page: int) -> tuple[list[Result], int]:
    hits, total = search(session, query, filters, (page - 1) * PER_PAGE, PER_PAGE)
    return _results(session, hits), total


def _results(session: Session, hits: list[Hit]) -> list[Result]:
    if not hits:
        return []
    versions = {
        v.id: v
        for v in session.scalars(select(ArticleVersion).where(ArticleVersion.id.in_([h.version_id for h in hits])))
    }
    rows = session.execute(
        select(Article.id, Article.canonical_url, Site.name)
        .join(Site)
        .where(Article.id.in_([h.article_id for h in hits]))
    ).all()
    where = {article_id: (url, site) for article_id, url, site in rows}
    return [
        Result(h.article_id, where[h.article_id][1], where[h.article_id][0], versions[h.version_id], h.exact)
        for h in hits
        if h.article_id in where and h.version_id in versions
    ]


def site_names(session: Session) -> list[tuple[int, str]]:
    return session.execute(select(Site.id, Site.name).order_by(Site.name)).all()


SECTIONS_SHOWN = 200


def sections(session: Session, site_id: int | None) -> list[str]:
    """The sections (of a site), in order: walked from one to the next through their index, one
    probe each, however many articles each holds (a DISTINCT would read every entry)."""
    entry = SearchEntry
    where = [entry.section.is_not(None)] + ([entry.site_id == site_id] if site_id is not None else [])
    walk = select(func.min(entry.section).label("section"), literal(1).label("n")).where(*where)
    walk = walk.cte("walk", recursive=True)
    following = select(func.min(entry.section)).where(*where, entry.section > walk.c.section).scalar_subquery()
    walk = walk.union_all(select(following, walk.c.n + 1).where(walk.c.section.is_not(None), walk.c.n < SECTIONS_SHOWN))
    return list(session.scalars(select(walk.c.section).where(walk.c.section.is_not(None))))


def article(session: Session, article_id: int) -> Article | None:
    return session.scalar(
        select(Article)
        .where(Article.id == article_id)
        .options(selectinload(Article.versions), selectinload(Article.aliases), selectinload(Article.site))
    )


def captures(session: Session, article_id: int) -> list[Snapshot]:
    return list(
        session.scalars(
            select(Snapshot).where(Snapshot.article_id == article_id).order_by(Snapshot.fetched_at, Snapshot.id)
        )
    )


NEAR_DUPLICATES_SHOWN = 50
"""The most similar of an article's near-duplicates on its page (a template's first page is
copied by every later one)."""


def near_duplicates(session: Session, article_id: int) -> list[tuple[str, Article, float]]:
    """(relation, other article, similarity): the originals this one repeats and its copies,
    the ``NEAR_DUPLICATES_SHOWN`` most similar."""
    links = session.scalars(
        select(NearDuplicate)
        .where(or_(NearDuplicate.article_id == article_id, NearDuplicate.original_id == article_id))
        .options(selectinload(NearDuplicate.article), selectinload(NearDuplicate.original))
        .order_by(NearDuplicate.similarity.desc(), NearDuplicate.id)
        .limit(NEAR_DUPLICATES_SHOWN)
    )
    return [
        ("copy of", link.original, link.similarity)
        if link.article_id == article_id
        else ("copied by", link.article, link.similarity)
        for link in links
    ]


def article_id_of_url(session: Session, url: str) -> int | None:
    """The article archived under ``url``: canonical, alias (as given or canonicalized), or any fetch of it."""
    found = find_article(session, url)
    if found is not None:
        return found.id
    return session.scalar(
        select(Snapshot.article_id).where(Snapshot.url == url, Snapshot.article_id.is_not(None)).limit(1)
    )


def archived_addresses(session: Session, urls: set[str]) -> dict[str, str]:
    """The archive's address of each of ``urls`` that it holds: an article, else a captured page."""
    if not urls:
        return {}
    urls = set(list(urls)[:2000])  # a page with more links keeps the rest blocked
    found: dict[str, str] = {}
    for url, article_id in session.execute(
        select(Snapshot.url, func.max(Snapshot.id))
        .where(Snapshot.url.in_(urls), Snapshot.warc_file.is_not(None), Snapshot.status == 200)
        .group_by(Snapshot.url)
    ):
        found[url] = f"/snapshot/{article_id}"
    rows = session.execute(select(ArticleAlias.url, ArticleAlias.article_id).where(ArticleAlias.url.in_(urls))).all()
    rows += session.execute(select(Article.canonical_url, Article.id).where(Article.canonical_url.in_(urls))).all()
    for url, article_id in rows:
        found[url] = f"/article/{article_id}"
    return found


def url_listing(
    session: Session, site_id: int, prefix: str, after: str | None, limit: int = 100
) -> list[tuple[int, str]]:
    """Archived article URLs of a site starting with ``prefix``, in order, from after ``after``
    (a range on the unique index, not a LIKE: no wildcard to escape, fast on any archive)."""
    query = select(Article.id, Article.canonical_url).where(Article.site_id == site_id)
    if prefix:
        query = query.where(Article.canonical_url >= prefix, Article.canonical_url < prefix + "\U0010ffff")
    if after:
        query = query.where(Article.canonical_url > after)
    return session.execute(query.order_by(Article.canonical_url).limit(limit)).all()


@dataclass
class SiteSummary:
    id: int
    name: str
    articles: int
    versions: int
    last_run: CrawlRun | None
    health: list[RunHealth]

    @property
    def flagged(self) -> bool:
        return bool(self.health) and self.health[-1].flagged


def sites_overview(session: Session) -> list[SiteSummary]:
    """Each site with its counts (kept by the store: no walk of the archive), last run and rule health."""
    sites = session.execute(
        select(Site.id, Site.name, Site.article_count, Site.version_count).order_by(Site.name)
    ).all()
    runs = {name: _last_runs(session, site_id, name) for site_id, name, _, _ in sites}
    counts = _run_counts(session, [run.id for site_runs in runs.values() for run in site_runs])
    return [
        SiteSummary(
            site_id, name, articles, versions, runs[name][0] if runs[name] else None, _health(runs[name], counts)
        )
        for site_id, name, articles, versions in sites
    ]


def _last_runs(session: Session, site_id: int, name: str) -> list[CrawlRun]:
    """The site's last runs, newest first: its spider's, and any other (the generic spider)
    that archived one of its ``RECENT_ARTICLES`` newest articles."""
    recent = select(Article.id).where(Article.site_id == site_id).order_by(Article.id.desc()).limit(RECENT_ARTICLES)
    others = select(Snapshot.crawl_run_id).where(Snapshot.article_id.in_(recent.scalar_subquery()))
    query = select(CrawlRun).where(or_(CrawlRun.spider.in_(spider_names(name)), CrawlRun.id.in_(others)))
    return list(session.scalars(query.order_by(CrawlRun.id.desc()).limit(HEALTH_RUNS)))


def _health(runs: list[CrawlRun], counts: dict[int, tuple[int, int, int]]) -> list[RunHealth]:
    return run_health([(run.id, *counts.get(run.id, (0, 0, 0))) for run in reversed(runs)])


def _run_counts(session: Session, run_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Per run: versions, fields from rules, fields with a provenance — from the stored
    provenance of the run's newest ``HEALTH_SAMPLE`` versions (found by run and by snapshot,
    both indexed): enough to see a layout change, and bounded however big a run."""
    if not run_ids:
        return {}
    newest = (
        select(
            Snapshot.crawl_run_id.label("run_id"),
            ArticleVersion.id.label("version_id"),
            func.row_number().over(partition_by=Snapshot.crawl_run_id, order_by=Snapshot.id.desc()).label("rank"),
        )
        .join(ArticleVersion, ArticleVersion.snapshot_id == Snapshot.id)
        .where(Snapshot.crawl_run_id.in_(run_ids))
        .subquery()
    )
    sources = [ArticleVersion.provenance[f].as_string() for f in HEALTH_FIELDS]
    rows = session.execute(
        select(
            newest.c.run_id,
            func.count(),
            sum((func.sum(case((s == "rules", 1), else_=0)) for s in sources), literal(0)),
            sum((func.count(s) for s in sources), literal(0)),
        )
        .join(ArticleVersion, ArticleVersion.id == newest.c.version_id)
        .where(newest.c.rank <= HEALTH_SAMPLE)
        .group_by(newest.c.run_id)
    ).all()
    return {run_id: (versions, rules or 0, fields) for run_id, versions, rules, fields in rows}


def runs(session: Session, limit: int = 30) -> list[CrawlRun]:
    return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)))


def outcomes_by_run(session: Session, run_ids: list[int]) -> dict[int, Counter]:
    """Per run, its fetches counted by outcome kind (new, updated, dropped, failed, …)."""
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = session.execute(
        select(Snapshot.crawl_run_id, Snapshot.outcome, func.count())
        .where(Snapshot.crawl_run_id.in_(run_ids))
        .group_by(Snapshot.crawl_run_id, Snapshot.outcome)
    )
    for run_id, outcome, count in rows:
        counts[run_id][outcome.split(":", 1)[0]] += count
    return counts


def drop_reasons(session: Session, run_ids: list[int]) -> list[tuple[str, int]]:
    """Why fetches of these runs did not become articles (dropped, refused, failed), most common first."""
    rows = session.execute(
        select(Snapshot.outcome, func.count())
        .where(Snapshot.crawl_run_id.in_(run_ids))
        .where(or_(*(Snapshot.outcome.startswith(p) for p in ("dropped:", "refused:", "failed:"))))
        .group_by(Snapshot.outcome)
        .order_by(func.count().desc())
        .limit(20)
    )
    return [(outcome, count) for outcome, count in rows]


def changes(session: Session, site_id: int | None = None, article_id: int | None = None, limit: int = 50):
    """The newest versions (new articles and edits), for the Atom feeds."""
    query = (
        select(ArticleVersion, Article.canonical_url, Site.name)
        .join(Article, Article.id == ArticleVersion.article_id)
        .join(Site)
        .order_by(ArticleVersion.id.desc())
        .limit(limit)
    )
    if site_id is not None:  # a correlated look-up, not a join: the newest versions are walked until enough
        owner = aliased(Article)
        site_of = select(owner.site_id).where(owner.id == ArticleVersion.article_id).scalar_subquery()
        query = query.where(site_of == site_id)
    if article_id is not None:
        query = query.where(ArticleVersion.article_id == article_id)
    return session.execute(query).all()


def revisited(session: Session, snapshot: Snapshot) -> Snapshot | None:
    """The response record a revisit record stands for (same URL, same payload, stored earlier)."""
    return session.scalar(
        select(Snapshot)
        .where(Snapshot.payload_digest == snapshot.payload_digest, Snapshot.record_type == "response")
        .where(Snapshot.warc_file.is_not(None), Snapshot.id < snapshot.id)
        .order_by(Snapshot.id.desc())
        .limit(1)
    )
