"""A broken content file stops the load with a message naming the file and the problem."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from openiop.skills.library import CONTENT_DIR, ContentError, Library, load_directory

TIPP = Path("distress_tolerance/tipp")
WISE = Path("mindfulness/wise-mind")


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _edits(path: Path, *pairs: tuple[str, str]) -> None:
    for old, new in pairs:
        _edit(path, old, new)


def _both(root: Path, item: Path, old: str, new: str) -> None:
    for name in ("en.md", "es.md"):
        _edit(root / item / name, old, new)


def _load(root: Path) -> Library:
    loaded = load_directory(root)
    return Library(loaded.items, links=loaded.links)


Breakage = Callable[[Path], object]

CASES: list[tuple[str, Breakage, str, str]] = [
    (
        "a required front matter field is missing",
        lambda root: _edit(root / TIPP / "en.md", 'title = "TIPP: calm your body fast"\n', ""),
        "content/distress_tolerance/tipp/en.md",
        "missing field(s) title",
    ),
    (
        "an unknown front matter field",
        lambda root: _edit(root / TIPP / "en.md", 'name = "TIPP"', 'name = "TIPP"\nauthor = "x"'),
        "tipp/en.md",
        "unknown field(s) author",
    ),
    (
        "the front matter is not valid TOML",
        lambda root: _edit(root / TIPP / "en.md", 'name = "TIPP"', "name = TIPP"),
        "tipp/en.md",
        "the front matter is not valid TOML",
    ),
    (
        "no front matter at all",
        lambda root: (root / TIPP / "en.md").write_text("## What it is for\n\nHi\n"),
        "tipp/en.md",
        "must start with a front matter block",
    ),
    (
        "an unknown module",
        lambda root: _edit(
            root / TIPP / "item.toml", 'module = "distress_tolerance"', 'module = "coping"'
        ),
        "tipp/item.toml",
        "unknown module 'coping'",
    ),
    (
        "a module that disagrees with the folder",
        lambda root: _edit(
            root / TIPP / "item.toml", 'module = "distress_tolerance"', 'module = "mindfulness"'
        ),
        "tipp/item.toml",
        "but the item sits in the folder 'distress_tolerance'",
    ),
    (
        "an unknown situation",
        lambda root: _edit(root / TIPP / "item.toml", '"panic"', '"boredom"'),
        "tipp/item.toml",
        "unknown situation(s) boredom",
    ),
    (
        "two items of a module in the same place",
        lambda root: _edit(root / TIPP / "item.toml", "order = 2", "order = 1"),
        "content/distress_tolerance/tipp/item.toml",
        "order 1 is already used by content/distress_tolerance/stop",
    ),
    (
        "no version",
        lambda root: _edit(root / TIPP / "item.toml", 'version = "1.0"\n', ""),
        "tipp/item.toml",
        "missing field(s) version",
    ),
    (
        "a version written as a number",
        lambda root: _edit(root / TIPP / "item.toml", 'version = "1.0"', "version = 1.0"),
        "tipp/item.toml",
        "'version' must look like",
    ),
    (
        "no sources",
        lambda root: (root / TIPP / "item.toml").write_text(
            'module = "distress_tolerance"\norder = 2\nversion = "1.0"\nsources = []\n'
        ),
        "tipp/item.toml",
        "'sources' must list at least one source",
    ),
    (
        "a source url that is not https",
        lambda root: _edit(root / TIPP / "item.toml", "https://988lifeline.org", "http://x.org"),
        "tipp/item.toml",
        "url must start with https://",
    ),
    (
        "a Spanish page is missing",
        lambda root: (root / TIPP / "es.md").unlink(),
        "content/distress_tolerance/tipp",
        "no page in es (es.md missing)",
    ),
    (
        "the English page is missing",
        lambda root: (root / TIPP / "en.md").unlink(),
        "content/distress_tolerance/tipp",
        "no en.md",
    ),
    (
        "a page in a language the library does not know",
        lambda root: (root / TIPP / "fr.md").write_text("x"),
        "tipp/fr.md",
        "unknown language 'fr'",
    ),
    (
        "a related item that does not exist",
        lambda root: _edit(root / TIPP / "item.toml", 'related = ["stop",', 'related = ["stopp",'),
        "tipp/item.toml",
        "'related' names 'stopp', which is not in the library",
    ),
    (
        "a link in the page to a skill that does not exist",
        lambda root: _both(root, TIPP, "(skill:self-soothe)", "(skill:self-sooth)"),
        "tipp/en.md",
        "links to skill:self-sooth, which is not in the library",
    ),
    (
        "an empty section",
        lambda root: (root / WISE / "en.md").write_text(
            (root / WISE / "en.md").read_text().split("## Practice")[0] + "## Practice\n\n"
        ),
        "wise-mind/en.md",
        "section '## Practice' is empty",
    ),
    (
        "a section heading that is not one of the four",
        lambda root: _edit(root / WISE / "en.md", "## When it helps", "## When to use"),
        "wise-mind/en.md",
        "unknown section '## When to use'",
    ),
    (
        "sections out of order",
        lambda root: _edits(
            root / WISE / "en.md",
            ("## Steps", "## TEMP"),
            ("## Practice", "## Steps"),
            ("## TEMP", "## Practice"),
        ),
        "wise-mind/en.md",
        "sections must be, in order",
    ),
    (
        "a Spanish page with English section headings",
        lambda root: _edit(root / WISE / "es.md", "## Para qué sirve", "## What it is for"),
        "wise-mind/es.md",
        "unknown section '## What it is for'",
    ),
    (
        "raw HTML in a page",
        lambda root: _edit(root / WISE / "en.md", "Most of us", "<b>Most</b> of us"),
        "wise-mind/en.md",
        "raw HTML (<b>) is not allowed",
    ),
    (
        "a script block in a page",
        lambda root: _edit(root / WISE / "en.md", "## Steps\n", "## Steps\n\n<script>x</script>\n"),
        "wise-mind/en.md",
        "raw HTML is not allowed",
    ),
    (
        "an image in a page",
        lambda root: _edit(root / WISE / "en.md", "Most of us", "![x](https://e.org/a.png) Most"),
        "wise-mind/en.md",
        "images are not allowed",
    ),
    (
        "a javascript link",
        lambda root: _edit(root / WISE / "en.md", "Most of us", "[x](javascript:alert(1)) Most"),
        "wise-mind/en.md",
        "must be skill:<id>, https://..., tel:<digits> or sms:<digits>",
    ),
    (
        "a steps section without a list",
        lambda root: _edits(
            root / WISE / "en.md",
            ("1. Pause", "Pause"),
            ("\n2. Notice", "\nNotice"),
            ("\n3. Notice", "\nNotice"),
            ("\n4. Hold", "\nHold"),
            ("\n5. Notice", "\nNotice"),
            ("\n6. If", "\nIf"),
        ),
        "wise-mind/en.md",
        "must list the steps",
    ),
    (
        "a translation with a step fewer",
        lambda root: _edit(root / WISE / "es.md", "6. Si no llega nada", "Si no llega nada"),
        "wise-mind/es.md",
        "lists 5 steps but content/mindfulness/wise-mind/en.md lists 6",
    ),
    (
        "a translation that links to other skills",
        lambda root: _edit(root / WISE / "es.md", "(skill:stop)", "(skill:tipp)"),
        "wise-mind/es.md",
        "translations link the same skills",
    ),
    (
        "a health caution in one language only",
        lambda root: _edit(root / TIPP / "es.md", "caution = ", "# caution = "),
        "tipp/es.md",
        "has no 'caution' but",
    ),
    (
        "a crisis item whose page never mentions 988",
        lambda root: _edit(root / TIPP / "es.md", "988", "9 8 8", count=-1),
        "tipp/es.md",
        "never mentions 988",
    ),
    (
        "an item folder without item.toml",
        lambda root: (root / TIPP / "item.toml").unlink(),
        "content/distress_tolerance/tipp",
        "no item.toml",
    ),
    (
        "a file outside any item folder",
        lambda root: (root / "mindfulness" / "notes.md").write_text("x"),
        "content/mindfulness/notes.md",
        "files belong in <module>/<item id>/ folders",
    ),
    (
        "an item id with capitals",
        lambda root: (root / TIPP).rename(root / "distress_tolerance" / "TIPP"),
        "content/distress_tolerance/TIPP",
        "the folder name is the item id",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "where", "problem"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_broken_file_fails_at_load_naming_the_file_and_the_problem(
    content_copy, breakage, where, problem
):
    breakage(content_copy)
    with pytest.raises(ContentError) as caught:
        _load(content_copy)
    message = str(caught.value)
    assert where in message
    assert problem in message


def test_the_unbroken_copy_loads(content_copy):
    assert len(_load(content_copy)) == len(_load(CONTENT_DIR))


def test_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(ContentError, match=re.escape(f"{tmp_path}: no items found")):
        load_directory(tmp_path)


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(ContentError, match="not a folder of skills content"):
        load_directory(tmp_path / "nowhere")
