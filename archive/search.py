"""Full-text search over the latest version of each article: SQLite FTS5 or PostgreSQL text
search, kept in step by the store (``index_version`` in the save's transaction).

Each article's title and text are indexed twice: as written and folded (``archive.search_text``).
A query without diacritics is matched on the folds, so "da nang" finds "Đà Nẵng"; texts holding
the words as the query spells them come first ("mà" before "ma" for "mà", "ma" first for "ma").
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


_FTS5 = table("article_search", column("rowid"), column("ftitle"), column("ftext"))
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
        phrases = {f"p{i}": " ".join(fold(w) for w in phrase) for i, phrase in enumerate(query.phrases)}
        return {"folded": _fts5_match(query, folded=True), "exact": _fts5_match(query, folded=False)} | phrases
    return _pg_params(query, "f") | _pg_params(query, "e")


TITLE_WEIGHT = 8
"""A word in the title counts as much as this many in the text."""
SATURATION, LENGTH_NORM = 1.2, 0.75
"""BM25's k1 and b: repeats of a word add less and less; a long text's count weighs less."""


def _ranked(session: Session, query: Query, matching):
    """(article_id, version_id, exact) of the newest ``MAX_RANKED`` of the ``matching`` ids,
    those spelled as the query first (a query without marks: texts written without them), then
    best first. On SQLite they are scored by how often their folded
    title and text hold the query's phrases, BM25's way but without its rarity weight, read
    from the candidates' own rows: FTS5's ``bm25()`` counts the documents holding each phrase
    on every query, a walk of the phrase's whole index (71 ms for a common word at a million
    articles, against 9 ms to score the thousand this way at any size)."""
    entry = SearchEntry
    newest = literal_column("article_id").desc()
    candidates = matching.order_by(newest).limit(MAX_RANKED).cte("candidates")
    candidates = candidates.prefix_with("MATERIALIZED")
    ranked = select(entry.article_id, entry.version_id).where(entry.article_id.in_(select(candidates.c.article_id)))
    if session.get_bind().dialect.name == "sqlite":
        hits = sum(
            TITLE_WEIGHT * _occurrences(_FTS5.c.ftitle, f"p{i}") + _occurrences(_FTS5.c.ftext, f"p{i}")
            for i in range(len(query.phrases))
        )
        length = func.length(_FTS5.c.ftext)
        norm = 1 - LENGTH_NORM + LENGTH_NORM * length / func.max(func.avg(length).over(), 1)
        scored = (
            select(_FTS5.c.rowid.label("id"), (hits * 1.0 / (hits + SATURATION * norm)).label("score"))
            .where(_FTS5.c.rowid.in_(select(candidates.c.article_id)))
            .cte("scored")
            .prefix_with("MATERIALIZED")
        )
        oldest = select(func.min(candidates.c.article_id)).scalar_subquery()
        spelled = select(_FTS5.c.rowid).where(_fts5_matches("exact"), _FTS5.c.rowid >= oldest)
        return (
            ranked.add_columns(scored.c.id.in_(spelled).label("exact"))
            .join(scored, scored.c.id == entry.article_id)
            .order_by(literal_column("exact").desc(), scored.c.score.desc(), entry.article_id.desc())
        )
    exact = _DOCUMENT.c.exact.op("@@")(_pg_tsquery(query, "e"))
    score = func.ts_rank(_DOCUMENT.c.folded, _pg_tsquery(query, "f"), 1)  # 1: divided by 1 + log(length)
    return (
        ranked.add_columns(exact.label("exact"))
        .join(_DOCUMENT, _DOCUMENT.c.article_id == entry.article_id)
        .order_by(literal_column("exact").desc(), score.desc())
    )


def _occurrences(text, phrase: str):
    """How many times the folded phrase (parameter ``phrase``) is in a column's folded text."""
    found = bindparam(phrase)
    return (func.length(text) - func.length(func.replace(text, found, ""))) / func.length(found)


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
