"""The policy replay (``bench/policy_replay.py``) accounts for a simulated newsroom's edits
against its truth: the oracle catches every edit with one fetch each, a policy never catches
more edits than there are, and the adaptive policy spends fewer fetches than the fixed ladder."""

from datetime import timedelta

import pytest

from bench.newsroom import Newsroom
from bench.policy_replay import adaptive, fixed, score

POLL = timedelta(minutes=10)


@pytest.fixture(scope="module")
def newsroom() -> Newsroom:
    return Newsroom(seed=3, sites=4, days=2)


def test_the_oracle_catches_every_substantive_edit_at_once_with_one_fetch_per_version(newsroom):
    oracle = score(newsroom, "oracle", None, POLL)
    end = newsroom.start + timedelta(days=newsroom.days)
    versions = sum(1 for stories in newsroom.stories.values() for s in stories for v in s.versions if v.at < end)
    assert oracle.caught == oracle.substantive_edits > 0
    assert oracle.fetches == versions
    assert set(oracle.latency_first_day + oracle.latency_later) == {0.0}


def test_a_policy_catches_at_most_the_edits_there_are_each_once(newsroom):
    figures = score(newsroom, "fixed", fixed, POLL)
    assert 0 < figures.caught <= figures.substantive_edits
    assert len(figures.latency_first_day) + len(figures.latency_later) == figures.caught
    assert min(figures.latency_first_day + figures.latency_later) >= 0


def test_the_adaptive_policy_spends_fewer_fetches_than_the_fixed_ladder(newsroom):
    assert score(newsroom, "adaptive", adaptive, POLL).fetches < score(newsroom, "fixed", fixed, POLL).fetches
