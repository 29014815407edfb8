"""Small helpers for the English the pages show."""

from __future__ import annotations

_VOWELS = frozenset("aeiou")


def with_article(phrase: str) -> str:
    """The phrase with its indefinite article: "an individual session", "a family session".
    By the first letter, which is right for the labels OpenIOP builds sentences from; an
    initialism is read letter by letter ("a DBT skills group", "an LCSW")."""
    text = phrase.strip()
    if not text:
        return text
    first_word = text.split()[0]
    if first_word.isupper() and len(first_word) > 1:
        # Letters whose names start with a vowel sound: F, H, L, M, N, R, S, X and the vowels.
        article = "an" if first_word[0] in "AEFHILMNORSX" else "a"
    else:
        article = "an" if text[0].lower() in _VOWELS else "a"
    return f"{article} {text}"
