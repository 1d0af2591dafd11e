"""Where the boilerplate is stripped: blocks removed from an article container.

Three kinds of evidence, generic to news sites:
- tags that never carry article text (scripts, forms, nav, ads' ``ins``, …);
- ``class``/``id`` names of widgets (ads, share, comments, reactions, related boxes, sponsors);
- boxes headed by a boilerplate label ("Tin liên quan", "Đừng bỏ lỡ", "Xem thêm", "Đọc nhiều", …)
  made mostly of links, also when they sit inside the body, and "Xem thêm: <link>" lines.
Site rules add their own selectors on top (``SiteRules.strip``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from pipelines.extraction.dom import element_text, link_density, remove, text_length
from pipelines.extraction.prose import deep_prose, scored_blocks
from pipelines.extraction.text import normalize_text, text_key

LANDMARKS = frozenset(("nav", "aside", "footer", "button"))
"""Never-content tags that a page still wraps its article in now and then (a ``<nav>`` around the
whole layout, an ``<aside>`` holding the story): evidence, weighed when nothing else holds prose;
a headline inside one is the page's chrome, not the story's."""
STORY_TAGS = frozenset(("article", "main"))
"""Elements that hold one story: what lies outside them is another story or the page's chrome."""

NEVER_CONTENT_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "form",
        "button",
        "input",
        "textarea",
        "select",
        "svg",
        "nav",
        "aside",
        "footer",
        "ins",
        "zone",
        "object",
        "embed",
        "canvas",
        "dialog",
    ]
)
FURNITURE_TAGS = NEVER_CONTENT_TAGS - {"form"}
"""Never content, forms aside: an ASP.NET page is one big ``form``."""

_WIDGET = re.compile(
    r"(^|[-_ ])(?<!non-)(ads?|adv|advert\w*|adsbygoogle|quang-?cao|related\w*|\w*relatedbox\w*|relatednews\w*|"
    r"share\w*|sharing|social\w*|comments?|comment-\w+|reactions?|sponsor\w*|outbrain|taboola|mgwidget|"
    r"newsletter|breadcrumbs?|most-?(read|view|popular)\w*|read-?more|see-?also|recommend\w*|"
    r"tin-?lien-?quan|box-?tag\w*|print-?btn|rating|poll|vote|cookie\w*|\w*consent\w*|gdpr|subscribe\w*|signup|"
    r"modal|popup|popover|tooltip|hover-?card|next-?prev|prev-?next|pager|pagination|paywall\w*|"
    r"teasers?(?![-_]content)|\w+-teasers?)([-_ ]|$)",
    re.I,
)

