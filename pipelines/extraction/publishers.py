"""Credit lines of re-posted articles ("TNO", "Theo VnExpress") to the original publisher."""

from __future__ import annotations

import re

from pipelines.extraction.text import normalize_text

ABBREVIATIONS = {
    "TNO": "Thanh Niên",
    "TN": "Thanh Niên",
    "TTO": "Tuổi Trẻ",
    "VNE": "VnExpress",
    "VNA": "Thông tấn xã Việt Nam",
    "TTXVN": "Thông tấn xã Việt Nam",
    "NLĐO": "Người Lao Động",
    "PLO": "Pháp Luật TP.HCM",
    "VOV": "Đài Tiếng nói Việt Nam",
    "VTV": "Đài Truyền hình Việt Nam",
    "SGGP": "Sài Gòn Giải Phóng",
    "KTĐT": "Kinh tế & Đô thị",
    "ZNEWS": "Znews",
}
_CREDIT = re.compile(r"^(?:theo|nguồn|source|via)\s*:?\s*", re.I)


def publisher_credit(line: str | None) -> dict | None:
    """``{"publisher", "abbrev"}`` for a credit line, None when the line names nobody."""
    text = normalize_text(line).strip(" .()")
    if not text or len(text) > 60:
        return None
    name = _CREDIT.sub("", text)
    upper = name.upper()
    if upper in ABBREVIATIONS:
        return {"publisher": ABBREVIATIONS[upper], "abbrev": name}
    return {"publisher": name, "abbrev": None}


_ACRONYM = re.compile(r"^[^\W\d_a-zà-ỹ]{2,8}$")
"""One word in capitals: an outlet's initials ("TNO", "TTXVN", "AFP")."""


def closing_credit(line: str | None) -> dict | None:
    """The publisher a re-post's closing line credits ("TNO", "Theo VnExpress", "Nguồn: Reuters"),
    or None for a line that is not a credit."""
    text = normalize_text(line).strip(" .()")
    if not (_CREDIT.match(text) or text.upper() in ABBREVIATIONS or _ACRONYM.match(text)):
        return None
    return publisher_credit(text)
