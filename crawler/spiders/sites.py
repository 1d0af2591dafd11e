"""One spider per site with rules, made from its ``crawler.sites`` module: adding a
site is adding its rules file, nothing here."""

from crawler.sites import all_rules
from crawler.spiders.archive_spider import ArchiveSpider


def _site_spider(rules) -> type[ArchiveSpider]:
    return type(
        f"{rules.spider.title()}Spider",
        (ArchiveSpider,),
        {"name": rules.spider, "site_rules": rules, "__doc__": f"Archives {rules.name}.", "__module__": __name__},
    )


for _rules in all_rules():
    globals()[f"{_rules.spider.title()}Spider"] = _site_spider(_rules)
