"""Person-first, non-stigmatising language in everything a participant reads in the library
(NIDA, "Words Matter"). A term here fails the test wherever it appears in a page or a source
note; write "a person who uses drugs", "substance use", "a positive/negative test" instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openiop.skills.library import CONTENT_DIR

FILES = sorted(p for p in CONTENT_DIR.rglob("*") if p.suffix in {".md", ".toml"})

# Always stigmatising, in any context.
TERMS = [
    r"addicts?",
    r"drug addicts?",
    r"abusers?",
    r"substance abuse",
    r"drug abuse",
    r"alcohol abuse",
    r"junkies?",
    r"crackheads?",
    r"druggies?",
    r"stoners?",
    r"alcoholics?",
    r"drunks?",
    r"dope ?fiends?",
    r"users? of drugs",
    r"drug users?",
    r"committed suicide",
    r"successful suicide",
    r"failed suicide",
    r"mentally ill",
    r"the mentally",
    r"crazy",
    r"insane",
    r"psychos?",
    r"lunatics?",
    r"schizophrenics?",
    r"manipulative",
    r"attention[- ]seeking",
    r"non-?compliant",
    r"suffers? from",
    r"suffering from",
    r"dirty",
    # Spanish
    r"adictos?",
    r"adictas?",
    r"drogadictos?",
    r"drogadictas?",
    r"abusador(?:es|as?)?",
    r"abuso de (?:sustancias|drogas|alcohol)",
    r"alcoh[oó]lic[oa]s?",
    r"viciosos?",
    r"borrach[oa]s?",
    r"se suicid[oó]",
    r"cometi[oó] suicidio",
    r"enfermos? mentales?",
    r"loc[oa]s?",
    r"sufre de",
    r"padece de",
    r"suci[oa]s?",
]

# "Clean"/"limpio" are stigmatising when they describe a person or a drug test ("stay clean",
# "a clean screen"); "fresh laundry" is how our pages already avoid the word elsewhere.
CLEAN_ABOUT_USE = [
    r"\bclean\b(?:\W+\w+){0,3}?\W+(?:tests?|screens?|urine|ua|samples?|time|dates?|sober|"
    r"sobriety|drugs?|days?|months?|years?)\b",
    r"\b(?:stay|stays|stayed|staying|get|gets|got|getting|be|been|being|am|is|are|was|were|"
    r"keep|keeps|kept|test|tests|tested|testing|came back|come back)\W+clean\b",
    r"\bclean and sober\b",
    r"\blimpi[oa]s?\b(?:\W+\w+){0,3}?\W+(?:pruebas?|análisis|orina|muestras?|drogas?|"
    r"sobri[oa]s?|días|meses|años)\b",
    r"\b(?:lleva|llevo|llevas|llevamos)\b(?:\W+\w+){0,3}?\W+limpi[oa]s?\b",
    r"\b(?:mantenerse|mantenerme|seguir|sigue|sigo|estar|estoy|está|salir|salió|salí|salga|"
    r"quedarse|dar|dio)\W+limpi[oa]s?\b",
]

# Official names of public agencies, cited as sources, are not ours to change.
PROPER_NAMES = ["National Institute on Drug Abuse", "Substance Abuse and Mental Health Services"]

PATTERNS = [re.compile(rf"\b{term}\b", re.IGNORECASE) for term in TERMS] + [
    re.compile(pattern, re.IGNORECASE) for pattern in CLEAN_ABOUT_USE
]


def _hits(text: str) -> list[str]:
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    return [match.group(0) for pattern in PATTERNS for match in pattern.finditer(text)]


def test_there_is_content_to_scan():
    assert len(FILES) > 90


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(Path(p).relative_to(CONTENT_DIR)))
def test_the_content_uses_person_first_language(path):
    hits = _hits(path.read_text(encoding="utf-8"))
    assert not hits, f"{path.relative_to(CONTENT_DIR)}: stigmatising wording {hits}"


@pytest.mark.parametrize(
    "text",
    [
        "She has stayed clean for a year.",
        "Your test came back clean.",
        "a clean urine screen",
        "He is an addict.",
        "people who are alcoholics",
        "a history of substance abuse",
        "a dirty test",
        "clean and sober",
        "Lleva un año limpio.",
        "la prueba salió limpia",
        "una prueba sucia",
        "un adicto",
        "abuso de sustancias",
    ],
)
def test_the_scan_catches_stigmatising_wording(text):
    assert _hits(text)


@pytest.mark.parametrize(
    "text",
    [
        "Smell fresh laundry or clean sheets.",
        "a person with a substance use disorder",
        "a positive test result",
        "a partner who hurts or controls you",
        "Abuse in a relationship is never your fault.",
        "Mantenga su cuarto oscuro, callado y fresco.",
    ],
)
def test_the_scan_leaves_ordinary_words_alone(text):
    assert not _hits(text)
