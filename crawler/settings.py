"""Scrapy settings of the news archive. Every setting a user changes is documented in
the README; the archive locations also read the environment."""

import os

from archive.schema import EXPORT_FIELDS

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # crawl: spider arguments checked before the crawl starts

# -- archive ------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///data/archive.db")
WARC_DIR = os.environ.get("WARC_DIR", "data/warc")
WARC_DIRS = os.environ.get("WARC_DIRS", "")  # other crawl nodes' WARC folders (os.pathsep-separated), for reading
WARC_MAX_SIZE = 1_000_000_000  # bytes per WARC file before rotating
WARC_COMPRESSION_LEVEL = 2  # gzip level per record: 0-3 ISA-L (2: a quarter of zlib 4's CPU, 12 % larger), 4-9 zlib
FAILED_ITEMS_FILE = os.environ.get("FAILED_ITEMS_FILE", "data/failed-items.jsonl")
REPLAY_FROM = os.environ.get("REPLAY_FROM") or None  # a WARC file or folder: crawl offline from it
NEAR_DUPLICATE_THRESHOLD = 0.8  # estimated Jaccard similarity of word 3-shingles that links two stories
SITE_RULES_FOR_URL = "crawler.sites.rules_for_url"  # (url, fetch time) -> its site's rules then, or None
PIPELINE_WORKERS = None  # processes for extraction and cleaning; None: one per core, 0: in the crawl process
MINOR_EDIT_MAX_CHARS = 30  # text edits up to this many characters are "minor", larger ones "substantive"

# -- scheduled archiving (python -m archive schedule) -----------------------------------
SCHEDULED = False  # set by the scheduler: skip known articles unless due or moved; re-check due ones
RECHECK_BUDGET = 0  # re-checks of a site per round; 0: what half a round allows at the site's delay
RECHECK_POLICY = "adaptive"  # or "fixed": the ladder alone (archive/recheck_policy.py)
RECHECK_SCHEDULE = [(3, 15), (24, 30), (168, 120), (720, 1440), (2160, 10080)]  # (age under h, every min)
SCHEDULE_INTERVAL = 10  # minutes between two polls of a site's discovery sources
CONTINUOUS = False  # SCHEDULED: do not end after a round, start the next SCHEDULE_INTERVAL after (clock-driven)
SCHEDULE_SITE_INTERVALS = {}  # per spider, e.g. {"thanhnien": 5}
SCHEDULE_RUN_TIMEOUT = 3600  # seconds a scheduled crawl may take before it is stopped and recorded failed
# scrapyd nodes (commas or spaces between URLs) the scheduler dispatches its crawls to instead of running them here
SCRAPYD_URLS = os.environ.get("SCRAPYD_URLS") or os.environ.get("SCRAPYD_URL") or ""
SCHEDULE_LEASE_SECONDS = 120  # a dispatched crawl's lease on its site; renewed by its heartbeat, then it expires
CLOCK = os.environ.get(
    "NEWS_CLOCK", ""
)  # the time the product sees: "" wall clock, an ISO 8601 time, file:PATH (archive/clock.py)
CRAWL_RUN_ID = None  # set by the scheduler: the CrawlRun row this crawl reports into
SITE_LEASE = None  # set by the scheduler for a crawl on a scrapyd node: the lease its heartbeat renews

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

