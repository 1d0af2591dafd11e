"""What changed between two versions of an article, and how much it matters.

Change classes (thresholds are settings, defaults below):
- ``substantive``: the text (title, lead, body) changed by more than ``MINOR_EDIT_MAX_CHARS`` characters;
- ``minor``: a typo-size text edit, at most ``MINOR_EDIT_MAX_CHARS`` characters changed;
- ``metadata-only``: the text is the same, other fields (authors, dates, tags, section, images, …) changed;
- ``extraction``: the text changed while the site's rules stopped reading the body, or started to
  (a layout change: the generic extractor took over): a new reading of the page, not an edit of
  the story; kept as a version, so nothing is lost, and counted apart from edits;
- ``cosmetic``: nothing the archive keeps changed (markup or white space only): no version is stored,
  the fetch is only counted.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from archive.keys import DIGEST_FIELDS, content_digest, text_key

MINOR_EDIT_MAX_CHARS = 30
TEXT_FIELDS = ("title", "lead", "body")
DIFF_FIELDS = DIGEST_FIELDS
"""What a version diff lists: every field the content digest covers."""


def field_diff(old: Mapping, new: Mapping) -> dict:
    """Per changed field: ``{"from", "to"}`` for values, ``{"removed", "added"}`` for lists."""
    diff = {}
    for name in DIFF_FIELDS:
        before, after = old.get(name), new.get(name)
        if before == after or (not before and not after):
            continue
        if isinstance(before, list) or isinstance(after, list):
            before, after = before or [], after or []
            removed = [v for v in before if v not in after]
            added = [v for v in after if v not in before]
            diff[name] = {"removed": removed, "added": added} if removed or added else {"reordered": True}
        else:
            diff[name] = {"from": before, "to": after}
    return diff


def text_of(fields: Mapping) -> str:
    return "\n".join(
        text_key(v) for v in [fields.get("title") or "", fields.get("lead") or "", *(fields.get("body") or [])]
    )


def changed_chars(old: str, new: str) -> int:
    """Characters inserted, deleted or replaced to turn ``old`` into ``new``. Paragraphs are
    matched first, words within the paragraphs that changed, characters within the words that
    changed, so the cost follows the size of the change, not of the article: one character
    diff over a whole 90 KB live blog took 100 s of the database thread."""
    return _changed(old.split("\n"), new.split("\n"), "\n", _changed_words)


_CHARACTER_DIFF_MAX = 2_000
"""Replaced runs of words longer than this are counted whole: a rewrite, not a typo."""


def _changed(old: list[str], new: list[str], separator: str, within) -> int:
    """The changed characters of two sequences of parts, after their common opening and ending
    (an edit in one place costs the length of the text, whatever it repeats); among the parts
    between, those a text repeats everywhere are not matched on (``autojunk``: a page of one
    word repeated cannot make the diff quadratic), which can only count more as changed."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old, new = old[start : len(old) - end], new[start : len(new) - end]
    total = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag != "equal":
            before, after = separator.join(old[i1:i2]), separator.join(new[j1:j2])
            total += within(before, after) if tag == "replace" else max(len(before), len(after))
    return total


def _changed_words(old: str, new: str) -> int:
    return _changed(old.split(" "), new.split(" "), " ", _changed_characters)


def _changed_characters(old: str, new: str) -> int:
    if max(len(old), len(new)) > _CHARACTER_DIFF_MAX:
        return max(len(old), len(new))
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


EDIT_CLASSES = ("substantive", "minor", "metadata-only")
CHANGE_CLASSES = (*EDIT_CLASSES, "extraction")


def read_by_rules(provenance: Mapping | None) -> bool:
    """Whether the site's rules read the version's body."""
    return (provenance or {}).get("body") == "rules"


def change_class(
    old: Mapping,
    new: Mapping,
    minor_max_chars: int = MINOR_EDIT_MAX_CHARS,
    old_provenance: Mapping | None = None,
    new_provenance: Mapping | None = None,
) -> str:
    if content_digest(old) == content_digest(new):
        return "cosmetic"
    old_text, new_text = text_of(old), text_of(new)
    if old_text == new_text:
        return "metadata-only"
    if old_provenance and new_provenance and read_by_rules(old_provenance) != read_by_rules(new_provenance):
        return "extraction"
    return "minor" if changed_chars(old_text, new_text) <= minor_max_chars else "substantive"


def summary(diff: Mapping, change: str) -> str:
    """One line for ``history``: the class and the fields that changed."""
    if not diff:
        return "first version"
    parts = []
    for name, d in diff.items():
        if "removed" in d:
            parts.append(f"{name} −{len(d['removed'])}/+{len(d['added'])}")
        else:
            parts.append(name)
    return f"{change}: " + ", ".join(parts)
