"""``scrapy crawl <spider>`` that refuses bad spider arguments before anything starts.

Scrapy builds the spider inside the running crawl, where a ``ValueError`` from its
constructor ends in "Task exception was never retrieved" tracebacks and, for some
arguments, exit status 0. Here the arguments, and the ``CLOCK`` and ``RECHECK_POLICY``
settings, are checked first: a bad one is one usage line and exit status 2, as for any other
mistake on Scrapy's command line.
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from archive.clock import ClockSpecError, from_spec
from archive.recheck_policy import UnknownPolicyError, policy_named


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if self.crawler_process is not None:
            settings = self.crawler_process.settings
            try:
                from_spec(settings.get("CLOCK"))()  # a file clock: its file is read
                policy_named(settings.get("RECHECK_POLICY"))
            except (ClockSpecError, UnknownPolicyError) as exc:
                raise UsageError(str(exc), print_help=False) from None
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                names = ", ".join(sorted(self.crawler_process.spider_loader.list()))
                raise UsageError(f"no spider {args[0]!r} (have: {names})", print_help=False) from None
            if hasattr(spidercls, "parse_arguments"):
                try:
                    spidercls.parse_arguments(opts.spargs)
                except ValueError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)
