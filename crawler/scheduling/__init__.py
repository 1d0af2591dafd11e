"""Crawl orchestration: when each site is crawled and where.

``rounds`` is the scheduler (``python -m archive schedule``): rounds over the sites, each due
site crawled here (``local_runs``) or on scrapyd nodes (``dispatch``, ``scrapyd``) under a lease
in the database; ``backfill`` splits a site's whole sitemap into shard crawls. What is due
(the re-check policy) is decided in ``archive.recheck_policy``, beside what stores it.
"""
