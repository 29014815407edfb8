"""The skills library: content files loaded, validated strictly, searched and rendered.

Content lives in folders, one per item, grouped by module::

    content/<module>/<item id>/item.toml   what every language shares: module, order, the
                                           situations it helps with, related items, sources,
                                           version, whether it touches on crisis
    content/<module>/<item id>/en.md       the English page: a small TOML front matter between
    content/<module>/<item id>/es.md       ``+++`` lines (name, title, summary, keywords, an
                                           optional health caution), then four ``##`` sections

A file that breaks a rule stops the load with a ContentError that names the file and the
problem, so a half-written page never reaches a participant. A program adds its own items from
another folder laid out the same way, and hides items by id; both are plain data passed in, so
the Django side can store them however it likes. This module imports nothing from the other
OpenIOP apps. See docs/skills-library.md.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from markdown_it import MarkdownIt
from markdown_it.token import Token

CONTENT_DIR = Path(__file__).resolve().parent / "content"

LANGUAGES: tuple[str, ...] = ("en", "es")
DEFAULT_LANGUAGE = "en"

# What a page may do when one of its languages has no file. Shipped content refuses; a program
# may choose to show its English page to a Spanish reader until the translation exists.
MissingLanguages = Literal["refuse", "fallback"]


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the problem."""


class UnknownItem(LookupError):
    """No visible item with that id."""


# --- the fixed vocabularies ----------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    key: str
    labels: Mapping[str, str]

    def label(self, language: str) -> str:
        return self.labels[normalize_language(language)]


@dataclass(frozen=True)
class Situation:
    """A moment a participant may be in, for "skills for right now"."""

    key: str
    labels: Mapping[str, str]

    def label(self, language: str) -> str:
        return self.labels[normalize_language(language)]


# The module keys are those of programs.SkillsModule, so the curriculum, the diary card and
# coaching can name a module the same way; "psychoeducation" holds the health topics.
MODULES: tuple[Module, ...] = (
    Module("mindfulness", {"en": "Mindfulness", "es": "Atención plena (mindfulness)"}),
    Module("distress_tolerance", {"en": "Distress tolerance", "es": "Tolerancia al malestar"}),
    Module("emotion_regulation", {"en": "Emotion regulation", "es": "Regulación de las emociones"}),
    Module(
        "interpersonal", {"en": "Interpersonal effectiveness", "es": "Efectividad interpersonal"}
    ),
    Module("psychoeducation", {"en": "Health topics", "es": "Temas de salud"}),
)
MODULE_KEYS: tuple[str, ...] = tuple(module.key for module in MODULES)
# For "skills for right now": crisis survival skills first, reading for later last.
RIGHT_NOW_MODULE_ORDER: tuple[str, ...] = (
    "distress_tolerance",
    "emotion_regulation",
    "interpersonal",
    "mindfulness",
    "psychoeducation",
)

SITUATIONS: tuple[Situation, ...] = (
    Situation(
        "urge", {"en": "An urge I don't want to act on", "es": "Un impulso que no quiero seguir"}
    ),
    Situation("craving", {"en": "A craving to drink or use", "es": "Ganas de beber o de consumir"}),
    Situation("panic", {"en": "Panic or overwhelm", "es": "Pánico o angustia muy fuerte"}),
    Situation("anger", {"en": "Anger", "es": "Enojo"}),
    Situation("conflict", {"en": "A conflict with someone", "es": "Un conflicto con alguien"}),
    Situation("cant_sleep", {"en": "Can't sleep", "es": "No puedo dormir"}),
    Situation("loneliness", {"en": "Feeling lonely", "es": "Me siento solo o sola"}),
    Situation("sadness", {"en": "Feeling low", "es": "Tristeza o desánimo"}),
    Situation(
        "worry",
        {"en": "Worry or racing thoughts", "es": "Preocupación o pensamientos que no paran"},
    ),
    Situation("shame", {"en": "Shame or guilt", "es": "Vergüenza o culpa"}),
    Situation("stuck", {"en": "Something I can't change", "es": "Algo que no puedo cambiar"}),
    Situation(
        "asking", {"en": "Asking for something or saying no", "es": "Pedir algo o decir que no"}
    ),
)
SITUATION_KEYS: tuple[str, ...] = tuple(situation.key for situation in SITUATIONS)

