"""ICD-10-CM codes: search and validation over the public-domain CMS/NCHS release.

The codes come from simple-icd-10-cm, which packages the official release (the tabular XML and
code list from NCHS); `release()` says which release it carries, so a screen can show it. Only
billable codes (the leaves of the classification) can be chosen for a diagnosis: a category
such as F33 must be narrowed to F33.0 ... F33.9.

Importing simple-icd-10-cm parses the whole classification (about 3 s and 190 MB on the
machine we measured), so nothing here imports it until a code is looked up; `warm()` does it
ahead of time (for a worker's start-up) and the search index built from it is kept for the life
of the process. Searches are answered from that index in milliseconds and the most recent
answers are cached.
"""

from __future__ import annotations

import bisect
import heapq
import importlib.metadata
import importlib.util
import re
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = "simple-icd-10-cm"
_CODE_LIST = re.compile(r"^code-list-(?P<month>[A-Za-z]+)-(?P<year>\d{4})\.txt$")
_CODE_TOKEN = re.compile(r"^[A-Z](?:\d[0-9A-Z]{0,5})?$")
# Chapter V, mental, behavioral and neurodevelopmental disorders: what an IOP codes most.
BEHAVIORAL_HEALTH = ("F",)
# Abbreviations clinicians type that the release never spells out (our own short list).
ABBREVIATIONS = {
    "adhd": "attention deficit hyperactivity",
    "aud": "alcohol",
    "bpd": "borderline personality",
    "gad": "generalized anxiety",
    "mdd": "major depressive",
    "ocd": "obsessive compulsive",
    "oud": "opioid",
    "ptsd": "post traumatic stress",
}
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Release:
    """Which ICD-10-CM release the installed package carries, e.g. April 2026."""

    month: str
    year: int
    package_version: str

    @property
    def label(self) -> str:
        return f"ICD-10-CM, {self.month} {self.year} release"


@lru_cache(maxsize=1)
def release() -> Release:
    """Read from the package's data file name (e.g. code-list-April-2026.txt) without loading
    the classification."""
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{PACKAGE} is not installed.")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    for path in sorted(data.iterdir()):
        match = _CODE_LIST.match(path.name)
        if match:
            return Release(
                month=match["month"],
                year=int(match["year"]),
                package_version=importlib.metadata.version(PACKAGE),
            )
    raise RuntimeError(f"{PACKAGE} carries no ICD-10-CM code list in {data}.")


@dataclass(frozen=True)
class Icd10Code:
    code: str  # with its dot, e.g. F33.1
    description: str
    billable: bool


@dataclass(frozen=True)
class CodeCheck:
    """A code as typed, judged: `valid` means it may be recorded as a diagnosis."""

    code: str
    valid: bool
    description: str
    message: str
    suggestions: tuple[Icd10Code, ...] = ()


# --- the classification, loaded once -------------------------------------------------------

_lock = threading.Lock()
_module: ModuleType | None = None


def _cm() -> Any:
    global _module
    if _module is None:
        with _lock:
            if _module is None:
                # It reads its data with importlib.resources calls that Python deprecates;
                # that is the package's to change, not a warning for our users.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    import simple_icd_10_cm

                _module = simple_icd_10_cm
    return _module


def normalize(code: str) -> str:
    """`f331`, ` F33.1 ` → `F33.1` (dot after the third character, as the release writes it)."""
    plain = code.strip().upper().replace(".", "")
    if len(plain) <= 3 or "-" in plain:  # a chapter (5) or a block (F30-F39) keeps its form
        return plain
    return f"{plain[:3]}.{plain[3:]}"


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class _Index:
    """Billable codes with an inverted index of description words (and inclusion terms, which
    name what else a code covers, e.g. "Depression NOS"), for prefix search."""

    def __init__(self, cm: Any) -> None:
        codes = [c for c in cm.get_all_codes(with_dots=True) if cm.is_leaf(c)]
        self.entries = [Icd10Code(c, cm.get_description(c), billable=True) for c in codes]
        self.lower = [e.description.lower() for e in self.entries]
        # Codes without their dot, sorted, for prefix ranges.
        self.plain = sorted((e.code.replace(".", ""), i) for i, e in enumerate(self.entries))
        self.plain_keys = [p for p, _ in self.plain]
        self.code_order = [0] * len(self.entries)
        for position, (_, i) in enumerate(self.plain):
            self.code_order[i] = position
        described: dict[str, list[int]] = {}
        anywhere: dict[str, list[int]] = {}
        for i, entry in enumerate(self.entries):
            own = set(_words(entry.description))
            extra = {w for term in cm.get_inclusion_term(entry.code) for w in _words(term)}
            for word in own:
                described.setdefault(word, []).append(i)
            for word in own | extra:
                anywhere.setdefault(word, []).append(i)
        self.described = described
        self.anywhere = anywhere
        self.vocabulary = sorted(anywhere)
        self.preferred(BEHAVIORAL_HEALTH)

    def words_with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.vocabulary, prefix)
        end = bisect.bisect_left(self.vocabulary, prefix + "\uffff")
        return self.vocabulary[start:end]

    def matching(self, prefix: str, postings: dict[str, list[int]]) -> set[int]:
        return set().union(*(postings.get(w, ()) for w in self.words_with_prefix(prefix)))

    @lru_cache(maxsize=8)  # noqa: B019 (one index per process, never collected)
    def preferred(self, prefixes: tuple[str, ...]) -> frozenset[int]:
        if not prefixes:
            return frozenset()
        return frozenset(i for i, e in enumerate(self.entries) if e.code.startswith(prefixes))

    def code_prefix(self, prefix: str) -> set[int]:
        start = bisect.bisect_left(self.plain_keys, prefix)
        end = bisect.bisect_left(self.plain_keys, prefix + "\uffff")
        return {i for _, i in self.plain[start:end]}


