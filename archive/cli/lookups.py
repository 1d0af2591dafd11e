"""How commands open the archive: read-only sessions on an existing, current archive, the
store for commands that write, and the look-ups whose miss is a user's mistake."""

from __future__ import annotations

import os

from sqlalchemy import select

from archive.cli.arguments import CommandError
from archive.database import reading_sessions
from archive.warc import warc_dirs


def reading(args):
    """A session on the existing, current archive (``ArchiveUnavailableError`` otherwise)."""
    return reading_sessions(args.database)()


def known_site(session, site: str | None, spiders: bool = False) -> None:
    """An unknown ``--site`` is an error naming the sites the archive has."""
    if site is None:
        return
    from archive.models import CrawlRun, Site

    names = set(session.scalars(select(Site.name)))
    if spiders:
        names |= set(session.scalars(select(CrawlRun.spider).distinct()))
    if site not in names and site.split(".")[0] not in names:
        have = ", ".join(sorted(names)) or "none yet"
        raise CommandError(f"no site {site!r} in the archive (have: {have})", 2)


def article_at(session, url: str):
    from archive.queries import find_article

    if (found := find_article(session, url)) is None:
        raise CommandError(f"not in the archive: {url}")
    return found


def article_id(session, key: str) -> int:
    """The id of the article with identity key ``key`` (where ``--after`` goes on from)."""
    from archive.models import Article

    found = session.scalar(select(Article.id).where(Article.key == key))
    if found is None:
        raise CommandError(f"no article with key {key} in this archive (--after takes an exported article_key)")
    return found


def article_key(session, article: int) -> str:
    """The identity key of the article with id ``article`` (the ``--after`` an interruption names)."""
    from archive.models import Article

    return session.scalar(select(Article.key).where(Article.id == article))


def archive_for(args, create: bool = False):
    """The store on the existing, current archive, for commands that write into it (``create``:
    made or upgraded when needed, as a crawl does)."""
    from archive.store import Archive

    if not create:
        reading_sessions(args.database)
    return Archive(args.database, warc_dir=args.warc_dir, other_warc_dirs=warc_dirs(os.environ.get("WARC_DIRS")))
