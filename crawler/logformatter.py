"""Log lines that name a dropped page and its reason, not the whole item with its body."""

from itemadapter import ItemAdapter
from scrapy import logformatter


class ArchiveLogFormatter(logformatter.LogFormatter):
    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped page %(url)s: %(exception)s"
        result["args"] = {"url": ItemAdapter(item).get("url"), "exception": exception}
        return result

    def scraped(self, item, response, spider):
        result = super().scraped(item, response, spider)
        result["msg"] = "Archived %(url)s (%(decision)s)"
        adapter = ItemAdapter(item)
        result["args"] = {"url": adapter.get("url"), "decision": (adapter.get("decision") or {}).get("outcome")}
        return result
