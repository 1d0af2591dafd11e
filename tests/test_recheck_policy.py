"""When a known article is fetched again: the pure rules of ``archive.recheck_policy``."""

from archive.recheck_policy import unpublished


def test_410_gone_unpublishes_at_once():
    assert unpublished(410, missing_before=False)


def test_a_first_404_may_be_a_passing_fault():
    assert not unpublished(404, missing_before=False)


def test_a_second_404_in_a_row_unpublishes():
    assert unpublished(404, missing_before=True)


def test_a_server_error_never_unpublishes():
    assert not unpublished(503, missing_before=True)
