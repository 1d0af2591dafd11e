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
from sqlalchemy.orm import Session

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


def _ranked(session: Session, query: Query, total):
    """(article_id, version_id, exact, total) of the matches, exact ones first, then best first.
    On SQLite the matches are gathered first (a materialized CTE): left to itself the planner
    may start from a selective filter and run the full-text query once per row."""
    entry = SearchEntry
    if session.get_bind().dialect.name == "sqlite":
        matches = literal_column("article_search").op("MATCH")
        found = (
            select(_FTS5.c.rowid.label("id"), literal_column("bm25(article_search, 8, 1, 8, 1)").label("score"))
            .where(matches(bindparam("folded")))
            .cte("found")
            .prefix_with("MATERIALIZED")
        )
        exact = (
            found.c.id.in_(select(_FTS5.c.rowid).where(matches(bindparam("exact")))) if query.exact else literal(False)
        )
        stmt = (
            select(entry.article_id, entry.version_id, exact.label("exact"), total)
            .join(found, found.c.id == entry.article_id)
            .order_by(literal_column("exact").desc(), found.c.score)
        )
        params = {"folded": _fts5_match(query, folded=True)}
        return stmt, params | ({"exact": _fts5_match(query, folded=False)} if query.exact else {})
    matches = _DOCUMENT.c.folded.op("@@")(_pg_tsquery(query, "f"))
    exact = _DOCUMENT.c.exact.op("@@")(_pg_tsquery(query, "e")) if query.exact else literal(False)
    score = func.ts_rank(_DOCUMENT.c.folded, _pg_tsquery(query, "f"))
    stmt = (
        select(entry.article_id, entry.version_id, exact.label("exact"), total)
        .join(_DOCUMENT, _DOCUMENT.c.article_id == entry.article_id)
        .where(matches)
        .order_by(literal_column("exact").desc(), score.desc())
    )
    return stmt, _pg_params(query, "f") | (_pg_params(query, "e") if query.exact else {})


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


def search(session: Session, query: Query, filters: Filters, offset: int, limit: int) -> tuple[list[Hit], int]:
    """One page of matches (best first; without words, newest first) and how many there are:
    counted with the page when filtered, else on the index alone (cheaper than the window)."""
    filtered = filters != Filters()
    total = (func.count().over() if filtered else literal(None)).label("total")
    if query:
        stmt, params = _ranked(session, query, total)
    else:
        listing = select(SearchEntry.article_id, SearchEntry.version_id, literal(False).label("exact"), total)
        stmt, params = listing.order_by(SearchEntry.published_at.desc(), SearchEntry.article_id.desc()), {}
    stmt = _filtered(stmt, filters)
    rows = session.execute(stmt.offset(offset).limit(limit), params).all()
    if rows and filtered:
        count = rows[0].total
    elif filtered:  # past the last page: the count alone
        count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()), params)
    else:
        count = session.scalar(_matches_count(session, query), params)
    return [Hit(r[0], r[1], bool(r[2])) for r in rows], count


def _matches_count(session: Session, query: Query):
    """How many articles match, on the full-text table alone (one row per indexed article)."""
    if not query:
        return select(func.count()).select_from(SearchEntry)
    if session.get_bind().dialect.name == "sqlite":
        return (
            select(func.count())
            .select_from(_FTS5)
            .where(literal_column("article_search").op("MATCH")(bindparam("folded")))
        )
    return select(func.count()).select_from(_DOCUMENT).where(_DOCUMENT.c.folded.op("@@")(_pg_tsquery(query, "f")))
