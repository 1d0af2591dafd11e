"""What is stored and what it means: models and migrations, identity keys and fingerprints
(``keys``, frozen), the pure decisions (``decisions``, ``versions``, ``recheck_policy``), the
store (one transaction per page), WARC records (``warc``), the search index, queries, spool and
verify. Beside it, the apps that read it: the command line (``cli``, the composition root) and
the browser (``browser``).

Nothing outside this package writes SQL or WARC.
"""
