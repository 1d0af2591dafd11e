"""Dates as Vietnamese and international news pages print them become ISO 8601 with offset."""

from datetime import UTC, datetime

import pytest

from pipelines.extraction.dates import to_iso


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("2021-01-28T05:40:00+07:00", "2021-01-28T05:40:00+07:00"),
        ("2021-01-27T22:40:00Z", "2021-01-27T22:40:00+00:00"),
        ("28/01/2021 05:40 GMT+7", "2021-01-28T05:40:00+07:00"),
        ("Thứ Hai, 12/5/2025 10:30 (GMT+7)", "2025-05-12T10:30:00+07:00"),
        ("05/05/2021 09:15", "2021-05-05T09:15:00+07:00"),
        ("Wednesday, 09:15 05/05/2021", "2021-05-05T09:15:00+07:00"),
        ("Thu, 28 Jan 2021 03:40:05 +0000", "2021-01-28T03:40:05+00:00"),
        ("28.01.2021 - 07:12", "2021-01-28T07:12:00+07:00"),
        ("2021-05-05", "2021-05-05T00:00:00+07:00"),
    ],
)
def test_printed_date_becomes_iso_with_offset(printed, iso):
    assert to_iso(printed) == iso


def test_date_without_offset_takes_the_default_timezone():
    assert to_iso("05/05/2021 09:15", default_tz="+00:00") == "2021-05-05T09:15:00+00:00"


def test_date_without_year_is_not_in_the_future():
    fetched = datetime(2026, 1, 10, tzinfo=UTC)
    iso = to_iso("31 Dec, 04:33 PM")
    assert iso is not None and datetime.fromisoformat(iso) <= datetime.now(UTC)
    assert to_iso("2027-01-01T00:00:00+07:00", not_after=fetched) is None


def test_text_without_date_gives_none():
    assert to_iso("Bình luận") is None
    assert to_iso("") is None
