"""The hindsight bound (``bench/hindsight_bound.py``): the cheapest re-check schedule by age that
catches a share of the edits, and a lower bound no such schedule goes under."""

from datetime import timedelta

import numpy as np

from bench import hindsight_bound
from bench.hindsight_bound import by_age, cheapest_schedules
from bench.newsroom import Newsroom
from bench.policy_replay import adaptive, score

HOUR = 3600.0


def windows(*spans: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([s * HOUR for s, _ in spans]), np.array([e * HOUR for _, e in spans])


def test_one_re_check_where_two_edit_windows_overlap_is_the_cheapest_way_to_catch_both():
    starts, ends = windows((1, 2), (1.5, 3), (5, 6))
    schedule, bound = cheapest_schedules(starts, ends, np.array([10 * HOUR] * 3), need=2)
    assert schedule.caught == 2
    assert schedule.fetches == 3  # one re-check of the three stories
    assert 1.5 * HOUR <= schedule.ages[0] < 2 * HOUR
    assert bound <= schedule.fetches


def test_a_later_re_check_is_preferred_when_fewer_stories_live_to_it():
    starts, ends = windows((1, 5), (2, 5))
    lives = np.array([3 * HOUR, 3 * HOUR, 10 * HOUR])  # two stories end before the window does
    schedule, _ = cheapest_schedules(starts, ends, lives, need=2)
    assert schedule.fetches == 1
    assert schedule.ages[0] > 3 * HOUR


def test_catching_every_window_takes_a_re_check_in_each_disjoint_one():
    starts, ends = windows((1, 2), (3, 4), (5, 6))
    schedule, bound = cheapest_schedules(starts, ends, np.array([10 * HOUR] * 2), need=3)
    assert (schedule.caught, schedule.fetches, len(schedule.ages)) == (3, 6, 3)
    assert bound == 6


def test_the_bound_lies_under_the_schedule_it_reports_and_the_share_is_reached():
    figures = by_age(Newsroom(seed=3, sites=4, days=2), timedelta(minutes=10), share=0.9)
    assert figures["caught_share"] >= 0.9
    assert figures["lower_bound_fetches_per_edit_caught"] <= figures["fetches_per_edit_caught"]


def test_the_schedule_found_with_hindsight_catches_what_the_adaptive_policy_does_for_fewer_fetches():
    newsroom = Newsroom(seed=3, sites=4, days=2)
    replayed = score(newsroom, "adaptive", adaptive, timedelta(minutes=10))
    share = replayed.caught / replayed.substantive_edits
    figures = by_age(newsroom, timedelta(minutes=10), share=share)
    assert figures["caught"] >= replayed.caught
    assert figures["fetches"] < replayed.fetches


def test_a_run_with_more_edits_than_the_programme_takes_is_not_bounded(monkeypatch):
    monkeypatch.setattr(hindsight_bound, "MOST_AGES", 10)
    assert by_age(Newsroom(seed=3, sites=4, days=2), timedelta(minutes=10)) is None


def test_a_share_the_announced_edits_already_reach_takes_no_re_check_and_bounds_at_what_it_costs():
    figures = by_age(Newsroom(seed=3, sites=4, days=2), timedelta(minutes=10), share=0.01)
    assert figures["recheck_ages_h"] == []
    assert figures["lower_bound_fetches_per_edit_caught"] == figures["fetches_per_edit_caught"]