# The four sections every page has, in this order, with their heading in each language.
SECTION_KEYS: tuple[str, ...] = ("purpose", "when", "steps", "practice")
SECTION_HEADINGS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "purpose": "What it is for",
        "when": "When it helps",
        "steps": "Steps",
        "practice": "Practice",
    },
    "es": {
        "purpose": "Para qué sirve",
        "when": "Cuándo le puede ayudar",
        "steps": "Pasos",
        "practice": "Para practicar",
    },
}

# Shown beside any item that touches on crisis, whatever its own words say.
CRISIS_NOTES: Mapping[str, str] = {
    "en": (
        "If you might act on thoughts of suicide or self-harm, open your safety plan now. "
        "Call or text 988 (Suicide & Crisis Lifeline) any time, or call 911 in an emergency."
    ),
    "es": (
        "Si siente que podría actuar según pensamientos de suicidio o de hacerse daño, abra ahora "
        "su plan de seguridad. Llame o envíe un mensaje de texto al 988 (Línea de Prevención del "
        "Suicidio y Crisis), a cualquier hora; en una emergencia, llame al 911."
    ),
}


def normalize_language(code: str | None) -> str:
    """A supported language for a code such as "es-MX" or "ES"; English when unknown."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def module(key: str) -> Module:
    for known in MODULES:
        if known.key == key:
            return known
    raise KeyError(key)


def situation(key: str) -> Situation:
    for known in SITUATIONS:
        if known.key == key:
            return known
    raise KeyError(key)


# --- the typed objects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where an item's facts come from. ``url`` is https when given; ``note`` says what the
    source supports (e.g. "the skill's name and module")."""

    title: str
    publisher: str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    markdown: str


@dataclass(frozen=True)
class Page:
    """One item in one language."""

    item_id: str
    language: str
    name: str
    title: str
    summary: str
    keywords: tuple[str, ...]
    caution: str
    sections: tuple[Section, ...]
    path: str = field(default="", compare=False)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def body(self) -> str:
        return "\n\n".join(section.markdown for section in self.sections)

    @cached_property
    def _index(self) -> _PageIndex:
        return _PageIndex.of(self)


@dataclass(frozen=True)
class Item:
    """A skill or health topic, with its page in each language it has."""

    id: str
    module: str
    order: int
    situations: tuple[str, ...]
    related: tuple[str, ...]
    sources: tuple[Source, ...]
    version: str
    crisis: bool
    pages: Mapping[str, Page]
    origin: str = "shipped"
    # Languages without a file of their own, served from the default language by rule.
    fallback_languages: tuple[str, ...] = ()
    path: str = field(default="", compare=False)

    @property
    def is_topic(self) -> bool:
        return self.module == "psychoeducation"

    def page(self, language: str | None = None) -> Page:
        """The page in ``language``, or the default language's page when this item has no file
        in it (allowed only where the item was loaded with the fallback rule). The page's own
        ``language`` says which it is, so a view can say "not yet translated"."""
        wanted = normalize_language(language)
        return self.pages.get(wanted) or self.pages[DEFAULT_LANGUAGE]

    def has_language(self, language: str) -> bool:
        return normalize_language(language) in self.pages

    def crisis_note(self, language: str | None = None) -> str:
        return CRISIS_NOTES[normalize_language(language)] if self.crisis else ""


@dataclass(frozen=True)
class SearchHit:
    item: Item
    page: Page
    score: float


# --- reading the files ---------------------------------------------------------------------

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VERSION = re.compile(r"^\d+(?:\.\d+){0,2}$")
_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)^\+\+\+[ \t]*\r?\n", re.DOTALL | re.MULTILINE)
_ITEM_KEYS = {"module", "order", "situations", "related", "sources", "version", "crisis"}
_ITEM_REQUIRED = {"module", "order", "sources", "version"}
_SOURCE_KEYS = {"title", "publisher", "url", "note"}
_PAGE_KEYS = {"name", "title", "summary", "keywords", "caution"}
_PAGE_REQUIRED = {"name", "title", "summary", "keywords"}
_TEL = re.compile(r"^(?:tel|sms):\+?\d{3,15}$")
ITEM_FILE = "item.toml"
# Files content editors may keep beside the items without the loader reading them.
_IGNORED_NAMES = {"README.md"}

# The Markdown a page may use. Anything else (raw HTML, images, tables, code) is refused at load,
# so the rendered page is plain, accessible and cannot carry script or outside images.
_ALLOWED_BLOCKS = {
    "paragraph_open",
    "paragraph_close",
    "heading_open",
    "heading_close",
    "bullet_list_open",
    "bullet_list_close",
    "ordered_list_open",
    "ordered_list_close",
    "list_item_open",
    "list_item_close",
    "blockquote_open",
    "blockquote_close",
    "inline",
}
_ALLOWED_INLINE = {
    "text",
    "softbreak",
    "hardbreak",
    "em_open",
    "em_close",
    "strong_open",
    "strong_close",
    "link_open",
    "link_close",
}

