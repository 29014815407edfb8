"""The indefinite article the pages build sentences with."""

from __future__ import annotations

import pytest

from openiop.lib.text import with_article


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("individual session", "an individual session"),
        ("family session", "a family session"),
        ("intake assessment", "an intake assessment"),
        ("expressive therapy", "an expressive therapy"),
        ("DBT skills group", "a DBT skills group"),
        ("LCSW", "an LCSW"),
        ("  other  ", "an other"),
        ("", ""),
    ],
)
def test_with_article(phrase: str, expected: str) -> None:
    assert with_article(phrase) == expected
