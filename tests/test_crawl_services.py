"""The crawl-wide services (the archive's database thread, the worker pool, the WARC writer) are
Scrapy extensions: built once per crawler from ``EXTENSIONS`` and found by the steps through
``crawler.get_extension``, not hung on the crawler under names."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.middlewares.capture import CaptureMiddleware
from pipelines.archive_access import ArchiveThread
from pipelines.extract import ExtractPipeline
from pipelines.render import Renderer
from pipelines.step import ServiceMissingError, service
from pipelines.store_article import StorePipeline
from pipelines.warc_thread import WarcWriter
from pipelines.workers import WorkerPool


class NewsSpider(Spider):
    name = "services"


def crawler_with(tmp_path, **overrides):
    """A crawler with the project's settings (as ``scrapy crawl`` has them) into ``tmp_path``."""
    project = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    local = {"WARC_DIR": str(tmp_path / "warc"), "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    return get_crawler(NewsSpider, project | local | overrides)


def test_each_service_is_one_extension_of_the_crawler(tmp_path):
    crawler = crawler_with(tmp_path)
    for cls in (ArchiveThread, WorkerPool, WarcWriter):
        assert service(crawler, cls) is crawler.get_extension(cls) is not None


def test_the_steps_share_the_crawler_s_services(tmp_path):
    crawler = crawler_with(tmp_path)
    capture = CaptureMiddleware.from_crawler(crawler)
    store = StorePipeline.from_crawler(crawler)
    assert capture.snapshotter.database is store.database is service(crawler, ArchiveThread)
    assert capture.snapshotter.writer is Renderer(crawler).writer is service(crawler, WarcWriter)
    assert ExtractPipeline.from_crawler(crawler).pool is service(crawler, WorkerPool)


def test_two_crawlers_have_services_of_their_own(tmp_path):
    first, second = crawler_with(tmp_path / "a"), crawler_with(tmp_path / "b")
    assert service(first, ArchiveThread) is not service(second, ArchiveThread)


def test_a_step_whose_service_is_not_enabled_says_which_and_where(tmp_path):
    extensions = dict(project_settings.EXTENSIONS, **{"pipelines.warc_thread.WarcWriter": None})
    crawler = crawler_with(tmp_path, EXTENSIONS=extensions)
    with pytest.raises(ServiceMissingError, match=r"pipelines\.warc_thread\.WarcWriter .* EXTENSIONS"):
        CaptureMiddleware.from_crawler(crawler)
