"""Full-text search over the latest version of each article: SQLite FTS5 or PostgreSQL text
search, kept in step by the store (``index_version`` in the save's transaction).

Each article's title and text are indexed twice: as written and folded (``archive.search_text``).
A query without diacritics is matched on the folds, so "da nang" finds "Đà Nẵng"; a query with
diacritics finds the same texts but ranks those with its exact words first ("mà" before "ma").
The filter columns (site, section, date, authors) are an ordinary table, ``search_entry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, column, func, literal, literal_column, select, table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Join

from archive.fulltext import write_document
from archive.keys import fold
from archive.models import ArticleVersion, SearchEntry
from archive.search_text import Query


def _text_of(values) -> str:
    return "\n".join(p for p in (values.get("lead"), *(values.get("body") or ())) if p)


_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_ENTRY_COLUMNS = ("version_id", "site_id", "section", "published_at", "authors")


def _upsert_entry(insert_new):
    new = insert_new(SearchEntry)
    return new.on_conflict_do_update(index_elements=["article_id"], set_={c: new.excluded[c] for c in _ENTRY_COLUMNS})


_UPSERT_ENTRY = {name: _upsert_entry(insert_new) for name, insert_new in _INSERT.items()}
"""An article's filter row, written or replaced (built once per dialect: building costs more than running it)."""


def index_version(conn: Connection, article_id: int, version_id: int, site_id: int, values) -> None:
    """Make ``values`` (a version's fields) the article's searchable text and filter columns."""
    entry = {
        "article_id": article_id,
        "version_id": version_id,
        "site_id": site_id,
        "section": values.get("section"),
        "published_at": values.get("published_at"),
        "authors": "".join(f"|{fold(a)}" for a in values.get("authors") or ()) + "|",
    }
    conn.execute(_UPSERT_ENTRY[conn.dialect.name], entry)
    write_document(conn, article_id, values.get("title") or "", _text_of(values))


@dataclass(frozen=True)
class Filters:
    site_id: int | None = None
    section: str | None = None
    author: str | None = None
    since: date | None = None
    until: date | None = None
    change_class: str | None = None


@dataclass(frozen=True)
class Hit:
    article_id: int
    version_id: int
    exact: bool


