"""The fewest fetches a re-check schedule by article age could spend to catch a share of a
simulated newsroom's substantive edits, chosen knowing every edit in hindsight: the floor under
what any policy that paces by age (the ladder, ``adaptive``) can reach, beside the oracle, which
knows each edit's time and fetches once. ``make simulate`` prints it with the policies.

The model is the replay's (``bench/policy_replay.py``): every story is fetched once when
discovered; an edit a polled sitemap announced (``hint_polled``) costs one fetch; every other
edit is caught only by a re-check between it and the next version. A schedule is a set of ages;
a re-check at age ``a`` costs one fetch per story that lives to ``a`` in the run. Choosing the
ages is partial interval stabbing with weights: solved through its Lagrangian (a dynamic
programme over candidate ages, exact at the vertices of the cost/coverage hull), which gives both
a schedule that reaches the share and a lower bound no schedule by age goes under.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from bench.newsroom import Newsroom
from bench.policy_replay import hint_polled, newsroom_options

MOST_AGES = 6_000
"""Candidate ages the programme takes (its table holds half their square: 72 MB at this many);
a run with more edits to catch is not bounded (``by_age`` says so)."""


@dataclass
class EditWindows:
    """What a schedule by age has to catch in a newsroom's run."""

    starts: np.ndarray
    """Per edit no sitemap announced: the story's age (s) at the edit ..."""
    ends: np.ndarray
    """... and at the next version (or the run's end)."""
    lives: np.ndarray
    """Per story: its age at the run's end (s), sorted."""
    hinted: int
    substantive: int


@dataclass
class Schedule:
    caught: int
    """Of the windows."""
    fetches: float
    ages: list[float]


def edit_windows(newsroom: Newsroom, poll: timedelta) -> EditWindows:
    start, end = newsroom.start, newsroom.start + timedelta(days=newsroom.days)
    starts, ends, lives, hinted, substantive = [], [], [], 0, 0
    for behaviour in newsroom.behaviours:
        for story in newsroom.stories[behaviour.name]:
            lives.append((end - story.published).total_seconds())
            versions = [v for v in story.versions if v.at < end]
            for i, version in enumerate(versions[1:], start=1):
                if version.kind != "substantive":
                    continue
                substantive += 1
                until = versions[i + 1].at if i + 1 < len(versions) else end
                if hint_polled(story, behaviour, version, until, end, poll, start):
                    hinted += 1
                    continue
                starts.append((version.at - story.published).total_seconds())
                ends.append((until - story.published).total_seconds())
    return EditWindows(np.array(starts), np.array(ends), np.sort(np.array(lives)), hinted, substantive)


def cheapest_schedules(starts: np.ndarray, ends: np.ndarray, lives: np.ndarray, need: int) -> tuple[Schedule, float]:
    """The cheapest schedule found that stabs at least ``need`` of the windows ``[start, end)``,
    and a lower bound on the cost of any that does. A re-check can always move later, to just
    before the nearest end of the windows it stabs, without losing one or costing more (fewer
    stories live that long): the candidates are the windows' ends."""
    if need <= 0:
        return Schedule(0, 0.0, []), 0.0
    ages = np.unique(ends) - 1e-3
    cost = (len(lives) - np.searchsorted(lives, ages, side="right")).astype(float)
    # first[j]: windows holding age j; fresh[j][i]: those of them that age i < j does not hold
    held = [np.sort(starts[(starts <= a) & (a < ends)]) for a in ages]
    first = np.array([len(h) for h in held], dtype=float)
    fresh = [(first[j] - np.searchsorted(held[j], ages[:j], side="right")).astype(np.float32) for j in range(len(ages))]

    def solve(price: float) -> Schedule:
        """The schedule that minimises fetches − price × windows caught (a vertex of the hull)."""
        value = np.empty(len(ages))
        caught = np.empty(len(ages))
        before = np.full(len(ages), -1)
        for j in range(len(ages)):
            value[j], caught[j] = cost[j] - price * first[j], first[j]
            if j:
                options = value[:j] + cost[j] - price * fresh[j]
                k = int(np.argmin(options))
                if options[k] < value[j]:
                    value[j], caught[j], before[j] = options[k], caught[k] + fresh[j][k], k
        j = int(np.argmin(value))
        if value[j] >= 0:
            return Schedule(0, 0.0, [])
        chosen = []
        while j >= 0:
            chosen.append(j)
            j = before[j]
        return Schedule(int(caught[chosen[0]]), float(cost[chosen].sum()), sorted(float(ages[i]) for i in chosen))

    low, high = 0.0, float(cost.max()) + 1.0  # at that price every window is worth its re-check
    below, above = solve(low), solve(high)
    if above.caught < need:
        raise ValueError(f"no schedule catches {need} of {len(starts)} windows")
    for _ in range(60):
        middle = (low + high) / 2
        found = solve(middle)
        if found.caught >= need:
            high, above = middle, found
        else:
            low, below = middle, found
        if math.isclose(low, high, rel_tol=1e-9):
            break
    bound = below.fetches + (above.fetches - below.fetches) * (need - below.caught) / (above.caught - below.caught)
    return above, bound


def by_age(newsroom: Newsroom, poll: timedelta, share: float = 0.97) -> dict | None:
    """The figures of the best schedule by age that catches ``share`` of the substantive edits;
    None for a run with more than ``MOST_AGES`` edits to catch."""
    windows = edit_windows(newsroom, poll)
    if len(np.unique(windows.ends)) > MOST_AGES:
        return None
    need = math.ceil(share * windows.substantive) - windows.hinted
    schedule, bound = cheapest_schedules(windows.starts, windows.ends, windows.lives, need)
    base = len(windows.lives) + windows.hinted  # every story's first fetch, one per announced edit
    caught = windows.hinted + schedule.caught
    return {
        "substantive_edits": windows.substantive,
        "caught": caught,
        "caught_share": round(caught / max(1, windows.substantive), 4),
        "fetches": round(base + schedule.fetches),
        "fetches_per_article": round((base + schedule.fetches) / max(1, len(windows.lives)), 2),
        "fetches_per_edit_caught": round((base + schedule.fetches) / max(1, caught), 2),
        "lower_bound_fetches_per_edit_caught": round((base + bound) / max(1, windows.hinted + max(0, need)), 2),
        "recheck_ages_h": [round(a / 3600, 2) for a in schedule.ages],
    }


def a_share(value: str) -> float:
    """``--share``: a number above 0, at most 1."""
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a share above 0 and at most 1 (0.97: 97 %)")
    return share


def main() -> int:
    parser = newsroom_options(__doc__.splitlines()[0])
    parser.add_argument("--share", type=a_share, default=0.97, help="of the substantive edits to catch (0-1]")
    args = parser.parse_args()
    newsroom = Newsroom(seed=args.seed, sites=args.sites, days=args.days)
    figures = by_age(newsroom, timedelta(minutes=args.poll), args.share)
    if figures is None:
        print(f"more than {MOST_AGES:,} edits to catch: no schedule in hindsight for a run this large")
        return 0
    if not figures["substantive_edits"]:
        print("no substantive edit in this run: nothing to catch")
        return 0
    print(
        f"best schedule by age, knowing every edit (seed {args.seed}): {figures['caught_share']:.2%} caught, "
        f"{figures['fetches_per_article']} fetches per article, {figures['fetches_per_edit_caught']} per edit caught "
        f"(no schedule by age under {figures['lower_bound_fetches_per_edit_caught']}); re-checks at "
        + (", ".join(f"{a:g}" for a in figures["recheck_ages_h"]) + " h" if figures["recheck_ages_h"] else "none")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