_index: _Index | None = None


def _get_index() -> _Index:
    global _index
    if _index is None:
        cm = _cm()
        with _lock:
            if _index is None:
                _index = _Index(cm)
    return _index


def warm() -> None:
    """Load the classification and build the search index now rather than on first use."""
    _get_index()


# --- search --------------------------------------------------------------------------------


def search(
    query: str, limit: int = 20, prefer: tuple[str, ...] = BEHAVIORAL_HEALTH
) -> list[Icd10Code]:
    """Billable codes matching `query`, best first.

    Tokens that look like a code (F33, f33.1, F3310) match codes by prefix; the other words
    match the start of words in the description or inclusion terms, every word required; a
    few abbreviations (PTSD, GAD, MDD...) are spelled out first. Ranked: code matches first
    (in code order), then descriptions that hold every word (over matches through an
    inclusion term), codes under the `prefer` prefixes, whole-word matches, descriptions that
    start with the first word, shorter descriptions, and code order."""
    words = query.lower().replace(".", "").split()
    if len(words) > 1:
        words = [w for w in words if len(w) > 1]  # "vitamin a": one letter is a code chapter
    key = " ".join(ABBREVIATIONS.get(w, w) for w in words)
    if not key or limit < 1:
        return []
    return list(_search(key, limit, tuple(p.upper() for p in prefer)))


@lru_cache(maxsize=2048)
def _search(query: str, limit: int, prefer: tuple[str, ...]) -> tuple[Icd10Code, ...]:
    index = _get_index()
    by_code: set[int] = set()  # codes matched by a code-like token
    found: list[set[int]] = []  # per token: what it matches
    described: list[set[int]] = []  # per token: what it matches in the description itself
    words: list[str] = []
    for token in _words(query):
        codes = index.code_prefix(token.upper()) if _CODE_TOKEN.match(token.upper()) else set()
        by_code |= codes
        if len(token) == 1:
            # One letter is a chapter of codes; as a word it would match half the release.
            if codes:
                found.append(codes)
                described.append(codes)
            continue
        words.append(token)
        found.append(codes | index.matching(token, index.anywhere))
        described.append(codes | index.matching(token, index.described))
    if not found:
        return ()
    candidates = set.intersection(*found)
    in_description = set.intersection(candidates, *described)
    whole = [set(index.described.get(w, ())) for w in words]
    first = words[0] if words else ""

    def rank(i: int) -> tuple[int, int, int, int, str]:
        return (
            0 if i in in_description else 1,
            -sum(1 for s in whole if i in s),
            0 if first and index.lower[i].startswith(first) else 1,
            len(index.lower[i]),
            index.entries[i].code,
        )

    # Rank tier by tier (set operations are cheap, a Python sort key is not): a short query
    # such as "in" matches half the release, but only its first tiers need ranking.
    preferred = index.preferred(prefer)
    others = candidates - by_code
    tiers: list[tuple[set[int], Callable[[int], Any]]] = [
        (candidates & by_code, index.code_order.__getitem__),
        ((others & in_description) & preferred, rank),
        ((others & in_description) - preferred, rank),
        ((others - in_description) & preferred, rank),
        ((others - in_description) - preferred, rank),
    ]
    result: list[Icd10Code] = []
    for tier, key in tiers:
        wanted = limit - len(result)
        if wanted <= 0:
            break
        result.extend(index.entries[i] for i in heapq.nsmallest(wanted, tier, key=key))
    return tuple(result)


# --- validation ----------------------------------------------------------------------------


def check(code: str) -> CodeCheck:
    """Whether `code` may be recorded as a diagnosis, and if not, why and what to pick."""
    cm = _cm()
    normalized = normalize(code)
    where = release().label
    if not normalized or not cm.is_valid_item(normalized):
        return CodeCheck(normalized, False, "", f"{code.strip()!r} is not a code in {where}.")
    description = cm.get_description(normalized)
    if cm.is_chapter_or_block(normalized) and not cm.is_category(normalized):
        return CodeCheck(
            normalized,
            False,
            description,
            f"{normalized} is a chapter or block of {where}, not a diagnosis code.",
        )
    if not cm.is_leaf(normalized):
        leaves = [c for c in cm.get_descendants(normalized) if cm.is_leaf(c)]
        suggestions = tuple(Icd10Code(c, cm.get_description(c), True) for c in leaves[:12])
        return CodeCheck(
            normalized,
            False,
            description,
            f"{normalized} ({description}) is a heading, not billable: choose one of its "
            f"{len(leaves)} more specific codes.",
            suggestions,
        )
    return CodeCheck(normalized, True, description, f"{normalized} {description}")


def is_billable(code: str) -> bool:
    return check(code).valid


def describe(code: str) -> str:
    """The release's description of a code (any level); ValueError when there is none."""
    normalized = normalize(code)
    cm = _cm()
    if not cm.is_valid_item(normalized):
        raise ValueError(f"{code!r} is not an ICD-10-CM code.")
    return str(cm.get_description(normalized))
