"""Which site rules no recording tests: every site with rules needs a recorded article page with
its expected fields (``tests/recordings/<site>/``), and every version of its rules needs a page
fetched while that version was in force (a manifest entry's ``fetched_at``; none: fetched now)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pipelines.extraction.site_rules import SiteCatalog, SiteRules


def expected_pages(folder: Path) -> list[dict]:
    """A recording's article pages that have expected fields, each with its fetch time."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return []
    entries = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    return [
        entry | {"fetched_at": datetime.fromisoformat(entry["fetched_at"]) if entry.get("fetched_at") else None}
        for entry in entries
        if entry.get("expected") and (folder / entry["expected"]).is_file() and (folder / entry["file"]).is_file()
    ]


def version_name(rules: SiteRules) -> str:
    return f"{rules.name} (until {rules.valid_until})" if rules.valid_until else f"{rules.name} (current)"


def pages_of_version(versions: tuple[SiteRules, ...], rules: SiteRules, pages: list[dict]) -> list[dict]:
    """The pages read with ``rules``: those whose fetch time that version was in force at."""
    now = datetime.now(UTC)
    return [p for p in pages if next(v for v in versions if v.in_force_at(p["fetched_at"] or now)) is rules]


def untested(catalog: SiteCatalog, recordings: Path) -> list[str]:
    """The site rule versions no recorded page with expected fields tests."""
    missing = []
    for versions in catalog.sites:
        pages = expected_pages(recordings / versions[-1].name)
        missing += [version_name(v) for v in versions if not pages_of_version(versions, v, pages)]
    return missing