# Parses with HTML on and every link kept, only to find and refuse what a page may not hold (a
# javascript: link would otherwise silently stay text); the renderer below has HTML off.
_CHECKER = MarkdownIt("commonmark", {"html": True})
# markdown-it documents replacing validateLink on the instance; mypy refuses method assignment.
_CHECKER.validateLink = lambda url: True  # type: ignore[method-assign]
_RENDERER = MarkdownIt("commonmark", {"html": False})


class _Problem(Exception):
    """Raised inside the parser; turned into a ContentError naming the file."""


def _check(condition: object, message: str) -> None:
    if not condition:
        raise _Problem(message)


def _no_unknown_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    _check(not unknown, f"{where}unknown field(s) {', '.join(unknown)}")


def _missing_keys(data: Mapping[str, Any], required: set[str], where: str) -> None:
    missing = sorted(required - set(data))
    _check(not missing, f"{where}missing field(s) {', '.join(missing)}")


def _text(data: Mapping[str, Any], key: str, where: str = "", *, required: bool = True) -> str:
    value = data.get(key, "")
    _check(isinstance(value, str), f"{where}{key!r} must be text")
    _check(not required or value.strip(), f"{where}{key!r} must not be empty")
    return cast(str, value).strip()


def _texts(data: Mapping[str, Any], key: str, *, non_empty: bool = False) -> tuple[str, ...]:
    value = data.get(key, [])
    _check(isinstance(value, list), f"{key!r} must be a list")
    _check(not non_empty or value, f"{key!r} must not be empty")
    for entry in value:
        _check(
            isinstance(entry, str) and entry.strip(), f"{key!r} holds an empty or non-text entry"
        )
    stripped = tuple(entry.strip() for entry in value)
    repeated = sorted({entry for entry in stripped if stripped.count(entry) > 1})
    _check(not repeated, f"{key!r} repeats {', '.join(repeated)}")
    return stripped


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Problem(f"cannot be read ({exc})") from exc


