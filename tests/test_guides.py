"""The user guides (docs/guide/) and their pictures (docs/img/, taken by the browser journeys
with OPENIOP_DOCS_SCREENSHOTS=docs/img): every picture a page shows exists, every picture
taken is shown somewhere, and the guides promise nothing as "coming later" that is already
there (issue 13 found the participant guide saying the diary card and safety plan "will be
added in later versions")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)")


def _shown() -> dict[Path, list[Path]]:
    """Each picture a page shows, resolved against that page, with the pages showing it."""
    shown: dict[Path, list[Path]] = {}
    for page in PAGES:
        for target in IMAGE.findall(page.read_text()):
            shown.setdefault((page.parent / target).resolve(), []).append(page)
    return shown


def test_the_guides_have_pictures() -> None:
    assert any(path.parent == DOCS / "img" for path in _shown())


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_picture_a_page_shows_exists(page: Path) -> None:
    missing = [
        target
        for target in IMAGE.findall(page.read_text())
        if not (page.parent / target).resolve().is_file()
    ]
    assert missing == []


def test_every_picture_in_docs_img_is_shown_somewhere() -> None:
    shown = _shown()
    unused = [p.name for p in sorted((DOCS / "img").glob("*.png")) if p.resolve() not in shown]
    assert unused == []


@pytest.mark.parametrize("page", sorted((DOCS / "guide").glob("*.md")), ids=lambda p: p.name)
def test_no_guide_promises_later_versions(page: Path) -> None:
    text = page.read_text().lower()
    assert "later version" not in text
    assert "coming soon" not in text


def test_the_participant_guide_describes_the_diary_card_and_the_safety_plan() -> None:
    text = (DOCS / "guide" / "participant.md").read_text()
    assert "## Diary card" in text
    assert "## My safety plan" in text
