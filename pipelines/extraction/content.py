"""Body paragraphs and images (with captions) of an article container.

One paragraph per text block (``p``, headings, list items, quotes), one per
table row with cells joined by " | ". Figures give images, never body text;
an image's address is its ``src`` unless that is a placeholder, then the lazy
loading attributes (``data-src``, ``data-original``, …, ``srcset``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.extraction.dom import BLOCK_TAGS, element_text, link_density, raw_text
from pipelines.extraction.text import normalize_text
from pipelines.extraction.urls import absolute_url

TEXT_BLOCKS = frozenset(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "address"])
CAPTION_CLASSES = ("caption", "wp-caption-text", "image-caption", "photo-caption", "figcaption")
LAZY_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-img-url", "data-url")
_PLACEHOLDER_HINTS = ("data:", "blank.gif", "placeholder", "spacer.gif", "lazy.gif", "1x1")
_MIN_IMAGE_SIDE = 50
LINK_ONLY = 0.9


@dataclass
class Content:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)


def read_content(container, base_url: str) -> Content:
    content = Content()
    _join_drop_caps(container)
    _walk(container, content, base_url)
    return content


_DROP_CAP = re.compile(r"(^|[-_ ])(drop-?cap|initial|initial-letter|first-letter|versal)([-_ ]|$)", re.I)


def _join_drop_caps(container) -> None:
    """A drop cap ("N" set large beside "a endlich!") is the first letter of its word: the
    white space the markup puts after it is not a word break."""
    for el in container.iter("span", "b", "strong", "div"):
        if not _DROP_CAP.search(el.get("class") or "") or len(element_text(el)) > 2:
            continue
        outer = el
        while (
            (parent := outer.getparent()) is not None
            and parent is not container
            and element_text(parent) == element_text(el)
        ):
            outer = parent
        if (outer.tail or "").strip():
            outer.tail = outer.tail.lstrip()
        else:
            outer.tail = ""
            if (following := outer.getnext()) is not None:
                following.text = (following.text or "").lstrip()


def _walk(el, content: Content, base_url: str) -> None:
    """Blocks become paragraphs; runs of text and inline elements between blocks are one
    paragraph too (``<div>text <a>link</a> text<br>more</div>``)."""
    quoted = el.tag == "blockquote" or any(a.tag == "blockquote" for a in el.iterancestors())
    run: list[str] = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            run.append(child.tail or "")
            continue
        if _is_inline(child) and _is_caption(child) and content.images:
            _caption_last_image(child, content)  # <span class="caption"> beside its image
            run.append(child.tail or "")
            continue
        if _is_inline(child):
            for img in child.iter("img"):
                _add_image(img, None, content, base_url)
            run.append(raw_text(child))
            run.append(child.tail or "")
            continue
        _flush(run, content)
        if child.tag == "figure" or _is_caption_table(child):
            _read_figure(child, content, base_url)
        elif child.tag == "table":
            _read_table(child, content, base_url)
        elif _is_caption(child):
            _caption_last_image(child, content)
        elif child.tag in TEXT_BLOCKS and not _has_blocks(child):
            for img in child.iter("img"):
                _add_image(img, None, content, base_url)
            if quoted or link_density(child) < LINK_ONLY:  # one link alone is a headline elsewhere
                content.paragraphs.append(element_text(child))
        elif child.tag == "a" and not quoted and _is_card(child):
            pass  # a link wrapping blocks is a card for another page (headline, teaser), not prose
        elif child.tag != "br":
            _walk(child, content, base_url)
        run = [child.tail or ""]
    _flush(run, content)


_MEDIA_FILE = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg|mp4|webm)(\?|#|$)", re.I)
_CARD_MIN_CHARS = 15


def _is_card(link) -> bool:
    """A link around blocks with a headline's worth of text, to another page: not an image
    link (a zoom on the picture beside its caption)."""
    return len(element_text(link)) >= _CARD_MIN_CHARS and not _MEDIA_FILE.search(link.get("href") or "")


def _is_inline(el) -> bool:
    return el.tag not in BLOCK_TAGS and el.tag not in ("figure", "table") and not _has_blocks(el)


def _flush(run: list[str], content: Content) -> None:
    text = normalize_text("".join(run))
    if text:
        content.paragraphs.append(text)
    run.clear()


def _is_caption(el) -> bool:
    classes = (el.get("class") or "").lower()
    return any(c in classes for c in (*CAPTION_CLASSES, "credit"))


def _caption_last_image(el, content: Content) -> None:
    """Captions and photo credits outside a ``figure`` describe the image before them."""
    if content.images and not content.images[-1]["caption"]:
        content.images[-1]["caption"] = element_text(el) or None


def _has_blocks(el) -> bool:
    return any(isinstance(d.tag, str) and (d.tag in BLOCK_TAGS and d.tag != "br") for d in el.iterdescendants())


def _is_caption_table(el) -> bool:
    """Old CMSs (VnExpress' ``tplCaption``) put an image and its caption in a table."""
    return el.tag == "table" and "caption" in (el.get("class") or "").lower() and el.find(".//img") is not None


def _read_table(table, content: Content, base_url: str) -> None:
    """A caption first (a first row spanning all columns reads as one already), then a
    paragraph per row."""
    if (caption := table.find("caption")) is not None and (text := element_text(caption)):
        content.paragraphs.append(text)
    for row in table.iter("tr"):
        cells = [element_text(c) for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        cells = [c for c in cells if c]
        if cells:
            content.paragraphs.append(" | ".join(cells))
    for img in table.iter("img"):
        _add_image(img, None, content, base_url)


def _read_figure(figure, content: Content, base_url: str) -> None:
    """A figure's images with its caption; a figure that holds a table (a block editor's table
    block) is read as that table, its caption a paragraph when no image takes it."""
    caption = _caption_of(figure) or (element_text(figure) or None if figure.tag == "table" else None)
    tables = [] if figure.tag == "table" else list(figure.iter("table"))
    for table in tables:
        _read_table(table, content, base_url)
    if tables and caption and figure.find(".//img") is None:
        content.paragraphs.append(caption)
        return
    for img in figure.iter("img"):
        _add_image(img, caption, content, base_url)
        caption = None  # a caption belongs to the figure's first image


def _caption_of(figure) -> str | None:
    for el in figure.iter():
        if not isinstance(el.tag, str):
            continue
        classes = (el.get("class") or "").lower()
        if el.tag == "figcaption" or (el is not figure and any(c in classes for c in CAPTION_CLASSES)):
            return element_text(el) or None
    return None


def image_src(img, base_url: str) -> str | None:
    src = img.get("src")
    if not src or any(h in src.lower() for h in _PLACEHOLDER_HINTS):
        src = next((img.get(a) for a in LAZY_ATTRIBUTES if img.get(a)), None)
        if not src and (srcset := img.get("data-srcset") or img.get("srcset")):
            src = srcset.split(",")[0].split()[0]
    return absolute_url(src, base_url)


def _add_image(img, caption: str | None, content: Content, base_url: str) -> None:
    src = image_src(img, base_url)
    if not src or _too_small(img) or any(i["src"] == src for i in content.images):
        return
    content.images.append({"src": src, "caption": caption})


def _too_small(img) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").removesuffix("px")
        if value.isdigit() and int(value) < _MIN_IMAGE_SIDE:
            return True
    return False


_STANDFIRST_CHARS = (40, 400)
_EMPHASIS = ("strong", "b")


def standfirst(container):
    """The container's opening paragraph when it is set apart as a standfirst — all of it in bold,
    as Vietnamese papers and their re-posts print the sapo — and more paragraphs follow; or None."""
    blocks = [el for el in container.iter("p", "div") if not _has_blocks(el) and element_text(el)][:3]
    if len(blocks) < 3 or blocks[0].tag != "p":
        return None
    first = blocks[0]
    text = element_text(first)
    emphasis = [c for c in first if isinstance(c.tag, str)]
    if not _STANDFIRST_CHARS[0] <= len(text) <= _STANDFIRST_CHARS[1] or len(emphasis) != 1:
        return None
    bold = emphasis[0]
    if bold.tag not in _EMPHASIS or (first.text or "").strip() or (bold.tail or "").strip():
        return None
    return first