def _toml(text: str, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _Problem(f"{what} is not valid TOML ({exc})") from exc


@dataclass(frozen=True)
class _Meta:
    module: str
    order: int
    situations: tuple[str, ...]
    related: tuple[str, ...]
    sources: tuple[Source, ...]
    version: str
    crisis: bool


def _parse_meta(data: Mapping[str, Any], item_id: str, folder_module: str) -> _Meta:
    _no_unknown_keys(data, _ITEM_KEYS, "")
    _missing_keys(data, _ITEM_REQUIRED, "")
    module_key = _text(data, "module")
    _check(
        module_key in MODULE_KEYS,
        f"unknown module {module_key!r}; known: {', '.join(MODULE_KEYS)}",
    )
    _check(
        module_key == folder_module,
        f"module is {module_key!r} but the item sits in the folder {folder_module!r}",
    )
    order = data["order"]
    _check(type(order) is int and order >= 1, f"'order' must be a whole number from 1 ({order!r})")
    situations = _texts(data, "situations")
    unknown = [key for key in situations if key not in SITUATION_KEYS]
    _check(
        not unknown,
        f"unknown situation(s) {', '.join(unknown)}; known: {', '.join(SITUATION_KEYS)}",
    )
    related = _texts(data, "related")
    _check(item_id not in related, "'related' names the item itself")
    for other in related:
        _check(_ID.match(other), f"'related' entry {other!r} is not an item id")
    version = data["version"]
    _check(
        isinstance(version, str) and _VERSION.match(version),
        f"'version' must look like \"1.0\" (text, not a number), got {version!r}",
    )
    crisis = data.get("crisis", False)
    _check(isinstance(crisis, bool), "'crisis' must be true or false")
    raw_sources = data["sources"]
    _check(
        isinstance(raw_sources, list) and raw_sources,
        "'sources' must list at least one source ([[sources]] tables)",
    )
    sources = []
    for position, raw in enumerate(raw_sources, 1):
        where = f"source {position}: "
        _check(isinstance(raw, dict), f"{where}must be a table with title and publisher")
        _no_unknown_keys(raw, _SOURCE_KEYS, where)
        url = _text(raw, "url", where, required=False)
        _check(not url or url.startswith("https://"), f"{where}url must start with https://")
        sources.append(
            Source(
                title=_text(raw, "title", where),
                publisher=_text(raw, "publisher", where),
                url=url,
                note=_text(raw, "note", where, required=False),
            )
        )
    return _Meta(
        module=module_key,
        order=order,
        situations=situations,
        related=related,
        sources=tuple(sources),
        version=version,
        crisis=crisis,
    )


def _inline_problems(children: Sequence[Token], where: str) -> Iterator[str]:
    for child in children:
        if child.type == "html_inline":
            yield f"{where}: raw HTML ({child.content.strip()}) is not allowed; use Markdown"
        elif child.type == "image":
            yield f"{where}: images are not allowed"
        elif child.type not in _ALLOWED_INLINE:
            yield f"{where}: {child.type.replace('_', ' ')} is not allowed"
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not (href.startswith("skill:") or href.startswith("https://") or _TEL.match(href)):
                yield (
                    f"{where}: link {href!r} must be skill:<id>, https://..., tel:<digits> or "
                    "sms:<digits>"
                )


def _skill_links(tokens: Sequence[Token]) -> list[str]:
    found = []
    for token in tokens:
        for child in token.children or ():
            href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
            if href.startswith("skill:"):
                found.append(href.removeprefix("skill:"))
    return found


def _parse_body(body: str, language: str) -> tuple[tuple[Section, ...], list[str], int]:
    """The four sections, the skill ids the body links to, and how many steps it lists."""
    tokens = _CHECKER.parse(body)
    lines = body.splitlines()
    headings = SECTION_HEADINGS[language]
    expected = [headings[key] for key in SECTION_KEYS]
    starts: list[tuple[int, str]] = []  # (line after the heading, heading text)
    for index, token in enumerate(tokens):
        line = (token.map or [0])[0] + 1
        where = f"line {line}"
        if token.type == "html_block":
            raise _Problem(f"{where}: raw HTML is not allowed; use Markdown")
        _check(
            token.type in _ALLOWED_BLOCKS,
            f"{where}: {token.type.replace('_', ' ')} is not allowed (paragraphs, lists, "
            "emphasis, links and ### subheadings only)",
        )
        if token.type == "inline":
            problems = list(_inline_problems(token.children or [], where))
            _check(not problems, problems[0] if problems else "")
        if token.type != "heading_open":
            continue
        _check(
            token.markup in ("##", "###"),
            f"{where}: only '##' section headings and '###' subheadings are allowed",
        )
        if token.tag == "h2":
            text = tokens[index + 1].content.strip()
            _check(
                text in expected,
                f"{where}: unknown section '## {text}'; a {language} page has exactly these "
                f"sections in order: {', '.join('## ' + h for h in expected)}",
            )
            starts.append(((token.map or [0, 1])[1], text))
        else:
            _check(starts, f"{where}: a '###' subheading must sit inside a section")
    found = [text for _, text in starts]
    _check(
        found == expected,
        f"sections must be, in order: {', '.join('## ' + h for h in expected)} "
        f"(found: {', '.join('## ' + h for h in found) or 'none'})",
    )
    first_line = next(t.map[0] for t in tokens if t.type == "heading_open" and t.map)
    _check(
        not "\n".join(lines[:first_line]).strip(),
        "text before the first section; put the short summary in the front matter",
    )
    sections = []
    for position, (start, text) in enumerate(starts):
        key = SECTION_KEYS[position]
        end = len(lines)
        if position + 1 < len(starts):
            end = starts[position + 1][0] - 1
        markdown = "\n".join(lines[start:end]).strip()
        _check(markdown, f"section '## {text}' is empty")
        sections.append(Section(key=key, heading=text, markdown=markdown))
    steps_markdown = sections[SECTION_KEYS.index("steps")].markdown
    steps = sum(1 for token in _CHECKER.parse(steps_markdown) if token.type == "list_item_open")
    _check(
        steps, f"section '## {headings['steps']}' must list the steps (a numbered or bulleted list)"
    )
    return tuple(sections), _skill_links(tokens), steps


@dataclass(frozen=True)
class _ParsedPage:
    page: Page
    links: tuple[str, ...]
    steps: int


def _parse_page(text: str, item_id: str, language: str, display: str) -> _ParsedPage:
    match = _FRONT_MATTER.match(text)
    _check(
        match,
        "must start with a front matter block between two '+++' lines "
        "(name, title, summary, keywords)",
    )
    assert match is not None
    data = _toml(match.group(1), "the front matter")
    _no_unknown_keys(data, _PAGE_KEYS, "front matter: ")
    _missing_keys(data, _PAGE_REQUIRED, "front matter: ")
    keywords = _texts(data, "keywords", non_empty=True)
    sections, links, steps = _parse_body(text[match.end() :], language)
    page = Page(
        item_id=item_id,
        language=language,
        name=_text(data, "name"),
        title=_text(data, "title"),
        summary=_text(data, "summary"),
        keywords=keywords,
        caution=_text(data, "caution", required=False),
        sections=sections,
        path=display,
    )
    return _ParsedPage(page=page, links=tuple(dict.fromkeys(links)), steps=steps)


def _load_item(
    folder: Path, root: Path, origin: str, missing_languages: MissingLanguages
) -> tuple[Item, Mapping[str, tuple[str, ...]]]:
    """One item folder, and the skill links each of its page files makes (checked later,
    when every item is known)."""
    shown = f"{root.name}/{folder.relative_to(root).as_posix()}"
    item_id = folder.name
    meta_path = folder / ITEM_FILE
    try:
        _check(
            _ID.match(item_id),
            f"the folder name is the item id: lower-case letters, digits and hyphens ({item_id!r})",
        )
        _check(meta_path.is_file(), f"no {ITEM_FILE} in the item folder")
    except _Problem as exc:
        raise ContentError(f"{shown}: {exc}") from None
    try:
        meta = _parse_meta(_toml(_read(meta_path), ITEM_FILE), item_id, folder.parent.name)
    except _Problem as exc:
        raise ContentError(f"{shown}/{ITEM_FILE}: {exc}") from None
    parsed: dict[str, _ParsedPage] = {}
    for path in sorted(folder.iterdir()):
        display = f"{shown}/{path.name}"
        if path.name == ITEM_FILE or path.name.startswith("."):
            continue
        try:
            _check(path.is_file(), "an item folder holds only item.toml and <language>.md files")
            _check(
                path.suffix == ".md",
                f"unexpected file; an item folder holds {ITEM_FILE} and <language>.md files",
            )
            _check(
                path.stem in LANGUAGES,
                f"unknown language {path.stem!r}; known: {', '.join(LANGUAGES)}",
            )
            parsed[path.stem] = _parse_page(_read(path), item_id, path.stem, display)
        except _Problem as exc:
            raise ContentError(f"{display}: {exc}") from None
    missing = [language for language in LANGUAGES if language not in parsed]
    if DEFAULT_LANGUAGE in missing:
        raise ContentError(f"{shown}: no {DEFAULT_LANGUAGE}.md (every item needs one)")
    if missing and missing_languages == "refuse":
        raise ContentError(
            f"{shown}: no page in {', '.join(missing)} ({', '.join(f'{m}.md' for m in missing)} "
            "missing); every item needs every language"
        )
    _check_languages_agree(shown, parsed, meta)
    item = Item(
        id=item_id,
        module=meta.module,
        order=meta.order,
        situations=meta.situations,
        related=meta.related,
        sources=meta.sources,
        version=meta.version,
        crisis=meta.crisis,
        pages=MappingProxyType({lang: parsed[lang].page for lang in LANGUAGES if lang in parsed}),
        origin=origin,
        fallback_languages=tuple(missing),
        path=shown,
    )
    return item, {entry.page.path: entry.links for entry in parsed.values()}


def _check_languages_agree(shown: str, parsed: Mapping[str, _ParsedPage], meta: _Meta) -> None:
    """Translations keep the same structure: a reviewer reading one language reads the same
    steps, the same cross-links and the same caution in the other."""
    base = parsed[DEFAULT_LANGUAGE]
    for language, entry in parsed.items():
        if meta.crisis and "988" not in entry.page.body:
            raise ContentError(
                f"{entry.page.path}: the item touches on crisis ('crisis = true') but the page "
                "never mentions 988; point to the safety plan and 988"
            )
        if language == DEFAULT_LANGUAGE:
            continue
        if bool(entry.page.caution) != bool(base.page.caution):
            has, lacks = (entry, base) if entry.page.caution else (base, entry)
            raise ContentError(
                f"{lacks.page.path}: has no 'caution' but {has.page.path} has one; a health "
                "caution must be in every language"
            )
        if entry.steps != base.steps:
            raise ContentError(
                f"{entry.page.path}: lists {entry.steps} steps but {base.page.path} lists "
                f"{base.steps}; translations keep the same steps"
            )
        if set(entry.links) != set(base.links):
            raise ContentError(
                f"{entry.page.path}: links to skills {sorted(entry.links)} but "
                f"{base.page.path} links to {sorted(base.links)}; translations link the same "
                "skills"
            )


@dataclass(frozen=True)
class Loaded:
    """The items of one folder, with their pages' skill links (resolved by the Library)."""

    root: Path
    items: tuple[Item, ...]
    links: Mapping[str, tuple[str, ...]]


def load_directory(
    root: Path, *, origin: str = "shipped", missing_languages: MissingLanguages = "refuse"
) -> Loaded:
    """Parse and validate every item under ``root``; any problem raises ContentError naming
    the file. Links between items are checked when the items are put into a Library."""
    root = Path(root)
    if not root.is_dir():
        raise ContentError(f"{root}: not a folder of skills content")
    _check_layout(root)
    items: list[Item] = []
    links: dict[str, tuple[str, ...]] = {}
    for meta_path in sorted(root.glob(f"*/*/{ITEM_FILE}")):
        item, item_links = _load_item(meta_path.parent, root, origin, missing_languages)
        items.append(item)
        links.update(item_links)
    if not items:
        raise ContentError(f"{root}: no items found (expected <module>/<item id>/{ITEM_FILE})")
    seen: dict[tuple[str, int], Item] = {}
    for item in items:
        other = seen.setdefault((item.module, item.order), item)
        if other is not item:
            raise ContentError(
                f"{item.path}/{ITEM_FILE}: order {item.order} is already used by {other.path}; "
                "each item of a module has its own place"
            )
    return Loaded(root=root, items=tuple(items), links=MappingProxyType(links))


def _check_layout(root: Path) -> None:
    """Every file sits in <module>/<item id>/, so a file dropped in the wrong place is an
    error rather than content that silently never shows."""
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        parts = relative.parts
        if any(part.startswith(".") for part in parts) or path.is_dir():
            continue
        shown = f"{root.name}/{relative.as_posix()}"
        if len(parts) == 1 and path.name in _IGNORED_NAMES:
            continue
        if len(parts) != 3:
            raise ContentError(
                f"{shown}: files belong in <module>/<item id>/ folders "
                f"(modules: {', '.join(MODULE_KEYS)})"
            )
        if parts[0] not in MODULE_KEYS:
            raise ContentError(
                f"{shown}: unknown module folder {parts[0]!r}; known: {', '.join(MODULE_KEYS)}"
            )
        if not (path.parent / ITEM_FILE).is_file():
            raise ContentError(f"{root.name}/{Path(*parts[:2]).as_posix()}: no {ITEM_FILE}")


# --- searching -----------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to say anything about which page is wanted, in both languages.
_STOP_TEXT = """
a an and are at be but by can cant do for from get how i im in is it its me my no not of on or so
that the this to too up want what when with you your
al como con de del el en es esta este hay la las lo los me mi mis muy no para pero por puedo que
se si sin su sus te tengo un una uno y yo
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())
# Points for a query word found in each part of a page: whole word, then word beginning.
_WEIGHTS = {"title": (10.0, 6.0), "keywords": (8.0, 5.0), "summary": (3.0, 2.0), "body": (1.0, 0.5)}
_MIN_PREFIX = 3


def fold(text: str) -> str:
    """Lower-case, accents removed: "Corazón" and "corazon" search alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text).replace("'", "").replace("\u2019", ""))


