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