ITEM_PIPELINES = {  # every response is captured in the downloader first: crawler/middlewares/capture.py
    "pipelines.extract.ExtractPipeline": 200,  # extract, clean and sign: one task on a worker
    "pipelines.store_article.StorePipeline": 500,  # decide and store: one call, one transaction
}
DOWNLOADER_MIDDLEWARES = {
    # process_request runs in rising order, process_response in falling order
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.middlewares.offsite.StrictOffsiteMiddleware": 40,  # retried and redirected requests too
    # RobotsTxtMiddleware: 100 (its robots.txt requests go through everything below, replay included)
    "crawler.middlewares.replay.ReplayMiddleware": 105,  # after robots.txt rules, before the guard: no network, no DNS
    "crawler.middlewares.guard.DestinationGuardMiddleware": 110,  # every request, robots.txt included
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.redirects.LoopSafeMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.redirects.LoopSafeRedirectMiddleware": 585,  # below the capture: hops are archived
    "crawler.middlewares.capture.CaptureMiddleware": 588,  # every response, decoded, into the WARC
    # HttpCompressionMiddleware: 590
    "crawler.middlewares.capture.OriginalEncodingMiddleware": 595,  # what decompression deletes, noted
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.scheduled_mode.ScheduledModeMiddleware": 950,  # SCHEDULED only: known articles, due re-checks
}
EXTENSIONS = {
    # the crawl-wide services the steps share (pipelines.step.service)
    "pipelines.archive_access.ArchiveThread": 0,
    "pipelines.workers.WorkerPool": 0,
    "pipelines.warc_thread.WarcWriter": 0,
    "crawler.extensions.CrawlSummary": 500,
    "crawler.extensions.OneLineNetworkErrors": 0,  # a robots.txt the network refused: a line, no traceback
    "pipelines.garbage_collection.GarbageCollectionTuning": 0,
    "crawler.disk_guard.DiskGuard": 0,
}
DISK_MIN_FREE_MB = 1024  # stop fetching when the WARC or database disk has less free (0: never)
DISK_CHECK_SECONDS = 5.0  # at most this often, as responses come in
GC_THRESHOLDS = [50_000, 50, 100]  # gc.set_threshold for the crawl and its workers; [] keeps Python's
CRAWL_SUMMARY_PRINT = True  # the end-of-crawl summary on standard output
LOG_FORMATTER = "crawler.logformatter.ArchiveLogFormatter"

# -- safety and limits (README "Failure handling") -------------------------------------
DESTINATION_GUARD_ENABLED = True  # refuse loopback, private, link-local, multicast, reserved addresses
# networks the guard lets through anyway, e.g. ["10.0.0.0/8"] for an intranet, ["127.0.0.1/32"] in tests
ALLOWED_PRIVATE_NETWORKS = [n for n in os.environ.get("ALLOWED_PRIVATE_NETWORKS", "").split(",") if n.strip()]
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # bytes per response, also after decompression (Scrapy's default: 1 GiB)
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 10  # hops per chain; a hop back to a URL of the chain is a loop, cut at once
METAREFRESH_MAXDELAY = 30  # seconds: a longer refresh is a page reloading itself, not a redirect
RETRY_AFTER_MAX = 120  # seconds of Retry-After honoured for 429/503; a longer wait gives up the request
DISCOVERY_MAX_DEPTH = 3  # sitemap index levels (or feed/listing hops) below a start source
DISCOVERY_MAX_SOURCES = 2000  # discovery pages (sitemaps, feeds, listing pages) per run
LISTING_MAX_PAGES = 5  # pages of one listing followed through rel=next
SITEMAP_MAX_URLS = 50_000  # entries read from one sitemap or feed (the sitemap protocol's own limit)
DISCOVERY_BACKLOG = 10_000  # requests waiting in the scheduler above which found sources wait their turn
STORE_RETRY_TIMES = 3  # a locked or unreachable database is tried again (1 s, 2 s, 4 s) ...
STORE_RETRY_BACKOFF = 1.0
STORE_DOWN_SECONDS = 30  # ... then counts as down this long: writes are spooled at once
OUTCOME_BATCH_SIZE = 500  # outcome rows of non-article requests written together ...
OUTCOME_FLUSH_SECONDS = 2.0  # ... or after this long
CONCURRENT_ITEMS = 1  # a response gives one item at most; Scrapy starts this many tasks per response (100: 0.8 ms)
GIL_SWITCH_INTERVAL = 0.0005  # seconds (Python's default 0.005): the database thread gets the GIL back soon
RUN_HEARTBEAT_SECONDS = 30  # a running crawl's sign of life in crawl_run
RUN_STALE_SECONDS = 900  # a run without a heartbeat this long is dead: marked failed by the next start

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
FEED_EXPORT_FIELDS = list(EXPORT_FIELDS)  # -O articles.jsonl: the clean article, no working fields
FEED_EXPORTERS = {"csv": "crawler.exports.ArticleCsvItemExporter"}  # lists as JSON, the body as paragraphs
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