def _fts5_phrase(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _fts5_match(query: Query, folded: bool) -> str:
    columns = "{ftitle ftext}" if folded else "{title text}"
    phrases = (tuple(fold(w) for w in p) if folded else p for p in query.phrases)
    return f"{columns} : (" + " AND ".join(_fts5_phrase(p) for p in phrases) + ")"


def _filtered(query, filters: Filters):
    entry = SearchEntry
    if filters.site_id is not None:
        query = query.where(entry.site_id == filters.site_id)
    if filters.section:
        query = query.where(entry.section == filters.section)
    if filters.author:
        pattern = "%|" + fold(filters.author).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(entry.authors.like(pattern, escape="\\"))
    if filters.since:
        query = query.where(entry.published_at >= filters.since.isoformat())
    if filters.until:
        query = query.where(entry.published_at < (filters.until + timedelta(days=1)).isoformat())
    if filters.change_class:
        edits = select(ArticleVersion.id).where(
            ArticleVersion.article_id == entry.article_id, ArticleVersion.change_class == filters.change_class
        )
        query = query.where(edits.exists())
    return query


_FTS5 = table("article_search", column("rowid"))
_DOCUMENT = table("search_document", column("article_id"), column("exact"), column("folded"))


MAX_RANKED = 1_000
"""The newest matches of a query ranked by relevance, at most: a word that half the archive holds
costs what a rare one does (the rest are reached by narrowing the search, not by paging on)."""
MAX_COUNTED = MAX_RANKED
"""Matches counted, at most: past it the page says "more than" (a count walks every match: ten
thousand cost PostgreSQL 0.16 s of tsvector reads, what ranking the newest thousand costs 0.02)."""


def _fts5_matches(name: str):
    return literal_column("article_search").op("MATCH")(bindparam(name))


def _matching(session: Session, query: Query, filters: Filters):
    """The ids (``article_id``) of the articles that match the words and pass the filters."""
    entry = SearchEntry
    if session.get_bind().dialect.name != "sqlite":
        matches = _DOCUMENT.c.folded.op("@@")(_pg_tsquery(query, "f"))
        stmt = select(entry.article_id).join(_DOCUMENT, _DOCUMENT.c.article_id == entry.article_id).where(matches)
        return _filtered(stmt, filters)
    if filters == Filters():
        return select(_FTS5.c.rowid.label("article_id")).where(_fts5_matches("folded"))
    if _few_pass(session, filters):
        probe = select(_FTS5.c.rowid).where(_fts5_matches("folded"), _FTS5.c.rowid == entry.article_id)
        return _filtered(select(entry.article_id), filters).where(probe.exists())
    walk = _CrossJoin(_FTS5, entry.__table__, entry.article_id == _FTS5.c.rowid)
    newest_first = select(_FTS5.c.rowid.label("article_id")).select_from(walk).where(_fts5_matches("folded"))
    return _filtered(newest_first, filters)


FEW_PASS = 300
"""Articles passing a search's filters (SQLite) up to which each one is checked against the
full-text index (a probe: about 0.1 ms); past it the full-text matches are walked newest first,
each looked up by its key, until enough pass — a materialized list of every match would grow
with the archive (a common word: half of it)."""


def _few_pass(session: Session, filters: Filters) -> bool:
    """Whether at most ``FEW_PASS`` articles pass the filters (counted through their index, no further)."""
    passing = _filtered(select(SearchEntry.article_id), filters).limit(FEW_PASS + 1).subquery()
    return session.scalar(select(func.count()).select_from(passing)) <= FEW_PASS


class _CrossJoin(Join):
    """A join SQLite keeps in the order written (``CROSS JOIN``): the full-text walk outermost,
    so its newest-first order serves the ``LIMIT``; left to itself, the planner may start from
    a selective-looking filter and probe the full-text index once per row."""

    inherit_cache = True


@compiles(_CrossJoin, "sqlite")
def _cross_join(join: _CrossJoin, compiler, **kw) -> str:
    kw["asfrom"] = True
    left, right = (compiler.process(side, **kw) for side in (join.left, join.right))
    return f"{left} CROSS JOIN {right} ON {compiler.process(join.onclause, **kw)}"


def _params(session: Session, query: Query) -> dict:
    if session.get_bind().dialect.name == "sqlite":
        return {"folded": _fts5_match(query, folded=True)} | (
            {"exact": _fts5_match(query, folded=False)} if query.exact else {}
        )
    return _pg_params(query, "f") | (_pg_params(query, "e") if query.exact else {})


def _ranked(session: Session, query: Query, matching):
    """(article_id, version_id, exact) of the newest ``MAX_RANKED`` of the ``matching`` ids,
    exact ones first, then best first. On SQLite they are scored in one pass of the full-text
    index over the ids from the oldest of them on (a rowid range FTS5 reads at once)."""
    entry = SearchEntry
    newest = literal_column("article_id").desc()
    candidates = matching.order_by(newest).limit(MAX_RANKED).cte("candidates")
    candidates = candidates.prefix_with("MATERIALIZED")
    ranked = select(entry.article_id, entry.version_id).where(entry.article_id.in_(select(candidates.c.article_id)))
    if session.get_bind().dialect.name == "sqlite":
        oldest = select(func.min(candidates.c.article_id)).scalar_subquery()
        bm25 = literal_column("bm25(article_search, 8, 1, 8, 1)")
        scored = (
            select(_FTS5.c.rowid.label("id"), bm25.label("score"))
            .where(_fts5_matches("folded"), _FTS5.c.rowid >= oldest)
            .cte("scored")
            .prefix_with("MATERIALIZED")
        )
        spelled = select(_FTS5.c.rowid).where(_fts5_matches("exact"), _FTS5.c.rowid >= oldest)
        exact = scored.c.id.in_(spelled) if query.exact else literal(False)
        return (
            ranked.add_columns(exact.label("exact"))
            .join(scored, scored.c.id == entry.article_id)
            .order_by(literal_column("exact").desc(), scored.c.score)
        )
    exact = _DOCUMENT.c.exact.op("@@")(_pg_tsquery(query, "e")) if query.exact else literal(False)
    score = func.ts_rank(_DOCUMENT.c.folded, _pg_tsquery(query, "f"))
    return (
        ranked.add_columns(exact.label("exact"))
        .join(_DOCUMENT, _DOCUMENT.c.article_id == entry.article_id)
        .order_by(literal_column("exact").desc(), score.desc())
    )


def _pg_tsquery(query: Query, prefix: str):
    """The phrases as one tsquery: ``phraseto_tsquery`` of each (no user syntax), all required."""
    phrases = [func.phraseto_tsquery("simple", bindparam(f"{prefix}{i}")) for i in range(len(query.phrases))]
    combined = phrases[0]
    for phrase in phrases[1:]:
        combined = combined.op("&&")(phrase)
    return combined


def _pg_params(query: Query, prefix: str) -> dict:
    folded = prefix == "f"
    return {f"{prefix}{i}": " ".join(fold(w) if folded else w for w in p) for i, p in enumerate(query.phrases)}


def matching_articles(session: Session, query: Query, filters: Filters) -> tuple:
    """(statement, parameters) of the ids of every article that matches, unranked and unbounded:
    a selection to export, read as it streams."""
    if query:
        return _matching(session, query, filters), _params(session, query)
    return _filtered(select(SearchEntry.article_id), filters), {}


def search(session: Session, query: Query, filters: Filters, offset: int, limit: int) -> tuple[list[Hit], int]:
    """One page of matches (the newest ``MAX_RANKED``, best first; without words, newest first)
    and how many there are, counted up to ``MAX_COUNTED`` (``MAX_COUNTED + 1``: more than that)."""
    entry = SearchEntry
    if query:
        matching = _matching(session, query, filters)  # one plan for the ranking and the count
        stmt, params = _ranked(session, query, matching), _params(session, query)
    else:
        listing = select(entry.article_id, entry.version_id, literal(False).label("exact"))
        stmt, params = _filtered(listing, filters).order_by(entry.published_at.desc(), entry.article_id.desc()), {}
        matching = _filtered(select(entry.article_id), filters)
    rows = session.execute(stmt.offset(offset).limit(limit), params).all()
    counted = matching.limit(MAX_COUNTED + 1).subquery()
    count = session.scalar(select(func.count()).select_from(counted), params)
    return [Hit(r[0], r[1], bool(r[2])) for r in rows], count
