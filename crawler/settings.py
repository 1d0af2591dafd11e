"""Scrapy settings of the news archive. Every setting a user changes is documented in
the README; the archive locations also read the environment."""

import os

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- archive ------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///data/archive.db")
WARC_DIR = os.environ.get("WARC_DIR", "data/warc")
WARC_MAX_SIZE = 1_000_000_000  # bytes per WARC file before rotating
WARC_COMPRESSION_LEVEL = 4  # gzip level per record: 4 costs half of level 6's CPU for files 3 % larger; 9 smallest
FAILED_ITEMS_FILE = os.environ.get("FAILED_ITEMS_FILE", "data/failed-items.jsonl")
REPLAY_FROM = os.environ.get("REPLAY_FROM") or None  # a WARC file or folder: crawl offline from it
NEAR_DUPLICATE_THRESHOLD = 0.8  # estimated Jaccard similarity of word 3-shingles that links two stories
PIPELINE_WORKERS = None  # processes for extraction and cleaning; None: one per core, 0: in the crawl process
MINOR_EDIT_MAX_CHARS = 30  # text edits up to this many characters are "minor", larger ones "substantive"

# -- scheduled archiving (python -m archive schedule) -----------------------------------
SCHEDULED = False  # set by the scheduler: skip known articles unless due or moved; re-check due ones
RECHECK_SCHEDULE = [(3, 15), (24, 30), (168, 120), (720, 1440), (2160, 10080)]  # (age under h, every min)
SCHEDULE_INTERVAL = 10  # minutes between two polls of a site's discovery sources
SCHEDULE_SITE_INTERVALS = {}  # per spider, e.g. {"thanhnien": 5}
SCHEDULE_RUN_TIMEOUT = 3600  # seconds a scheduled crawl may take before it is stopped and recorded failed
SCRAPYD_URL = os.environ.get("SCRAPYD_URL") or None  # submit scheduled crawls to scrapyd instead of subprocesses
ARCHIVE_NOW = os.environ.get("ARCHIVE_NOW") or None  # ISO 8601: the time the archive sees (tests, replays)
CRAWL_RUN_ID = None  # set by the scheduler: the CrawlRun row this crawl reports into

# -- rendering JavaScript pages (scrapy-playwright, Chromium): see crawler/rendering, pipelines/render.py
DOWNLOAD_HANDLERS = {
    "http": "crawler.rendering.handler.RenderingDownloadHandler",
    "https": "crawler.rendering.handler.RenderingDownloadHandler",
}
RENDER_ENABLED = True  # False: never start a browser (pages needing one are dropped as they are)
RENDER_FALLBACK = True  # render pages whose static HTML is empty, a wall, or a script application's shell
# auto (the system's Chromium, else Playwright's own download), playwright, or an executable's path
RENDER_BROWSER = os.environ.get("RENDER_BROWSER", "auto")
RENDER_TIMEOUT = 20  # seconds a page may take to load in the browser
RENDER_SETTLE_MS = 250  # milliseconds to let scripts finish after the load event
RENDER_CONCURRENCY = 4  # pages rendered at once
RENDER_PAGES_PER_CONTEXT = 100  # a fresh browser context after this many pages (memory stays bounded)
RENDER_BLOCK_RESOURCE_TYPES = ["image", "media", "font"]  # never needed for the text; the HTML keeps their URLs
RENDER_BLOCK_HOSTS = [  # ads and trackers (and their subdomains)
    "doubleclick.net",
    "googlesyndication.com",
    "googleadservices.com",
    "google-analytics.com",
    "googletagmanager.com",
    "googletagservices.com",
    "adnxs.com",
    "criteo.com",
    "facebook.net",
    "scorecardresearch.com",
    "amazon-adsystem.com",
    "taboola.com",
    "outbrain.com",
    "admicro.vn",
    "eclick.vn",
    "adtimaserver.vn",
]
PLAYWRIGHT_BROWSER_TYPE = "chromium"

ITEM_PIPELINES = {
    "pipelines.snapshot.SnapshotPipeline": 100,
    "pipelines.extract.ExtractPipeline": 200,
    "pipelines.clean.CleanPipeline": 300,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.store.StorePipeline": 500,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.replay.ReplayMiddleware": 50,  # before robots.txt: replay answers those too
}
EXTENSIONS = {
    "crawler.extensions.CrawlSummary": 500,
    "crawler.garbage_collection.GarbageCollectionTuning": 0,
}
GC_THRESHOLDS = [50_000, 50, 100]  # gc.set_threshold for the crawl and its workers; [] keeps Python's
CRAWL_SUMMARY_PRINT = True  # the end-of-crawl summary on standard output
LOG_FORMATTER = "crawler.logformatter.ArchiveLogFormatter"

# -- politeness ---------------------------------------------------------------------
USER_AGENT = "newsarchive/0.1 (+news archiving crawler built on Scrapy; obeys robots.txt)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
DNS_TIMEOUT = 10

# -- Scrapy 2.19 housekeeping -------------------------------------------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # a localhost server that runs code sent to it: never on
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
