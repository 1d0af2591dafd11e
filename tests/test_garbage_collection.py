"""The crawl's garbage-collector tuning: set for the run, objects alive at start frozen."""

import gc

import pytest

from pipelines.garbage_collection import tune


@pytest.fixture
def restore_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_tune_sets_the_thresholds(restore_gc):
    tune((50_000, 50, 100))
    assert gc.get_threshold() == (50_000, 50, 100)


def test_tune_freezes_the_objects_alive_now(restore_gc):
    gc.unfreeze()
    tune((50_000, 50, 100))
    assert gc.get_freeze_count() > 0
