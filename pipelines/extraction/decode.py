"""Bytes to text: HTTP header, BOM and ``<meta charset>``, then a validity check, then detection.

Pages often declare a charset they do not use (a Vietnamese page saved as
UTF-8 but declaring ``windows-1258``): bytes that are valid UTF-8 and contain
multi-byte sequences are read as UTF-8 whatever the page says, since text in
a legacy 8-bit charset almost never forms valid UTF-8 by chance. A page that
declares nothing and is not UTF-8 has its charset detected (charset-normalizer,
through w3lib's detection hook) instead of being read as UTF-8 with replacement
characters.
"""

from __future__ import annotations

from collections.abc import Mapping

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding

_UTF8 = {"utf-8", "utf8"}


def header_value(headers: Mapping | None, name: str) -> str | None:
    """A header's value from a plain or Scrapy mapping, case-insensitively, as text."""
    if not headers:
        return None
    for key, value in headers.items():
        key = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key.lower() == name.lower():
            if isinstance(value, list | tuple):
                value = value[0] if value else b""
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _valid_utf8_beyond_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(body: bytes | str, headers: Mapping | None = None) -> str:
    """The page as text, decoded with the charset it really uses."""
    if isinstance(body, str):
        return body
    content_type = header_value(headers, "content-type")
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    if (declared or "").lower() not in _UTF8 and _valid_utf8_beyond_ascii(body):
        return body.decode("utf-8").removeprefix("\ufeff")
    _, text = html_to_unicode(content_type, body, auto_detect_fun=detected_encoding)
    return text


def detected_encoding(body: bytes) -> str | None:
    """The charset of undeclared bytes that are not UTF-8 (w3lib asks only then); None: unknown."""
    best = from_bytes(body[:_DETECT_BYTES]).best()
    return best.encoding if best is not None else None


_DETECT_BYTES = 200_000
"""Enough text to tell charsets apart; a page's size does not change which one it is."""
