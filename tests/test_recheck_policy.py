"""When a known article is fetched again: the pure rules of ``archive.recheck_policy``."""

from datetime import UTC, datetime, timedelta

import pytest

from archive.recheck_policy import (
    UnknownPolicyError,
    adaptive_next_check,
    hint_noted,
    hints_reliable,
    hints_trusted,
    policy_named,
    recheck_budget,
    unpublished,
)


def test_410_gone_unpublishes_at_once():
    assert unpublished(410, missing_before=False)


def test_a_first_404_may_be_a_passing_fault():
    assert not unpublished(404, missing_before=False)


def test_a_second_404_in_a_row_unpublishes():
    assert unpublished(404, missing_before=True)


def test_a_server_error_never_unpublishes():
    assert not unpublished(503, missing_before=True)


BORN = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_an_article_in_its_first_hours_is_checked_at_the_ladder_s_pace():
    now = BORN + timedelta(hours=1)
    assert adaptive_next_check(BORN, now, last_change=BORN) == now + timedelta(minutes=15)


def test_an_article_that_stays_unchanged_waits_half_its_quiet_time():
    now = BORN + timedelta(hours=10)
    assert adaptive_next_check(BORN, now, last_change=BORN + timedelta(hours=8)) == now + timedelta(hours=1)


def test_the_back_off_stops_at_four_times_the_ladder_s_wait():
    now = BORN + timedelta(hours=20)  # under a day old: the ladder waits 30 minutes
    assert adaptive_next_check(BORN, now, last_change=BORN) == now + timedelta(hours=2)


def test_an_article_that_just_changed_comes_back_at_the_ladder_s_pace():
    now = BORN + timedelta(hours=20)
    assert adaptive_next_check(BORN, now, last_change=now) == now + timedelta(minutes=30)


def test_past_the_ladder_s_end_an_article_is_not_checked_again():
    assert adaptive_next_check(BORN, BORN + timedelta(days=91), last_change=BORN) is None


def test_a_new_site_s_dates_are_followed():
    assert hints_trusted(0.0, 0.0)


def test_a_site_whose_announced_refetches_find_no_change_is_no_longer_followed():
    followed, confirmed = 0.0, 0.0
    for _ in range(10):
        followed, confirmed = hint_noted(followed, confirmed, changed=False)
    assert not hints_trusted(followed, confirmed)


def test_a_site_whose_dates_announce_real_edits_stays_followed():
    followed, confirmed = 0.0, 0.0
    for changed in [True, False] * 10:
        followed, confirmed = hint_noted(followed, confirmed, changed)
    assert hints_trusted(followed, confirmed)


def test_a_site_that_turns_honest_is_followed_again():
    followed, confirmed = 0.0, 0.0
    for _ in range(20):
        followed, confirmed = hint_noted(followed, confirmed, changed=False)
    for _ in range(5):
        followed, confirmed = hint_noted(followed, confirmed, changed=True)
    assert hints_trusted(followed, confirmed)


def test_a_round_re_checks_what_half_of_it_allows_at_the_site_s_delay():
    assert recheck_budget(round_seconds=600, delay_seconds=1.0) == 300
    assert recheck_budget(round_seconds=600, delay_seconds=30.0) == 10


def test_a_site_without_delay_still_has_a_bounded_budget():
    assert recheck_budget(round_seconds=600, delay_seconds=0.0) == 30_000


def test_a_site_whose_dates_announce_its_edits_has_its_re_checks_spaced_out():
    now = BORN + timedelta(hours=1)
    assert adaptive_next_check(BORN, now, BORN, reliable_hints=True) == now + 16 * timedelta(minutes=15)


def test_dates_are_reliable_only_once_judged_and_nearly_always_right():
    assert not hints_reliable(0.0, 0.0)
    followed, confirmed = 0.0, 0.0
    for _ in range(10):
        followed, confirmed = hint_noted(followed, confirmed, changed=True)
    assert hints_reliable(followed, confirmed)
    followed, confirmed = hint_noted(*hint_noted(followed, confirmed, False), False)
    assert hints_trusted(followed, confirmed) and not hints_reliable(followed, confirmed)


def test_an_unknown_policy_is_refused_naming_the_choices():
    with pytest.raises(UnknownPolicyError, match="RECHECK_POLICY 'weekly': use one of adaptive, fixed"):
        policy_named("weekly")


def test_scrapy_crawl_with_an_unknown_policy_exits_2_with_one_line(tmp_path):
    from tests.conftest import run_crawl

    done = run_crawl(tmp_path, "thanhnien", settings={"RECHECK_POLICY": "weekly"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("RECHECK_POLICY 'weekly': use one of adaptive, fixed")
    assert "Traceback" not in done.stderr


def test_the_scheduler_with_an_unknown_policy_says_so_in_one_line(sqlite_url):
    from tests.conftest import archive_main

    done = archive_main("schedule", "--once", "--set", "RECHECK_POLICY=weekly", database_url=sqlite_url)
    assert (done.returncode, done.stderr.strip()) == (
        1,
        "python -m archive: error: RECHECK_POLICY 'weekly': use one of adaptive, fixed",
    )
