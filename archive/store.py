"""Writing articles: what a fetch is to the archive is decided by the pure
``archive.decisions.decide`` over facts looked up here, and the article is written with its
aliases, versions and near-duplicate links and a snapshot row per WARC record of its fetch —
decision and write in one call and one transaction (``save``). Other fetches' rows
(``record_snapshot``, ``record_fetches``); runs and leases (``archive.run_records``) and
polling and re-check schedules (``archive.schedule_records``) are mixed in.

Everything here is on the archive's clock (``clock``: ``archive.clock``'s, the wall clock
unless ``NEWS_CLOCK`` names a replay's fixed time or a simulation's).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from sqlalchemy import Connection, Engine, Row, bindparam, delete, func, insert, literal, or_, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive.clock import from_environment
from archive.database import sessions
from archive.decisions import DROPPED, NEW, NOT_FOUND, NOT_MODIFIED, UPDATED, VERSIONED, Decision, Fetch, Known, decide
from archive.keys import band_keys, content_digest, signature, to_bytes
from archive.models import (
    Article,
    ArticleAlias,
    ArticleBand,
    ArticleVersion,
    NearDuplicate,
    Site,
    Snapshot,
    WarcFile,
)
from archive.near_duplicates import DEFAULT_THRESHOLD, MOST_BAND_ROWS, similar
from archive.recheck_policy import (
    ADAPTIVE,
    DEFAULT_RECHECK_SCHEDULE,
    adaptive_next_check,
    aware,
    hint_noted,
    hints_reliable,
    next_check,
    policy_named,
    unpublished,
)
from archive.run_records import NODE, RunRecords
from archive.schedule_records import ScheduleRecords
from archive.schema import LIST_FIELDS
from archive.search import index_version
from archive.versions import DIFF_FIELDS, MINOR_EDIT_MAX_CHARS, change_class, field_diff
from archive.warc import RENDERED_TYPE, stored_name, warc_location

VERSION_FIELDS = ("extractor_version", "provenance", *DIFF_FIELDS)
SAVE_ATTEMPTS = 5
"""Times a save is decided and written again after losing a unique key to a concurrent writer."""

logger = logging.getLogger(__name__)


# the crawl's per-page lookups, built once (building a statement costs more than running it)
_IDENTITY = (
    union_all(
        select(Article.id.label("id"), literal(1).label("rank")).where(
            or_(Article.key == bindparam("key"), Article.canonical_url == bindparam("canonical"))
        ),
        select(ArticleAlias.article_id, literal(2)).where(ArticleAlias.url.in_(bindparam("urls", expanding=True))),
        select(Article.id, literal(3))
        .join(Site)
        .join(ArticleVersion)
        .where(Site.name == bindparam("site"), ArticleVersion.fingerprint == bindparam("fingerprint")),
    )
    .order_by("rank")
    .limit(1)
)
"""The archived article a fetch is, in one statement: by identity key or canonical URL, else by
any URL it was seen under, else by the same text on the same site."""
_TAKE_TURNS = select(Article.id).where(Article.id == bindparam("article")).with_for_update()
"""The article's row, locked until the save commits: two saves of one article (a spooled fetch
loaded while the crawl stores a later one) take turns, each deciding on what the other stored
(SQLite's writers take turns already)."""
_NEAR_CANDIDATES = select(Article.id, Article.minhash).where(
    Article.id.in_(
        select(ArticleBand.article_id)
        .where(ArticleBand.band.in_(bindparam("bands", expanding=True)), ArticleBand.article_id != bindparam("article"))
        .limit(MOST_BAND_ROWS)
    )
)
"""Articles sharing a band key with a signature: the near-duplicate candidates (a bounded read)."""
_INSERT_NEW = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
"""INSERT … ON CONFLICT DO NOTHING, in each database's dialect."""
_NEW_SNAPSHOT = {
    name: insert_new(Snapshot)
    .on_conflict_do_nothing(index_elements=["warc_file", "warc_offset"])
    .returning(Snapshot.id)
    for name, insert_new in _INSERT_NEW.items()
}
"""A WARC record's row, unless it has one."""
_BY_RECORD = select(Snapshot.id).where(
    Snapshot.warc_file == bindparam("file"), Snapshot.warc_offset == bindparam("offset")
)
_CAPTURE = (
    select(Snapshot.url, Snapshot.fetched_at, Snapshot.warc_file, Snapshot.warc_offset)
    .where(Snapshot.url == bindparam("url"), Snapshot.payload_digest == bindparam("digest"))
    .where(Snapshot.record_type == "response")
    .order_by(Snapshot.id.desc())
    .limit(1)
)


_LATEST_CAPTURE = (
    select(Snapshot.url, Snapshot.fetched_at, Snapshot.warc_file, Snapshot.warc_offset, Snapshot.payload_digest)
    .where(Snapshot.url == bindparam("url"), Snapshot.status == 200, Snapshot.warc_file.is_not(None))
    .where(Snapshot.record_type == "response")
    .order_by(Snapshot.id.desc())
    .limit(1)
)


_NEW_ARTICLE = insert(Article).returning(Article.id)
_NEW_VERSION = insert(ArticleVersion).returning(ArticleVersion.id)
_NEW_ALIASES = insert(ArticleAlias)
_NEW_BANDS = insert(ArticleBand)
_ARTICLE_CHANGES = update(Article).where(Article.id == bindparam("article"))
"""Executed with the columns to change as parameters: they make its SET clause."""
_URLS_OF = union_all(
    select(ArticleAlias.url).where(ArticleAlias.article_id == bindparam("article")),
    select(Article.canonical_url).where(Article.id == bindparam("article")),
)
"""An article's canonical URL and aliases."""
_SAME_PAYLOAD = (
    select(Snapshot.id).where(Snapshot.payload_digest == bindparam("digest"), Snapshot.url == bindparam("url")).limit(1)
)
_FIRST_SEEN = select(Article.first_seen_at).where(Article.id == bindparam("article"))
_CAPTURED_AFTER = (
    select(ArticleVersion.id)
    .join(Snapshot, Snapshot.id == ArticleVersion.snapshot_id)
    .where(ArticleVersion.article_id == bindparam("article"), Snapshot.fetched_at > bindparam("when"))
    .limit(1)
)
_CAPTURED_AT = select(Snapshot.fetched_at).where(Snapshot.id == bindparam("snapshot"))


_VERSION_ROW = select(*ArticleVersion.__table__.c, Snapshot.payload_digest.label("snapshot_digest")).join(
    Snapshot, Snapshot.id == ArticleVersion.snapshot_id
)
_VERSION_AT = (
    _VERSION_ROW.where(ArticleVersion.article_id == bindparam("article"), Snapshot.fetched_at <= bindparam("when"))
    .order_by(ArticleVersion.number.desc())
    .limit(1)
)
_SITE_COUNTS = update(Site).where(Site.id == bindparam("site"))
_SITE_COUNTS = _SITE_COUNTS.values(
    article_count=Site.article_count + bindparam("articles"), version_count=Site.version_count + bindparam("versions")
)
"""A site's counts after a save, computed by the database (concurrent writers lose no update)."""
_SITE_HINTS = select(Site.hints_followed, Site.hints_confirmed).where(Site.id == bindparam("site"))
_LAST_CHANGE = select(func.max(ArticleVersion.extracted_at)).where(ArticleVersion.article_id == bindparam("article"))
_FIRST_VERSION = _VERSION_ROW.where(ArticleVersion.article_id == bindparam("article")).order_by(ArticleVersion.number)
_FIRST_VERSION = _FIRST_VERSION.limit(1)
_VERSION_FROM = _VERSION_ROW.where(
    ArticleVersion.article_id == bindparam("article"), ArticleVersion.number >= bindparam("number")
).order_by(ArticleVersion.number)
"""The first version numbered ``number`` or later: the one a capture slotted in before moves up."""


@dataclass(frozen=True)
class Capture:
    """An earlier response record, for a WARC revisit record."""

    url: str
    fetched_at: datetime
    warc_file: str
    warc_offset: int
    digest: str | None = None


def _version_values(item: Mapping) -> dict:
    values = {f: item.get(f) for f in VERSION_FIELDS}
    values["paywalled"] = item.get("page_type") == "paywalled"
    for f in LIST_FIELDS:
        values[f] = values[f] or []
    return values


def _when(value, now: datetime) -> datetime:
    """A fetch's time (ISO 8601 or a datetime) in UTC, ``now`` when it has none (a request that
    got no response); compared with stored times, which SQLite keeps in UTC without a zone."""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value) if value else now
    return aware(value).astimezone(UTC)


