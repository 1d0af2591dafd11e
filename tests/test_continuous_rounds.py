"""When a continuous crawl's next round comes: the pace of a site in trouble, and how long a
waiting crawl sleeps before it asks its clock again."""

from datetime import UTC, datetime, timedelta

from archive.clock import FILE_CLOCK_LOOK, WALL_LOOK_MAX, FileClock, FixedClock, next_look, wall
from archive.recheck_policy import REFUSED_BACK_OFF_MAX, round_wait

TEN_MINUTES = timedelta(minutes=10)


def test_a_site_that_answered_well_is_polled_at_its_interval():
    assert round_wait(TEN_MINUTES, 0) == TEN_MINUTES


def test_each_round_in_a_row_of_429_or_503_doubles_the_wait():
    assert [round_wait(TEN_MINUTES, n) / TEN_MINUTES for n in (1, 2)] == [2, 4]


def test_the_wait_of_a_site_in_trouble_has_a_ceiling():
    assert round_wait(TEN_MINUTES, 30) == TEN_MINUTES * REFUSED_BACK_OFF_MAX


def test_on_the_wall_clock_a_crawl_sleeps_until_its_round_or_a_minute_at_most():
    assert 0 < next_look(wall, wall() + timedelta(seconds=5)) <= 5
    assert next_look(wall, wall() + timedelta(days=1)) == WALL_LOOK_MAX


def test_a_round_already_due_on_the_wall_clock_starts_at_once():
    assert next_look(wall, wall() - timedelta(hours=1)) == 0


def test_a_driven_clock_is_asked_again_in_a_moment(tmp_path):
    assert next_look(FileClock(tmp_path / "clock"), datetime(2030, 1, 1, tzinfo=UTC)) == FILE_CLOCK_LOOK


def test_a_fixed_clock_never_reaches_a_later_round():
    moment = datetime(2026, 3, 2, tzinfo=UTC)
    assert next_look(FixedClock(moment), moment + TEN_MINUTES) is None
