"""Check skills content from the command line, without Django:

    python -m openiop.skills check                       the shipped content
    python -m openiop.skills check PROGRAM_DIR [--fallback]   a program's own items with it
    python -m openiop.skills search "no puedo dormir" --language es [--program DIR]
    python -m openiop.skills situation cant_sleep --language es

``check`` exits 1 with the file and the problem when anything is wrong, so a clinical lead can
run it after editing a page and CI can run it on a program's folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from openiop.skills.library import (
    LANGUAGES,
    SITUATION_KEYS,
    ContentError,
    Library,
    MissingLanguages,
    library_for,
    module,
)


def _library(args: argparse.Namespace) -> Library:
    policy: MissingLanguages = "fallback" if args.fallback else "refuse"
    return library_for(additions=args.program, missing_languages=policy)


def _check(args: argparse.Namespace) -> int:
    library = _library(args)
    for known, items in library.modules():
        print(f"{known.label('en')}: {len(items)}")
    fallbacks = [item for item in library if item.fallback_languages]
    for item in fallbacks:
        languages = ", ".join(item.fallback_languages)
        print(f"  {item.id}: shown in English for {languages} (fallback)")
    print(f"OK: {len(library)} items, languages {', '.join(LANGUAGES)}")
    return 0


def _search(args: argparse.Namespace) -> int:
    for hit in _library(args).search(args.query, language=args.language, limit=args.limit):
        print(f"{hit.score:6.1f}  {hit.item.id:30}  {hit.page.title}")
    return 0


def _situation(args: argparse.Namespace) -> int:
    for item in _library(args).for_situation(args.situation):
        label = module(item.module).label(args.language)
        print(f"{item.id:30}  {label:30}  {item.page(args.language).title}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m openiop.skills", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate the shipped content (and program folders)")
    check.add_argument("program", nargs="*", help="a program's own content folder")
    search = commands.add_parser("search", help="search the library")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    situation = commands.add_parser("situation", help="skills for right now in a situation")
    situation.add_argument("situation", choices=SITUATION_KEYS)
    for command in (check, search, situation):
        command.add_argument(
            "--fallback",
            action="store_true",
            help="let a program's items show English where a translation is missing",
        )
    for command in (search, situation):
        command.add_argument("--language", choices=LANGUAGES, default="en")
        command.add_argument("--program", action="append", default=[], help="a program folder")
    args = parser.parse_args(argv)
    handlers = {"check": _check, "search": _search, "situation": _situation}
    try:
        return handlers[args.command](args)
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
