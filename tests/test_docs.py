"""The README is a user's way in: short, linking every page of ``docs/``, and every file it points
to for "where is …" exists."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_under_250_lines():
    assert len(README.splitlines()) < 250


def test_the_readme_links_every_docs_page():
    pages = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert pages and pages <= set(re.findall(r"\]\((docs/[\w-]+\.md)\)", README))


def test_every_link_of_the_readme_and_the_docs_reaches_a_file():
    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    broken = [
        f"{path.name}: {target}"
        for path in texts
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8"))
        if not (path.parent / target).exists()
    ]
    assert broken == []


def test_every_file_the_readme_names_exists():
    named = set(re.findall(r"`((?:crawler|pipelines|archive)/[\w/]+\.py)`", README))
    assert named and [path for path in sorted(named) if not (ROOT / path).is_file()] == []
