"""A generated news site for benchmarks: thousands of article pages in the Thanh Niên
recording's layout, about 80 KB each like real pages (their weight is what real pages carry
besides the story: inline scripts and styles, a most-read box of teasers, footer menus), and
sitemaps under a sitemap index."""

from __future__ import annotations

import random
from pathlib import Path

_TEXT = (
    "Tổng thống Mỹ Joe Biden ngày có cuộc điện đàm đầu tiên với Nga Vladimir Putin trong đó hai lãnh đạo nhất trí "
    "gia hạn Hiệp ước cắt giảm vũ khí hạt nhân thêm năm trước khi hết hiệu lực vào đầu tháng Ngay sau cuộc gọi "
    "trình lên quốc hội dự luật như thỏa thuận theo Đài bàn về lợi ích của việc bình thường hóa quan hệ song phương "
    "chống dịch hợp tác kinh tế thương mại thái độ cứng rắn hơn so với người tiền nhiệm khẳng định sự ủng hộ"
)
WORDS = tuple(_TEXT.split(" "))
PER_SITEMAP = 1000


def _paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def article_html(template: str, index: int, rng: random.Random) -> str:
    """The recorded article with its own title, text and id, padded with page furniture to ~80 KB."""
    body = "".join(f"<p>{_paragraph(rng, rng.randint(40, 90))}</p>\n" for _ in range(rng.randint(6, 14)))
    title = f"Bài thử nghiệm số {index}: {_paragraph(rng, 8)}"
    html = template.replace("Tổng thống Biden ‘phá băng’ quan hệ Mỹ – Nga ?", title)
    html = html.replace("1851335421", f"{1900000000 + index}")
    start = html.index("<p>Tổng thống Mỹ Joe Biden")
    end = html.index('<div class="VCSortableInPreviewMode alignRight"')
    html = html[:start] + body + html[end:]
    furniture = "".join(f'<li><a href="/muc-{i}.htm">{_paragraph(rng, 6)}</a></li>' for i in range(320))
    html = html.replace("</footer>", f"<ul class='footer-menu'>{furniture}</ul></footer>")
    return html.replace("</head>", _head_weight(rng) + "</head>").replace("</footer>", _most_read(rng) + "</footer>")


def _head_weight(rng: random.Random) -> str:
    """Inline configuration script and critical CSS, as news CMSs print them (~20 KB)."""
    config = ",".join(f'"k{i}":{{"zone":{rng.randint(1, 99999)},"slot":"{_word(rng)}-{i}"}}' for i in range(300))
    css = "".join(
        f".c{i}{{margin:{i % 13}px;padding:{i % 7}px;color:#{rng.randint(0, 0xFFFFFF):06x}}}" for i in range(220)
    )
    return f"<script>window.__CONFIG__={{{config}}};</script><style>{css}</style>"


def _most_read(rng: random.Random) -> str:
    """A "Đọc nhiều" box: teasers with image, title and lead (~15 KB)."""
    items = "".join(
        f'<div class="box-category-item"><a href="/doc-nhieu-{i}-{1800000000 + i}.htm">'
        f'<img src="https://images.example/zoom/260_163/{i}.jpg" alt="{_paragraph(rng, 8)}"/></a>'
        f'<h3><a href="/doc-nhieu-{i}-{1800000000 + i}.htm">{_paragraph(rng, 10)}</a></h3>'
        f"<p class='sapo'>{_paragraph(rng, 18)}</p></div>"
        for i in range(24)
    )
    return f'<div class="box-most-read"><div class="box-heading"><h3>Đọc nhiều</h3></div>{items}</div>'


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS).lower()


def generate(out: Path, pages: int, template: str, base: str, subset: int = 0, seed: int = 7) -> list[str]:
    """Write the site under ``out`` for ``base`` (http://127.0.0.1:port); returns the article URLs.
    ``sitemap.xml`` indexes every article; ``sitemap-subset.xml`` the first ``subset`` ones."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    urls = []
    for index in range(pages):
        path = f"/bai-thu-nghiem-so-{index}-{1900000000 + index}.htm"
        (out / path.lstrip("/")).write_text(article_html(template, index, rng), encoding="utf-8")
        urls.append(base + path)
    shards = [urls[i : i + PER_SITEMAP] for i in range(0, len(urls), PER_SITEMAP)]
    for n, shard in enumerate(shards):
        entries = "".join(f"<url><loc>{u}</loc><lastmod>2021-01-28T05:40:00+07:00</lastmod></url>" for u in shard)
        (out / f"sitemap-{n}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>",
            encoding="utf-8",
        )
    for name, count in (("sitemap.xml", len(shards)), ("sitemap-subset.xml", -(-subset // PER_SITEMAP))):
        entries = "".join(f"<sitemap><loc>{base}/sitemap-{n}.xml</loc></sitemap>" for n in range(count))
        (out / name).write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>",
            encoding="utf-8",
        )
    return urls


def generate_huge(out: Path, urls: int, template: str, base: str) -> str:
    """A sitemap index listing ``urls`` article URLs in sitemaps of 50,000 (the protocol's
    most); returns the index's URL. The first sitemap's articles are one page, hard-linked
    under each name (more than a crawl of minutes fetches), the others are not there (404)."""
    folder = out / "huge"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "article.htm"
    page.write_text(article_html(template, 0, random.Random(5)), encoding="utf-8")
    shards = range(0, urls, 50_000)
    for n, first in enumerate(shards):
        names = [f"bai-thu-nghiem-so-{i}-{1900000000 + i}.htm" for i in range(first, min(first + 50_000, urls))]
        if n == 0:
            for name in names:
                (folder / name).hardlink_to(page)
        entries = "".join(f"<url><loc>{base}/huge/{name}</loc></url>" for name in names)
        (folder / f"sitemap-{n}.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>",
            encoding="utf-8",
        )
    entries = "".join(f"<sitemap><loc>{base}/huge/sitemap-{n}.xml</loc></sitemap>" for n in range(len(shards)))
    (folder / "index.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>",
        encoding="utf-8",
    )
    return f"{base}/huge/index.xml"


def script_built_html(index: int, rng: random.Random) -> str:
    """An article page whose title and text a script inserts once the page has loaded."""
    body = "".join(f"<p>{_paragraph(rng, rng.randint(40, 90))}</p>" for _ in range(rng.randint(6, 14)))
    article = f"<article><h1>Bài dựng bằng JavaScript số {index}</h1><div class='content'>{body}</div></article>"
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài số '
        f'{index}</title><meta property="og:type" content="article"></head><body><div id="root"></div>'
        f"<script>window.addEventListener('load', function () {{"
        f"document.getElementById('root').innerHTML = {article!r}; }});</script></body></html>"
    )


def generate_rendered(out: Path, pages: int, base: str, subset: int, seed: int = 11) -> None:
    """Script-built article pages under ``/js/``, listed by ``sitemap-rendered.xml`` (all) and
    ``sitemap-rendered-subset.xml`` (the first ``subset``)."""
    rng = random.Random(seed)
    (out / "js").mkdir(parents=True, exist_ok=True)
    urls = []
    for index in range(pages):
        name = f"bai-dung-bang-javascript-so-{index}-{1800000000 + index}.html"
        (out / "js" / name).write_text(script_built_html(index, rng), encoding="utf-8")
        urls.append(f"{base}/js/{name}")
    for name, listed in (("sitemap-rendered.xml", urls), ("sitemap-rendered-subset.xml", urls[:subset])):
        entries = "".join(f"<url><loc>{u}</loc></url>" for u in listed)
        (out / name).write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>",
            encoding="utf-8",
        )