def _digest_of(version: Row) -> str:
    """The version's content digest (computed for versions stored before digests were kept)."""
    return version.content_digest or content_digest({f: getattr(version, f) for f in DIFF_FIELDS})


def _signature(item: Mapping) -> bytes:
    """The item's MinHash (``to_bytes``): signed by the extract step (in a worker process), else
    here (re-extraction leaves it to the store: most of its results become no version)."""
    return item.get("minhash") or to_bytes(signature(item.get("title"), item.get("body") or []))


def _records(item: Mapping) -> list[Mapping]:
    """The fetch's WARC records: the response, then the rendered page when it went through the
    browser (the record its article fields were read from comes last)."""
    return [item.get("snapshot"), *([item["rendered"]] if item.get("rendered") else [])]


def _item_urls(item: Mapping) -> dict[str, None]:
    """Every URL the fetch went through, in order: asked for, redirect hops, final, canonical."""
    hops = item.get("redirect_urls") or ()
    return dict.fromkeys((item["url"], *hops, item.get("final_url") or item["url"], item["canonical_url"]))


def _item_key(item: Mapping) -> str:
    return item.get("article_key") or f"url:{item['canonical_url']}"


class Archive(RunRecords, ScheduleRecords):
    def __init__(
        self,
        database_url: str,
        near_duplicate_threshold: float = DEFAULT_THRESHOLD,
        minor_edit_max_chars: int = MINOR_EDIT_MAX_CHARS,
        recheck_schedule=DEFAULT_RECHECK_SCHEDULE,
        recheck_policy: str = ADAPTIVE,
        clock: Callable[[], datetime] | None = None,
        warc_dir: str | os.PathLike | None = None,
        other_warc_dirs: Iterable[str | os.PathLike] = (),
    ):
        self.database_url = database_url
        self.warc_dir = warc_dir
        self.other_warc_dirs = tuple(other_warc_dirs)
        """Other crawl nodes' WARC folders (``WARC_DIRS``), where a record not under ``warc_dir`` is looked for."""
        self.Session = sessions(database_url)
        self.engine: Engine = self.Session.kw["bind"]
        self.near_duplicate_threshold = near_duplicate_threshold
        self.minor_edit_max_chars = minor_edit_max_chars
        self.recheck_schedule = recheck_schedule
        self.recheck_policy = policy_named(recheck_policy)
        base_clock = clock or from_environment()
        self.clock = lambda: aware(base_clock()).astimezone(UTC)  # stored times are UTC (SQLite keeps no zone)
        self._site_ids: dict[str, int] = {}
        self._noted_files: set[str] = set()
        self._warc_names: dict[str, str] = {}

    def warc_name(self, file: str) -> str:
        """A WARC file as snapshot rows name it (``archive.warc.stored_name``), worked out once
        per file (resolving a path is a system call per component)."""
        if (name := self._warc_names.get(file)) is None:
            name = self._warc_names[file] = stored_name(file, self.warc_dir)
        return name

    def warc_path(self, name: str) -> Path:
        """The file a snapshot row's WARC name stands for: under ``WARC_DIR`` or ``WARC_DIRS``,
        else in the folder its node recorded (``warc_file``), when that is reachable from here."""
        with self.engine.connect() as conn:
            return warc_location(conn, name, self.warc_dir, self.other_warc_dirs)

    def _note_warc_files(self, conn: Connection, rows: Iterable[Mapping]) -> None:
        """Record which node wrote each WARC file the rows point into, and where: once per file
        and process (``_writing`` forgets what a failed transaction noted); a file another
        process recorded first (a replayed file read by several crawls) keeps its row."""
        for name in {row["warc_file"] for row in rows} - self._noted_files - {None}:
            path = Path(name)  # relative to this node's WARC_DIR, or absolute (a replayed or imported file)
            folder = path.parent if path.is_absolute() else Path(self.warc_dir or ".").resolve()
            values = {"name": name, "node": NODE, "directory": str(folder), "first_seen_at": self.clock()}
            conn.execute(_INSERT_NEW[conn.dialect.name](WarcFile).values(values).on_conflict_do_nothing())
            self._noted_files.add(name)

    def imported_to(self, file: str) -> int:
        """The offset up to which a WARC file's records are imported (0: none yet)."""
        with self.engine.connect() as conn:
            return conn.scalar(select(WarcFile.imported_to).where(WarcFile.name == self.warc_name(file))) or 0

    def set_imported_to(self, file: str, offset: int) -> None:
        """Record that a file's records before ``offset`` are imported (its row made if needed)."""
        name = self.warc_name(file)
        with self._writing() as session:
            conn = session.connection()
            self._note_warc_files(conn, [{"warc_file": name}])
            conn.execute(update(WarcFile).where(WarcFile.name == name).values(imported_to=offset))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction; the WARC files noted in it are noted again if it fails."""
        try:
            with self.Session.begin() as session:
                yield session
        except BaseException:
            self._noted_files.clear()
            raise

    def _recheck(
        self,
        conn: Connection,
        site_id: int,
        published_at: str | None,
        first_seen_at: datetime,
        response_headers=(),
        last_change: datetime | None = None,
    ) -> dict:
        """The next re-check (``recheck_policy``: by the article's age, and with ``adaptive`` by how
        long it has stayed unchanged since ``last_change``, now when None), and the validators
        for a conditional request."""
        born = datetime.fromisoformat(published_at) if published_at else aware(first_seen_at)
        now = self.clock()
        if self.recheck_policy == ADAPTIVE:
            changed = aware(last_change) if last_change else now
            reliable = self._reliable_hints(conn, site_id)
            due = adaptive_next_check(born, now, changed, self.recheck_schedule, reliable)
        else:
            due = next_check(born, now, self.recheck_schedule)
        values = {"next_check_at": due}
        headers = {name.lower(): value for name, value in response_headers or ()}
        if "etag" in headers or "last-modified" in headers:
            values |= {"etag": headers.get("etag"), "last_modified": headers.get("last-modified")}
        return values

    # -- captures ---------------------------------------------------------------------
    def previous_capture(self, url: str, digest: str) -> Capture | None:
        """The latest response record of ``url`` whose payload had ``digest``."""
        with self.engine.connect() as conn:
            row = conn.execute(_CAPTURE, {"url": url, "digest": digest}).first()
            return None if row is None else Capture(*row)

    def latest_capture(self, url: str) -> Capture | None:
        """The latest ``200`` response record of ``url``: what a ``304`` from its server affirms."""
        with self.engine.connect() as conn:
            row = conn.execute(_LATEST_CAPTURE, {"url": url}).first()
            return None if row is None else Capture(*row)

    # -- articles -------------------------------------------------------------------
    @staticmethod
    def _find(conn: Connection, item: Mapping, urls: set[str]) -> int | None:
        """The archived article this item is: by identity key or canonical URL, by any URL
        it was seen under, else by the same text on the same site."""
        values = {"key": _item_key(item), "canonical": item["canonical_url"], "urls": list(urls)}
        return conn.scalar(_IDENTITY, values | {"site": item["site"], "fingerprint": item["fingerprint"]})

    def _classify(self, conn: Connection, item: Mapping) -> Decision:
        """Look up what the archive knows of the item, then ``archive.decisions.decide``."""
        urls = frozenset(_item_urls(item))
        fetch = Fetch(urls, content_digest(item), item.get("page_type") == "paywalled")
        article_id = self._find(conn, item, urls)
        if article_id is None:
            return decide(fetch, None)
        conn.execute(_TAKE_TURNS, {"article": article_id})
        latest = self._in_effect(conn, article_id, _when(item.get("fetched_at"), self.clock()))
        known = Known(
            article_id,
            frozenset(self._urls_of(conn, article_id)),
            _digest_of(latest),
            bool(latest.paywalled),
            self._seen_payload(conn, item, latest),
        )
        return decide(fetch, known)

    @staticmethod
    def _seen_payload(conn: Connection, item: Mapping, latest: Row) -> bool:
        """Whether these very bytes were archived before (else only markup or spacing changed)."""
        digest = (item.get("snapshot") or {}).get("digest")
        if digest is None or digest == latest.snapshot_digest:
            return True
        return conn.scalar(_SAME_PAYLOAD, {"digest": digest, "url": item["url"]}) is not None

    @staticmethod
    def _latest(conn: Connection, article_id: int) -> Row | None:
        """The article's latest version row (with its snapshot's payload digest)."""
        query = _VERSION_ROW.where(ArticleVersion.article_id == article_id)
        return conn.execute(query.order_by(ArticleVersion.number.desc()).limit(1)).first()

    @staticmethod
    def _reliable_hints(conn: Connection, site_id: int) -> bool:
        """Whether the site's dates announce its edits (``recheck_policy.hints_reliable``)."""
        row = conn.execute(_SITE_HINTS, {"site": site_id}).first()
        return row is not None and hints_reliable(*row)

    def _last_change(self, conn: Connection, article_id: int) -> datetime | None:
        """When the archive last saw the article's text change (its latest version was made);
        read only for the adaptive policy."""
        if self.recheck_policy != ADAPTIVE:
            return None
        return conn.scalar(_LAST_CHANGE, {"article": article_id})

    @staticmethod
    def _in_effect(conn: Connection, article_id: int, when: datetime) -> Row | None:
        """The version a capture made at ``when`` is compared with: the last one captured at or
        before it (an older capture, imported late, is not compared with newer text), else the
        first. For a crawl, always the latest."""
        at_or_before = conn.execute(_VERSION_AT, {"article": article_id, "when": when}).first()
        return at_or_before or conn.execute(_FIRST_VERSION, {"article": article_id}).first()

    @staticmethod
    def _urls_of(conn: Connection, article_id: int) -> set[str]:
        return set(conn.scalars(_URLS_OF, {"article": article_id}))

    def save(self, item: Mapping, run_id: int | None = None) -> Decision:
        """Decide what a fetched article is to the archive (``archive.decisions.decide`` over what
        the archive knows of it) and store it so, in one transaction; returns the decision.
        Another process may archive the same story, its site, an alias or a version at the same
        moment: the unique keys refuse the second writer, whose transaction is then decided and
        written again with what the first one stored (a bounded number of times), so no item is
        lost and nothing is doubled."""
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                return self._save_once(item, run_id)
            except IntegrityError:
                if attempt == SAVE_ATTEMPTS:
                    raise
                logger.debug("save of %s raced another writer; deciding again", item.get("url"))
        raise AssertionError("unreachable")

    def _save_once(self, item: Mapping, run_id: int | None) -> Decision:
        """One transaction of ``save``. Rows are written with Core statements: the crawl's
        hottest path, several times cheaper than the ORM's unit of work."""
        with self._writing() as session:
            conn = session.connection()
            decision = self._classify(conn, item)
            seen = _when(item.get("fetched_at"), self.clock())
            versioned = decision.outcome in VERSIONED
            latest = decision.outcome == NEW or not self._captured_after(conn, decision.article_id, seen)
            minhash = _signature(item) if versioned else None
            changes: dict = {"last_seen_at": seen} if latest else {}
            if versioned and latest:
                changes["minhash"] = minhash
            site_id = self._site_id(session, item["site"])
            if decision.outcome == NEW:
                changes |= self._recheck(conn, site_id, item.get("published_at"), seen, item.get("response_headers"))
                article_id = conn.execute(
                    _NEW_ARTICLE,
                    {
                        "site_id": site_id,
                        "canonical_url": item["canonical_url"],
                        "key": _item_key(item),
                        "first_seen_at": seen,
                        **changes,
                    },
                ).scalar_one()
                known = {item["canonical_url"]}
            else:
                article_id = decision.article_id
                first_seen = conn.scalar(_FIRST_SEEN, {"article": article_id})
                if latest:
                    changed = None if versioned else self._last_change(conn, article_id)
                    headers = item.get("response_headers")
                    changes |= self._recheck(conn, site_id, item.get("published_at"), first_seen, headers, changed)
                else:  # an older capture imported late: the article was seen earlier than known
                    changes["first_seen_at"] = min(aware(first_seen), seen)
                conn.execute(_ARTICLE_CHANGES, {"article": article_id, **changes})
                known = self._urls_of(conn, article_id)
            urls = _item_urls(item)
            if aliases := [{"article_id": article_id, "url": u, "first_seen_at": seen} for u in urls if u not in known]:
                conn.execute(_NEW_ALIASES, aliases)
            snapshot_id = self._snapshot_ids(conn, item, decision.outcome, run_id, article_id)[-1]
            if versioned:
                added = self._add_version(session, article_id, item, snapshot_id, decision.outcome == NEW, seen)
                if latest:
                    self._link_near_duplicates(session, article_id, minhash, decision.outcome == NEW)
                if added:  # last: the site's row stays locked until the commit, as briefly as can be
                    counts = {"site": site_id, "articles": int(decision.outcome == NEW), "versions": 1}
                    conn.execute(_SITE_COUNTS, counts)
            if item.get("hinted") and decision.outcome != NEW:
                self._note_hint(conn, item["site"], decision.outcome == UPDATED)
            return Decision(decision.outcome, article_id)

    @staticmethod
    def _note_hint(conn: Connection, site: str, changed: bool) -> None:
        """A re-fetch the site's dates asked for, and whether it found a change, on the site's
        counters (``recheck_policy.hint_noted``, computed by the database: no lost update)."""
        followed, confirmed = hint_noted(Site.hints_followed, Site.hints_confirmed, changed)
        conn.execute(update(Site).where(Site.name == site).values(hints_followed=followed, hints_confirmed=confirmed))

    @staticmethod
    def _captured_after(conn: Connection, article_id: int, when: datetime) -> bool:
        """Whether a version of the article was captured after ``when`` (an older capture imported late)."""
        return conn.scalar(_CAPTURED_AFTER, {"article": article_id, "when": when}) is not None

    def _add_version(
        self, session: Session, article_id: int, item: Mapping, snapshot_id: int, first: bool, seen: datetime
    ) -> bool:
        """The item's content as a version, in capture order: after the version in effect at its
        capture time, before any captured later (whose numbers move up one and whose change is
        then measured from this one). When the version captured next holds this very text (a
        spooled fetch stored after a later re-fetch), that version was first seen here: it moves
        back to this capture instead of being made twice. Whether a version was added."""
        conn = session.connection()
        before = None if first else self._in_effect(conn, article_id, seen)
        if before is not None and aware(self._captured_at(conn, before)) > seen:
            before = None  # older than every version: the new first one
        number = (before.number if before else 0) + 1
        following = None if first else conn.execute(_VERSION_FROM, {"article": article_id, "number": number}).first()
        if following is not None and _digest_of(following) == content_digest(item):
            moved_back = update(ArticleVersion).where(ArticleVersion.id == following.id)
            conn.execute(moved_back.values(snapshot_id=snapshot_id))
            return False
        values = self._diffed(before, _version_values(item))
        if following is not None:  # make room: numbers are unique, so move them out of the way and back
            later = (ArticleVersion.article_id == article_id) & (ArticleVersion.number >= number)
            conn.execute(update(ArticleVersion).where(later).values(number=-ArticleVersion.number - 1))
            moved = (ArticleVersion.article_id == article_id) & (ArticleVersion.number < 0)
            conn.execute(update(ArticleVersion).where(moved).values(number=-ArticleVersion.number))
        version_id = conn.execute(
            _NEW_VERSION,
            {
                "article_id": article_id,
                "number": number,
                "fingerprint": item["fingerprint"],
                "content_digest": content_digest(item),
                "extracted_at": self.clock(),
                "snapshot_id": snapshot_id,
                **values,
            },
        ).scalar_one()
        if following is None:
            index_version(conn, article_id, version_id, self._site_id(session, item["site"]), values)
            return True
        after = self._diffed(values, {f: getattr(following, f) for f in DIFF_FIELDS})
        changed = {k: after[k] for k in ("change_class", "diff")}
        conn.execute(update(ArticleVersion).where(ArticleVersion.id == following.id).values(changed))
        return True

    def _diffed(self, before, values: dict) -> dict:
        """``values`` with their change class and field diff from ``before`` (a row or a dict;
        None: a first version)."""
        if before is None:
            return values | {"change_class": None, "diff": None}
        fields = before if isinstance(before, dict) else {f: getattr(before, f) for f in (*DIFF_FIELDS, "provenance")}
        old = {f: fields.get(f) for f in DIFF_FIELDS}
        return values | {
            "change_class": change_class(
                old, values, self.minor_edit_max_chars, fields.get("provenance"), values.get("provenance")
            ),
            "diff": field_diff(old, values),
        }

    @staticmethod
    def _captured_at(conn: Connection, version: Row) -> datetime:
        return conn.scalar(_CAPTURED_AT, {"snapshot": version.snapshot_id})

    def _link_near_duplicates(self, session: Session, article_id: int, minhash: bytes, new: bool) -> None:
        """Link the article to the stories it repeats (on other sites or under other identities),
        found by their band keys in the database, then store the article's own band keys."""
        conn = session.connection()
        bands = set(band_keys(minhash))
        candidates = conn.execute(_NEAR_CANDIDATES, {"bands": list(bands), "article": article_id})
        signed = ((other, data) for other, data in candidates if data)
        for other_id, similarity in similar(minhash, signed, self.near_duplicate_threshold):
            article, other = session.get(Article, article_id), session.get(Article, other_id)
            copy, original = (article, other) if self._is_later(article, other, session) else (other, article)
            exists = session.scalar(
                select(NearDuplicate.id).where(
                    NearDuplicate.article_id == copy.id, NearDuplicate.original_id == original.id
                )
            )
            if exists is None:
                link = NearDuplicate(article=copy, original=original, similarity=similarity, found_at=self.clock())
                session.add(link)
        if not new:  # the keys of its previous version
            conn.execute(delete(ArticleBand).where(ArticleBand.article_id == article_id))
        conn.execute(_NEW_BANDS, [{"article_id": article_id, "band": band} for band in bands])

    def _is_later(self, article: Article, other: Article, session: Session) -> bool:
        """The re-post is the later story: by publication time, else by first sighting."""
        conn = session.connection()
        mine, theirs = self._latest(conn, article.id), self._latest(conn, other.id)
        if mine and theirs and mine.published_at and theirs.published_at:
            mine_at, theirs_at = datetime.fromisoformat(mine.published_at), datetime.fromisoformat(theirs.published_at)
            return aware(mine_at) >= aware(theirs_at)
        return article.id > other.id

    def record_snapshot(self, item: Mapping, outcome: str, run_id: int | None = None) -> None:
        """A fetch that did not become an article version (a 404, a listing, …). A re-check of a
        known article that finds it as archived (304) comes back on the schedule; one that finds
        it unpublished (410, or a second 404 in a row: ``recheck_policy.unpublished``) never does."""
        if not item.get("snapshot") and not item.get("hops"):
            return
        with self._writing() as session:
            article = None
            if outcome in (f"{DROPPED}:{NOT_MODIFIED}", f"{DROPPED}:{NOT_FOUND}"):
                article = session.scalar(
                    select(Article)
                    .outerjoin(ArticleAlias)
                    .where(or_(Article.canonical_url == item["url"], ArticleAlias.url == item["url"]))
                )
            missing_before = (
                article is not None
                and outcome == f"{DROPPED}:{NOT_FOUND}"
                and self._missing_last(session.connection(), article.id)
            )
            self._snapshot_ids(session.connection(), item, outcome, run_id, article.id if article else None)
            if article is None:
                return
            if outcome == f"{DROPPED}:{NOT_FOUND}":
                if unpublished(int(item.get("status") or 0), missing_before):
                    article.next_check_at = None
                return
            article.last_seen_at = _when(item.get("fetched_at"), self.clock())
            latest = self._latest(session.connection(), article.id)
            born, changed = (latest.published_at, latest.extracted_at) if latest else (None, None)
            recheck = self._recheck(session.connection(), article.site_id, born, article.first_seen_at, (), changed)
            for name, value in recheck.items():
                setattr(article, name, value)

    @staticmethod
    def _missing_last(conn: Connection, article_id: int) -> bool:
        """Whether the article's latest fetch before this one found it missing (404)."""
        last = conn.scalar(
            select(Snapshot.outcome).where(Snapshot.article_id == article_id).order_by(Snapshot.id.desc()).limit(1)
        )
        return last == f"{DROPPED}:{NOT_FOUND}"

    def record_fetches(self, rows: list[Mapping], run_id: int | None = None) -> int:
        """Outcome rows of requests that did not end as an article item (discovery pages,
        robots.txt, refused or failed requests), in one transaction; returns how many."""
        values = [self._snapshot_values(row, row.get("ref"), row["outcome"], run_id, None) for row in rows]
        with self._writing() as session:
            conn = session.connection()
            self._note_warc_files(conn, values)
            # in order; runs of rows without a record in one executemany (robots.txt may refuse thousands)
            for recorded, run in groupby(values, key=lambda row: row["warc_file"] is not None):
                if recorded:
                    for row in run:
                        _insert_snapshot(conn, row)
                else:
                    conn.execute(insert(Snapshot), list(run))
        return len(rows)

    def _site_id(self, session: Session, name: str) -> int:
        """The site's id, cached once it is known to be committed."""
        if name in self._site_ids:
            return self._site_ids[name]
        site_id = session.scalar(select(Site.id).where(Site.name == name))
        if site_id is None:
            site = Site(name=name, created_at=self.clock())
            session.add(site)
            session.flush()
            return site.id
        self._site_ids[name] = site_id
        return site_id

    def _snapshot_ids(self, conn, item: Mapping, outcome: str, run_id: int | None, article_id: int | None) -> list[int]:
        """A snapshot row per earlier hop of the fetch (redirects, retries), then one per WARC
        record of the fetch itself (``_records``), in order."""
        hops = [
            self._snapshot_values(hop, hop.get("ref"), hop["outcome"], run_id, article_id)
            for hop in item.get("hops") or ()
        ]
        records = [self._snapshot_values(item, ref, outcome, run_id, article_id) for ref in _records(item) if ref]
        self._note_warc_files(conn, hops + records)
        for hop in hops:
            _insert_snapshot(conn, hop)
        return [_insert_snapshot(conn, record) for record in records]

    def _snapshot_values(self, fetch: Mapping, ref: Mapping | None, outcome: str, run_id, article_id) -> dict:
        """A snapshot row: the fetch, its WARC record (named as ``warc_name`` says) and its outcome."""
        rendered = bool(ref) and ref.get("record_type") == "conversion"
        ref = ref or {}
        return {
            "url": fetch["url"],
            "final_url": fetch.get("final_url") or fetch["url"],
            "status": 200 if rendered else fetch.get("status"),
            "fetched_at": _when(fetch.get("fetched_at"), self.clock()),
            "content_type": RENDERED_TYPE if rendered else fetch.get("content_type"),
            "warc_file": self.warc_name(ref["file"]) if ref.get("file") else None,
            "warc_offset": ref.get("offset"),
            "warc_length": ref.get("length"),
            "payload_digest": ref.get("digest"),
            "record_type": ref.get("record_type") or ("response" if ref else "none"),
            "outcome": outcome,
            "detail": fetch.get("detail"),
            "article_id": article_id,
            "crawl_run_id": run_id,
        }


def _insert_snapshot(conn: Connection, values: dict) -> int:
    """The row of a WARC record, written once: a record already in the archive (a replay, a
    spool loaded again) keeps its row."""
    if values["warc_file"] is None:
        return conn.execute(insert(Snapshot).returning(Snapshot.id), values).scalar_one()
    inserted = conn.execute(_NEW_SNAPSHOT[conn.dialect.name], values).scalar()  # one statement for a new record
    return inserted or conn.scalar(_BY_RECORD, {"file": values["warc_file"], "offset": values["warc_offset"]})
