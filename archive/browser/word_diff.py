"""Comparing two versions for reading: paragraphs aligned, words marked within a changed
paragraph, other fields listed. Pure: the diff page renders what this returns."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
META_FIELDS = ("title", "lead", "authors", "section", "tags", "published_at", "updated_at", "language", "images")
"""The fields listed as metadata changes (the body is compared paragraph by paragraph)."""

Segments = list[tuple[str, str]]
"""(text, mark) pairs: mark is "" (unchanged), "del" or "ins"."""


@dataclass
class Row:
    """One aligned paragraph: ``kind`` is equal, delete, insert or change."""

    kind: str
    left: Segments = field(default_factory=list)
    right: Segments = field(default_factory=list)

    @property
    def inline(self) -> Segments:
        """The paragraph as one text: deleted words struck, inserted ones marked, in order."""
        if self.kind != "change":
            return self.left or self.right
        merged: Segments = []
        li = ri = 0
        left, right = self.left, self.right
        while li < len(left) or ri < len(right):
            if li < len(left) and left[li][1] == "del":
                merged.append(left[li])
                li += 1
            elif ri < len(right) and right[ri][1] == "ins":
                merged.append(right[ri])
                ri += 1
            else:  # the same unchanged run on both sides
                merged.append(left[li] if li < len(left) else right[ri])
                li, ri = li + 1, ri + 1
        return merged


def words(before: str, after: str) -> tuple[Segments, Segments]:
    """Word-level marks of one changed paragraph, on each side."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    left: Segments = []
    right: Segments = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(("".join(a[i1:i2]), ""))
            right.append(("".join(b[j1:j2]), ""))
            continue
        if i2 > i1:
            left.append(("".join(a[i1:i2]), "del"))
        if j2 > j1:
            right.append(("".join(b[j1:j2]), "ins"))
    return left, right


def paragraphs(before: list[str], after: list[str]) -> list[Row]:
    """The body of two versions, aligned paragraph by paragraph; a replaced paragraph is
    compared word by word when the two are alike, else shown as deleted and inserted."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row("equal", [(p, "")], [(p, "")]) for p in before[i1:i2]]
            continue
        old, new = before[i1:i2], after[j1:j2]
        for k in range(max(len(old), len(new))):
            a = old[k] if k < len(old) else None
            b = new[k] if k < len(new) else None
            if a is not None and b is not None and difflib.SequenceMatcher(None, a, b).quick_ratio() > 0.5:
                rows.append(Row("change", *words(a, b)))
                continue
            if a is not None:
                rows.append(Row("delete", [(a, "del")], []))
            if b is not None:
                rows.append(Row("insert", [], [(b, "ins")]))
    return rows


def metadata_changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    """(field, old, new) of each field other than the body that differs."""
    return [(f, before.get(f), after.get(f)) for f in META_FIELDS if before.get(f) != after.get(f)]