BOILERPLATE_LABELS = frozenset(
    text_key(label)
    for label in (
        "Tin liên quan",
        "Bài liên quan",
        "Bài viết liên quan",
        "Tin cùng chuyên mục",
        "Tin khác",
        "Đọc nhiều",
        "Xem nhiều",
        "Đọc thêm",
        "Xem thêm",
        "Đừng bỏ lỡ",
        "Có thể bạn quan tâm",
        "Tin mới",
        "Tin nổi bật",
        "Tin Tài Trợ",
        "Nội dung tài trợ",
        "Bình luận",
        "Ý kiến bạn đọc",
        "Related",
        "Related articles",
        "Related stories",
        "Related news",
        "Read more",
        "Read also",
        "See also",
        "More stories",
        "Most read",
        "Most popular",
        "Recommended",
        "You may also like",
        "Sponsored",
        "Comments",
        "Tags",
        "Tag",
        "Từ khóa",
        "Thẻ",
        "Chủ đề",
        "Topics",
        "Advertisement",
        "Quảng cáo",
        "Share",
        "Share this",
        "Chia sẻ",
        "Key Points",
        "Image",
        "Video",
        "Back to Gallery",
        "Advert",
        "Iklan",
        "Trending",
        "Highlights",
        "Review",
        "Back",
        "Editor",
        "Anzeige",
        "Werbung",
        "Publicité",
        "Publicidad",
        "Pubblicità",
        "Reklame",
        "Реклама",
        "[PR]",
        "Voltar",
        "Volver",
        "Zurück",
        "Retour",
        "Quay lại",
        "Trở về",
        # the same boxes in the languages news sites are most often written in
        "Mehr zum Thema",
        "Das könnte Sie auch interessieren",
        "Lesen Sie auch",
        "Auch interessant",
        "Weitere Artikel",
        "Meistgelesen",
        "Meistkommentiert",
        "Passend zum Artikel",
        "Schlagwörter",
        "Schlagwörter zu diesem Artikel",
        "Themen",
        "À lire aussi",
        "Lire aussi",
        "Sur le même sujet",
        "Te puede interesar",
        "Lee también",
        "Más noticias",
        "Leia também",
        "Veja também",
        "Leggi anche",
        "Lees ook",
        "Meer nieuws",
        "Czytaj także",
        "関連記事",
        "おすすめ情報",
        "관련기사",
        "相关新闻",
    )
)
_LABEL_PREFIX = re.compile(
    r"^\s*(xem thêm|đọc thêm|tin liên quan|bài liên quan|read more|read also|see also|related|les også|läs också|"
    r"læs også|lesen sie auch|lire aussi|leia também|lee también|leggi anche|czytaj także|lees ook)\s*[:>»›-]?\s",
    re.I,
)
_LEAD_IN = re.compile(r"^\s*[^\s:|»›>]+(\s+[^\s:|»›>]+){0,4}\s*[:|»›>]\s*(?=\S)")
"""A short lead-in before a link to another story ("FUNDA OLUNYE UDABA LAPHA | <link>")."""
_LEAD_IN_LINKED = 0.8
_LABEL_MAX_CHARS = 40
_FURNITURE_LINES = (
    # sharing, following, subscribing, apps
    r"share (this|it|on)\b|follow (us|him|her|@)|follow \S+ on (google news|twitter|facebook|x|instagram)\b",
    r"subscribe\b|sign up\b|get the latest\b|have a tip\b|like this story\b|click here\b|download (the|our) app",
    r"(buy|shop|order) (it |them )?now\b|see (the )?(price|deal)s? (at|on)\b",
    r"(facebook|twitter|google\+|whatsapp|email|print)( (facebook|twitter|google\+|whatsapp|email|print))+$",
    r"theo dõi (chúng tôi|báo)|đăng ký nhận",
    # rights, credits, sources, bylines of helpers
    r"©|copyright\b|all rights reserved|our standards|the times is committed|via syndigate|filed under\b",
    r"[-–—]?\s*\(?(additional )?reporting by\b|editing by\b|writing by\b|reach the reporters?\b",
    r"\(?(source|nguồn|quelle|fuente|fonte|kaynak|источник)\s*:",
    r"\((\w{2,4})(/\w{2,4})*\)$",  # a sign-off of initials: "(dmk)"
    # dates, reading times, "updated" stamps
    r"((last )?(published|updated|modified|edited|posted)|cập nhật)\b.{0,40}\d{4}|tempo de leitura",
    r"\d+\s*(min|mins|minutes?|minuten|phút)\.?(\s+(read|lesezeit|lesen|đọc|de lecture|de lectura))?$",
    r"(stand|aktualisiert|erstellt|veröffentlicht|updated|mis à jour|publié|actualizado|publicado)\s*:?\s*"
    r"\d{1,2}[./]\d{1,2}[./]\d{2,4}.{0,20}$",
    r"\d+\s+(seconds?|minutes?|hours?|days?|weeks?)\s+ago$",
    # galleries, players, embeds
    r"(image )?\d+ (of )?/? ?\d+$|view all \(\d+\)|\[related:|don't miss\b|article continues below",
    r"(duration|dauer|durée|thời lượng)\s*:?\s*\d{1,2}(:\d{2}){1,2}$|(watch|video|listen|audio)\s*\|.{0,120}$",
    r"(video|audio) (starten|abspielen|play)\b.{0,40}$|"
    r"try refreshing your browser|tap here to see other videos|back to video|latest videos from",
    # consent placeholders standing in for an embed the reader has not allowed
    r"empfohlener redaktioneller inhalt|externer inhalt|an dieser stelle (finden sie|findest du) (einen )?"
    r"(externen |von unseren redakteuren ausgewählten )?inhalt|ich bin damit einverstanden, dass mir|"
    r"personenbezogene daten können an drittplattformen|\S+-inhalte? (erlauben|laden|anzeigen)$|link zum \S+-inhalt$|"
    r"this (content|embed) is (hosted|provided) by a third party|we need your (consent|permission) to load|"
    r"to (view|see) this (content|video|post),? (please )?(enable|allow|accept)",
    # tags, captions' credits, contacts
    r"tags?\s*:",
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+$|(https?://)?(www\.)?(twitter|x|facebook|instagram|linkedin|threads)\.(com|net)/\S+$",
)
_FURNITURE = re.compile("^(" + "|".join(_FURNITURE_LINES) + ")", re.I)
_FURNITURE_AFTER = tuple(
    (reach, re.compile(pattern, re.I))
    for reach, pattern in (
        (200, r"contributed to this report\.?$"),
        (40, r"video (has )?failed to load"),
        # tags, captions' credits: "… (Photo: Reuters)"
        (160, r"\((image|photo|picture|ảnh|credit|foto)s?:[^)]*\)$"),
        # a caption left outside its figure ends with the image's credit: "… Bild: Screenshot: fdp.de"
        (
            250,
            r"(\b(bild|foto|fotos|photo|photos|picture|ảnh|credit)\s*(\[\w+\])?\s*:\s*((?!\. )[^;]){1,60}|"
            r"\((archiv|symbol)bild\))$",
        ),
        (80, r";\s*(foto|photo|bild)\s*(\[\w+\])?\s*:"),
    )
)
"""Furniture markers that come after a short preamble (at most ``reach`` characters of the line):
looked for where they are, not tried at every length of the preamble."""


def _furniture_after(text: str) -> bool:
    for reach, pattern in _FURNITURE_AFTER:
        if (found := pattern.search(text)) and found.start() <= reach and "\n" not in text[: found.start()]:
            return True
    return False


_PROMOTION = re.compile(
    r"\b(sign up (for|to|today)|click here|subscribe (to|now|today)|daily newsletter|delivered (to|through) your "
    r"(inbox|letterbox)|tell us what you think|đăng ký nhận tin|la suite est réservée aux abonnés|"
    r"il vous reste [\d.,]+ ?% de cet article|subscribe to continue reading|"
    r"to continue reading,? (subscribe|log in)|(is|are) exclusive to .{1,30} (subscribers|members)|"
    r"for (subscribers|members) only)\b",
    re.I,
)
_FURNITURE_MAX_CHARS = 350
_DATE_LINE_MAX_WORDS = 8
_MONTH = (
    r"(jan|feb|f[eé]v|fev|mar|m[aä]r|apr|avr|abr|may|mai|maio|mayo|jun|jui|juin|jul|aug|ao[uû]|ago|sep|set|"
    r"oct|okt|out|nov|dec|d[eé]c|dez|dic|ene|gen|lug|giu|mag|ott)[a-zà-ÿç]*\.?"
)
"""Month names and their abbreviations in the languages of the common news sites (en, fr, de, es, pt, it)."""
_OF = r"(\s+(de|del|di))?"
_DATE_LINE = re.compile(
    rf"^\W*([^\d,]{{1,20}},\s*)?(\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"\d{{1,2}}\.?{_OF}\s+{_MONTH}{_OF},?\s+\d{{4}}|\d{{1,2}}:\d{{2}}\s+\d{{1,2}}/\d{{1,2}}/\d{{4}}|"
    rf"\d{{1,2}}:\d{{2}},?\s+\d{{1,2}}\s+{_MONTH},?\s+\d{{4}})[^.!?]*\.?$",
    re.I,
)


_NEVER_WIDGETS = frozenset({"html", "body", "main"})
WIDGET_MAX_SHARE = 0.5
"""A block holding more than this share of the text around it is a page wrapper, whatever its name."""


def is_widget(el) -> bool:
    """Named like a widget; embedded posts (``social-media-embed``) are quoted content, not
    widgets, unless they are the consent box standing in for the post. A paragraph of text is
    content whatever it is called (``<p class="paywall">`` is the article behind the wall; its
    name says how to show it), unless it is mostly a link (``<p class="related">``)."""
    if el.tag in _NEVER_WIDGETS or not _widget_name(f"{el.get('class') or ''} {el.get('id') or ''} {_box_type(el)}"):
        return False
    return el.tag != "p" or link_density(el) >= 0.5


@lru_cache(maxsize=4096)
def _widget_name(names: str) -> bool:
    """Names (class, id, box type) of a widget: decided once per distinct string, as a page
    repeats a few hundred names over thousands of elements."""
    lowered = names.lower()
    quoted = "embed" in lowered and "consent" not in lowered  # a consent placeholder shows no post
    return bool(names.strip()) and bool(_WIDGET.search(names)) and not quoted


_BOX_TAGS = frozenset(("div", "section", "figure", "table"))


def _box_type(el) -> str:
    """CMS editors name their embedded boxes in a ``type`` attribute (VCCorp's
    ``VCSortableInPreviewMode`` boxes: ``RelatedNewsBox``, ``RelatedOneNews``, ``Photo``, …)."""
    return el.get("type") or "" if el.tag in _BOX_TAGS else ""


def is_small_widget(el, reference_chars: int) -> bool:
    """A widget by name or a form that is not, in fact, wrapping most of the text (an ad-layout
    wrapper around the whole article, an ASP.NET page that is one big ``form``)."""
    return (is_widget(el) or el.tag == "form") and text_length(el) <= WIDGET_MAX_SHARE * reference_chars


class WidgetTest:
    """Is ``el`` a widget to drop? A name is evidence, not a verdict: a "widget" that holds
    most of the prose under ``root`` (``paywall``, ``advert`` classes on the article's own
    wrapper) is content. The prose is measured once, on the first named widget, from the
    ``blocks`` of ``scored_blocks(root)`` when the caller has them already."""

    def __init__(self, root, blocks: list[tuple[Any, float]] | None = None) -> None:
        self.root = root
        self.total = text_length(root)
        self._blocks = blocks
        self._prose: dict | None = None

    def __call__(self, el) -> bool:
        if not is_small_widget(el, self.total):
            return False
        if self._prose is None:
            never = {d for n in self.root.iter(*FURNITURE_TAGS) for d in n.iter()}
            blocks = scored_blocks(self.root) if self._blocks is None else self._blocks
            self._prose = deep_prose((b, w) for b, w in blocks if b not in never)
        return self._prose.get(el, 0.0) <= WIDGET_MAX_SHARE * self._prose.get(self.root, 0.0)


_LABEL_PATTERN = re.compile(
    r"^(more|related|recommended|popular|latest|top|trending|further|also)\b.{0,30}\b(stories|articles|news|posts|"
    r"reads|reading|coverage|videos)$",
    re.I,
)
SUMMARY_LABELS = frozenset(
    text_key(label) for label in ("Key Points", "Highlights", "In brief", "Điểm chính", "Tóm tắt")
)
"""Labels of a summary box: the box that follows is a standfirst, not body, even without links."""


def is_boilerplate_label(text: str) -> bool:
    return len(text) <= _LABEL_MAX_CHARS and (text_key(text) in BOILERPLATE_LABELS or bool(_LABEL_PATTERN.match(text)))


_META_LABEL = re.compile(r"(^|\s[-|·•]\s)[^\W\d][\w ]{1,25}:\s")
"""One "Label: value" pair of a metadata line ("Publicado por: …", "Categoria: …")."""


def _is_meta_line(text: str) -> bool:
    """A date followed by several "Label: value" pairs: the post's metadata printed as a line."""
    return bool(_DATE_LINE.match(text.split(" - ", 1)[0])) and len(_META_LABEL.findall(text)) >= 2


def is_furniture_line(text: str, dates_are_content: bool = False) -> bool:
    """Promotion, sharing, copyright and bare date lines that sit among article paragraphs
    (not the dates of a live blog, which stamp its entries)."""
    if len(text) > _FURNITURE_MAX_CHARS:
        return False
    if _FURNITURE.search(text) or _furniture_after(text) or _PROMOTION.search(text) or _is_meta_line(text):
        return True
    return not dates_are_content and len(text.split()) <= _DATE_LINE_MAX_WORDS and bool(_DATE_LINE.match(text))


def strip_boilerplate(container) -> None:
    """Remove non-article blocks inside ``container`` (in place)."""
    _strip_control_boxes(container)
    _strip_button_links(container)
    _strip_link_rows(container)
    _strip_metadata_markup(container)
    widget = WidgetTest(container)
    for el in list(container.iter()):
        if el is container or el.getparent() is None or not isinstance(el.tag, str):
            continue
        if el.tag in FURNITURE_TAGS or _hidden(el) or widget(el):
            remove(el)
    _strip_labelled_boxes(container)


def remove_headlines(container, headlines: set[str]) -> None:
    """The page's own headline printed again inside the body (a repeated ``h1``, a kicker)."""
    for el in list(container.iter("h1", "h2", "h3", "h4", "p", "div", "span", "a")):
        if el.getparent() is not None and not _larger_than(el, 4) and text_key(element_text(el)) in headlines:
            remove(el)


HIDDEN_CLASSES = frozenset(("hidden", "d-none", "is-hidden", "sr-only", "visually-hidden", "screen-reader-text"))
"""Utility classes of the common CSS frameworks for text no reader sees (or only a screen reader)."""


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or el.get("hidden") is not None:
        return True
    return bool(HIDDEN_CLASSES.intersection((el.get("class") or "").lower().split()))


_LABEL_MAX_DESCENDANTS = 6
"""Labels and "Xem thêm: <link>" lines are small elements; bigger ones are not read as labels."""


_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
REPEATED = 3
"""A box that comes back this many times in the article (a "Review" heading per product, a card
per item of a buying guide, a checkbox per line of a checklist) is the article's structure, not
a widget dropped into it: one-off boxes are."""


def _strip_labelled_boxes(container) -> None:
    box_limit = _BOX_MAX_SHARE * text_length(container)
    labels, seen = [], Counter()
    for el in container.iter():
        if el is container or not isinstance(el.tag, str) or _larger_than(el, _LABEL_MAX_DESCENDANTS):
            continue
        text = element_text(el)
        if is_boilerplate_label(text):
            if (parent := el.getparent()) is container or element_text(parent) != text:  # its outermost wrapper
                labels.append(el)
                seen[text_key(text)] += 1
        elif _is_link_line(el, text):
            labels.append(el)
    for el in labels:
        if el.getparent() is None or _in_removed_subtree(el, container):
            continue
        text = element_text(el)
        if not is_boilerplate_label(text):
            remove(el)
        elif seen[text_key(text)] < REPEATED:
            _remove_box_of(el, container, box_limit)
        elif el.tag not in _HEADINGS:  # an ad slot's "[PR]" each time: the label goes, the sections stay
            remove(el)


def _is_link_line(el, text: str) -> bool:
    """ "Xem thêm: <link>" or a short lead-in before a link to another story."""
    if el.tag in ("p", "li", "div") and _LABEL_PREFIX.match(text) and link_density(el) >= 0.5:
        return True
    if el.tag not in ("p", "div") or not (lead_in := _LEAD_IN.match(text)):
        return False
    rest = len(text) - lead_in.end()  # what follows the lead-in is the link to the other story
    return rest > 0 and sum(len(element_text(a)) for a in el.iter("a")) >= _LEAD_IN_LINKED * rest


def _larger_than(el, count: int) -> bool:
    return any(i >= count for i, _ in enumerate(el.iterdescendants()))


def _in_removed_subtree(el, container) -> bool:
    node = el
    while node is not None and node is not container:
        node = node.getparent()
    return node is None


_BOX_MAX_SHARE = 0.25
"""A box headed by a label is a small part of the article around it."""


def _remove_box_of(label, container, box_limit: float) -> None:
    """Remove the smallest enclosing block of the label that is mostly links, else the
    largest small block that begins with the label (teasers with their own text), else the
    label (with the wrappers holding nothing else) and the link list that follows it."""
    text = element_text(label)
    heading = node = _outermost(label, text, container)
    while (parent := node.getparent()) is not None and parent is not container and link_density(parent) >= 0.5:
        node = parent
    if node is heading:
        node = _headed_box(heading, text, container, box_limit)
    if node is heading:
        following = heading.getnext()
        needed = 0.3 if following is not None and following.tag in ("ul", "ol") else 0.5  # a list of stories
        if following is not None and (link_density(following) >= needed or text_key(text) in SUMMARY_LABELS):
            remove(following)
    remove(node)


def labelled_boxes(root, article) -> set:
    """The boxes around the ``article`` element headed by a boilerplate label ("Tin liên quan",
    "Đừng bỏ lỡ", "Related stories"), each the largest ancestor of its label that starts with it
    (``_headed_box``) and holds not the article: what they hold is the site's. (Inside the
    article, ``strip_boilerplate`` has decided.)"""
    around = {article, *article.iterancestors()}
    inside = set(article.iter())
    boxes = set()
    for el in root.iter():
        if el in inside or not isinstance(el.tag, str) or _larger_than(el, _LABEL_MAX_DESCENDANTS):
            continue
        if not is_boilerplate_label(text := element_text(el)):
            continue
        if (box := _headed_box(_outermost(el, text, root), text, root, float("inf"), stop=around)) not in around:
            boxes.add(box)
    return boxes


def _outermost(label, text: str, container):
    """The label's outermost wrapper inside ``container`` that holds nothing but its text."""
    node = label
    while (parent := node.getparent()) is not None and parent is not container and element_text(parent) == text:
        node = parent
    return node


def _headed_box(heading, label: str, container, limit: float, stop: Collection = ()):
    """The largest ancestor of ``heading`` that starts with the label and holds under
    ``limit`` characters (a quarter of the container's text): "Mehr zum Thema" and the
    teasers under it; never one of ``stop``."""
    node = heading
    while (parent := node.getparent()) is not None and parent is not container and parent not in stop:
        if text_length(parent) > limit or not _starts_with(parent, label):
            break
        node = parent
    return node


def _starts_with(el, label: str) -> bool:
    """Whether ``el``'s visible text begins with ``label`` (reading only as far as needed)."""
    parts: list[str] = []
    for chunk in el.itertext():
        parts.append(chunk)
        text = normalize_text(" ".join(parts))
        if len(text) >= len(label):
            return text.startswith(label)
    return False


_CONTROLS = ("button", "input", "select", "textarea")
_CHOICES = ("checkbox", "radio")
CONTROL_BOX_MAX_CHARS = 400


def _strip_control_boxes(container) -> None:
    """A small block around a button or a form field is an interactive widget — an embed's
    consent placeholder ("Ich bin damit einverstanden, dass mir externe Inhalte angezeigt
    werden"), a newsletter sign-up, a poll — not article text. Blocks with an image are kept
    (a figure's zoom button)."""
    boxes = []
    for control in container.iter(*_CONTROLS):
        if control.get("type") in _CHOICES:  # a checklist's or a quiz's line: text beside a tick box
            continue
        node = control
        while (parent := node.getparent()) is not None and parent is not container:
            if text_length(parent) > CONTROL_BOX_MAX_CHARS or parent.find(".//img") is not None:
                break
            node = parent
        if node is not control:
            boxes.append(node)
    boxes = list(dict.fromkeys(boxes))  # a box with two controls once
    shapes = Counter((box.tag, box.get("class")) for box in boxes)
    for box in boxes:
        if _in_removed_subtree(box, container):
            continue
        if shapes[(box.tag, box.get("class"))] < REPEATED:
            remove(box)
            continue
        for button in list(box.iter("button")):  # the card stays, its "Buy now" goes; a toggle's question stays
            if button.get("aria-expanded") is None and button.get("aria-controls") is None:
                remove(button)


_BUTTON_TOKENS = frozenset(("btn", "button", "cta", "cta-button", "button-primary", "btn-primary"))
_BUTTON_MAX_WORDS = 6


def _is_button_link(a) -> bool:
    """A link dressed as a button ("See price at Amazon", "BUY NOW", "Start free trial"): by its
    role or type, or a class token that says so."""
    if a.get("role") == "button" or a.get("type") == "button":
        return True
    tokens = (a.get("class") or "").lower().split()
    return any(t in _BUTTON_TOKENS or t.startswith(("btn-", "button-", "cta-")) for t in tokens)


def _strip_button_links(container) -> None:
    """Calls to action are the page's controls, not its prose: a short link dressed as a button
    goes (its words only: the card or paragraph around it stays)."""
    for a in list(container.iter("a")):
        if a.getparent() is not None and _is_button_link(a) and len(element_text(a).split()) <= _BUTTON_MAX_WORDS:
            remove(a)


_LINK_ROW_MIN_LINKS = 3
_LINK_ROW_MAX_CHARS = 200
_ROWS = ("div", "p", "span", "small")


def _strip_link_rows(container) -> None:
    """A short line that is nothing but several links ("Privacy Policy Cookie Notice Terms of
    Use", a row of topic links) is the page's navigation, not a sentence."""
    for el in list(container.iter(*_ROWS)):
        if el.getparent() is None or el is container or _larger_than(el, 3 * _LINK_ROW_MIN_LINKS + 6):
            continue
        links = [a for a in el.iter("a") if element_text(a)]
        if len(links) < _LINK_ROW_MIN_LINKS:
            continue
        text = element_text(el)
        if len(text) <= _LINK_ROW_MAX_CHARS and link_density(el, len(text)) >= 0.9:
            remove(el)


_METADATA_PROPS = frozenset(("datePublished", "dateModified", "dateCreated", "author", "publisher"))
_BYLINE_CLASSES = frozenset(("byline", "author", "author-bio", "author-info", "author-box", "bio"))
_METADATA_MAX_CHARS = 400


def _strip_metadata_markup(container) -> None:
    """What the page marks up as its metadata — a ``datePublished`` stamp, an ``author`` card or
    a ``byline`` with the author's bio, tag links (``rel=tag``) — is a field, read from the
    intact page, not body text."""
    for el in list(container.iter()):
        if el is container or el.getparent() is None or not isinstance(el.tag, str):
            continue
        marked = (
            el.get("itemprop") in _METADATA_PROPS
            or (el.tag == "a" and "tag" in (el.get("rel") or "").split())
            or bool(_BYLINE_CLASSES.intersection((el.get("class") or "").lower().split()))
        )
        if marked and text_length(el) <= _METADATA_MAX_CHARS:
            remove(el)
