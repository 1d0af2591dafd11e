"""The scheduler reads its own settings (``ScheduleConfig.from_settings``): the project's
``SCHEDULE_*`` and ``SCRAPYD_URLS``, with the command line's values taking their place."""

from __future__ import annotations

from datetime import timedelta

from scrapy.settings import Settings

from crawler.scheduling.rounds import ScheduleConfig

SITES = {"thanhnien": "thanhnien.vn"}
PROJECT = Settings(
    {
        "SCHEDULE_INTERVAL": 5,
        "SCHEDULE_SITE_INTERVALS": {"thanhnien": 2},
        "SCHEDULE_RUN_TIMEOUT": 600,
        "SCRAPYD_URLS": "http://127.0.0.2:6800, http://127.0.0.3:6800",
        "SCHEDULE_LEASE_SECONDS": 90,
    }
)


def test_the_schedule_comes_from_the_project_settings():
    config = ScheduleConfig.from_settings(PROJECT, SITES)
    assert (config.interval, config.site_intervals, config.run_timeout, config.lease_ttl) == (
        timedelta(minutes=5),
        {"thanhnien": timedelta(minutes=2)},
        timedelta(minutes=10),
        timedelta(seconds=90),
    )
    assert config.scrapyd_urls == ["http://127.0.0.2:6800", "http://127.0.0.3:6800"]


def test_the_command_line_s_nodes_and_lease_take_the_settings_place():
    config = ScheduleConfig.from_settings(PROJECT, SITES, scrapyd_urls="http://127.0.0.4:6800", lease_seconds=30)
    assert (config.scrapyd_urls, config.lease_ttl) == (["http://127.0.0.4:6800"], timedelta(seconds=30))


def test_the_crawls_settings_travel_with_the_schedule_for_a_backfill_s_politeness():
    assert ScheduleConfig.from_settings(PROJECT, SITES).crawl_settings is PROJECT