@dataclass(frozen=True)
class _PageIndex:
    fields: Mapping[str, frozenset[str]]
    body_counts: Mapping[str, int]
    phrases: Mapping[str, str]

    @classmethod
    def of(cls, page: Page) -> _PageIndex:
        title = f"{page.name} {page.title}"
        keywords = " ".join(page.keywords)
        body_words = _words(page.body)
        counts: dict[str, int] = {}
        for word in body_words:
            counts[word] = counts.get(word, 0) + 1
        return cls(
            fields={
                "title": frozenset(_words(title)),
                "keywords": frozenset(_words(keywords)),
                "summary": frozenset(_words(page.summary)),
                "body": frozenset(body_words),
            },
            body_counts=counts,
            phrases={
                "title": " ".join(_words(title)),
                "keywords": " | ".join(" ".join(_words(k)) for k in page.keywords),
            },
        )

    def score(self, query_words: Sequence[str], phrase: str) -> tuple[int, float]:
        """(how many of the query's words it matches, points)."""
        matched = 0
        points = 0.0
        for word in query_words:
            best = 0.0
            for name, (whole, prefix) in _WEIGHTS.items():
                words = self.fields[name]
                if word in words:
                    gained = whole
                    if name == "body":
                        gained *= min(self.body_counts.get(word, 0), 3)
                    best = max(best, gained)
                elif len(word) >= _MIN_PREFIX and any(w.startswith(word) for w in words):
                    best = max(best, prefix)
            if best:
                matched += 1
                points += best
        if len(query_words) > 1 and phrase:
            if phrase in self.phrases["title"]:
                points += 10
            elif phrase in self.phrases["keywords"]:
                points += 8
        return matched, points


