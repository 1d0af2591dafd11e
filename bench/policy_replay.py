"""``make simulate-policy``: the re-check policies replayed against a simulated newsroom's truth
(``bench/newsroom.py``), without network — the policy code the archive runs, fed the times it
would see. Prints, per policy: substantive edits caught, of them on sites whose sitemap
``lastmod`` announces edits, latency in an article's first day and after, fetches per article
and per edit caught, and WARC bytes; beside them the oracle (one fetch right after each edit).

The model: each site's sitemap is polled every ``--poll`` minutes; a story is first fetched at
the first poll after publication; it is fetched again at the first poll at or after the time its
policy asks, or earlier when a trusted sitemap ``lastmod`` says it changed. A site whose
``lastmod`` is always "now" announces changes that are not there: with the adaptive policy the
crawler stops following a site whose announced re-fetches found no change (the store's counters,
``recheck_policy.hints_trusted``); the fixed ladder follows every one, as the crawler did
before. A fetch of an unchanged page from a site with honest validators is a ``304`` (a revisit
record); any other fetch stores the page again.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.recheck_policy import (
    adaptive_next_check,
    hint_noted,
    hints_reliable,
    hints_trusted,
    next_check,
    unpublished,
)
from bench.newsroom import Newsroom, SiteBehaviour, Story

PAGE_BYTES = 25_000
"""A news page's WARC record (about 80 KB of HTML, gzipped), request included."""
REVISIT_BYTES = 1_200
"""A ``304``'s revisit record and its request."""

LISTED_FOR = timedelta(days=10)
"""How long a story stays in its site's news sitemap (the newsroom lists a site's latest 1,000:
ten days of a site publishing 100 a day); its dates announce nothing afterwards."""

EPSILON = timedelta(microseconds=1)

Policy = Callable[[Story, datetime, datetime, "SiteTrust | None"], datetime | None]
"""(story, this fetch's time, when the archive last saw it change, the site's counters) -> the
next check, or None."""


def fixed(story: Story, now: datetime, last_change: datetime, trust: SiteTrust | None) -> datetime | None:
    return next_check(story.published, now)


def adaptive(story: Story, now: datetime, last_change: datetime, trust: SiteTrust | None) -> datetime | None:
    reliable = trust is not None and trust.reliable()
    return adaptive_next_check(story.published, now, last_change, reliable_hints=reliable)


