"""A spider for a site whose rules say every page needs the browser (``render = True``),
on the loopback server the rendering tests start."""

from crawler.sites import SiteRules
from crawler.spiders.archive_spider import ArchiveSpider


class ScriptSiteSpider(ArchiveSpider):
    name = "script_site"
    site_rules = SiteRules(
        name="script-site.test",
        spider="script_site",
        domains=("127.0.0.1",),
        article_url=r"/bai-\d+\.html$",
        language="vi",
        render=True,
        body=("article .content",),
    )