def _query_words(query: str) -> list[str]:
    words = list(dict.fromkeys(_words(query)))
    meaningful = [word for word in words if word not in _STOP_WORDS]
    return meaningful or words


# --- rendering -----------------------------------------------------------------------------


def render_markdown(markdown: str, *, skill_url: Callable[[str], str | None]) -> str:
    """Safe HTML for a section: raw HTML is escaped (the parser has HTML off), ``skill:<id>``
    links become ``skill_url(id)``, or plain text where that returns None (a hidden item)."""
    tokens = _RENDERER.parse(markdown)
    for token in tokens:
        if token.children:
            token.children = _resolve_links(token.children, skill_url)
    return cast(str, _RENDERER.renderer.render(tokens, _RENDERER.options, {}))


def _resolve_links(children: list[Token], skill_url: Callable[[str], str | None]) -> list[Token]:
    kept: list[Token] = []
    dropping: list[bool] = []  # one entry per open link: was its link_open dropped?
    for child in children:
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if href.startswith("skill:"):
                url = skill_url(href.removeprefix("skill:"))
                dropping.append(url is None)
                if url is None:
                    continue
                child.attrs["href"] = url
            else:
                dropping.append(False)
                if href.startswith("https://"):
                    child.attrs["rel"] = "noopener noreferrer"
        elif child.type == "link_close" and dropping and dropping.pop():
            continue
        kept.append(child)
    return kept


