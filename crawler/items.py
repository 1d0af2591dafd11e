"""The one item that flows through the pipelines (DESIGN.md item schema).

A spider fills the page fields; ``snapshot`` adds the WARC reference,
``extract``/``clean`` the article fields and ``fingerprint``, ``dedupe`` the
archive's ``decision``.
"""

import scrapy


class ArticleItem(scrapy.Item):
    # the fetch, set by the spider
    url = scrapy.Field()  # the URL asked for
    final_url = scrapy.Field()  # after redirects
    redirect_urls = scrapy.Field()  # the hops between url and final_url (aliases of the article)
    status = scrapy.Field()
    response_headers = scrapy.Field()  # list of (name, value)
    request_headers = scrapy.Field()
    content_type = scrapy.Field()
    page = scrapy.Field()  # body bytes; released after extraction
    fetched_at = scrapy.Field()  # ISO 8601, UTC
    site = scrapy.Field()
    discovered_from = scrapy.Field()
    # the archive record
    snapshot = scrapy.Field()  # {file, offset, length, digest}
    hops = scrapy.Field()  # earlier responses of the fetch (redirects, retried attempts): snapshot rows
    rendered = scrapy.Field()  # the rendered DOM's WARC record, when the page went through the browser
    # the article
    canonical_url = scrapy.Field()
    title = scrapy.Field()
    lead = scrapy.Field()
    body = scrapy.Field()  # list of paragraphs
    images = scrapy.Field()  # list of {src, caption}
    authors = scrapy.Field()
    published_at = scrapy.Field()
    updated_at = scrapy.Field()
    section = scrapy.Field()
    tags = scrapy.Field()
    language = scrapy.Field()
    source = scrapy.Field()  # original publisher of a re-post
    article_key = scrapy.Field()  # thanhnien.vn:1851335421, or url:<identity URL>
    page_type = scrapy.Field()  # article, paywalled, listing, not_found, challenge, empty
    provenance = scrapy.Field()  # field -> where its value came from
    extractor_version = scrapy.Field()
    fingerprint = scrapy.Field()
    minhash = scrapy.Field()  # MinHash signature bytes of title + body (near-duplicates)
    decision = scrapy.Field()  # {outcome: new / alias / unchanged / updated, article_id, known_url}