@dataclass
class Figures:
    substantive_edits: int = 0
    caught: int = 0
    hinted_edits: int = 0
    """Substantive edits a sitemap the crawler was served announced (its ``lastmod``)."""
    hinted_caught: int = 0
    site_announced_edits: int = 0
    """Substantive edits of the sites whose sitemap ``lastmod`` is honest, seen by a poll or not."""
    site_announced_caught: int = 0
    fetches: int = 0
    warc_bytes: int = 0
    articles: int = 0
    article_days: float = 0.0
    latency_first_day: list[float] = field(default_factory=list)
    latency_later: list[float] = field(default_factory=list)

    def edit(self, hinted: bool, announced: bool, latency: float | None, first_day: bool) -> None:
        """One substantive edit, caught ``latency`` seconds after it came (None: missed)."""
        self.substantive_edits += 1
        self.hinted_edits += hinted
        self.site_announced_edits += announced
        if latency is None:
            return
        self.caught += 1
        self.hinted_caught += hinted
        self.site_announced_caught += announced
        (self.latency_first_day if first_day else self.latency_later).append(latency)

    def summary(self) -> dict:
        return {
            **{k: v for k, v in asdict(self).items() if not k.startswith("latency")},
            "caught_share": round(self.caught / max(1, self.substantive_edits), 4),
            "hinted_caught_share": _share(self.hinted_caught, self.hinted_edits),
            "site_announced_caught_share": _share(self.site_announced_caught, self.site_announced_edits),
            "latency_first_day_median_s": _median(self.latency_first_day),
            "latency_first_day_p90_s": _p90(self.latency_first_day),
            "latency_later_median_s": _median(self.latency_later),
            "fetches_per_article": round(self.fetches / max(1, self.articles), 2),
            "fetches_per_edit_caught": round(self.fetches / max(1, self.caught), 2),
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    return round(statistics.quantiles(values, n=10)[8], 1) if len(values) > 9 else None


class SiteTrust:
    """A site's counters of re-fetches its dates asked for, kept as the store keeps them
    (``recheck_policy.hint_noted`` and ``hints_trusted``)."""

    def __init__(self) -> None:
        self.followed, self.confirmed = 0.0, 0.0

    def trusted(self) -> bool:
        return hints_trusted(self.followed, self.confirmed)

    def reliable(self) -> bool:
        return hints_reliable(self.followed, self.confirmed)

    def note(self, found_change: bool) -> None:
        self.followed, self.confirmed = hint_noted(self.followed, self.confirmed, found_change)


def _next_poll(after: datetime, start: datetime, poll: timedelta) -> datetime:
    """The first poll at or after ``after``."""
    steps = -(-(after - start) // poll)
    return start + steps * poll


def _announced_change(story: Story, behaviour: SiteBehaviour, since: datetime, end: datetime, poll, start):
    """The first poll after ``since`` at which the sitemap says the story changed; None if never
    (or once the story has left the sitemap, ``LISTED_FOR``)."""
    end = min(end, story.published + LISTED_FOR)
    if since >= end or behaviour.discovery not in ("sitemap", "sitemap_index"):  # feeds and home pages: no lastmod
        return None
    if behaviour.lastmod == "now":
        return _next_poll(since + EPSILON, start, poll)
    if behaviour.lastmod == "honest":
        later = [v.at for v in story.versions if v.at > since]
        return _next_poll(later[0], start, poll) if later and later[0] < end else None
    return None


def hint_polled(
    story: Story, behaviour: SiteBehaviour, version, until: datetime, end: datetime, poll: timedelta, start: datetime
) -> bool:
    """Whether a poll of the site's sitemap saw ``version``'s honest ``lastmod`` before ``until``
    (the next version): an edit superseded between two polls was announced to no poller."""
    if not behaviour.announces:
        return False
    polled = _announced_change(story, behaviour, version.at - EPSILON, end, poll, start)
    return polled is not None and polled < until


def fetch_times(
    story: Story, behaviour: SiteBehaviour, policy: Policy, trust: SiteTrust | None, end: datetime, start, poll
) -> list[datetime]:
    """When ``policy`` fetches the story (``trust`` None: every announcement is followed)."""
    t = _next_poll(story.published, start, poll)
    times, seen, last_change = [], None, t
    missing_before = False
    while t < end:
        times.append(t)
        if status := story.gone_at(t):  # unpublished: never again after 410 or a second 404
            if unpublished(status, missing_before):
                break
            missing_before = True
        version = story.at(t)
        if version is not seen:
            last_change, seen = t, version
        due = policy(story, t, last_change, trust)
        due_poll = _next_poll(due, start, poll) if due else None
        hint = _announced_change(story, behaviour, t, end, poll, start)
        if hint is not None and trust is not None and not trust.trusted():
            hint = None
        candidates = [c for c in (due_poll, hint) if c is not None and c > t]
        if not candidates:
            break
        following = min(candidates)
        if trust is not None and hint is not None and following == hint and (due_poll is None or hint < due_poll):
            trust.note(story.at(following) is not version)
        t = following
    return times


def score(newsroom: Newsroom, name: str, policy: Policy | None, poll: timedelta) -> Figures:
    """The policy's figures over the newsroom's run (``policy`` None: the oracle)."""
    start, end = newsroom.start, newsroom.start + timedelta(days=newsroom.days)
    figures = Figures()
    for behaviour in newsroom.behaviours:
        trust = None if policy in (None, fixed) else SiteTrust()  # the ladder follows every date
        for story in newsroom.stories[behaviour.name]:
            versions = [v for v in story.versions if v.at < end]
            if policy is None:
                times = [v.at for v in versions]
            else:
                times = fetch_times(story, behaviour, policy, trust, end, start, poll)
            figures.articles += 1
            figures.article_days += (end - story.published).total_seconds() / 86400
            figures.fetches += len(times)
            previous = None
            for t in times:
                version = story.at(t)
                honest_304 = behaviour.validators == "honest" and version is previous
                figures.warc_bytes += REVISIT_BYTES if honest_304 else PAGE_BYTES
                previous = version
            for i, version in enumerate(versions[1:], start=1):
                if version.kind != "substantive":
                    continue
                until = versions[i + 1].at if i + 1 < len(versions) else end
                hit = next((t for t in times if version.at <= t < until), None)
                figures.edit(
                    hint_polled(story, behaviour, version, until, end, poll, start),
                    behaviour.announces,
                    None if hit is None else (hit - version.at).total_seconds(),
                    version.at - story.published < timedelta(days=1),
                )
    return figures


NATIONAL_SITES = 1_000
NATIONAL_PER_DAY = 100
LIFETIME = timedelta(days=91)
"""Past the ladder's last step (90 days): an article's whole life of re-checks."""


def national(newsroom: Newsroom, policy: Policy, poll: timedelta) -> dict:
    """Requests a second and WARC gigabytes a day at national scale (``NATIONAL_SITES`` sites ×
    ``NATIONAL_PER_DAY`` stories a day) once archiving has run long enough to be steady (a year):
    each day then sees the whole life of a day's stories (Little's law), each followed here for
    ``LIFETIME``, plus every site's sitemap polls. The stories of the newsroom's first day are
    the sample."""
    fetches = warc_bytes = stories = 0
    sampled = newsroom.start + timedelta(days=1)
    for behaviour in newsroom.behaviours:
        trust = None if policy is fixed else SiteTrust()
        for story in (s for s in newsroom.stories[behaviour.name] if s.published < sampled):
            end = story.published + LIFETIME
            times = fetch_times(story, behaviour, policy, trust, end, newsroom.start, poll)
            stories += 1
            fetches += len(times)
            previous = None
            for t in times:
                version = story.at(t)
                honest_304 = behaviour.validators == "honest" and version is previous
                warc_bytes += REVISIT_BYTES if honest_304 else PAGE_BYTES
                previous = version
    per_day = NATIONAL_SITES * NATIONAL_PER_DAY
    requests = per_day * fetches / max(1, stories) + NATIONAL_SITES * timedelta(days=1) / poll
    return {
        "sites": NATIONAL_SITES,
        "articles_per_day": per_day,
        "fetches_per_article_lifetime": round(fetches / max(1, stories), 2),
        "requests_per_s": round(requests / 86_400, 1),
        "warc_gb_per_day": round(per_day * warc_bytes / max(1, stories) / 1e9, 1),
    }


def newsroom_options(description: str, poll: bool = True) -> argparse.ArgumentParser:
    """The options of every bench of the newsroom: which one (seed, days, sites) and, for a
    replay, how often its sitemaps are polled."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=float, default=7)
    parser.add_argument("--sites", type=int, default=20)
    if poll:
        parser.add_argument("--poll", type=float, default=10, help="minutes between two polls of a site's sitemap")
    return parser


def main() -> int:
    args = newsroom_options(__doc__.splitlines()[0]).parse_args()
    newsroom = Newsroom(seed=args.seed, sites=args.sites, days=args.days)
    poll = timedelta(minutes=args.poll)
    results = {
        name: score(newsroom, name, policy, poll).summary()
        for name, policy in (("adaptive", adaptive), ("fixed", fixed), ("oracle", None))
    }
    columns = (
        "caught_share",
        "hinted_caught_share",
        "site_announced_caught_share",
        "latency_first_day_median_s",
        "latency_first_day_p90_s",
        "latency_later_median_s",
        "fetches_per_article",
        "fetches_per_edit_caught",
        "warc_bytes",
    )
    print(
        f"{args.sites} sites, {args.days:g} simulated days, seed {args.seed}: "
        f"{results['oracle']['articles']} articles, {results['oracle']['substantive_edits']} substantive edits"
    )
    print(f"{'policy':10}" + "".join(f"{c:>{len(c) + 2}}" for c in columns))
    for name, r in results.items():
        print(f"{name:10}" + "".join(f"{r[c] if r[c] is not None else '-':>{len(c) + 2}}" for c in columns))
    scale = {name: national(newsroom, policy, poll) for name, policy in (("adaptive", adaptive), ("fixed", fixed))}
    for name, figures in scale.items():
        results[name]["national"] = figures
        print(
            f"{name}, national scale ({NATIONAL_SITES:,} sites × {NATIONAL_PER_DAY} stories a day, steady): "
            f"{figures['requests_per_s']} requests/s, {figures['warc_gb_per_day']} GB of WARC a day"
        )
    fixed_, adaptive_ = results["fixed"], results["adaptive"]
    print(
        f"adaptive / fixed: fetches {adaptive_['fetches'] / fixed_['fetches']:.3f}, "
        f"WARC bytes {adaptive_['warc_bytes'] / fixed_['warc_bytes']:.3f}; "
        f"adaptive / oracle fetches per edit caught "
        f"{adaptive_['fetches_per_edit_caught'] / results['oracle']['fetches_per_edit_caught']:.2f}"
    )
    out = Path(__file__).parent / "results" / f"simulate-policy-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(exist_ok=True)  # not in a fresh clone (results are not committed)
    out.write_text(
        json.dumps({"seed": args.seed, "days": args.days, "sites": args.sites, "policies": results}, indent=1)
    )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