# --- the library ---------------------------------------------------------------------------


def _sort_key(item: Item) -> tuple[int, int, str]:
    return (MODULE_KEYS.index(item.module), item.order, item.id)


class Library:
    """Validated items, with a program's hidden ones set apart. Building one checks that ids are
    unique and that every link between items resolves; it raises ContentError naming the file."""

    def __init__(
        self,
        items: Iterable[Item],
        *,
        links: Mapping[str, tuple[str, ...]] | None = None,
        hidden: Iterable[str] = (),
    ) -> None:
        by_id: dict[str, Item] = {}
        for item in items:
            other = by_id.get(item.id)
            if other is not None:
                raise ContentError(
                    f"{item.path}: the id {item.id!r} is already used by {other.path}; choose "
                    "another id (a program may hide the other item instead)"
                )
            by_id[item.id] = item
        for item in by_id.values():
            for other_id in item.related:
                if other_id not in by_id:
                    raise ContentError(
                        f"{item.path}/{ITEM_FILE}: 'related' names {other_id!r}, which is not "
                        "in the library"
                    )
        for path, targets in (links or {}).items():
            for target in targets:
                if target not in by_id:
                    raise ContentError(
                        f"{path}: links to skill:{target}, which is not in the library"
                    )
        self._all: Mapping[str, Item] = MappingProxyType(
            {item.id: item for item in sorted(by_id.values(), key=_sort_key)}
        )
        self._links: Mapping[str, tuple[str, ...]] = MappingProxyType(dict(links or {}))
        wanted = frozenset(hidden)
        # A hidden id the library does not hold (content renamed since a director chose it) is
        # set aside rather than fatal, so old program settings never take the portal down.
        self.hidden: frozenset[str] = wanted & self._all.keys()
        self.ignored_hidden: frozenset[str] = wanted - self._all.keys()
        self.items: Mapping[str, Item] = MappingProxyType(
            {key: item for key, item in self._all.items() if key not in self.hidden}
        )

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.items

    def get(self, item_id: str, *, include_hidden: bool = False) -> Item:
        """A visible item; ``include_hidden`` also finds a hidden one (e.g. homework assigned
        before the program hid it)."""
        found = (self._all if include_hidden else self.items).get(item_id)
        if found is None:
            raise UnknownItem(f"No skills library item {item_id!r}.")
        return found

    def related(self, item: Item) -> list[Item]:
        return [self.items[other] for other in item.related if other in self.items]

    def by_module(self, module_key: str) -> list[Item]:
        if module_key not in MODULE_KEYS:
            raise KeyError(f"Unknown module {module_key!r}; known: {', '.join(MODULE_KEYS)}")
        return [item for item in self if item.module == module_key]

    def modules(self) -> list[tuple[Module, list[Item]]]:
        """Each module with its visible items, in order; modules with none are left out."""
        grouped = [(known, self.by_module(known.key)) for known in MODULES]
        return [(known, items) for known, items in grouped if items]

    def for_situation(self, situation_key: str) -> list[Item]:
        """Skills for right now: the items that help in a situation. An item lists its
        situations most fitting first, so an item that names this one earlier comes first; among
        equals, skills made for the moment (distress tolerance) come before the health topics."""
        if situation_key not in SITUATION_KEYS:
            raise KeyError(
                f"Unknown situation {situation_key!r}; known: {', '.join(SITUATION_KEYS)}"
            )
        found = [item for item in self if situation_key in item.situations]
        return sorted(
            found,
            key=lambda item: (
                item.situations.index(situation_key),
                RIGHT_NOW_MODULE_ORDER.index(item.module),
                item.order,
                item.id,
            ),
        )

    def situations(self) -> list[tuple[Situation, list[Item]]]:
        grouped = [(known, self.for_situation(known.key)) for known in SITUATIONS]
        return [(known, items) for known, items in grouped if items]

    def find(self, name: str) -> Item | None:
        """The visible item whose id or name (in any language) is ``name``, ignoring case and
        accents: "Wise mind", "wise-mind" and "Mente sabia" all find wise-mind."""
        wanted = " ".join(_words(name))
        if not wanted:
            return None
        for item in self:
            if wanted == " ".join(_words(item.id)):
                return item
            if any(wanted == " ".join(_words(page.name)) for page in item.pages.values()):
                return item
        return None

    def search(
        self, query: str, *, language: str | None = None, limit: int | None = None
    ) -> list[SearchHit]:
        """Visible items matching ``query`` in ``language`` (accents and case ignored), best
        first: items matching more of the query's words, then by where they match (title, then
        keywords, then summary, then body)."""
        words = _query_words(query)
        if not words:
            return []
        phrase = " ".join(_words(query))
        scored: list[tuple[int, float, tuple[int, int, str], SearchHit]] = []
        for item in self:
            page = item.page(language)
            matched, points = page._index.score(words, phrase)
            if matched:
                hit = SearchHit(item=item, page=page, score=points)
                scored.append((matched, points, _sort_key(item), hit))
        scored.sort(key=lambda entry: (-entry[0], -entry[1], entry[2]))
        hits = [entry[3] for entry in scored]
        return hits if limit is None else hits[:limit]

    def render_section(self, section: Section, *, skill_url: Callable[[str], str | None]) -> str:
        """Safe HTML for one section; links to items this library hides become plain text."""

        def visible_url(item_id: str) -> str | None:
            return skill_url(item_id) if item_id in self.items else None

        return render_markdown(section.markdown, skill_url=visible_url)

    def with_program(
        self, *, additions: Iterable[Loaded] = (), hidden: Iterable[str] = ()
    ) -> Library:
        """This library plus a program's own items, less the ids it hides."""
        items = list(self._all.values())
        links = dict(self._links)
        for loaded in additions:
            items.extend(loaded.items)
            links.update(loaded.links)
        return Library(items, links=links, hidden=set(self.hidden) | set(hidden))


# --- loading, cached -----------------------------------------------------------------------


@cache
def shipped_library() -> Library:
    """The content shipped with OpenIOP, parsed and validated once per process."""
    loaded = load_directory(CONTENT_DIR)
    return Library(loaded.items, links=loaded.links)


@lru_cache(maxsize=64)
def load_program_directory(
    path: str, *, origin: str = "program", missing_languages: MissingLanguages = "refuse"
) -> Loaded:
    """A program's own items, parsed once per folder (call clear_caches() after editing)."""
    return load_directory(Path(path), origin=origin, missing_languages=missing_languages)


def library_for(
    *,
    additions: Sequence[str | Path] = (),
    hidden: Iterable[str] = (),
    missing_languages: MissingLanguages = "refuse",
) -> Library:
    """The shipped library with a program's folders of own items added and some ids hidden.
    ``missing_languages="fallback"`` lets the program's own items show their English page where
    a translation is missing (shipped items always have every language)."""
    loaded = [
        load_program_directory(
            str(Path(path).resolve()), origin="program", missing_languages=missing_languages
        )
        for path in additions
    ]
    return shipped_library().with_program(additions=loaded, hidden=hidden)


def clear_caches() -> None:
    shipped_library.cache_clear()
    load_program_directory.cache_clear()
