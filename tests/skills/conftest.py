"""Fixtures for the skills library: a writable copy of the shipped content to break on purpose,
and a helper to write a program's own item folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from openiop.skills import library


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(library.CONTENT_DIR, target)
    return target


PROGRAM_ITEM = """module = "{module}"
order = 1
situations = ["craving"]
related = ["{related}"]
version = "1.0"

[[sources]]
title = "Our program's relapse prevention curriculum"
publisher = "Lakeside Behavioral Health"
"""

PROGRAM_PAGE_EN = """+++
name = "Grounding with a cold drink"
title = "Grounding with a cold drink"
summary = "A program's own grounding exercise for cravings."
keywords = ["grounding", "lakeside", "craving"]
+++

## What it is for

Our own grounding exercise for cravings.

## When it helps

When a craving shows up at work.

## Steps

1. Hold a cold drink and notice its weight.
2. If you need more, try [TIPP](skill:tipp).

## Practice

Try it once a day this week.
"""

PROGRAM_PAGE_ES = """+++
name = "Conectar con una bebida fría"
title = "Conectar con una bebida fría"
summary = "Un ejercicio propio del programa para las ganas de consumir."
keywords = ["conectar", "lakeside", "ganas"]
+++

## Para qué sirve

Nuestro propio ejercicio para las ganas de consumir.

## Cuándo le puede ayudar

Cuando llegan las ganas en el trabajo.

## Pasos

1. Sostenga una bebida fría y note su peso.
2. Si necesita más, pruebe [TIPP](skill:tipp).

## Para practicar

Pruébelo una vez al día esta semana.
"""


@pytest.fixture
def program_dir(tmp_path: Path) -> Callable[..., Path]:
    """Writes a program folder with one item, ``lakeside-grounding``; English only unless
    ``spanish`` is true."""

    def make(*, spanish: bool = False, item_id: str = "lakeside-grounding") -> Path:
        root = tmp_path / "program"
        folder = root / "distress_tolerance" / item_id
        folder.mkdir(parents=True)
        (folder / "item.toml").write_text(
            PROGRAM_ITEM.format(
                module="distress_tolerance", related="stop" if item_id == "tipp" else "tipp"
            ),
            encoding="utf-8",
        )
        (folder / "en.md").write_text(PROGRAM_PAGE_EN, encoding="utf-8")
        if spanish:
            (folder / "es.md").write_text(PROGRAM_PAGE_ES, encoding="utf-8")
        return root

    return make
