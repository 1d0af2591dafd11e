"""Persistence: models, sessions, migrations, WARC snapshots, queries and the CLI.

Nothing outside this package writes SQL or WARC.
"""
